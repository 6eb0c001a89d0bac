"""Read a Fountain screenplay into its structure: the title page, sections, synopses, and
scenes with their heading parts, their text kept as written, and who speaks in them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADING = re.compile(r"^(INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E)[. ]", re.IGNORECASE)
HEADING_PREFIX = re.compile(r"^(INT\.?/EXT\.?|EXT\.?/INT\.?|INT\.?|EXT\.?|EST\.?|I/E\.?)\s*", re.IGNORECASE)
SCENE_NUMBER = re.compile(r"\s*#([\w.\-]+)#\s*$")
TIME_SEPARATOR = re.compile(r"\s+(?:-{1,2}|–|—)\s+")
SECTION = re.compile(r"^\s*(#{1,6})\s*(.*?)\s*$")
SYNOPSIS = re.compile(r"^\s*=(?!==)\s*(.*?)\s*$")
TITLE_KEY = re.compile(r"^([^:\s][^:]*):\s*(.*)$")
TITLE_CONTINUATION = re.compile(r"^(?:\s{3,}|\t)(.+)$")
NOTE = re.compile(r"\[\[.*?\]\]", re.DOTALL)
EXTENSION = re.compile(r"\([^)]*\)")


@dataclass
class Section:
    level: int
    title: str
    synopsis: list[str] = field(default_factory=list)


@dataclass
class Synopsis:
    text: str


@dataclass
class Scene:
    heading: str
    int_ext: str  # INT, EXT, INT/EXT, EXT/INT, I/E, EST or "" for a forced heading
    location: str
    time_of_day: str
    number: str | None
    lines: list[str] = field(default_factory=list)
    synopses: list[str] = field(default_factory=list)  # written right under the heading

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip("\n")

    @property
    def speakers(self) -> list[str]:
        return speakers(self.lines)


@dataclass
class Screenplay:
    title_page: dict[str, list[str]]
    items: list[Section | Synopsis | Scene]

    @property
    def scenes(self) -> list[Scene]:
        return [item for item in self.items if isinstance(item, Scene)]


def split_title_page(lines: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """The title page is the first lines, up to a blank one, if they are all `Key: value`."""
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    page: dict[str, list[str]] = {}
    key = None
    for line in lines[:end]:
        match = TITLE_KEY.match(line)
        continuation = TITLE_CONTINUATION.match(line)
        if continuation and key is not None:
            page[key].append(continuation.group(1).strip())
        elif match and not HEADING.match(line):
            key = match.group(1).strip().lower()
            page.setdefault(key, [])
            if match.group(2).strip():
                page[key].append(match.group(2).strip())
        else:
            return {}, lines
    if not page or not all(page.values()):  # `FADE IN:` alone is a transition, not a title page
        return {}, lines
    return page, lines[end + 1:]


def parse_heading(line: str) -> Scene:
    text = line.strip()
    number = None
    match = SCENE_NUMBER.search(text)
    if match:
        number, text = match.group(1), text[: match.start()]
    if text.startswith("."):
        int_ext, rest = "", text[1:].strip()
    else:
        prefix = HEADING_PREFIX.match(text)
        int_ext = prefix.group(1).upper().replace(".", "") if prefix else ""
        rest = text[prefix.end():] if prefix else text
    parts = TIME_SEPARATOR.split(rest.strip())
    location, time_of_day = (" - ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else (rest.strip(), "")
    return Scene(line.strip(), int_ext, location.strip(), time_of_day.strip(), number)


def is_heading(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    blank_before = i == 0 or not lines[i - 1].strip()
    blank_after = i + 1 >= len(lines) or not lines[i + 1].strip()
    forced = line.startswith(".") and not line.startswith("..")
    return blank_before and blank_after and bool(forced and len(line) > 1 or HEADING.match(line))


def character_name(cue: str) -> str | None:
    """`MARA (V.O.) ^` -> `MARA`; None when the line is not a character cue."""
    line = cue.strip()
    if not line or line.startswith(("!", ">", "~", "[[", "=")) or line.endswith("TO:") or cue.endswith("  "):
        return None
    forced = line.startswith("@")
    name = EXTENSION.sub("", line[1:] if forced else line).replace("^", "").strip()
    if not name or (not forced and (name != name.upper() or not re.search(r"[A-Z]", name))):
        return None
    return " ".join(name.split()).upper()


def speakers(lines: list[str]) -> list[str]:
    """Names of the characters with dialogue, in order of their first line."""
    text = NOTE.sub("", "\n".join(lines))
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    plain = text.split("\n")
    found: list[str] = []
    for i, line in enumerate(plain):
        if (i == 0 or not plain[i - 1].strip()) and i + 1 < len(plain) and plain[i + 1].strip():
            name = character_name(line)
            if name and name not in found:
                found.append(name)
    return found


def parse_fountain(text: str) -> Screenplay:
    """Structure lines (sections, synopses, headings) split the text; every other line is
    kept, in order, with the scene it is in. Text outside any scene (say `FADE IN:` after a
    section) goes to the start of the next scene, or the end of the last one."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title_page, lines = split_title_page(lines)
    items: list[Section | Synopsis | Scene] = []
    pending: list[str] = []  # text in no scene yet
    current = pending
    text_since_structure = False
    in_boneyard = False
    for i, line in enumerate(lines):
        if in_boneyard or "/*" in line:  # commented-out text stays where it is, whatever it holds
            opened = "/*" in line and "*/" not in line.rsplit("/*", 1)[-1]
            in_boneyard = opened or (in_boneyard and "*/" not in line)
            current.append(line)
            text_since_structure = True
            continue
        section, synopsis = SECTION.match(line), SYNOPSIS.match(line)
        if section:
            items.append(Section(len(section.group(1)), section.group(2)))
        elif synopsis and items and isinstance(items[-1], Section) and items[-1].level > 1 and not text_since_structure:
            items[-1].synopsis.append(synopsis.group(1))
        elif synopsis and current is not pending and not text_since_structure:
            items[-1].synopses.append(synopsis.group(1))  # right under a scene heading
            continue
        elif synopsis:
            items.append(Synopsis(synopsis.group(1)))
        elif is_heading(lines, i):
            scene = parse_heading(line)
            scene.lines = _trimmed(pending)  # the blank line after the heading follows it
            pending.clear()
            items.append(scene)
            current = scene.lines
            text_since_structure = False
            continue
        else:
            current.append(line)
            text_since_structure = text_since_structure or bool(line.strip())
            continue
        current = pending
        text_since_structure = False
    scenes = [item for item in items if isinstance(item, Scene)]
    if scenes and _trimmed(pending):
        scenes[-1].lines += ["", *_trimmed(pending)]
    return Screenplay(title_page, items)


def _trimmed(lines: list[str]) -> list[str]:
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = next((i for i in range(len(lines), 0, -1) if lines[i - 1].strip()), 0)
    return lines[start:end]
