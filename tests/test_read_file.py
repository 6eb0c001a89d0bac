"""Reading a block by its stat: a file that changed size since the walk is read whole."""

import json

from cinefile.daemon.index.read import BLOCK_COLUMNS, read_file
from cinefile.daemon.index.walk import FileStat
from cinefile.format.catalog import MAX_FILE_BYTES


def test_a_file_that_grew_since_its_stat_is_read_whole(sample):
    rel = "story/scene-1.md"
    data = (sample.root / rel).read_bytes()
    read = read_file(sample.root, rel, FileStat(0, 10))
    assert read.stat.size == len(data) and read.text == data.decode("utf-8") and read.values[BLOCK_COLUMNS.index("type")] == "scene"


def test_a_file_that_shrank_since_its_stat_is_read_whole(sample):
    rel = "story/scene-1.md"
    data = (sample.root / rel).read_bytes()
    read = read_file(sample.root, rel, FileStat(0, len(data) * 3))
    assert read.stat.size == len(data) and read.text == data.decode("utf-8")


def test_a_file_that_grew_past_the_limit_since_its_stat_is_too_large(sample):
    rel = "story/huge.md"
    (sample.root / rel).write_bytes(b"---\ntype: scene\n---\n" + b"x" * MAX_FILE_BYTES)
    read = read_file(sample.root, rel, FileStat(0, 10))
    assert json.loads(read.values[BLOCK_COLUMNS.index("problems")])[0]["code"] == "too-large"


def test_the_json_columns_read_back_as_the_values_written():
    import datetime

    from cinefile.daemon.index.read import compact_json, frontmatter_json

    values = [[], {}, "plain", "Scène \"4\"\n\t☃ \u2028", None, True, 1.5, -3, [1, [2, [3, None]]],
              {"path": "story/é.md", "text": None, "previous": "a\r\nb"}, [["mara", "dependency", None, [6, 4, 6, 19]]]]
    for value in values:
        assert json.loads(compact_json(value)) == value
    # Frontmatter holds what YAML makes: dates, keys that are numbers, integers past 64 bits.
    frontmatter = {"type": "scene", "shot_on": datetime.date(2024, 5, 1), 3: "three",
                   "at": datetime.datetime(2024, 5, 1, 6, 30), "big": 2**70, "ok": True}
    assert json.loads(frontmatter_json(frontmatter)) == {
        "type": "scene", "shot_on": "2024-05-01", "3": "three", "at": "2024-05-01 06:30:00", "big": 2**70, "ok": True}
