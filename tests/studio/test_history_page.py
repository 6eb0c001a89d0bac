"""The History page: every version of a block, a diff between any two, and restoring one."""

from __future__ import annotations

from cinefile.daemon.api import ProjectAPI

TITLE = "title: Wide on the car deck"


def edit(root, block_id: str, old: str, new: str) -> int:
    """Change a block the way another front end would (the guarded write); its new version."""
    with ProjectAPI.open(root) as api:
        current = api.read(block_id)
        api.apply(api.replace_text(block_id, current.text.replace(old, new), current.file_hash))
        return api.history(block_id)[-1].version


def open_history(studio, block_id: str):
    at = studio("views/history.py")
    return at.selectbox(key="history_block").set_value(block_id).run()


def test_versions_are_listed_newest_first_with_when_and_how(studio, film):
    latest = edit(film, "shot-1a", TITLE, "title: Wide on the flooded deck")
    at = open_history(studio, "shot-1a")
    table = at.dataframe[0].value
    assert list(table["version"]) == [f"v{n}" for n in range(latest, 0, -1)]
    assert table["action"][0] == "update" and table["action"].iloc[-1] == "create"
    assert all(table["when"]) and set(table["path"]) == {"shooting/shot-1a.md"}


def test_a_diff_between_two_versions_and_against_the_file_now(studio, film):
    flooded = edit(film, "shot-1a", TITLE, "title: Wide on the flooded deck")
    sinking = edit(film, "shot-1a", "flooded", "sinking")
    at = open_history(studio, "shot-1a")
    at.selectbox(key="history_from").set_value(flooded - 1).run()
    at.selectbox(key="history_to").set_value(flooded).run()
    diff = at.code[0].value
    assert f"-{TITLE}" in diff and "+title: Wide on the flooded deck" in diff and "sinking" not in diff
    at.selectbox(key="history_to").set_value("now").run()
    assert "+title: Wide on the sinking deck" in at.code[0].value
    at.selectbox(key="history_from").set_value(sinking).run()
    assert at.info[0].value == "No difference."


def test_restore_puts_an_earlier_version_back_as_a_new_one(studio, film):
    before = (film / "shooting/shot-1a.md").read_text()
    edited = edit(film, "shot-1a", TITLE, "title: Wide on the flooded deck")
    at = open_history(studio, "shot-1a")
    at.selectbox(key="history_restore_version").set_value(edited - 1).run()
    at.button(key="history_restore").click().run()
    assert not at.exception and not at.error
    assert (film / "shooting/shot-1a.md").read_text() == before
    table = at.dataframe[0].value
    assert table["version"][0] == f"v{edited + 1}"
    assert table["note"][0] == f"same text as v{edited - 1}"  # the restore, told apart from an edit


def test_a_commit_of_the_file_is_listed_and_restored(studio, film):
    """In a git repository the file's commits are versions too (a fresh clone has no others)."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(film), *args], check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    git("-c", "user.name=Ilse", "-c", "user.email=ilse@example.com", "add", "-A")
    git("-c", "user.name=Ilse", "-c", "user.email=ilse@example.com", "commit", "-qm", "The first cut")
    commit = git("rev-parse", "HEAD").strip()
    before = (film / "shooting/shot-1a.md").read_text()
    edit(film, "shot-1a", TITLE, "title: Wide on the flooded deck")
    at = open_history(studio, "shot-1a")
    table = at.dataframe[0].value
    row = table[table["version"] == commit[:7]].iloc[0]
    assert (row["how"], row["who"]) == ("commit", "Ilse") and row["note"].startswith("The first cut")
    at.selectbox(key="history_from").set_value(commit).run()
    assert "-title: Wide on the flooded deck" not in at.code[0].value and "+title: Wide on the flooded deck" in at.code[0].value
    at.selectbox(key="history_restore_version").set_value(commit).run()
    at.button(key="history_restore").click().run()
    assert not at.exception and not at.error
    assert (film / "shooting/shot-1a.md").read_text() == before
