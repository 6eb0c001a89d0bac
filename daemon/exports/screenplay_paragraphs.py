"""A scene's text as typed screenplay paragraphs, and back: the model Final Draft files are
made of (Action, Character, Parenthetical, Dialogue, Transition, ...), read from and written
as the Fountain text a scene's body holds.

Emphasis is kept as styled runs (`**bold**`, `*italic*`, `_underline_` in Fountain), notes
(`[[...]]`) as the notes of the paragraph they are in, and dual dialogue (`^`) as one
`DualDialogue` of two speeches. What Fountain cannot say otherwise is forced: an action line
that would read as a heading or a cue gets `!`, a cue that would not read as one gets `@`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .fountain_parse import HEADING, character_name

STYLES = ("Bold", "Italic", "Underline")  # in the order Final Draft writes them: `Bold+Italic`
_MARKERS = {"***": {"Bold", "Italic"}, "**": {"Bold"}, "*": {"Italic"}, "_": {"Underline"}}
_EMPHASIS = re.compile(r"\\([*_\\])|(\*\*\*|\*\*|\*|_)")
_NOTE = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_BONEYARD = re.compile(r"/\*.*?\*/", re.DOTALL)
_NOTE_MARK = "\x00"  # where a note stood, while the text around it is classified
# Paragraph types that are spoken, and so belong to the speech of the cue above them.
SPEECH = ("Parenthetical", "Dialogue")
# Types a note can follow on the same line without changing how Fountain reads the line.
_INLINE_NOTES = ("Action", "Dialogue", "General", "Shot")


@dataclass(frozen=True)
class Run:
    text: str
    style: str = ""  # "", or styles joined as Final Draft writes them: "Bold+Underline"


@dataclass
class Paragraph:
    type: str  # Final Draft's paragraph type: "Scene Heading", "Action", "Character", ...
    runs: list[Run] = field(default_factory=list)
    number: str | None = None  # a scene heading's scene number
    centered: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass
class DualDialogue:
    """Two speeches side by side: Character, then its Parentheticals and Dialogues, twice."""

    paragraphs: list[Paragraph]


Item = Paragraph | DualDialogue


def merged(runs: list[Run]) -> list[Run]:
    """Neighbouring runs of one style joined, empty ones dropped: one text, one list of runs."""
    out: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if out and out[-1].style == run.style:
            out[-1] = Run(out[-1].text + run.text, run.style)
        else:
            out.append(run)
    return out


def style_name(styles: set[str]) -> str:
    return "+".join(s for s in STYLES if s in styles)


# Fountain text -> runs -> Fountain text


def runs_of(text: str) -> list[Run]:
    """`a **b** \\*c` -> [a ][b: Bold][ *c]. A marker with no closer later on is text."""
    runs, styles, pos, plain = [], set(), 0, []
    for match in _EMPHASIS.finditer(text):
        plain.append(text[pos:match.start()])
        pos = match.end()
        if match.group(1):
            plain.append(match.group(1))
            continue
        marker = match.group(2)
        names = _MARKERS[marker]
        closing = names <= styles
        if not closing and not any(marker in (later.group(2) or "") for later in _EMPHASIS.finditer(text, pos)):
            plain.append(marker)
            continue
        runs.append(Run("".join(plain), style_name(styles)))
        plain = []
        styles = styles - names if closing else styles | names
    plain.append(text[pos:])
    runs.append(Run("".join(plain), style_name(styles)))
    return merged(runs)


def escaped(text: str) -> str:
    return re.sub(r"([*_\\])", r"\\\1", text)


def fountain_text(runs: list[Run]) -> str:
    """Runs as Fountain: emphasis markers around styled text (spaces kept outside them)."""
    out = []
    for run in runs:
        styles = set(run.style.split("+"))
        opening = ("_" if "Underline" in styles else "") + ("**" if "Bold" in styles else "") + \
            ("*" if "Italic" in styles else "")
        text = escaped(run.text)
        core = text.strip()
        if not opening or not core:
            out.append(text)
            continue
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        out.append(f"{lead}{opening}{core}{opening[::-1]}{trail}")
    return "".join(out)


# Fountain body -> paragraphs


def paragraphs_of_fountain(body: str) -> list[Item]:
    """The paragraphs of a scene's body in Fountain. Boneyard (`/* */`) and page breaks are
    left out; a note on its own attaches to the paragraph before it (else the one after)."""
    notes: list[str] = []

    def hold(match: re.Match) -> str:
        notes.append(" ".join(match.group(1).split()))
        return _NOTE_MARK
    text = _NOTE.sub(hold, _BONEYARD.sub("", body.replace("\r\n", "\n")))
    items: list[Item] = []
    waiting: list[str] = []  # notes standing alone before any paragraph
    note_index = iter(notes)
    for block in _blocks(text.split("\n")):
        found = [next(note_index) for line in block for _ in range(line.count(_NOTE_MARK))]
        new = _classify([line.replace(_NOTE_MARK, "") for line in block])
        if not new:  # only notes: they belong to the paragraph before
            last = _last_paragraph(items)
            (last.notes if last else waiting).extend(found)
            continue
        new[-1].notes.extend(found)  # a speech's notes go with its last line
        if isinstance(new[0], Paragraph) and new[0].type == "Character" and new[0].text.endswith("^"):
            new[0].runs = merged([*new[0].runs[:-1], Run(new[0].runs[-1].text.rstrip("^ "), new[0].runs[-1].style)])
            previous = _previous_speech(items)
            if previous is not None:
                del items[-len(previous):]
                dual = DualDialogue([*previous, *new])
                _gather_notes(dual)
                items.append(dual)
                continue
        items.extend(new)
    if waiting:
        first = _first_paragraph(items)
        if first is None:
            items.append(first := Paragraph("Action"))
        first.notes[:0] = waiting
    return items


def _blocks(lines: list[str]) -> list[list[str]]:
    """Lines between blank lines; a line of two spaces or more keeps a speech going."""
    blocks, current = [], []
    for line in lines:
        if line.strip() or (current and len(line) >= 2 and line.strip(" ") == "" and _is_speech(current)):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_speech(block: list[str]) -> bool:
    return len(block) > 1 and character_name(block[0].replace(_NOTE_MARK, "")) is not None


def _classify(lines: list[str]) -> list[Paragraph]:
    lines = [line.rstrip() if line.strip() else line for line in lines]
    while lines and not lines[0].strip():  # a note alone on the block's first line was there
        lines.pop(0)
    if not lines:
        return []
    first = lines[0].strip()
    if first.startswith("==="):  # a page break
        return []
    if first.startswith("!"):
        return [Paragraph("Action", runs_of("\n".join([lines[0].lstrip()[1:], *lines[1:]])))]
    if first.startswith(">") and first.endswith("<"):
        text = "\n".join(line.strip().lstrip(">").rstrip("<").strip() for line in lines)
        return [Paragraph("Action", runs_of(text), centered=True)]
    if first.startswith(">"):
        return [Paragraph("Transition", runs_of(" ".join([first[1:].strip(), *lines[1:]]).strip()))]
    if len(lines) == 1 and first == first.upper() and first.endswith("TO:"):
        return [Paragraph("Transition", runs_of(first))]
    if len(lines) > 1 and character_name(lines[0]) is not None:
        return _speech(lines)
    return [Paragraph("Action", runs_of("\n".join(line[1:] if line.startswith("~") else line for line in lines)))]


def _speech(lines: list[str]) -> list[Paragraph]:
    cue = lines[0].strip()
    out = [Paragraph("Character", [Run(cue[1:] if cue.startswith("@") else cue)])]
    for line in lines[1:]:
        stripped = line.strip()
        if not stripped and out[-1].type == "Dialogue":  # `  `: a blank line inside the speech
            out[-1].runs = merged([*out[-1].runs, Run("\n")])
        elif not stripped:
            continue
        elif stripped.startswith("(") and stripped.endswith(")"):
            out.append(Paragraph("Parenthetical", runs_of(stripped)))
        elif out[-1].type == "Dialogue":
            out[-1].runs = merged([*out[-1].runs, Run("\n"), *runs_of(stripped)])
        else:
            out.append(Paragraph("Dialogue", runs_of(stripped)))
    return out


def _previous_speech(items: list[Item]) -> list[Paragraph] | None:
    """The speech just before (its cue and lines), which a `^` cue pairs with."""
    speech: list[Paragraph] = []
    for item in reversed(items):
        if not isinstance(item, Paragraph) or item.type not in (*SPEECH, "Character"):
            return None
        speech.insert(0, item)
        if item.type == "Character":
            return speech
    return None


def _gather_notes(dual: DualDialogue) -> None:
    """A dual dialogue's notes go with its last line: Final Draft places a note by the
    paragraph that holds the two speeches, not by a line inside them."""
    notes = [note for p in dual.paragraphs for note in p.notes]
    for p in dual.paragraphs:
        p.notes = []
    dual.paragraphs[-1].notes = notes


def _last_paragraph(items: list[Item]) -> Paragraph | None:
    if not items:
        return None
    return items[-1].paragraphs[-1] if isinstance(items[-1], DualDialogue) else items[-1]


def _first_paragraph(items: list[Item]) -> Paragraph | None:
    if not items:
        return None
    return items[0].paragraphs[-1] if isinstance(items[0], DualDialogue) else items[0]


# Paragraphs -> Fountain body


def fountain_of_paragraphs(items: list[Item]) -> list[str]:
    """The Fountain lines of a scene's paragraphs (its heading not among them): blocks
    between blank lines, a speech's lines together, notes as `[[...]]` where Fountain reads
    them as notes without changing the line they are on."""
    blocks: list[list[str]] = []
    waiting: list[str] = []  # notes of a paragraph whose line cannot hold them
    for item in items:
        paragraphs = item.paragraphs if isinstance(item, DualDialogue) else [item]
        for n, paragraph in enumerate(paragraphs):
            lines = _lines(paragraph, dual=isinstance(item, DualDialogue) and n > 0)
            if lines is None:
                continue
            notes = waiting + paragraph.notes
            waiting = []
            if not lines:  # notes alone: they go with the next line that can hold them
                waiting = notes
                continue
            if notes and paragraph.type in _INLINE_NOTES:
                lines[-1] += "".join(f" [[{note}]]" for note in notes)
            else:
                waiting = notes
            if paragraph.type in SPEECH and blocks and blocks[-1] and _speaks(blocks[-1]):
                blocks[-1] += lines
            else:
                blocks.append(lines)
    if waiting:
        blocks.append(["".join(f"[[{note}]]" for note in waiting)])
    return [line for n, block in enumerate(blocks) for line in ([""] if n else []) + block]


def _speaks(block: list[str]) -> bool:
    return character_name(block[0]) is not None and not block[0].startswith("!")


def _lines(paragraph: Paragraph, dual: bool = False) -> list[str] | None:
    text = fountain_text(paragraph.runs).strip("\n")
    kind = paragraph.type
    if not text.strip() and kind != "Character":
        return [] if paragraph.notes else None
    if kind == "Character":
        cue = " ".join(text.split()).upper()
        cue = cue if character_name(cue) is not None else "@" + cue
        return [cue + (" ^" if dual else "")]
    if kind == "Parenthetical":
        one = " ".join(text.split())
        return [one if one.startswith("(") else f"({one})"]
    if kind == "Dialogue":
        return [line if line.strip() else "  " for line in text.split("\n")]
    if kind == "Transition":
        one = " ".join(text.split()).upper()
        return [one if one.endswith("TO:") else f"> {one}"]
    if paragraph.centered:
        return [f">{line.strip()}<" for line in text.split("\n") if line.strip()]
    if kind == "Shot":
        text = text.upper()
    return _action_lines(text.split("\n"))


def _action_lines(lines: list[str]) -> list[str]:
    """Action as Fountain reads it: forced with `!` where it would read as something else."""
    first = lines[0].strip()
    misread = (HEADING.match(first) or (first.startswith(".") and not first.startswith(".."))
               or first.startswith(("!", "@", "~", ">", "=", "#"))
               or (first.isupper() and (len(lines) > 1 or first.endswith("TO:"))))
    out = ["!" + lines[0] if misread else lines[0]]
    # Anywhere in a block, a line starting `#` or `=` reads as a section or synopsis.
    out += ["!" + line if line.lstrip().startswith(("#", "=")) else line for line in lines[1:]]
    return out
