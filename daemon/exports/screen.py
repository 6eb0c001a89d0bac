"""The animatic's frame and the picture inside it: a 1280x720 frame, and the project's aspect
ratio (`[film] aspect_ratio` in cinefile.toml) as the largest centred area of that shape,
with black bars around it (letterbox for 2.39:1, pillarbox for 4:3)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from cinefile.format.config import CONFIG_NAME

from ..errors import UserError
from ..project import Project

WIDTH, HEIGHT = 1280, 720
# Outside these a "ratio" is a typo (23.9 for 2.39), not a film shape.
NARROWEST, WIDEST = 0.25, 4.0
_RATIO = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:[:/x]\s*(\d+(?:\.\d+)?)\s*)?")


@dataclass(frozen=True)
class Screen:
    """The frame, and the picture area centred in it (even sizes: H.264 halves them)."""

    width: int
    height: int
    area_width: int
    area_height: int

    @property
    def left(self) -> int:
        return (self.width - self.area_width) // 2

    @property
    def top(self) -> int:
        return (self.height - self.area_height) // 2


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def screen_for(ratio: float | None, width: int | None = None, height: int | None = None) -> Screen:
    """The frame (WIDTH x HEIGHT unless given) with the largest area of `ratio` (width /
    height) in it; None: all of it."""
    width, height = width or WIDTH, height or HEIGHT
    if ratio is None or abs(ratio - width / height) < 1e-3:
        return Screen(width, height, width, height)
    if ratio > width / height:
        return Screen(width, height, width, min(height, _even(width / ratio)))
    return Screen(width, height, min(width, _even(height * ratio)), height)


def parse_ratio(value: object) -> float | None:
    """`2.39:1`, `16:9`, `4/3`, `1.85` or the number 1.85 as width / height; None when it is
    none of those or is outside NARROWEST..WIDEST."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        ratio = float(value)
    else:
        match = _RATIO.fullmatch(str(value))
        if not match or (match.group(2) is not None and float(match.group(2)) == 0):
            return None
        ratio = float(match.group(1)) / float(match.group(2) or 1)
    return ratio if NARROWEST <= ratio <= WIDEST else None


def project_ratio(project: Project) -> float | None:
    """The `aspect_ratio` of the `[film]` table of cinefile.toml; None when it is not set."""
    film = project.config.raw.get("film", {})
    value = film.get("aspect_ratio") if isinstance(film, dict) else None
    if value is None:
        return None
    ratio = parse_ratio(value)
    if ratio is None:
        raise UserError(f"{CONFIG_NAME}: [film] aspect_ratio = {json.dumps(value)} is not a picture shape: write it as "
                        f'"2.39:1", "16:9" or 1.85 (width to height, between 1:4 and 4:1)')
    return ratio
