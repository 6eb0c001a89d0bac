"""Helpers of the remote-store tests: small films with assets, clones without them, and the
dummy credentials (see remote_fixtures.py for the server)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.project import Project

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS))  # media_files, beside tests/conftest.py

from media_files import link_assets, png_bytes

# A credential no output, log or file may ever show.
SECRET = "cinefile-test-secret-" + "7f3a9c2e1b"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "cinefile-test-access",
    "AWS_SECRET_ACCESS_KEY": SECRET,
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",  # never ask a cloud's metadata service
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint)


def remote_table(url: str, **options: str | int) -> str:
    lines = [f'url = "{url}"', *(f"{key} = {value!r}".replace("'", '"') for key, value in options.items())]
    return "\n[remote]\n" + "\n".join(lines) + "\n"


def film_with_assets(folder: Path, count: int, remote: str = "") -> tuple[Project, list[str]]:
    """A small project whose first shot links `count` small PNG stills (each with a generation
    record in assets/meta/), with `remote` (a [remote] table) in its cinefile.toml."""
    project = init_project(folder)
    (project.root / "shooting" / "shot-1a.md").write_text("---\ntype: shot\ntitle: The wheelhouse\n---\nIlse at the wheel.\n",
                                                          encoding="utf-8")
    if remote:
        config = project.root / "cinefile.toml"
        config.write_text(config.read_text(encoding="utf-8") + remote, encoding="utf-8")
    stills = [(png_bytes(3, 3, (n, 40, 200)), "png", "still", False) for n in range(count)]
    hashes = link_assets(project, "shooting/shot-1a.md", *stills)
    (project.assets / "meta").mkdir(exist_ok=True)
    for sha in hashes:
        (project.assets / "meta" / f"{sha}.json").write_text(f'{{"provider": "mock", "sha": "{sha}"}}\n', encoding="utf-8")
    return Project(project.root), hashes


def clone_without_assets(project: Project, folder: Path) -> Project:
    """What `git clone` gives a teammate when assets/ is ignored: every file but the media."""
    shutil.copytree(project.root, folder, ignore=shutil.ignore_patterns("assets", "project.db*"))
    return Project(folder)


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
