"""A Final Draft title page and the keys of a Fountain one.

Final Draft's title page is free paragraphs with no keys, laid out by convention: the title,
the credit and the author centred at the top, the contact at the bottom left, the draft date
(and the copyright) at the bottom right. The export writes the keys in that layout; the
import reads them back from it: by alignment, order and the words a credit or a source line
starts with.
"""

from __future__ import annotations

import re

# A title page line: (alignment as Final Draft writes it, text); an empty text spaces lines out.
Line = tuple[str, str]
_CREDIT = re.compile(r"^(?:(?:written|screenplay|teleplay|story)(?:\s+\w+)*\s+)?by\s*$", re.IGNORECASE)
_SOURCE = re.compile(r"^(?:based\s+on|from|adapted\s+from|inspired\s+by)\b", re.IGNORECASE)
_COPYRIGHT = re.compile(r"©|\(c\)|\bcopyright\b", re.IGNORECASE)
_TOP_MARGIN = 18  # empty lines above the title, as Final Draft's template places it
_BOTTOM_GAP = 20  # empty lines between the source and the contact at the foot of the page


def title_page_lines(page: dict[str, list[str]]) -> list[Line]:
    """Keys (as Fountain names them: `draft date`) in Final Draft's title page layout."""
    center = [[*page.get("title", [])], [*page.get("credit", []), *page.get("author", [])], page.get("source", [])]
    out: list[Line] = [("Center", "")] * _TOP_MARGIN
    for n, group in enumerate(g for g in center if g):
        out += ([("Center", "")] if n else []) + [("Center", line) for line in group]
    foot = [("Left", line) for line in page.get("contact", [])]
    if page.get("notes"):
        foot += ([("Left", "")] if foot else []) + [("Left", line) for line in page["notes"]]
    foot += [("Right", line) for key in ("draft date", "copyright") for line in page.get(key, [])]
    if foot:
        out += [("Left", "")] * _BOTTOM_GAP + foot
    return out if len(out) > _TOP_MARGIN else []


def title_page_keys(lines: list[Line]) -> dict[str, list[str]]:
    """The keys of a title page read by its layout (see the module's note)."""
    groups: list[tuple[str, list[str]]] = []  # (alignment, lines) between empty lines
    for alignment, text in lines:
        for part in text.split("\n"):
            part = part.strip()
            if not part:
                groups.append(("", []))
            elif groups and groups[-1][1] and groups[-1][0] == alignment:
                groups[-1][1].append(part)
            else:
                groups.append((alignment, [part]))
    groups = [(alignment, found) for alignment, found in groups if found]
    page: dict[str, list[str]] = {}
    if not groups:
        return page
    if not any(alignment == "Center" for alignment, _ in groups):
        groups[0] = ("Center", groups[0][1])  # no layout to go by: the first lines are the title
    centered = [found for alignment, found in groups if alignment == "Center"]
    page["title"] = centered[0]
    expecting_author = False
    for found in centered[1:]:
        if _COPYRIGHT.search(found[0]):
            page.setdefault("copyright", []).extend(found)
        elif _CREDIT.match(found[0]):
            page["credit"] = found[:1]
            if found[1:]:
                page["author"] = found[1:]
            expecting_author = not found[1:]
        elif expecting_author:
            page["author"] = found
            expecting_author = False
        elif _SOURCE.match(found[0]) or "source" not in page and "author" in page:
            page.setdefault("source", []).extend(found)
        else:
            page.setdefault("notes", []).extend(found)
    for alignment, found in groups:
        if alignment == "Center":
            continue
        key = "draft date" if alignment == "Right" else "contact" if "contact" not in page else "notes"
        for line in found:
            page.setdefault("copyright" if _COPYRIGHT.search(line) else key, []).append(line)
    return page
