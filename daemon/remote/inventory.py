"""What is where: the assets here, on the store, and linked by the blocks, compared."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .local import local_assets
from .store import Listing


@dataclass
class AssetsStatus:
    """`cinefile assets status`: counts, and the hashes behind the ones that need doing."""

    remote: str
    here: int
    on_store: int
    to_push: list[str] = field(default_factory=list)  # here, not (whole) on the store
    to_pull: list[str] = field(default_factory=list)  # linked by a block, on the store, not here
    nowhere: list[str] = field(default_factory=list)  # linked by a block, neither here nor on the store
    only_on_store: int = 0  # on the store, linked by no block, not here: `pull --all` fetches them
    partial_uploads: int = 0  # left on the store by a push that was stopped; the next push clears them

    @property
    def in_step(self) -> bool:
        return not (self.to_push or self.to_pull or self.nowhere)

    def to_json(self) -> dict:
        return {"remote": self.remote, "here": self.here, "on_store": self.on_store, "to_push": self.to_push,
                "to_pull": self.to_pull, "nowhere": self.nowhere, "only_on_store": self.only_on_store,
                "partial_uploads": self.partial_uploads, "in_step": self.in_step}


def unsent(listing: Listing, root: Path, here: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(sha256, name, whether the store holds it at a wrong size) for each asset here that the
    store does not hold whole."""
    found = []
    for sha, name in sorted(here.items()):
        there = listing.assets.get(sha)
        if there is None or there[1] != (root / "assets" / name).stat().st_size:
            found.append((sha, name, there is not None))
    return found


def compare(remote: str, listing: Listing, root: Path, linked: set[str]) -> AssetsStatus:
    here = local_assets(root)
    to_push = [sha for sha, _, _ in unsent(listing, root, here)]
    absent = linked - here.keys()
    return AssetsStatus(
        remote, len(here), len(listing.assets), to_push,
        sorted(absent & listing.assets.keys()), sorted(absent - listing.assets.keys()),
        len(listing.assets.keys() - here.keys() - linked), len(listing.partials))
