"""`cinefile init`: a new project folder, empty or with the sample short film."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cinefile.format.catalog import PHASE_FOLDERS
from cinefile.format.config import CONFIG_NAME, ConfigError, check_remote_url, config_text

from ..atomic import write_atomic
from ..errors import UserError
from ..git.setup import set_up as set_up_git
from ..project import DB_NAME, Project

SAMPLE_NAME = "Night Ferry"
# In the sample, one costume is edited after everything was reviewed, so that the
# blocks made from it show up as stale.
SAMPLE_EDITED = "design/mara-raincoat.md"
# And one shot was never reviewed at all.
SAMPLE_UNREVIEWED = "shooting/shot-2a.md"

GITIGNORE = f"""# The index is rebuilt from the files by `cinefile sync`; keep it out of git.
{DB_NAME}
{DB_NAME}-*
"""
# With a [remote], media live in the store and travel by `cinefile assets push` / `pull`.
MEDIA_GITIGNORE = """# The media (and their generation records) live in the remote store named in cinefile.toml:
# `cinefile assets push` sends them, `cinefile assets pull` fetches them.
/assets/
"""


def with_media_ignored(text: str) -> str:
    """A .gitignore's text that also keeps assets/ out of git (unchanged when it already does)."""
    if any(line.strip() in ("/assets/", "assets/", "/assets", "assets") for line in text.splitlines()):
        return text
    return (text.rstrip("\n") + "\n\n" if text.strip() else "") + MEDIA_GITIGNORE


def init_project(folder: Path, *, sample: bool = False, name: str | None = None, remote: str | None = None) -> Project:
    """A new project in `folder`; with `remote` (a store's url), its assets live there and
    its .gitignore keeps them out of git."""
    if (folder / CONFIG_NAME).exists():
        raise UserError(f"{folder / CONFIG_NAME}: a project is already here; nothing was changed")
    if sample and folder.exists() and any(p for p in folder.rglob("*.md")):
        raise UserError(f"{folder}: already holds .md files; put the sample in a new folder")
    if remote is not None:
        try:
            check_remote_url(remote)
        except ConfigError as error:
            raise UserError(str(error).replace(f"{CONFIG_NAME}: [remote] url", "--remote")) from None
    name = name or (SAMPLE_NAME if sample else folder.resolve().name.replace("-", " ").replace("_", " ").title())
    for sub in (*PHASE_FOLDERS.values(), "assets", "exports"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    write_atomic(folder / CONFIG_NAME, config_text(name, remote=remote))
    gitignore = folder / ".gitignore"
    before = gitignore.read_text(encoding="utf-8", errors="replace") if gitignore.exists() else None
    text = before or ""
    if DB_NAME not in text:
        text = (text.rstrip("\n") + "\n" if text else "") + GITIGNORE
    text = with_media_ignored(text) if remote else text
    if text != before:
        write_atomic(gitignore, text)
    project = Project(folder.resolve())
    set_up_git(project.root)  # block files merged by cinefile's driver (docs/teams.md)
    if sample:
        _write_sample(project)
    return project


def _write_sample(project: Project) -> None:
    from . import ProjectAPI  # the sample is marked fresh the way a user would

    source = resources.files("cinefile.daemon") / "sample"
    for phase_folder in PHASE_FOLDERS.values():
        for item in sorted((source / phase_folder).iterdir(), key=lambda p: p.name):
            if item.name.endswith(".md"):
                write_atomic(project.root / phase_folder / item.name, item.read_bytes())
    with ProjectAPI(project) as api:
        api.sync()
        reviewed = [row["key"] for row in api.index.blocks("refs != '[]' AND path != ?", [SAMPLE_UNREVIEWED])]
        api.mark_fresh(reviewed)
        edited = project.root / SAMPLE_EDITED
        later = (source / "later-edit.txt").read_text(encoding="utf-8")
        write_atomic(edited, edited.read_text(encoding="utf-8").rstrip("\n") + " " + later)
        api.sync()
