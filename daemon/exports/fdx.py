"""The screenplay as a Final Draft document (`screenplay.fdx`), the industry's exchange
format: the same scenes, headings, numbers and title page as the Fountain export, each
scene's body as typed paragraphs (daemon/exports/screenplay_paragraphs.py).

    <FinalDraft DocumentType="Script" Template="No" Version="5">
      <Content> <Paragraph Type="Scene Heading" Number="1"><Text>INT. ...</Text></Paragraph> ... </Content>
      <TitlePage> <Content> <Paragraph Alignment="Center"><Text>...</Text></Paragraph> ... </Content> </TitlePage>
      <ScriptNotes> <ScriptNote ID="1" Range="0,20"><Paragraph><Text>...</Text></Paragraph></ScriptNote> </ScriptNotes>
    </FinalDraft>

A note's `Range` counts characters through the paragraphs' text as Final Draft does: one
for each paragraph break, two for a dual dialogue. Acts and beats have no place in a Final
Draft screenplay and are not written.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .fdx_title_page import Line, title_page_lines
from .film import Film, body_text
from .fountain import title_page
from .fountain_parse import split_title_page
from .screenplay_paragraphs import DualDialogue, Item, Paragraph, Run, paragraphs_of_fountain

FDX_NAME = "screenplay.fdx"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
DUAL_DIALOGUE_UNITS = 2  # what a dual dialogue counts for in a note's Range


@dataclass
class FdxDocument:
    """What a Final Draft file holds that cinefile reads and writes."""

    content: list[Item] = field(default_factory=list)
    title_page: list[Line] = field(default_factory=list)


def spans(content: list[Item]) -> list[tuple[int, int]]:
    """Where each paragraph of the content starts and ends, as a note's Range counts."""
    out, position = [], 0
    for item in content:
        length = DUAL_DIALOGUE_UNITS if isinstance(item, DualDialogue) else len(item.text)
        out.append((position, position + length))
        position += length + 1
    return out


def fdx_document(film: Film, scene_numbers: bool = False) -> FdxDocument:
    """The film's screenplay: each scene's heading, then its body's paragraphs."""
    show_numbers = scene_numbers or film.numbering_locked
    content: list[Item] = []
    for scene in film.scenes:
        number = film.scene_numbers[scene.path] if show_numbers else None
        content.append(Paragraph("Scene Heading", [Run(film.heading(scene))], number=number))
        content += paragraphs_of_fountain(body_text(scene))
    page, _ = split_title_page(title_page(film))
    return FdxDocument(content, title_page_lines(page))


def _paragraph(parent: ET.Element, paragraph: Paragraph) -> None:
    attributes = {"Alignment": "Center"} if paragraph.centered else {}
    if paragraph.number:
        attributes["Number"] = paragraph.number
    element = ET.SubElement(parent, "Paragraph", {**attributes, "Type": paragraph.type})
    for run in paragraph.runs or [Run("")]:
        ET.SubElement(element, "Text", {"Style": run.style} if run.style else {}).text = run.text


def fdx_xml(document: FdxDocument) -> str:
    root = ET.Element("FinalDraft", {"DocumentType": "Script", "Template": "No", "Version": "5"})
    content = ET.SubElement(root, "Content")
    notes: list[tuple[tuple[int, int], str]] = []
    for item, span in zip(document.content, spans(document.content)):
        if isinstance(item, DualDialogue):
            dual = ET.SubElement(ET.SubElement(content, "Paragraph"), "DualDialogue")
            for paragraph in item.paragraphs:
                _paragraph(dual, paragraph)
            notes += [(span, note) for paragraph in item.paragraphs for note in paragraph.notes]
        else:
            _paragraph(content, item)
            notes += [(span, note) for note in item.notes]
    if document.title_page:
        page = ET.SubElement(ET.SubElement(root, "TitlePage"), "Content")
        for alignment, text in document.title_page:
            ET.SubElement(ET.SubElement(page, "Paragraph", {"Alignment": alignment}), "Text").text = text
    if notes:
        holder = ET.SubElement(root, "ScriptNotes")
        for n, ((start, end), note) in enumerate(notes, start=1):
            script_note = ET.SubElement(holder, "ScriptNote", {"ID": str(n), "Range": f"{start},{end}"})
            ET.SubElement(ET.SubElement(script_note, "Paragraph"), "Text").text = note
    ET.indent(root, space="  ")
    return DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def export_fdx(film: Film, scene_numbers: bool = False) -> dict[str, str]:
    return {FDX_NAME: fdx_xml(fdx_document(film, scene_numbers))}
