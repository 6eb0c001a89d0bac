"""A generator of synthetic film projects for benchmarks: the same seed, the same project.

Shaped like a real film: acts hold beats, beats hold scenes, scenes hold shot breakdowns
and shots; scenes depend on characters, locations and props; shots on characters,
locations and the style guide. Bodies and frontmatter have realistic sizes.
"""

from __future__ import annotations

import argparse
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


def generate(root: Path, blocks: int, seed: int = 7) -> int:
    """Write a project of about `blocks` blocks under `root`; returns the number written."""
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
                files[f"story/{act}/scenes/{scene}.md"] = block(
                    "scene", paragraph(rng, 6), parent=beat, int_ext=rng.choice(["INT", "EXT"]),
                    time_of_day=rng.choice(["DAY", "NIGHT"]), dependencies=cast + [where, rng.choice(props)])
                for t in range(rng.randint(8, 12)):
                    shot = f"shot-{act_number:03d}-{b:03d}-{s}-{t:02d}"
                    files[f"shooting/{act}/{scene}/{shot}.md"] = block(
                        "shot", paragraph(rng, 2), parent=scene, size=rng.choice(["wide", "medium", "close-up"]),
                        angle=rng.choice(["eye level", "high", "low"]), movement=rng.choice(["static", "pan", "handheld"]),
                        lens=f"{rng.choice([24, 35, 50, 85])}mm", duration=rng.randint(2, 8),
                        dependencies=[rng.choice(cast), where, "style-guide"])
        act_number += 1
    written = 0
    for rel, text in list(files.items())[:blocks]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--blocks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(generate(args.folder, args.blocks, args.seed))


if __name__ == "__main__":
    main()
