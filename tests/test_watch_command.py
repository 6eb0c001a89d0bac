"""`cinefile watch` as a real process: output, signals, the lock, and sharing the db."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cinefile.daemon.project import Project
from cinefile.daemon.watch.lock import LOCK_NAME
from watch_helpers import block_text, eventually

SCENE = "story/scene-1.md"
CINEFILE = [sys.executable, "-m", "cinefile"]
# As root every file is readable; dropping these capabilities makes permissions count again.
AS_PLAIN_USER = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []


class Daemon:
    """A `cinefile watch` process whose output is collected line by line as it comes."""

    def __init__(self, root: Path, *args: str, prefix: list[str] = ()) -> None:
        self.as_json = "--json" in args
        self.proc = subprocess.Popen([*prefix, *CINEFILE, "watch", *args], cwd=root, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(stream, lines), daemon=True)
                         for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    @property
    def events(self) -> list[dict]:
        return [json.loads(line) for line in list(self.out)]

    def wait_event(self, what: str, match=lambda event: True, timeout: float = 30) -> dict:
        return eventually(lambda: next((e for e in self.events if match(e)), None), what, timeout)

    def wait_line(self, pattern: str, what: str) -> str:
        return eventually(lambda: next((l for l in list(self.out) if re.search(pattern, l)), None), what)

    def watching(self) -> "Daemon":
        if self.as_json:
            self.wait_event("the daemon is watching", lambda e: e["event"] == "watching")
        else:
            self.wait_line(r"^watching ", "the daemon is watching")
        return self

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.proc.send_signal(signum)
        return self.finish()

    def finish(self) -> int:
        code = self.proc.wait(timeout=60)
        for reader in self._readers:
            reader.join(timeout=10)
        return code


@pytest.fixture
def daemon():
    started: list[Daemon] = []

    def start(root: Path, *args: str, prefix: list[str] = ()) -> Daemon:
        started.append(Daemon(root, *args, prefix=prefix))
        return started[-1]

    yield start
    for running in started:
        if running.proc.poll() is None:
            running.proc.kill()
            running.proc.wait()


def rows(root: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(root / "project.db", timeout=30) as conn:
        return conn.execute(sql, params).fetchall()


def assert_db_intact(root: Path) -> None:
    assert rows(root, "PRAGMA integrity_check") == [("ok",)]


def test_json_events_and_sigint(sample: Project, daemon):
    d = daemon(sample.root, "--json").watching()
    (sample.root / SCENE).write_text(block_text("Edited", type_="scene"))
    event = d.wait_event("a synced event for the edit", lambda e: e["event"] == "synced" and SCENE in e["modified"])
    assert event["removed"] == [] and isinstance(event["ms"], (int, float)) and isinstance(event["problems"], list)
    assert d.stop(signal.SIGINT) == 0
    assert d.events[-1] == {"event": "stopped", "reason": "SIGINT"}
    assert not (sample.root / LOCK_NAME).exists()


def test_text_lines_and_verbose_detail(sample: Project, daemon):
    d = daemon(sample.root, "--verbose").watching()
    (sample.root / "story/added.md").write_text(block_text("Added"))
    d.wait_line(r"^synced \+1 ~0 -0 in \d+ms$", "one line for the batch")
    d.wait_line(r"^  \+ story/added\.md$", "the file, with --verbose")
    (sample.root / "story/broken.md").write_text("---\ntype: character\ntitle: [\n---\n")
    d.wait_line(r"^story/broken\.md:\d+:\d+: error: ", "the broken file's problem as file:line:col")
    assert d.stop() == 0
    assert d.out[-1] == "stopped (SIGTERM)"


def test_a_second_daemon_is_refused_and_a_stale_lock_taken_over(sample: Project, daemon):
    first = daemon(sample.root).watching()
    second = subprocess.run([*CINEFILE, "watch"], cwd=sample.root, capture_output=True, text=True, timeout=60)
    assert second.returncode == 2
    assert f"already running for this project (pid {first.proc.pid})" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    assert first.stop() == 0

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (sample.root / LOCK_NAME).write_text(f"{dead.pid}\n")
    third = daemon(sample.root, "--json").watching()
    assert any(f"lock of pid {dead.pid}" in e.get("message", "") for e in third.events)
    assert (sample.root / LOCK_NAME).read_text().strip() == str(third.proc.pid)
    assert third.stop() == 0


def test_sigterm_in_a_burst_then_a_restart_converges(sample: Project, daemon):
    d = daemon(sample.root, "--json").watching()
    folder = sample.root / "story/burst"
    folder.mkdir()
    for i in range(2000):
        (folder / f"b{i:04}.md").write_text(block_text(f"B{i}"))
        if i == 700:
            d.proc.send_signal(signal.SIGTERM)
    assert d.finish() == 0
    assert_db_intact(sample.root)
    restarted = daemon(sample.root, "--json").watching()  # "watching" comes after the catch-up sync
    assert rows(sample.root, "SELECT count(*) FROM blocks WHERE path LIKE 'story/burst/%'") == [(2000,)]
    assert restarted.stop() == 0


def test_daemon_and_cli_sync_at_the_same_time(sample: Project, daemon):
    d = daemon(sample.root, "--json").watching()
    for round_ in range(4):
        for i in range(40):
            (sample.root / f"story/c{i:02}.md").write_text(block_text(f"Round {round_}"))
        synced = subprocess.run([*CINEFILE, "sync", "--json"], cwd=sample.root, capture_output=True, text=True, timeout=120)
        assert synced.returncode in (0, 1), synced.stderr  # 1 = problems in the files, never a locked db
        assert "Traceback" not in synced.stderr
    eventually(lambda: rows(sample.root, "SELECT count(*) FROM blocks WHERE title = 'Round 3'") == [(40,)],
               "the last round in the index")
    assert_db_intact(sample.root)
    assert d.stop() == 0
    assert not [e for e in d.events if e["event"] == "log" and "failed" in e["message"]]


def test_permission_denied_is_reported_and_survived(sample: Project, daemon):
    d = daemon(sample.root, "--json", prefix=AS_PLAIN_USER).watching()
    os.chmod(sample.root / SCENE, 0)
    d.wait_event("the unreadable file reported", lambda e: e["event"] == "synced" and any(
        p["path"] == SCENE and p["code"] == "unreadable" for p in e["problems"]))
    os.chmod(sample.root / SCENE, 0o644)
    d.wait_event("readable again", lambda e: e["event"] == "synced" and SCENE in e["modified"] and not any(
        p["path"] == SCENE and p["code"] == "unreadable" for p in e["problems"]))
    assert d.stop() == 0


def test_root_deleted_exits_with_a_message(sample: Project, daemon):
    d = daemon(sample.root).watching()
    shutil.rmtree(sample.root)
    assert d.finish() == 2
    assert any("moved or deleted" in line for line in d.err)


def test_help_has_an_example(cli):
    result = cli("watch", "--help")
    assert result.exit_code == 0 and "Example:" in result.output and "cinefile watch" in result.output


def test_the_doc_names_the_lock_file_and_the_options(cli):
    doc = (Path(__file__).parent.parent / "docs" / "watch.md").read_text()
    assert f"`{LOCK_NAME}`" in doc
    for option in ("--verbose", "--json", "--polling", "--debounce"):
        assert option in doc and option in cli("watch", "--help").output
