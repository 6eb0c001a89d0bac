"""The printable storyboard and the lookbook: PDFs printed with WeasyPrint from the same HTML,
read back with pypdf (pages, text, the images inside). The sample film, with real stills:
one of them a symlink to a file outside the project, which must never get into a PDF."""

from __future__ import annotations

import io

import pytest
from cinefile.daemon.exports import pdf
from cinefile.format.edit import set_field
from media_files import link_assets, png_bytes
from pypdf import PdfReader

RED, BLUE, GREEN, GOLD, SECRET = (200, 30, 30), (20, 40, 210), (30, 160, 60), (200, 160, 20), (250, 0, 250)


@pytest.fixture
def film(sample, tmp_path):
    """shot-1a: an approved red still (and a note); shot-1b: an unapproved blue one; shot-2a: an
    approved still that is a symlink out of the project. Mara: two approved stills and an
    unapproved one; the wheelhouse: an approved still linked from outside."""
    link_assets(sample, "shooting/shot-1a.md", (png_bytes(64, 36, RED), "png", "still", True))
    link_assets(sample, "shooting/shot-1b.md", (png_bytes(64, 36, BLUE), "png", "still", False))
    link_assets(sample, "design/mara.md", (png_bytes(30, 40, GREEN), "png", "still", True),
                (png_bytes(30, 40, GOLD), "png", "still", True), (png_bytes(30, 40, BLUE), "png", "still", False))
    for block in ("shooting/shot-2a.md", "design/wheelhouse.md"):
        (sha,) = link_assets(sample, block, (png_bytes(64, 36, SECRET), "png", "still", True))
        outside = tmp_path / f"outside-{block.replace('/', '-')}.png"
        (sample.assets / f"{sha}.png").rename(outside)
        (sample.assets / f"{sha}.png").symlink_to(outside)
    shot = sample.root / "shooting/shot-1a.md"
    shot.write_text(set_field(shot.read_text(), "notes", "Crane down at the end; rain machine on."))
    return sample


def export(project, cli, formats: str):
    result = cli("export", "-f", formats, cwd=project.root)
    assert result.exit_code == 0, result.output
    return result


def colours(reader: PdfReader) -> list[tuple[int, int, int]]:
    """The colour at the middle of each image the PDF holds, in the order first used (its
    pages may share one list of images)."""
    found = {}
    for page in reader.pages:
        for image in page.images:
            picture = image.image.convert("RGB")
            found.setdefault(image.name, picture.getpixel((picture.width // 2, picture.height // 2)))
    return list(found.values())


def test_the_storyboard_pdf_has_a_page_per_scene_its_stills_and_notes(film, cli):
    export(film, cli, "storyboard-pdf")
    reader = PdfReader(film.exports / "storyboard.pdf")
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == 2  # two scenes, each on its own page
    assert "1. EXT. FERRY CAR DECK - NIGHT" in pages[0] and "2. INT. WHEELHOUSE - NIGHT" in pages[1]
    assert "1A · Wide on the car deck" in pages[0] and "1B · Hands on the chain" in pages[0]
    assert "Crane down at the end; rain machine on." in pages[0]  # the shot's notes
    assert "still not approved" in pages[0] and "no still yet" in pages[1]  # the link out is no still
    assert colours(reader) == [RED, BLUE]  # embedded, in film order; nothing from outside


def test_the_lookbook_shows_each_design_with_its_approved_stills_and_text(film, cli):
    export(film, cli, "lookbook")
    reader = PdfReader(film.exports / "lookbook.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("Characters", "Locations", "Costumes", "Props"):
        assert heading in text
    for title in ("Captain Ilse", "Mara", "Ferry car deck", "Wheelhouse", "Mara's oilskin", "Brass compass"):
        assert title in text
    assert "habit of counting under her breath" in text  # a design's text, its wrapped lines run on
    assert text.count("no approved still yet") == 5  # all but Mara; the wheelhouse's link out is none
    assert colours(reader) == [GREEN, GOLD]  # only approved stills, only the project's own files
    assert reader.pages[0].extract_text().startswith("Night Ferry")


def test_pdfs_are_the_same_bytes_for_the_same_project(film, cli):
    export(film, cli, "storyboard-pdf,lookbook")
    again = export(film, cli, "storyboard-pdf,lookbook")
    assert again.output.splitlines() == ["unchanged exports/storyboard.pdf", "unchanged exports/lookbook.pdf"]


def test_without_the_renderer_the_pdfs_are_skipped_in_one_line_each(sample, cli, monkeypatch):
    monkeypatch.setattr(pdf, "_weasyprint", lambda: "cannot load library 'libpango-1.0-0'")
    result = cli("export", "-f", "storyboard,storyboard-pdf,lookbook", cwd=sample.root)
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "wrote exports/storyboard.html"  # the others are still written
    reasons = result.output.splitlines()[1:]
    assert [line.split(":")[1].strip() for line in reasons] == ["storyboard-pdf", "lookbook"]
    assert all("cannot load library 'libpango-1.0-0'" in line and "apt install libpango-1.0-0 libpangoft2-1.0-0"
               in line for line in reasons)
    assert not (sample.exports / "storyboard.pdf").exists() and not (sample.exports / "lookbook.pdf").exists()


def test_the_renderer_fetches_nothing_but_what_the_page_holds(tmp_path):
    """A page that names a file or a web address gets neither into the PDF."""
    outside = tmp_path / "outside.png"
    outside.write_bytes(png_bytes(8, 8, SECRET))
    data = pdf.pdf_of(f'<img src="{outside.as_uri()}"><img src="http://127.0.0.1:9/x.png"><p>text</p>', "test")
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].extract_text() == "text" and colours(reader) == []
