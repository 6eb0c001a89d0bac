"""Read a Fountain screenplay into its structure: the title page, sections, synopses, and
scenes with their heading parts, their text kept as written, and who speaks in them.

What a line is follows the Fountain spec (https://fountain.io/syntax) and what its common
readers do: a scene heading starts with INT, EXT, EST, INT./EXT, INT/EXT or I/E and a dot or a
space (`EXT/INT.` is none of these, so it stays action), or is forced with a leading `.`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADING = re.compile(r"^(?:INT|EXT|EST|INT\.?/EXT|I/E)[. ]", re.IGNORECASE)
HEADING_PREFIX = re.compile(r"^(INT\.?/EXT\.?|EXT\.?/INT\.?|INT\.?|EXT\.?|EST\.?|I/E\.?)\s*", re.IGNORECASE)
SCENE_NUMBER = re.compile(r"\s*#([\w.\-]+)#\s*$")
TIME_SEPARATOR = re.compile(r"\s+(?:-{1,2}|–|—)\s+")
SECTION = re.compile(r"^\s*(#{1,6})\s*(.*?)\s*$")
SYNOPSIS = re.compile(r"^\s*=(?!==)\s*(.*?)\s*$")
TITLE_KEY = re.compile(r"^([^:\s][^:]*):\s*(.*)$")
TITLE_CONTINUATION = re.compile(r"^(?:\s{3,}|\t)(.+)$")
NOTE = re.compile(r"\[\[.*?\]\]", re.DOTALL)
EXTENSION = re.compile(r"\([^)]*\)")
# Characters no screenplay holds (tab and line ends aside): a stray byte from a copy or a
# converter. Kept, they would end up in blocks that editors and YAML treat each their own way.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# Words of a heading's time of day. The last part after ` - ` is always the time; the parts
# before it are too while they hold only these words (or a year): `BY THE RIVER - NIGHT -
# CONTINUOUS` is the place BY THE RIVER at NIGHT - CONTINUOUS, and `LIGHTHOUSE - KITCHEN - DAY`
# the place LIGHTHOUSE - KITCHEN.
TIME_WORDS = frozenset("""
    DAY NIGHT MORNING AFTERNOON EVENING DAWN DUSK SUNRISE SUNSET NOON MIDDAY MIDNIGHT TWILIGHT
    DAYBREAK NIGHTFALL CONTINUOUS CONTINUED CONT'D LATER MOMENTS MOMENT MINUTES HOURS A FEW SAME
    TIME SIMULTANEOUS FLASHBACK PRESENT MAGIC GOLDEN HOUR EARLY LATE NEXT BEFORE AFTER
