"""The quick frontmatter loader gives exactly what PyYAML's safe loader gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from frontmatter.default_handlers import YAMLHandler

from cinefile.format.yaml_nodes import Loader, construct

TESTS = Path(__file__).parent
CASES = [
    "type: shot\nduration: 8\nratio: 2.39\nlocked: yes\nnote: ~\nday: 2026-11-24\nat: 2026-11-24 10:30:00\n",
    "tags: [night, 'rain', \"sea\"]\ndependencies:\n  - mara\n  - {id: ferry, type: appears_in}\n",
    "nested:\n  deep:\n    - [1, 2, {a: b}]\n    - ''\nempty: {}\nnone: []\n",
    "1: one\ntrue: yes-key\nnull: null-key\n2026-01-01: date-key\n",
    "blob: !!binary aGVsbG8=\ncount: !!str 42\nhex: 0x1F\noct: 0o17\ninf: .inf\nsexagesimal: 1:30\n",
    "base: &base {size: wide, lens: 35mm}\nshot: *base\n",
    "base: &base {size: wide}\nshot:\n  <<: *base\n  lens: 50mm\n",
    "loop: &loop [1, *loop]\n",
    "set: !!set {a, b}\nomap: !!omap [{a: 1}, {b: 2}]\n",
    "title: 'Night & day'\nplain: a & b\n",
    "same: 1\nsame: 2\n",
]


def _both(chunk: str):
    expected = yaml.load(chunk, Loader=yaml.SafeLoader)
    loader = Loader(chunk)
    try:
        root = loader.get_single_node()
        return expected, None if root is None else construct(loader, root, chunk)
    finally:
        loader.dispose()


@pytest.mark.parametrize("chunk", CASES)
def test_values_match_pyyaml(chunk):
    expected, found = _both(chunk)
    if chunk.startswith("loop"):  # a recursive list: compare its shape, not by ==
        assert found["loop"][0] == 1 and found["loop"][1] is found["loop"]
    else:
        assert found == expected and repr(found) == repr(expected)


def test_every_block_file_in_the_tests_loads_the_same():
    chunks = []
    for path in sorted(TESTS.rglob("*.md")):
        parts = YAMLHandler.FM_BOUNDARY.split(path.read_text(encoding="utf-8", errors="replace"), 2)
        if len(parts) == 3:
            chunks.append(parts[1])
    assert len(chunks) > 40
    for chunk in chunks:
        try:
            expected, found = _both(chunk)
        except yaml.YAMLError:
            continue
        assert repr(found) == repr(expected), chunk


@pytest.mark.parametrize("chunk", ["type: !python/object:os.system x\n", "? [complex, key]\n: value\n"])
def test_what_pyyaml_refuses_is_refused(chunk):
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load(chunk, Loader=yaml.SafeLoader)
    loader = Loader(chunk)
    with pytest.raises(yaml.constructor.ConstructorError):
        construct(loader, loader.get_single_node(), chunk)
    loader.dispose()
