"""Many clients reading and writing at once while edits land on disk and the watcher syncs
them, on the second server (the corpus of broken files): no 5xx, every write that raced
another gets 412 (none is lost), and afterwards the server's index is what a fresh sync of
the folder makes."""

from __future__ import annotations

import concurrent.futures
import fcntl
import os
import shutil
import threading

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.api.core import WRITE_LOCK_NAME
from http_server import eventually

pytest_plugins = ["http_fixtures"]  # the servers: tests/http can have no conftest (see http_fixtures)

SHARED = [f"race-{n}" for n in range(3)]  # written by several clients at once
ON_DISK = [f"disk-{n}" for n in range(3)]  # edited on disk too, while clients write them
WRITERS, READERS, ROUNDS, DISK_EDITS = 8, 4, 12, 30


def _write_rounds(server, writer: int, statuses: list, written: dict) -> None:
    client = server.client()
    for n in range(ROUNDS):
        block = (SHARED + ON_DISK)[(writer + n) % (len(SHARED) + len(ON_DISK))]
        read = client.get(f"/blocks/{block}")
        statuses.append(read.status_code)
        marker = f"writer {writer} round {n}"
        put = client.put(f"/blocks/{block}", content=read.json()["text"] + f"\n{marker}\n",
                         headers={"If-Match": read.headers["etag"]})
        statuses.append(put.status_code)
        if put.status_code == 200:
            written.setdefault(block, []).append(marker)
        else:
            assert put.status_code == 412, put.text
            assert put.json()["current_text"] is not None


def _read_rounds(server, statuses: list, stop: threading.Event) -> None:
    client = server.client()
    while not stop.is_set():
        for path in ("/blocks?limit=50", "/blocks/disk-0", "/blocks/race-1", "/project", "/blocks?tree=1", "/problems"):
            statuses.append(client.get(path).status_code)


def _edit_on_disk(root, written: dict) -> None:
    """Another writer that honours the project's write lock (as every cinefile process does),
    so that its own read-then-write never drops a client's write."""
    lock = os.open(root / WRITE_LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        for n in range(DISK_EDITS):
            block = ON_DISK[n % len(ON_DISK)]
            path = root / "design" / f"{block}.md"
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                path.write_text(path.read_text() + f"\ndisk edit {n}\n")
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
            written.setdefault(block, []).append(f"disk edit {n}")
    finally:
        os.close(lock)


def _index_view(client) -> dict:
    blocks = client.get("/blocks", params={"limit": 1000}).json()["blocks"]
    return {b["path"]: (b["id"], b["state"], b["stale_reason"], client.get(f"/blocks/{b['id']}").json()["file_hash"])
            for b in blocks}


def _fresh_view(root, scratch) -> dict:
    copy = scratch / "fresh"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("project.db*"))
    with ProjectAPI.open(copy) as api:
        api.sync()
        return {b.path: (b.id, b.state, b.stale_reason, api.card(b.path).file_hash) for b in api.blocks(tree=False)}


def test_no_write_is_lost_and_the_index_matches_a_fresh_sync(second_server, tmp_path):
    server, root = second_server, second_server.root
    client = server.client()
    for block in SHARED + ON_DISK:
        assert client.post("/blocks", json={"type": "character", "id": block}).status_code == 201
    statuses, written, stop = [], {}, threading.Event()
    with concurrent.futures.ThreadPoolExecutor(WRITERS + READERS + 1) as pool:
        readers = [pool.submit(_read_rounds, server, statuses, stop) for _ in range(READERS)]
        writers = [pool.submit(_write_rounds, server, n, statuses, written) for n in range(WRITERS)]
        disk = pool.submit(_edit_on_disk, root, written)
        for future in [*writers, disk]:
            future.result()
        stop.set()
        for future in readers:
            future.result()

    assert statuses and not [s for s in statuses if s >= 500]
    assert statuses.count(412) > 0, "no write raced another: the test did not test anything"
    for block, markers in written.items():
        text = (root / "design" / f"{block}.md").read_text()
        assert [m for m in markers if f"\n{m}\n" not in text] == [], f"{block}: writes lost"
    expected = _fresh_view(root, tmp_path)
    eventually(lambda: _index_view(client) == expected, "the server's index equals a fresh sync")