""".split())
_YEAR_OR_NUMBER = re.compile(r"^\d+(?:'?S)?$")


@dataclass
class Section:
    level: int
    title: str
    synopsis: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)  # text right above it, in no scene


@dataclass
class Synopsis:
    text: str
    # False when it follows text (or opens the screenplay) rather than a section: Fountain
    # readers attach it to nothing there, and an export writes it back just there.
    attached: bool = True
    before: list[str] = field(default_factory=list)


@dataclass
class Scene:
    heading: str  # the line as written, scene number included
    int_ext: str  # INT, EXT, INT/EXT, EXT/INT, I/E, EST or "" for a forced heading
    location: str  # parts joined with ` - `, spaces as one
    time_of_day: str  # likewise
    number: str | None
    lines: list[str] = field(default_factory=list)
    synopses: list[str] = field(default_factory=list)  # written right under the heading
    # Text above the heading that belongs to no scene: an opening `FADE IN:`, a prologue.
    before: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip("\n")

    @property
    def heading_text(self) -> str:
        """The heading as written, without its scene number."""
        return SCENE_NUMBER.sub("", self.heading).rstrip()

    @property
    def speakers(self) -> list[str]:
        return speakers(self.lines)


Item = Section | Synopsis | Scene


@dataclass
class Screenplay:
    title_page: dict[str, list[str]]
    items: list[Item]

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


def _is_time(part: str) -> bool:
    words = re.sub(r"[^\w' ]", " ", part.upper()).split()
    return bool(words) and all(word in TIME_WORDS or _YEAR_OR_NUMBER.match(word) for word in words)


def split_place_and_time(rest: str) -> tuple[str, str]:
    """`LIGHTHOUSE -- KITCHEN - DAY` -> (`LIGHTHOUSE - KITCHEN`, `DAY`)."""
    parts = [" ".join(part.split()) for part in TIME_SEPARATOR.split(rest.strip())]
    start = len(parts) - 1
    if start == 0:
        return parts[0], ""
    while start > 1 and _is_time(parts[start - 1]):
        start -= 1
    return " - ".join(parts[:start]), " - ".join(parts[start:])


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
    location, time_of_day = split_place_and_time(rest)
    return Scene(line.strip(), int_ext, location, time_of_day, number)


def heading_line(prefix: str, place: str, time_of_day: str) -> str:
    """A heading from its parts (`INT.`, the place, the time), forced with `.` when Fountain
    would not read it as one."""
    text = f"{prefix} {place}" if prefix else place
    return forced_heading(f"{text} - {time_of_day}" if time_of_day else text)


def forced_heading(text: str) -> str:
    """The heading with a leading `.` when Fountain would not read it as one without."""
    return text if HEADING.match(text) or (text.startswith(".") and not text.startswith("..")) else "." + text


def is_heading(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    blank_before = i == 0 or not lines[i - 1].strip()
    blank_after = i + 1 >= len(lines) or not lines[i + 1].strip()
    forced = line.startswith(".") and not line.startswith("..")
    return blank_before and blank_after and bool(forced and len(line) > 1 or HEADING.match(line))


def line_kinds(lines: list[str]) -> list[str]:
    """What each line is to this reader: `section`, `synopsis`, `heading` or `text`. Lines in
    a boneyard (`/* ... */`) are text, whatever they hold. Lines before the first and after
    the last count as blank."""
    kinds = []
    in_boneyard = False
    for i, line in enumerate(lines):
        if in_boneyard or "/*" in line:  # commented-out text stays where it is
            opened = "/*" in line and "*/" not in line.rsplit("/*", 1)[-1]
            in_boneyard = opened or (in_boneyard and "*/" not in line)
            kinds.append("text")
        elif SECTION.match(line):
            kinds.append("section")
        elif SYNOPSIS.match(line):
            kinds.append("synopsis")
        else:
            kinds.append("heading" if is_heading(lines, i) else "text")
    return kinds


def character_name(cue: str) -> str | None:
    """`MARA (V.O.) ^` -> `MARA`; None when the line is not a character cue. A cue is in
    capitals in any script (`ЯРОСЛАВ`); a name in a script without capitals needs `@`."""
    line = cue.strip()
    if not line or line.startswith(("!", ">", "~", "[[", "=")) or line.endswith("TO:") or cue.endswith("  "):
        return None
    forced = line.startswith("@")
    name = EXTENSION.sub("", line[1:] if forced else line).replace("^", "").strip()
    if not name or (not forced and not name.isupper()):
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


def control_character(text: str) -> tuple[int, int, str] | None:
    """(line, column, character) of the first control character, both from 1; None if none."""
    match = CONTROL.search(text)
    if match is None:
        return None
    start = match.start()
    return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start), match.group()


def parse_fountain(text: str) -> Screenplay:
    """Structure lines (sections, synopses, headings) split the text; every other line is
    kept, in order, with the scene it is in. Text in no scene (an opening `FADE IN:`, text
    after a section) is kept with the section, synopsis or heading below it; after the last
    one, at the end of the last scene."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title_page, lines = split_title_page(lines)
    items: list[Item] = []
    pending: list[str] = []  # text in no scene yet
    current = pending
    text_since_structure = False

    def add(item: Item) -> None:
        item.before = _trimmed(pending)
        pending.clear()
        items.append(item)

    for line, kind in zip(lines, line_kinds(lines)):
        last = items[-1] if items else None
        if kind == "text":
            current.append(line)
            text_since_structure = text_since_structure or bool(line.strip())
            continue
        if kind == "heading":
            scene = parse_heading(line)
            add(scene)
            current = scene.lines  # the blank line after the heading follows it
            text_since_structure = False
            continue
        if kind == "section":
            match = SECTION.match(line)
            add(Section(len(match.group(1)), match.group(2)))
        else:
            synopsis = SYNOPSIS.match(line).group(1)
            if text_since_structure or last is None:
                add(Synopsis(synopsis, attached=False))
            elif isinstance(last, Section) and last.level > 1:
                last.synopsis.append(synopsis)
            elif isinstance(last, Scene):  # right under its heading
                last.synopses.append(synopsis)
                continue
            else:  # under an act's section, or under a synopsis that is
                add(Synopsis(synopsis, attached=isinstance(last, Section) or last.attached))
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
