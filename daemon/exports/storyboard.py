"""The storyboard: one self-contained HTML page, scenes in order, each shot's still,
description, notes and duration. Stills are linked relatively (`../assets/...`) or embedded.
The same page, with its stills embedded, prints to `storyboard.pdf`: a page per scene."""

from __future__ import annotations

from html import escape

from .film import Film, body_text, one_line, seconds, text_field
from .pdf import data_uri, pdf_of
from .summary import ExportedBlock
from .table import number_text

STORYBOARD_NAME = "storyboard.html"
STORYBOARD_PDF_NAME = "storyboard.pdf"

STYLE = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #6e6e73; --line: #d2d2d7; --stale: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; font: 15px/1.45 system-ui, sans-serif; color: var(--ink); background: #fafafa; }
header h1 { margin: 0 0 4px; font-size: 28px; }
header p { margin: 0 0 24px; color: var(--muted); }
section.scene { margin: 0 0 32px; }
section.scene h2 { font: 600 17px/1.3 ui-monospace, monospace; border-bottom: 1px solid var(--line); padding-bottom: 6px; margin: 0 0 4px; }
section.scene .scene-title { margin: 0 0 12px; color: var(--muted); }
.shots { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 16px; }
article.shot { background: #fff; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
article.shot.stale { border: 2px solid var(--stale); }
article.shot figure { margin: 0; aspect-ratio: 16 / 9; background: #222; display: flex; align-items: center; justify-content: center; }
article.shot img { width: 100%; height: 100%; object-fit: cover; display: block; }
article.shot .no-still { color: #aaa; font-size: 13px; }
article.shot .text { padding: 8px 10px 10px; }
article.shot h3 { margin: 0 0 2px; font-size: 15px; }
article.shot .specs { margin: 0 0 6px; color: var(--muted); font-size: 13px; }
article.shot .description { margin: 0; }
.badge { display: inline-block; margin: 6px 0 0; padding: 1px 6px; border-radius: 3px; font-size: 12px; font-weight: 600; }
.badge.stale { background: var(--stale); color: #fff; }
.badge.unapproved { background: #e8e8ed; color: var(--ink); }
article.shot .notes { margin: 6px 0 0; font-size: 13px; color: var(--muted); white-space: pre-line; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; background: #fff; font-size: 11px; }
  main > section.scene + section.scene { break-before: page; }
  .shots { grid-template-columns: repeat(3, 1fr); gap: 10px; }
  article.shot { break-inside: avoid; }
  article.shot figure { height: 46mm; }
}
"""


def image_source(film: Film, shot: ExportedBlock, embed: bool) -> str | None:
    still = film.still(shot)
    if still is None or still.path is None:
        return None
    return data_uri(film, still) if embed else f"../{still.relative}"


def shot_card(film: Film, shot: ExportedBlock, embed: bool) -> list[str]:
    classes = "shot stale" if shot.state == "stale" else "shot"
    number = film.shot_numbers[shot.path]
    source = image_source(film, shot, embed)
    figure = (f'<img src="{escape(source)}" alt="{escape(number)}: {escape(shot.title)}">' if source
              else '<span class="no-still">no still yet</span>')
    specs = [text_field(shot, key) for key in ("size", "angle", "movement", "lens")]
    duration = seconds(shot)
    if duration is not None:
        specs.append(f"{number_text(duration)} s")
    lines = [
        f'<article class="{classes}" id="{escape(shot.id)}" data-duration="{number_text(duration)}">',
        f"<figure>{figure}</figure>",
        '<div class="text">',
        f"<h3>{escape(number)} · {escape(shot.title)}</h3>",
        f'<p class="specs">{escape(" · ".join(s for s in specs if s))}</p>',
        f'<p class="description">{escape(one_line(body_text(shot)))}</p>',
    ]
    notes = text_field(shot, "notes")
    if notes:
        lines.append(f'<p class="notes">{escape(notes)}</p>')
    if shot.state == "stale":
        lines.append(f'<p class="badge stale" title="{escape(shot.stale_reason)}">stale: {escape(shot.stale_reason)}</p>')
    still = film.still(shot)
    if still is not None and not still.approved:
        lines.append('<p class="badge unapproved">still not approved</p>')
    lines += ["</div>", "</article>"]
    return lines


def storyboard(film: Film, embed: bool = False) -> str:
    pairs = film.ordered_shots()
    total = sum(seconds(shot) or 0 for _, shot in pairs)
    stale = sum(1 for _, shot in pairs if shot.state == "stale")
    summary = f"Storyboard · {len(film.scenes)} scenes · {len(pairs)} shots · {number_text(total)} s"
    if stale:
        summary += f" · {stale} stale"
    out = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(film.name)}: storyboard</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
        f"<header><h1>{escape(film.name)}</h1><p>{escape(summary)}</p></header>", "<main>",
    ]
    for scene in [*film.scenes, None]:
        shots = film.shots(scene)
        if scene is None and not shots:
            continue
        if scene is None:
            out += ['<section class="scene" id="no-scene">', "<h2>Shots in no scene</h2>"]
        else:
            number = film.scene_numbers[scene.path]
            out += [f'<section class="scene" id="{escape(scene.id)}">',
                    f"<h2>{escape(number)}. {escape(film.heading(scene))}</h2>",
                    f'<p class="scene-title">{escape(scene.title)}</p>']
        out.append('<div class="shots">')
        for shot in shots:
            out += shot_card(film, shot, embed)
        out.append("</div>")
        if not shots:
            out.append('<p class="no-shots">no shots yet</p>')
        out.append("</section>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def export_storyboard(film: Film, embed: bool = False) -> dict[str, str]:
    return {STORYBOARD_NAME: storyboard(film, embed)}


def export_storyboard_pdf(film: Film) -> dict[str, bytes]:
    """The storyboard printed: its stills inside it, a page (or more) per scene."""
    return {STORYBOARD_PDF_NAME: pdf_of(storyboard(film, embed=True), "storyboard-pdf")}
