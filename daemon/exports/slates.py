"""Slates for the animatic, drawn with Pillow: a card that stands in for a picture not made
yet (a scene with no shots, a shot with no approved still or video), and a caption burned
over a picture (the shot number, and the scene heading where a scene starts).

The font is Pillow's own (`load_default`), so a slate looks the same on every machine with
the same Pillow; each image is named by a hash of what it shows, which the animatic's part
cache uses as the image's identity."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import astuple, dataclass

import PIL
from PIL import Image, ImageDraw, ImageFont

CARD_BACKGROUND = (28, 40, 56)
TEXT = (236, 236, 236)
QUIET = (160, 172, 190)
CAPTION_BOX = (0, 0, 0, 160)  # translucent: the picture shows through around the letters
ELLIPSIS = "..."


@dataclass(frozen=True)
class Card:
    kicker: str  # small, at the top: what the card stands for
    number: str  # large: the scene's or the shot's number
    lines: tuple[str, ...]  # below, wrapped: heading or framing, title or description


@dataclass(frozen=True)
class Caption:
    lines: tuple[str, ...]  # top down: the scene heading (where a scene starts), then the shot number


@dataclass(frozen=True)
class SlateImage:
    """A slate drawn at a size (a card: the picture area's), named by a hash of what it shows,
    so that the same name is the same image."""

    slate: Card | Caption
    width: int
    height: int

    @property
    def name(self) -> str:
        kind = type(self.slate).__name__.lower()
        what = json.dumps([kind, astuple(self.slate), self.width, self.height, PIL.__version__])
        return f"{kind}-{hashlib.sha256(what.encode()).hexdigest()[:20]}.png"

    def png(self) -> bytes:
        if isinstance(self.slate, Card):
            return draw_card(self.slate, self.width, self.height)
        return draw_caption(self.slate, self.width, self.height)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def _wrapped(text: str, font, width: float) -> list[str]:
    """`text` broken into lines no wider than `width`; a word wider than a line is cut."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        lines += [line] if line else []
        while len(word) > 1 and font.getlength(word) > width:
            cut = next((n for n in range(len(word) - 1, 0, -1) if font.getlength(word[:n]) <= width), 1)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return lines + ([line] if line else [])


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def draw_card(card: Card, width: int, height: int) -> bytes:
    """The card as a PNG of the picture area's size: kicker, number, then the lines, wrapped,
    as many as fit (the last cut short with an ellipsis)."""
    image = Image.new("RGB", (width, height), CARD_BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = height // 10
    room = width - 2 * margin
    y = margin
    for text, size, colour in ((card.kicker, height // 18, QUIET), (card.number, height // 4, TEXT)):
        if text:
            font = _font(size)
            shown = _wrapped(text, font, room)[:1]
            draw.text((margin, y), shown[0] if shown else "", font=font, fill=colour)
            y += round(size * 1.25)
    font = _font(height // 15)
    step = round(font.size * 1.3) if hasattr(font, "size") else 16
    lines = [wrapped for text in card.lines if text for wrapped in _wrapped(text, font, room)]
    fits = max(0, (height - margin - y) // step)
    if len(lines) > fits:
        lines = lines[:fits]
        if lines:
            lines[-1] = lines[-1].rstrip(". ") + ELLIPSIS
    for line in lines:
        draw.text((margin, y), line, font=font, fill=TEXT)
        y += step
    return _png(image)


def draw_caption(caption: Caption, area_width: int, area_height: int) -> bytes:
    """The caption as a PNG just big enough for its lines on a translucent box, to be laid at
    the bottom left of the picture area."""
    font = _font(area_height // 20)
    size = font.size if hasattr(font, "size") else 11
    pad = max(4, size // 3)
    room = area_width - 4 * pad
    lines = [_wrapped(line, font, room)[0] for line in caption.lines if line.strip()]
    step = round(size * 1.25)
    wide = max((font.getlength(line) for line in lines), default=0)
    image = Image.new("RGBA", (round(wide) + 2 * pad, step * len(lines) + 2 * pad), CAPTION_BOX)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((pad, pad + n * step), line, font=font, fill=TEXT)
    return _png(image)
