"""The lookbook (`lookbook.pdf`): the film's characters, locations, costumes and props, each
with its approved stills and its text, a section for each kind, printed from one HTML page.
Only approved stills are shown: the lookbook is what the film has settled on."""

from __future__ import annotations

import re
from html import escape

from .film import Film, body_text, one_line
from .pdf import data_uri, pdf_of
from .summary import ExportedBlock

LOOKBOOK_NAME = "lookbook.pdf"
# The sections, in the order printed: (block type, heading).
SECTIONS = (("character", "Characters"), ("location", "Locations"), ("costume", "Costumes"), ("prop", "Props"))

STYLE = """
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { margin: 0; font: 11px/1.45 system-ui, sans-serif; color: #1d1d1f; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0 0 18px; color: #6e6e73; }
section.kind { break-before: page; }
header + section.kind { break-before: auto; }
section.kind > h2 { font-size: 18px; border-bottom: 1px solid #d2d2d7; padding-bottom: 4px; margin: 0 0 10px; }
article.entry { break-inside: avoid; margin: 0 0 16px; }
article.entry h3 { margin: 0 0 4px; font-size: 14px; }
article.entry .stills { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 6px; }
article.entry img { height: 52mm; max-width: 100%; object-fit: cover; }
article.entry .no-still { color: #6e6e73; font-style: italic; margin: 0 0 6px; }
article.entry .text { margin: 0 0 4px; }
article.entry .text.lines { white-space: pre-line; }
"""


def text_html(text: str) -> list[str]:
    """Markdown paragraphs as HTML ones: a paragraph's lines wrapped for the editor run
    on; a list keeps a line per item."""
    out = []
    for paragraph in (p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()):
        if re.search(r"^\s*(?:[-*+]|\d+[.)])\s", paragraph, re.MULTILINE):
            out.append(f'<p class="text lines">{escape(paragraph)}</p>')
        else:
            out.append(f'<p class="text">{escape(one_line(paragraph))}</p>')
    return out


def entry(film: Film, block: ExportedBlock) -> list[str]:
    sources = [uri for asset in film.assets(block, "still", approved_only=True) if (uri := data_uri(film, asset))]
    images = [f'<img src="{escape(uri)}" alt="{escape(block.title)}">' for uri in sources]
    lines = [f'<article class="entry" id="{escape(block.id)}">', f"<h3>{escape(block.title)}</h3>"]
    lines.append(f'<div class="stills">{"".join(images)}</div>' if images else '<p class="no-still">no approved still yet</p>')
    lines += [*text_html(body_text(block)), "</article>"]
    return lines


def lookbook_html(film: Film) -> str:
    kinds = [(heading, [b for b in film.blocks if b.type == kind]) for kind, heading in SECTIONS]
    counts = " · ".join(f"{len(blocks)} {heading.lower() if len(blocks) != 1 else kind}"
                        for (kind, heading), (_, blocks) in zip(SECTIONS, kinds))
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{escape(film.name)}: lookbook</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
           f"<header><h1>{escape(film.name)}</h1><p>Lookbook · {escape(counts)}</p></header>"]
    for heading, blocks in kinds:
        if not blocks:
            continue
        out += ['<section class="kind">', f"<h2>{escape(heading)}</h2>"]
        for block in blocks:
            out += entry(film, block)
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def export_lookbook(film: Film) -> dict[str, bytes]:
    return {LOOKBOOK_NAME: pdf_of(lookbook_html(film), "lookbook")}
