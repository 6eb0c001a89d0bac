"""Importing a Final Draft file (`.fdx`): its XML read safely into the paragraph model, then
into the same `Screenplay` a Fountain file becomes, so that one import planner
(daemon/exports/fountain_import.py) makes the blocks of both.

Read: paragraphs of type Scene Heading (with its `Number`), Action, Character, Parenthetical,
Dialogue, Transition, Shot and General (and any other, as action); New Act as an act;
DualDialogue; the title page; script notes, inline and in `<ScriptNotes>` (placed by their
Range). The XML parser refuses entity declarations and external references (defusedxml), so
that a hostile file can neither blow up in memory nor read another file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET

from ..errors import UserError
from .fdx import FdxDocument, spans
from .fdx_title_page import title_page_keys
from .fountain_import import screenplay_bytes
from .fountain_parse import HEADING, Scene, Screenplay, Section, parse_heading
from .screenplay_paragraphs import DualDialogue, Item, Paragraph, Run, fountain_of_paragraphs, merged, style_name

FDX_SUFFIX = ".fdx"


def read_fdx(path: Path) -> bytes:
    """The file's bytes, or one line saying why it cannot be read as a Final Draft file."""
    return screenplay_bytes(path, "a .fdx file")


def parse_fdx(data: bytes, source: str) -> FdxDocument:
    """The document in a Final Draft file's bytes; a file that is not one is refused in one line."""
    try:
        root = SafeET.fromstring(data)
    except defusedxml.DefusedXmlException as error:
        raise UserError(f"{source}: refused: it declares XML entities or a DTD ({type(error).__name__}), "
                        "which a Final Draft file never has: save it again from Final Draft") from None
    except ET.ParseError as error:
        raise UserError(f"{source}: not a Final Draft file: its XML is broken ({error}): "
                        "save it again from Final Draft, or export it as Fountain") from None
    content = root.find("Content")
    if root.tag != "FinalDraft" or content is None:
        raise UserError(f"{source}: not a Final Draft file (no <FinalDraft> with a <Content>): "
                        "give a .fdx file saved by Final Draft or another screenwriting program")
    items: list[Item] = []
    for element in content:
        dual = element if element.tag == "DualDialogue" else element.find("DualDialogue")
        if dual is not None:
            items.append(DualDialogue([_paragraph(p) for p in dual.findall("Paragraph")]))
        elif element.tag == "Paragraph":
            items.append(_paragraph(element))
    _place_notes(items, root.find("ScriptNotes"))
    page = root.find("TitlePage/Content")
    title_page = [(p.get("Alignment") or "Left", _plain(p)) for p in (page.findall("Paragraph") if page is not None else [])]
    return FdxDocument(items, title_page)


def _plain(element: ET.Element) -> str:
    return "".join(text.text or "" for text in element.findall("Text"))


def _note_text(note: ET.Element) -> str:
    return " ".join(" ".join(_plain(p) for p in note.iter("Paragraph")).split())


def _paragraph(element: ET.Element) -> Paragraph:
    runs = merged([Run(text.text or "", style_name(set((text.get("Style") or "").split("+"))))
                   for text in element.findall("Text")])
    properties = element.find("SceneProperties")
    number = element.get("Number") or (properties.get("Number") if properties is not None else None)
    notes = [text for text in map(_note_text, element.findall("ScriptNote")) if text]  # written inline
    return Paragraph(element.get("Type") or "General", runs, number or None, element.get("Alignment") == "Center", notes)


def _place_notes(items: list[Item], notes: ET.Element | None) -> None:
    """Each note of <ScriptNotes> with the paragraph its Range starts in (one it cannot
    place, with the last paragraph), so that it is kept near the words it is about."""
    if notes is None or not items:
        return
    starts = [start for start, _ in spans(items)]
    for note in notes.findall("ScriptNote"):
        text = _note_text(note)
        if not text:
            continue
        try:
            start = int((note.get("Range") or "").split(",")[0])
        except ValueError:
            start = starts[-1]
        n = max((i for i, s in enumerate(starts) if s <= start), default=0)
        item = items[n]
        (item.paragraphs[-1] if isinstance(item, DualDialogue) else item).notes.append(text)


def heading_scene(paragraph: Paragraph) -> Scene:
    """A Scene Heading paragraph as Fountain's model of it: Final Draft shows headings in
    capitals whatever was typed; one without INT./EXT. is a forced heading."""
    text = " ".join(paragraph.text.split()).upper()
    scene = parse_heading(text if HEADING.match(text) else "." + text)
    scene.number = paragraph.number or scene.number
    return scene


def screenplay_of(document: FdxDocument) -> Screenplay:
    """Scenes from the headings, their paragraphs as Fountain lines; New Act paragraphs as
    acts. What comes before the first heading (FADE IN:) goes to the top of the next scene."""
    items: list[Section | Scene] = []
    bodies: list[list[Item]] = []
    pending: list[Item] = []
    current = pending
    for item in document.content:
        kind = item.type if isinstance(item, Paragraph) else ""
        if kind == "Scene Heading" and item.text.strip():
            items.append(heading_scene(item))
            heading_notes = [Paragraph("Action", notes=item.notes)] if item.notes else []
            bodies.append([*heading_notes, *pending])
            pending.clear()
            current = bodies[-1]
        elif kind == "New Act" and item.text.strip():
            items.append(Section(1, " ".join(item.text.split())))
            current = pending
        else:
            current.append(item)
    if bodies:
        bodies[-1] += pending
    for scene, body in zip((i for i in items if isinstance(i, Scene)), bodies):
        scene.lines = fountain_of_paragraphs(body)
    return Screenplay(title_page_keys(document.title_page), items)


def read_fdx_screenplay(path: Path) -> Screenplay:
    return screenplay_of(parse_fdx(read_fdx(path), path.name))
