"""HTML pages printed to PDF with WeasyPrint: the printable storyboard and the lookbook.

WeasyPrint is Python, but lays text out with Pango, a system library (Debian:
`libpango-1.0-0 libpangoft2-1.0-0`; macOS: `brew install pango`). Without it a PDF format
cannot be made, and says so in one line. The pages are rendered with every image already
inside them (`data:` URIs read from the project's own assets): the renderer is allowed no
other URL, so a PDF never holds a file from outside the project, nor anything from the network.
"""

from __future__ import annotations

import base64
import mimetypes
from functools import cache

from ..errors import UserError
from ..inside import read_regular
from .film import Asset, Film

PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"
NEEDS = "Pango"  # what the PDF formats need, as the list of formats shows it


@cache
def _weasyprint():
    """The WeasyPrint module, or the one-line reason it cannot run (loaded once: a PDF export
    of a project with no Pango says so quickly each time)."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango's shared library is missing
        return str(error).strip().split("\n")[0]
    return weasyprint


def pdf_of(html: str, format_name: str) -> bytes:
    """The page printed to PDF: same HTML, same bytes (no dates are written into it)."""
    weasyprint = _weasyprint()
    if isinstance(weasyprint, str):
        raise UserError(f"{format_name}: the PDF renderer cannot run ({weasyprint}): install Pango "
                        f"(apt install {PANGO_PACKAGES}, or brew install pango) and WeasyPrint (pip install weasyprint)")
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def data_uri(film: Film, asset: Asset) -> str | None:
    """An asset's file as a `data:` URI; None when it is gone, or is no longer a regular
    file of the project's own (swapped for a link out since it was found)."""
    if asset.path is None:
        return None
    mime = mimetypes.guess_type(asset.path.name)[0] or "application/octet-stream"
    try:
        data = read_regular(asset.path, film.project.root)
    except OSError:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
