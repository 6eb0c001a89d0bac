"""Reference images a person supplies for a block (a character's photo, a location's mood
shot): stored once by hash in assets/, like generated media, and linked with the role
`reference`. They are a person's own material, so they are never generated over."""

from __future__ import annotations

from ..errors import UserError
from .core import Core, FileChange

MAX_REFERENCE_BYTES = 10 * 1024 * 1024


class References(Core):
    def reference_change(self, ref: str, data: bytes, *, name: str = "the file", text: str | None = None) -> FileChange:
        """`data` (an image's bytes) stored in assets/ and linked to the block as a reference.
        Refused, with nothing stored, when it is over 10 MB or no PNG, JPEG, WebP or GIF
        image (read from its bytes, whatever its name says). The change is not written:
        `apply` it."""
        from ..generate.assets import AssetStore
        from ..generate.media import SNIFF_BYTES, sniff
        from ..generate.writeback import text_with_asset

        if len(data) > MAX_REFERENCE_BYTES:
            raise UserError(f"{name}: {len(data) / 1e6:.1f} MB is over the {MAX_REFERENCE_BYTES // (1024 * 1024)} MB "
                            "a reference image may have: make it smaller")
        mime = sniff(data[:SNIFF_BYTES])
        if mime is None or not mime.startswith("image/"):
            raise UserError(f"{name}: not a PNG, JPEG, WebP or GIF image: give an image file")
        current = self.read(ref) if text is None else None
        path = current.path if current is not None else self.row(ref)["path"]
        text = current.text if current is not None else text
        asset = AssetStore(self.project.root).put(data, name, kind="image")  # refused when assets/ leads out
        try:
            return FileChange(path, text, text_with_asset(text, path, asset, "reference"), how="reference")
        except ValueError as error:  # EditError: a frontmatter that cannot be edited
            raise UserError(f"{path}: {error}") from None
