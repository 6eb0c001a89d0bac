"""The quick frontmatter loader gives exactly what PyYAML's safe loader gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from frontmatter.default_handlers import YAMLHandler

from cinefile.format.parse import parse_block
from cinefile.format.yaml_nodes import MAX_DEPTH, Loader, alias_problem, construct, shape_problem

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
        if len(parts) == 3 and shape_problem(parts[1]) is None and "&" not in parts[1]:  # see the tests below
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


def test_nesting_deep_enough_to_crash_a_reader_is_a_problem_not_a_crash():
    """libyaml's composer recurses in C: 100,000 nested lists overflowed the stack and killed
    the process. Now the depth is counted first, on the event stream."""
    for chunk in ("x: " + "[" * 100_000 + "]" * 100_000, "x: " + "- " * 3_000 + "y", "x:\n" + "".join(" " * i + "- \n" for i in range(1, 400))):
        found = parse_block("deep.md", f"---\ntype: scene\n{chunk}\n---\n".encode())
        assert not found.readable and found.problems[0].code == "yaml", found.problems
    within = "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # the frontmatter mapping is a level too
    assert shape_problem(within) is None and parse_block("ok.md", f"---\ntype: scene\n{within}\n---\n".encode()).readable


def test_anchors_that_hold_themselves_or_explode_are_problems():
    loop = yaml.load("a: &a [1, *a]", Loader=Loader)
    assert "holds itself" in alias_problem(loop)
    shared = yaml.load("a: &a [1, 2]\nb: [*a, *a]", Loader=Loader)
    assert alias_problem(shared) is None
    bomb = "a: &a [" + ", ".join(["x"] * 10) + "]\n" + "".join(
        f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, n in zip("abcdef", "bcdefg"))
    assert "expands to" in alias_problem(yaml.load(bomb, Loader=Loader))
