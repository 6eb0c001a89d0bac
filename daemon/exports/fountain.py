"""The screenplay in Fountain (https://fountain.io): acts as sections, beats as synopses (or
deeper sections), scenes as scene headings followed by their bodies, and a title page from
cinefile.toml. What an import kept of the screenplay's own layout is written back as it was:
a heading as written, the text above it, a section's depth, where a synopsis stood."""

from __future__ import annotations

from .film import INT_EXT, Film, body_text, one_line, text_field
from .fountain_parse import TIME_SEPARATOR, Scene, forced_heading, heading_line, line_kinds, parse_heading
from .summary import ExportedBlock

FOUNTAIN_NAME = "screenplay.fountain"
# Title page keys read from the `[title_page]` table of cinefile.toml, in the order written.
TITLE_PAGE_KEYS = ("credit", "author", "source", "draft_date", "contact", "copyright", "notes")
# A beat's `placement`, written by an import for a synopsis that stood where an export
# would not put it by itself: under a scene heading though a section came just before, or
# among the text (after action, before the next heading).
UNDER_HEADING, IN_PLACE = "under_heading", "in_place"


def title_page(film: Film) -> list[str]:
    table = film.project.config.raw.get("title_page")
    table = table if isinstance(table, dict) else {}
    lines = title_page_entry("title", table.get("title")) or [f"Title: {one_line(film.name)}"]
    for key in TITLE_PAGE_KEYS:
        lines += title_page_entry(key, table.get(key))
    return lines


def title_page_entry(key: str, value: object) -> list[str]:
    """`Author: Ada` for one line; the key alone, then each line indented, for several."""
    if value is None or isinstance(value, (dict, bool)):
        return []
    values = [one_line(str(v)) for v in value] if isinstance(value, list) else str(value).strip().split("\n")
    values = [v.strip() for v in values if v.strip()]
    label = key.replace("_", " ").capitalize()
    if len(values) <= 1:
        return [f"{label}: {values[0]}"] if values else []
    return [f"{label}:", *(f"    {v}" for v in values)]


def as_action(text: str) -> str:
    """Text as Fountain that reads as it is: a line the parser would take for a section, a
    synopsis or a scene heading is forced to action with `!`, so structure only ever comes
    from the blocks. Other lines are written as they are."""
    lines = text.split("\n")
    return "\n".join("!" + line if kind != "text" else line for line, kind in zip(lines, line_kinds(lines))).strip("\n")


def scene_body(scene: ExportedBlock) -> str:
    """A scene's body as Fountain (`as_action`)."""
    return as_action(body_text(scene))


def lead_in(block: ExportedBlock) -> str:
    """The text an import found above the block's heading or section, in no scene."""
    return as_action(text_field(block, "lead_in"))


def scene_heading(film: Film, scene: ExportedBlock) -> str:
    """The heading as the screenplay wrote it (`heading`, which an import keeps when the
    fields would not give it back) while it still says what the fields say; else the
    heading the fields make."""
    parts = film.heading_parts(scene)
    written = text_field(scene, "heading")
    as_written = parse_heading(written) if written else None
    if as_written and _same_parts(as_written, parts):
        return forced_heading(as_written.heading_text)
    return heading_line(*parts)


def _same_parts(written: Scene, parts: tuple[str, str, str]) -> bool:
    prefix, place, time_of_day = parts
    return (INT_EXT.get(written.int_ext, written.int_ext), _normal(written.location), _normal(written.time_of_day)) == (
        prefix, _normal(place), _normal(time_of_day))


def _normal(part: str) -> str:
    """`Lighthouse -- kitchen` -> `LIGHTHOUSE - KITCHEN`, as a heading's parts are compared."""
    return " - ".join(" ".join(p.split()) for p in TIME_SEPARATOR.split(part.strip())).upper()


def section_lines(block: ExportedBlock) -> list[str]:
    """An act, or a beat with a `section` depth (2 for `##`), as its section line and its
    body's lines as synopses; nothing for a beat that is a synopsis."""
    if block.type == "act":
        return [f"# {one_line(block.title)}"]
    depth = block.frontmatter.get("section")
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= 6:
        return []
    synopses = [f"= {one_line(line)}" for line in body_text(block).split("\n") if line.strip()]
    return [f"{'#' * depth} {one_line(block.title)}", *synopses]


def screenplay(film: Film, scene_numbers: bool = False) -> str:
    """A beat is a synopsis written right after a section or under the heading of its first
    scene, where every Fountain reader attaches it (a beat that follows a scene waits for
    its first scene), unless its `placement` says otherwise; a beat with a `section` depth
    is a section, followed by its body's lines as synopses."""
    numbers = film.scene_numbers
    show_numbers = scene_numbers or film.numbering_locked
    out: list[str] = title_page(film) + [""]
    waiting: list[str] = []  # synopses to write after the next scene heading
    anchored = False  # the last thing written is a section or a heading

    def write(*paragraphs: str) -> None:
        out.extend(line for paragraph in paragraphs if paragraph for line in (paragraph, ""))

    def flush() -> None:
        write(*waiting)
        waiting.clear()

    for block in film.story:
        section = section_lines(block)
        placement = text_field(block, "placement")
        if block.type == "scene":
            heading = scene_heading(film, block)
            if show_numbers:
                heading += f" #{numbers[block.path]}#"
            write(lead_in(block), heading)
            flush()
            body = scene_body(block)
            write(body)
            anchored = not body
        elif section:
            flush()
            write(lead_in(block), *section)
            anchored = True
        elif placement == IN_PLACE:
            flush()
            write(lead_in(block), f"= {one_line(block.title)}")
        else:
            write(lead_in(block))
            waiting.append(f"= {one_line(block.title)}")
            if anchored and placement != UNDER_HEADING:
                flush()
    flush()
    return "\n".join(out).rstrip("\n") + "\n"


def export_fountain(film: Film, scene_numbers: bool = False) -> dict[str, str]:
    return {FOUNTAIN_NAME: screenplay(film, scene_numbers)}
