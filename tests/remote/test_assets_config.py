"""`[remote]` in cinefile.toml, and what naming a store does to a project's files."""

from __future__ import annotations

import pytest
from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.errors import UserError
from cinefile.format.config import ConfigError, parse_config


def test_remote_options_pass_through_and_secrets_are_refused():
    remote = parse_config('[remote]\nurl = "s3://films/nf/"\nendpoint_url = "http://127.0.0.1:9000"\nworkers = 3\n').remote
    assert (remote.url, remote.workers, remote.options) == ("s3://films/nf", 3, {"endpoint_url": "http://127.0.0.1:9000"})
    for table, said in (('secret = "x"', "`secret` looks like a secret"),
                        ('[remote.client_kwargs]\naws_access_key_id = "x"', "`client_kwargs.aws_access_key_id` looks like"),
                        ('account_key = "x"', "`account_key` looks like a secret")):
        with pytest.raises(ConfigError, match=said):
            parse_config(f'[remote]\nurl = "az://films"\n{table}\n')
    with pytest.raises(ConfigError, match="a password in the address is refused") as refused:
        parse_config('[remote]\nurl = "sftp://ilse:hunter2@ferry/film"\n')
    assert "hunter2" not in str(refused.value)
    with pytest.raises(ConfigError, match="unknown kind of store `ftp://`"):
        parse_config('[remote]\nurl = "ftp://ferry/film"\n')


def test_init_with_a_remote_keeps_media_out_of_git(tmp_path):
    project = init_project(tmp_path / "film", remote="s3://films/night-ferry")
    assert project.config.remote.url == "s3://films/night-ferry"
    ignored = (project.root / ".gitignore").read_text().splitlines()
    assert "project.db" in ignored and "/assets/" in ignored
    plain = init_project(tmp_path / "plain")
    assert "/assets/" not in (plain.root / ".gitignore").read_text()
    with pytest.raises(UserError, match="--remote 'ftp://x': unknown kind of store"):
        init_project(tmp_path / "bad", remote="ftp://x")
    assert not (tmp_path / "bad").exists()


def test_naming_a_store_later(tmp_path, cli, empty):
    result = cli("assets", "remote", f"file://{tmp_path}/store", cwd=empty.root)
    assert result.exit_code == 0, result.output
    assert "/assets/" in (empty.root / ".gitignore").read_text().splitlines()
    assert f'url = "file://{tmp_path}/store"' in (empty.root / "cinefile.toml").read_text()
    again = cli("assets", "remote", "s3://other", cwd=empty.root)
    assert again.exit_code == 2 and "a [remote] is set already" in again.output


def test_a_clone_without_the_media_is_told_to_pull_them_not_that_they_are_broken(tmp_path, cli):
    result = cli("init", str(tmp_path / "film"), "--remote", f"file://{tmp_path}/store")
    assert result.exit_code == 0, result.output
    film = tmp_path / "film"
    sha = "ab" * 32
    (film / "design" / "mara.md").write_text(f"---\ntype: character\nassets:\n- sha256: {sha}\n  role: still\n---\nMara.\n")
    synced = cli("sync", cwd=film)
    assert synced.exit_code == 0, synced.output
    assert "1 linked asset(s) not in assets/ here: fetch them with `cinefile assets pull`" in synced.stderr
    status = cli("status", cwd=film)
    assert status.exit_code == 0 and "Broken" not in status.output
    assert "Assets not here (1):" in status.output
    assert f"design/mara.md:4: asset {sha[:12]}… (still) is not in assets/ here: fetch it" in status.output
