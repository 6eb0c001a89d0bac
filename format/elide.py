"""Long lists in messages keep their ends and count their middle.

A stale path or a cycle is written into the problem or reason of every block along it, so
listing it whole costs the square of its length (a 3,000-block chain wrote 400 MB of reasons
to the index).
"""

from __future__ import annotations

import re
from typing import Sequence

SHOWN = 6  # items listed at most: the first and the last SHOWN // 2
ELIDED = re.compile(r"^… ([\d,]+) more$")  # the item that stands for the rest


def elided(items: Sequence[str], skipped: int = 0) -> list[str]:
    """`items` with what is past SHOWN, and `skipped` items already left out of its middle,
    counted as one `… N more` between the first and last SHOWN // 2."""
    more = skipped + max(0, len(items) - SHOWN)
    if not more:
        return list(items)
    half = SHOWN // 2
    return [*items[:half], f"… {more:,} more", *items[len(items) - half:]]
