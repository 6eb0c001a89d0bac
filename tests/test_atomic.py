"""Atomic writes: a whole new file or the old one, with the modes users expect."""

import os
import stat

from cinefile.daemon.atomic import NEW_FILE_MODE, write_atomic


def test_a_new_file_gets_the_usual_mode_and_an_existing_one_keeps_its_own(tmp_path):
    fresh = tmp_path / "story" / "new.md"
    write_atomic(fresh, "text")
    assert stat.S_IMODE(fresh.stat().st_mode) == NEW_FILE_MODE
    assert NEW_FILE_MODE & 0o044  # readable by others under an ordinary umask
    kept = tmp_path / "kept.md"
    kept.write_text("old")
    kept.chmod(0o640)
    write_atomic(kept, "new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() == "new"


def test_no_temp_file_is_left_behind(tmp_path):
    write_atomic(tmp_path / "a.md", b"bytes")
    assert os.listdir(tmp_path) == ["a.md"]
