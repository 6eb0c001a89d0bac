"""A generator of synthetic film projects for benchmarks: the same seed, the same project.

Shaped like a real film: acts hold beats, beats hold scenes, scenes hold shot breakdowns
and shots; scenes depend on characters, locations and props; shots on characters,
locations and the style guide. Bodies and frontmatter have realistic sizes.

Three shapes. `clean` (the first, whose bytes never change: earlier figures were measured on
it) has no problems. `busy` is a project at work: warnings on about a third of the blocks
(a field missing, a dependency listed twice, a `generated` record that is not one), an
`assets/` folder of 4,000 files that shots link to, a hub location 2,000 shots depend on,
and a chain of costumes 1,000 deep that scenes wear. `long` is the clean project with six
more paragraphs of prose in every block (about 2.6 KB a block rather than 312 bytes), as a
feature film's written-out scenes are. Each has exactly the blocks asked for.
"""

from __future__ import annotations

import argparse
import hashlib
import random
from pathlib import Path

WORDS = ("rain deck rope lamp harbour engine wheel compass storm gull chain ramp hull tide night "
         "salt rust oilskin whistle bilge lantern fog signal cabin mast pier wave keel horizon").split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(6, 14)) for _ in range(sentences))


def block(type_: str, body: str, **fields) -> str:
    lines = [f"type: {type_}"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"  - {item}" for item in value]
        else:
            lines.append(f"{key}: {value}")
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


SHAPES = ("clean", "busy", "long")
LONG_PARAGRAPHS = 6
HUB = "location-hub"
HUB_DEPENDENTS = 2_000
CHAIN_DEPTH = 1_000
ASSETS = 4_000


