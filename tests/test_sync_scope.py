"""Scoped syncs, as the watcher runs them: exact folder prefixes, and re-reading on request."""

from __future__ import annotations

import os

from cinefile.daemon.index.sync import sync
from watch_helpers import block_text


def test_scope_is_an_exact_folder_prefix(sample, index_of):
    (sample.root / "Story").mkdir()
    (sample.root / "Story/other.md").write_text(block_text("Other"))
    (sample.root / "story-notes.md").write_text(block_text("Notes"))
    index = index_of(sample)
    sync(sample, index)
    os.remove(sample.root / "story/scene-2.md")
    report = sync(sample, index, scope=["story"])
    assert report.removed == ["story/scene-2.md"]
    assert index.block_at("Story/other.md") and index.block_at("story-notes.md")


def test_reread_sees_a_rewrite_that_kept_size_and_mtime(sample, index_of):
    path = sample.root / "story/same.md"
    path.write_text(block_text("Aaaa"))
    index = index_of(sample)
    sync(sample, index)
    stat = path.stat()
    path.write_text(block_text("Bbbb"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert sync(sample, index, scope=["story/same.md"]).modified == []
    assert sync(sample, index, scope=["story/same.md"], reread=True).modified == ["story/same.md"]
    assert index.block_at("story/same.md")["title"] == "Bbbb"
