"""The one interface every provider implements: `run(request, context) -> result`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ..assets import AssetStore, StoredAsset
from ..http import Clock

KINDS = ("text", "image", "video", "audio")


@dataclass(frozen=True)
class GenRequest:
    kind: str  # text, image, video or audio
    model: str
    prompt: str
    # For text, the chat settings; for Replicate, the model's `input` (prompt included). A
    # value "asset:<sha256>" stands for a stored asset, sent as a data: URI.
    params: dict[str, Any]
    seed: int
    inputs: tuple[str, ...] = ()  # sha256 of every input asset
    title: str = ""  # the block's title, which the mock draws on its still
    block_type: str = ""
    references: tuple[str, ...] = ()  # titles of the blocks it is made from, for the mock's text
    purpose: str = ""  # for audio: "speech" or "music"


@dataclass
class GenResult:
    text: str | None = None
    assets: list[StoredAsset] = field(default_factory=list)
    cost: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)  # ids, usage, predict time


@dataclass
class RunContext:
    store: AssetStore
    cancel: threading.Event = field(default_factory=threading.Event)
    clock: Clock = field(default_factory=Clock)
    # Told where a job is: "submitted", "polling", "downloading".
    progress: Callable[[str], None] = lambda stage: None
    # Replicate's price for this model: {"per_image": usd} or {"per_second": usd}.
    price: dict[str, float] = field(default_factory=dict)


class Provider(Protocol):
    name: str

    def run(self, request: GenRequest, context: RunContext) -> GenResult: ...

    def close(self) -> None: ...
