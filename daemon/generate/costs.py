"""Cost before and after: estimates from prices, and what a generation actually cost.

Text: tokens times the model's OpenRouter price (the prompt's length over 4 for its tokens, plus
the answer's max tokens); the actual cost is OpenRouter's `usage.cost`.

Replicate's API carries no prices, so cinefile keeps a table, billed the way Replicate bills:
official models per output (per image, per second of output video or audio), community models
by GPU time (`metrics.predict_time` times the hardware's rate per second). `[prices]` in
cinefile.toml overrides it per model, with any of the units in BILLINGS.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .settings import Settings

if TYPE_CHECKING:  # the catalogue imports the providers, which take their costs from here
    from .catalog import ModelInfo

# The units a Replicate price can be in, in the order they are looked for.
BILLINGS = ("per_image", "per_output_second", "per_gpu_second", "per_run")
UNIT_TEXT = {"per_image": "image", "per_output_second": "s of output", "per_gpu_second": "s of GPU time",
             "per_run": "run"}

# From Replicate's public pricing page (replicate.com/pricing and the official models' pages),
# as of the table of 2026-11; they change, so they may be out of date. `seconds` is what an
# estimate assumes: of output for official models, of GPU time for community ones.
L40S_PER_S = 0.000975  # Nvidia L40S, where the fast (draft) community models mostly run
A100_80GB_PER_S = 0.0014  # Nvidia A100 (80GB)
OFFICIAL_PRICES: dict[tuple[str, str], dict[str, float]] = {
    ("image", "draft"): {"per_image": 0.003},
    ("image", "final"): {"per_image": 0.04},
    ("video", "draft"): {"per_output_second": 0.01, "seconds": 5},
    ("video", "final"): {"per_output_second": 0.1, "seconds": 6},
    ("audio", "draft"): {"per_output_second": 0.001, "seconds": 15},
    ("audio", "final"): {"per_output_second": 0.002, "seconds": 30},
}
COMMUNITY_PRICES: dict[tuple[str, str], dict[str, float]] = {
    ("image", "draft"): {"per_gpu_second": L40S_PER_S, "seconds": 5},
    ("image", "final"): {"per_gpu_second": A100_80GB_PER_S, "seconds": 15},
    ("video", "draft"): {"per_gpu_second": L40S_PER_S, "seconds": 60},
    ("video", "final"): {"per_gpu_second": A100_80GB_PER_S, "seconds": 180},
    ("audio", "draft"): {"per_gpu_second": L40S_PER_S, "seconds": 15},
    ("audio", "final"): {"per_gpu_second": A100_80GB_PER_S, "seconds": 30},
}
CHARS_PER_TOKEN = 4


def replicate_price(settings: Settings, model: ModelInfo | str, kind: str, mode: str) -> dict[str, float]:
    """The price of a Replicate model: `[prices]` in cinefile.toml, else the table for how it
    is billed (a model not known to be community is taken as official)."""
    model_id = model if isinstance(model, str) else model.id
    official = None if isinstance(model, str) else model.official
    default = (COMMUNITY_PRICES if official is False else OFFICIAL_PRICES)[(kind, mode)]
    override = settings.prices.get(model_id) or settings.prices.get(model_id.partition(":")[0])
    if not override:
        return dict(default)
    price = dict(override)
    if "per_second" in price:  # the older name, for run time
        price.setdefault("per_gpu_second", price.pop("per_second"))
    unit = billing(price)
    if unit in ("per_output_second", "per_gpu_second") and "seconds" not in price:
        table = OFFICIAL_PRICES if unit == "per_output_second" else COMMUNITY_PRICES
        price["seconds"] = table[(kind, mode)]["seconds"]
    return price


def billing(price: dict[str, float]) -> str:
    """The unit a price is in: per_image, per_output_second, per_gpu_second or per_run."""
    return next((unit for unit in BILLINGS if unit in price), "per_run")


def estimate_text(model: ModelInfo, prompt: str, max_tokens: int) -> float:
    if not model.price:
        return 0.0
    prompt_tokens = math.ceil(len(prompt) / CHARS_PER_TOKEN)
    return prompt_tokens * model.price.get("prompt", 0.0) + max_tokens * model.price.get("completion", 0.0)


def estimate_replicate(price: dict[str, float]) -> float:
    unit = billing(price)
    if unit == "per_image":
        return price["per_image"]
    if unit == "per_run":
        return price.get("per_run", 0.0)
    return price[unit] * price.get("seconds", 60)


def replicate_cost(price: dict[str, float], *, images: int, output_seconds: float | None,
                   predict_time: float | None) -> tuple[float, bool]:
    """What a prediction cost, and whether that is an estimate: when the output's length or the
    GPU time is not known, the estimate's seconds stand in (never 0 for paid work)."""
    unit = billing(price)
    if unit == "per_image":
        return price["per_image"] * max(images, 1), False
    if unit == "per_run":
        return price.get("per_run", 0.0), False
    measured = output_seconds if unit == "per_output_second" else predict_time
    if measured is None:
        return estimate_replicate(price), True
    return price[unit] * measured, False


def price_text(settings: Settings, model: ModelInfo) -> str:
    """A model's price as `cinefile models` shows it: OpenRouter's per 1k tokens; for
    Replicate, which publishes none in its API, cinefile's table (or `[prices]` in cinefile.toml)."""
    if model.provider == "openrouter":
        return f"${model.price_per_1k:.5f}/1k tokens" if model.price_per_1k is not None else "variable"
    kind = "audio" if model.kind in ("speech", "music") else model.kind
    price = replicate_price(settings, model, kind, "draft" if model.draft else "final")
    unit = billing(price)
    value = price.get(unit, 0.0)
    usd = f"{value:.4f}" if round(value, 4) == value else f"{value:.6f}"
    return f"${usd}/{UNIT_TEXT[unit]} (table)"


def cost_text(estimate: float, provider: str) -> str:
    """An estimate as short as a code action's title can take: `~$0.003`, or `mock, free`."""
    if provider == "mock":
        return "mock, free"
    return f"~${estimate:.4f}".rstrip("0").rstrip(".") if estimate >= 0.0001 else "~$0"