class _Busy:
    """What the busy shape adds, decided by a random stream of its own, so that the clean
    shape's stream (and bytes) stay as they were."""

    def __init__(self, seed: int, blocks: int) -> None:
        self.rng = random.Random(seed * 7919 + 1)
        self.chain = [f"costume-chain-{i:04d}" for i in range(min(CHAIN_DEPTH, blocks // 10))]
        self.assets = [_asset_bytes(i) for i in range(min(ASSETS, blocks // 2))]
        self.hub_left = HUB_DEPENDENTS
        self.next_asset = 0

    def design(self, files: dict[str, str], rng: random.Random) -> None:
        files[f"design/locations/{HUB}.md"] = block("location", paragraph(rng, 4), title="The harbour", tags="[set, hub]")
        for i, name in enumerate(self.chain):
            made_from = self.chain[i + 1] if i + 1 < len(self.chain) else "style-guide"
            files[f"design/costumes/{name}.md"] = block("costume", paragraph(rng, 1), dependencies=[made_from])

    def scene(self, fields: dict) -> dict:
        if self.chain and self.rng.random() < 0.2:
            fields["dependencies"] = fields["dependencies"] + [f"{{id: {self.chain[0]}, type: wears}}"]
        return self._warn(fields, ("int_ext", "time_of_day"))

    def shot(self, fields: dict) -> dict:
        if self.hub_left:
            fields["dependencies"] = fields["dependencies"] + [HUB]
            self.hub_left -= 1
        if self.next_asset < len(self.assets):
            sha = hashlib.sha256(self.assets[self.next_asset]).hexdigest()
            fields["assets"] = [f"{{sha256: {sha}, role: still, approved: {str(self.next_asset % 3 == 0).lower()}}}"]
            self.next_asset += 1
        return self._warn(fields, ("lens", "movement"))

    def _warn(self, fields: dict, optional: tuple[str, ...]) -> dict:
        """A warning on about a third of the blocks, of one of three kinds."""
        roll = self.rng.random()
        if roll < 0.17:
            del fields[self.rng.choice(optional)]  # missing-field
        elif roll < 0.31:
            fields["dependencies"] = fields["dependencies"] + fields["dependencies"][:1]  # duplicate-dependency
        elif roll < 0.40:
            fields["generated"] = "{from: the old draft}"  # bad-generated
        return fields

    def write_assets(self, root: Path) -> None:
        folder = root / "assets"
        folder.mkdir(parents=True, exist_ok=True)
        for data in self.assets:
            (folder / f"{hashlib.sha256(data).hexdigest()}.png").write_bytes(data)


def _asset_bytes(number: int) -> bytes:
    """A small file of its own: a PNG signature and a number (only its hash matters here)."""
    return b"\x89PNG\r\n\x1a\n" + number.to_bytes(4, "big") * 16


def generate(root: Path, blocks: int, seed: int = 7, shape: str = "clean") -> int:
    """Write a project of about `blocks` blocks under `root`; returns the number written."""
    if shape not in SHAPES:
        raise ValueError(f"shape {shape!r}: use one of {', '.join(SHAPES)}")
    busy = _Busy(seed, blocks) if shape == "busy" else None
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "cinefile.toml").write_text(f'name = "Synthetic {blocks}"\nmode = "draft"\n')
    files: dict[str, str] = {}
    design = max(blocks // 20, 5)
    characters = [f"character-{i:05d}" for i in range(design // 2)]
    locations = [f"location-{i:05d}" for i in range(design // 3)]
    props = [f"prop-{i:05d}" for i in range(design - len(characters) - len(locations))]
    files["design/style-guide.md"] = block("style_guide", paragraph(rng, 8), title="Look of the film")
    for name in characters:
        files[f"design/characters/{name}.md"] = block("character", f"# {name}\n\n{paragraph(rng, 5)}", tags="[cast]")
    for name in locations:
        files[f"design/locations/{name}.md"] = block("location", paragraph(rng, 4), tags="[set]")
    for name in props:
        files[f"design/props/{name}.md"] = block("prop", paragraph(rng, 2))
    if busy:
        busy.design(files, rng)
    act_number = 0
    while len(files) < blocks:
        act = f"act-{act_number:03d}"
        files[f"story/{act}/{act}.md"] = block("act", paragraph(rng, 3))
        for b in range(10):
            beat = f"beat-{act_number:03d}-{b:03d}"
            files[f"story/{act}/{beat}.md"] = block("beat", paragraph(rng, 2), parent=act)
            for s in range(3):
                scene = f"scene-{act_number:03d}-{b:03d}-{s}"
                cast = rng.sample(characters, min(2, len(characters)))
                where = rng.choice(locations)
                body = paragraph(rng, 6)
                fields = dict(parent=beat, int_ext=rng.choice(["INT", "EXT"]), time_of_day=rng.choice(["DAY", "NIGHT"]),
                              dependencies=cast + [where, rng.choice(props)])
                files[f"story/{act}/scenes/{scene}.md"] = block("scene", body, **(busy.scene(fields) if busy else fields))
                for t in range(rng.randint(8, 12)):
                    shot = f"shot-{act_number:03d}-{b:03d}-{s}-{t:02d}"
                    body = paragraph(rng, 2)
                    fields = dict(parent=scene, size=rng.choice(["wide", "medium", "close-up"]),
                                  angle=rng.choice(["eye level", "high", "low"]), movement=rng.choice(["static", "pan", "handheld"]),
                                  lens=f"{rng.choice([24, 35, 50, 85])}mm", duration=rng.randint(2, 8),
                                  dependencies=[rng.choice(cast), where, "style-guide"])
                    files[f"shooting/{act}/{scene}/{shot}.md"] = block("shot", body, **(busy.shot(fields) if busy else fields))
        act_number += 1
    written = 0
    prose = random.Random(seed * 7919 + 2)  # a stream of its own: the clean shape's bytes stay as they were
    for rel, text in list(files.items())[:blocks]:
        if shape == "long":
            text += "".join(f"\n{paragraph(prose, 6)}\n" for _ in range(LONG_PARAGRAPHS))
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1
    if busy:
        busy.write_assets(root)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--blocks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shape", choices=SHAPES, default="clean")
    args = parser.parse_args()
    print(generate(args.folder, args.blocks, args.seed, args.shape))


if __name__ == "__main__":
    main()
