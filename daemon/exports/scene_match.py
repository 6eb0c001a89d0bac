"""Which block is which scene of a revised screenplay: by locked scene number, then by heading
and text. Pure: the screenplay's scenes and the project's, in, pairs out.

Text is compared word by word (the Indel similarity of the two word lists, rapidfuzz): a scene
with a line rewritten stays above 90%, a scene that doubled in length near 67%, and two
different scenes of one film rarely pass 20%, where a comparison letter by letter gives every
pair of English texts about 40%.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rapidfuzz import process
from rapidfuzz.distance import Indel

_WORD = re.compile(r"\w+")

# Percent of words in common (in order) for a pair to be the same scene:
SAME_NUMBER = 30  # with the same locked scene number (and a different heading)
SAME_HEADING = 40  # with the same heading, INT./EXT., place and time
OTHER_HEADING = 70  # under another heading: a scene moved, or its time of day changed
# Added to the similarity when choosing among candidates: a number outweighs any text.
NUMBER_WEIGHT, HEADING_WEIGHT = 200, 25


@dataclass(frozen=True)
class SceneKey:
    """What a scene is recognised by: its number (when locked), its heading, its words."""

    number: str
    heading: tuple[str, str, str]
    words: tuple[str, ...]

    @classmethod
    def of(cls, number: str | None, int_ext: str, place: str, time: str, text: str) -> "SceneKey":
        heading = (int_ext.upper().replace(".", "").replace(" ", ""), " ".join(place.upper().split()),
                   " ".join(time.upper().split()))
        return cls((number or "").strip().upper(), heading, tuple(_WORD.findall(text.lower())))


def match_scenes(new: Sequence[SceneKey], old: Sequence[SceneKey]) -> dict[int, int]:
    """{index in `new`: index in `old`}: each side used once. The best pairs are taken first;
    among equals, the pair nearer in place in the screenplay."""
    if not new or not old:
        return {}
    similarity = process.cdist([k.words for k in new], [k.words for k in old], scorer=Indel.normalized_similarity)
    pairs = []
    for i, key in enumerate(new):
        for j, other in enumerate(old):
            percent = 100 * float(similarity[i][j])
            same_number = bool(key.number) and key.number == other.number
            same_heading = key.heading == other.heading
            if not (same_number and (same_heading or percent >= SAME_NUMBER)
                    or same_heading and percent >= SAME_HEADING or percent >= OTHER_HEADING):
                continue
            score = percent + NUMBER_WEIGHT * same_number + HEADING_WEIGHT * same_heading
            pairs.append((-score, abs(i / len(new) - j / len(old)), i, j))
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for _, _, i, j in sorted(pairs):
        if i not in matched and j not in taken:
            matched[i] = j
            taken.add(j)
    return matched
