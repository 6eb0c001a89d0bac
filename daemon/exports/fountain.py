"""The screenplay in Fountain (https://fountain.io): acts as sections, beats as synopses,
scenes as scene headings followed by their bodies, and a title page from cinefile.toml."""

from __future__ import annotations

import re

from .film import Film, body_text, one_line
from .summary import ExportedBlock

FOUNTAIN_NAME = "screenplay.fountain"
# Title page keys read from the `[title_page]` table of cinefile.toml, in the order written.
TITLE_PAGE_KEYS = ("credit", "author", "source", "draft_date", "contact", "copyright", "notes")
_HEADING = re.compile(r"^(INT|EXT|EST|INT\./EXT|EXT\./INT|I/E)[. ]", re.IGNORECASE)
# Lines Fountain would read as a section, a synopsis or a scene heading.
_STRUCTURE_LINE = re.compile(r"^\s*(#|=(?!==))|^(INT|EXT|EST|INT\./EXT|EXT\./INT|I/E)[. ]|^\.[^.]", re.IGNORECASE)


def title_page(film: Film) -> list[str]:
    table = film.project.config.raw.get("title_page")
    table = table if isinstance(table, dict) else {}
    lines = [f"Title: {one_line(str(table.get('title') or film.name))}"]
    for key in TITLE_PAGE_KEYS:
        value = table.get(key)
        if value is None or isinstance(value, (dict, bool)):
            continue
        label = key.replace("_", " ").capitalize()
        values = [one_line(str(v)) for v in value] if isinstance(value, list) else str(value).strip().split("\n")
        if len(values) == 1:
            lines.append(f"{label}: {values[0].strip()}")
        else:
            lines.append(f"{label}:")
            lines += [f"    {v.strip()}" for v in values]
    return lines


def scene_body(scene: ExportedBlock) -> str:
    """A scene's body as Fountain. A line that Fountain would read as a section, a synopsis
    or a scene heading is forced to action with `!`, so structure only ever comes from the
    blocks."""
    lines = [("!" + line if _STRUCTURE_LINE.match(line) else line.rstrip()) for line in body_text(scene).split("\n")]
    return "\n".join(lines).strip("\n")


def forced_heading(heading: str) -> str:
    """Headings without INT./EXT. need a leading `.` to be read as headings."""
    return heading if _HEADING.match(heading) else "." + heading


def screenplay(film: Film, scene_numbers: bool = False) -> str:
    """Beats are written as synopses right after a section or a scene heading, where every
    Fountain reader attaches them: a beat that follows a scene waits for its first scene."""
    numbers = film.scene_numbers
    show_numbers = scene_numbers or film.numbering_locked
    out: list[str] = title_page(film) + [""]
    waiting: list[str] = []  # beats to write after the next scene heading
    anchored = False  # the last thing written is a section or a heading

    def flush() -> None:
        out.extend(line for title in waiting for line in (f"= {title}", ""))
        waiting.clear()

    for block in film.story:
        if block.type == "act":
            flush()
            out += [f"# {one_line(block.title)}", ""]
            anchored = True
        elif block.type == "beat":
            waiting.append(one_line(block.title))
            if anchored:
                flush()
        else:
            heading = forced_heading(film.heading(block))
            if show_numbers:
                heading += f" #{numbers[block.path]}#"
            out += [heading, ""]
            flush()
            body = scene_body(block)
            if body:
                out += [body, ""]
            anchored = not body
    flush()
    return "\n".join(out).rstrip("\n") + "\n"


def export_fountain(film: Film, scene_numbers: bool = False) -> dict[str, str]:
    return {FOUNTAIN_NAME: screenplay(film, scene_numbers)}
