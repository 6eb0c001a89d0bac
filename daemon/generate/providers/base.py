"""The one interface every provider implements: `run(request, context) -> result`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ..assets import AssetStore, StoredAsset
from ..errors import GenerationError
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
    inputs: tuple[str, ...] = ()  # sha256 of every input asset: a video's start still, a still's references in order
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
    # Replicate's price for this model, in one unit of costs.BILLINGS: {"per_image": usd}, ...
    price: dict[str, float] = field(default_factory=dict)
    # Replicate: whether the model is official (run by name) or community (run by its version
    # id, `version`); None when not known, and the provider looks it up.
    official: bool | None = None
    version: str | None = None
    # A prediction paid for earlier whose output was never stored: fetch that before paying again.
    resume: str | None = None


class PaidNotStored(GenerationError):
    """The provider was paid, then keeping the result failed on our side (a download error, a
    refused file, an abort). The runner records the cost, and where the output may still be had."""

    def __init__(self, message: str, *, prediction_id: str, cost: float, cause: BaseException,
                 estimated: bool = False, refetchable: bool = True, recorded: bool = False) -> None:
        super().__init__(message)
        self.prediction_id, self.cost, self.cause, self.estimated = prediction_id, cost, cause, estimated
        self.refetchable = refetchable  # its output may still be fetched again
        self.recorded = recorded  # its cost is in the ledger already (a fetch of an earlier prediction)


class Provider(Protocol):
    name: str

    def run(self, request: GenRequest, context: RunContext) -> GenResult: ...

    def close(self) -> None: ...
