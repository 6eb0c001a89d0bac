"""The docs stay true to the code."""

import re
from pathlib import Path

from cinefile.format.catalog import TYPES

DOCS = Path(__file__).parent.parent / "docs"


def test_the_type_table_in_the_format_doc_matches_the_catalog():
    text = (DOCS / "format.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| ([^|]+) \| ([^|]+) \|$", text, re.MULTILINE)
    documented = {name: (phase, tuple(re.findall(r"`(\w+)`", parents)), description.strip())
                  for name, phase, parents, description in rows}
    assert documented == {t.name: (t.phase, t.parents, t.description) for t in TYPES.values()}


def test_every_problem_code_is_documented():
    text = (DOCS / "format.md").read_text()
    sources = "".join(p.read_text() for p in (Path(__file__).parent.parent / "format").glob("*.py"))
    sources += (Path(__file__).parent.parent / "daemon" / "index" / "sync.py").read_text()
    codes = set(re.findall(r'Problem\(\s*"([a-z0-9-]+)"', sources)) | set(re.findall(r'self\.problem\("([a-z0-9-]+)"', sources))
    assert codes and all(f"`{code}`" in text for code in codes), sorted(c for c in codes if f"`{c}`" not in text)
