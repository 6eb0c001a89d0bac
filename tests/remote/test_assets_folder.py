"""`cinefile assets` against a shared folder (file://): push, pull, status, resume, and what
the project says about linked assets that are not here."""

from __future__ import annotations

import json

from cinefile.daemon.api import ProjectAPI
from remote_helpers import clone_without_assets, film_with_assets, remote_table, sha_of

pytest_plugins = ["remote_fixtures"]


def _film(tmp_path, count=3):
    store = tmp_path / "store"
    store.mkdir()
    project, hashes = film_with_assets(tmp_path / "team-film", count, remote_table(f"file://{store}"))
    return project, hashes, store


def test_push_sends_each_asset_once_with_its_record(tmp_path, cli):
    project, hashes, store = _film(tmp_path)
    first = cli("assets", "push", "--json", cwd=project.root)
    assert first.exit_code == 0, first.output
    sent = json.loads(first.output)
    assert sorted(sent["sent"]) == sorted(f"{sha}.png" for sha in hashes) and sent["records"] == 3
    for sha in hashes:
        assert sha_of(store / f"{sha}.png") == sha
        assert json.loads((store / "meta" / f"{sha}.json").read_text())["sha"] == sha
    assert not list((store / ".partial").iterdir())  # every upload moved into place
    again = json.loads(cli("assets", "push", "--json", cwd=project.root).output)
    assert again["sent"] == [] and again["records"] == 0 and again["already"] == 3


def test_a_clone_pulls_what_its_blocks_link_and_the_index_shows_it(tmp_path, cli):
    project, hashes, store = _film(tmp_path)
    assert cli("assets", "push", cwd=project.root).exit_code == 0
    extra = store / ("e" * 64 + ".png")  # on the store, linked by no block
    extra.write_bytes(b"x")
    clone = clone_without_assets(project, tmp_path / "clone")

    status = cli("assets", "status", "--json", cwd=clone.root)
    data = json.loads(status.output)
    assert data["here"] == 0 and sorted(data["to_pull"]) == sorted(hashes) and data["only_on_store"] == 1

    with ProjectAPI.open(clone.root) as api:
        api.sync()
        missing = api.status().missing_assets
        assert sorted(m["sha256"] for m in missing) == sorted(hashes)
        assert all(m["path"] == "shooting/shot-1a.md" and "cinefile assets pull" in m["message"] for m in missing)
        assert "broken" not in {b.state for b in api.blocks()}  # missing here is not broken
        assert [a.path for a in api.card("shot-1a").assets] == [None, None, None]

    pulled = cli("assets", "pull", cwd=clone.root)
    assert pulled.exit_code == 0, pulled.output
    assert "Fetched 3 asset(s) and 3 record(s)" in pulled.output
    for sha in hashes:
        assert sha_of(clone.assets / f"{sha}.png") == sha and (clone.assets / "meta" / f"{sha}.json").is_file()
    assert not (clone.assets / extra.name).exists()  # not linked: only with --all
    assert not [p for p in clone.assets.iterdir() if p.name.startswith(".")]  # no temp file left
    with ProjectAPI.open(clone.root) as api:
        assert api.status().missing_assets == []
        assert all(a.path for a in api.card("shot-1a").assets)  # linked in the index without an edit


def test_pull_all_fetches_every_asset_and_refuses_a_corrupt_one(tmp_path, cli):
    project, hashes, store = _film(tmp_path)
    assert cli("assets", "push", cwd=project.root).exit_code == 0
    stray = store / ("0" * 64 + ".png")  # its bytes do not hash to its name
    stray.write_bytes(b"not the bytes it names")
    clone = clone_without_assets(project, tmp_path / "clone")
    result = cli("assets", "pull", "--all", cwd=clone.root)
    assert result.exit_code == 1
    assert f"{stray.name}: its bytes hash to" in result.output and "not used" in result.output
    assert not (clone.assets / stray.name).exists()
    assert all((clone.assets / f"{sha}.png").is_file() for sha in hashes)  # the others still came
    assert not [p for p in clone.assets.iterdir() if p.name.startswith(".")]


def test_a_push_resumes_after_a_store_copy_was_cut_short(tmp_path, cli):
    project, hashes, store = _film(tmp_path)
    assert cli("assets", "push", cwd=project.root).exit_code == 0
    cut = store / f"{hashes[0]}.png"
    cut.write_bytes(cut.read_bytes()[:10])  # as a copy done by hand and interrupted would leave it
    result = json.loads(cli("assets", "push", "--json", cwd=project.root).output)
    assert result["sent"] == [cut.name] and result["replaced"] == [cut.name]
    assert sha_of(cut) == hashes[0]


def test_status_says_what_is_where(tmp_path, cli):
    project, _, _ = _film(tmp_path)
    before = cli("assets", "status", cwd=project.root)
    assert "3 here · 0 on the store" in before.output and "To push (3)" in before.output
    cli("assets", "push", cwd=project.root)
    after = cli("assets", "status", cwd=project.root)
    assert "3 here · 3 on the store" in after.output and "In step" in after.output


def test_no_remote_and_a_missing_folder_are_one_line_each(tmp_path, cli, empty):
    none = cli("assets", "push", cwd=empty.root)
    assert none.exit_code == 2 and "no [remote] table" in none.output and "Traceback" not in none.output
    project, _, store = _film(tmp_path)
    store.rmdir()
    gone = cli("assets", "push", cwd=project.root)
    assert gone.exit_code == 1 and f"no folder `{store}` there" in gone.output and "Traceback" not in gone.output
