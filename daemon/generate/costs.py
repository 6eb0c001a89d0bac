"""Cost before and after: estimates from prices, and what a generation actually cost.

Text: tokens times the model's OpenRouter price (the prompt's length over 4 for its tokens, plus
the answer's max tokens); the actual cost is OpenRouter's `usage.cost`. Replicate publishes no
prices, so cinefile keeps a table (DEFAULT_PRICES, overridden per model by `[prices]` in
cinefile.toml): per image, or per second of run time (`metrics.predict_time`).
"""

from __future__ import annotations

import math

from .catalog import ModelInfo
from .settings import Settings

DEFAULT_PRICES: dict[tuple[str, str], dict[str, float]] = {
    ("image", "draft"): {"per_image": 0.003},
    ("image", "final"): {"per_image": 0.04},
    ("video", "draft"): {"per_second": 0.01, "seconds": 40},
    ("video", "final"): {"per_second": 0.1, "seconds": 90},
    ("audio", "draft"): {"per_second": 0.002, "seconds": 15},
    ("audio", "final"): {"per_second": 0.01, "seconds": 30},
}
CHARS_PER_TOKEN = 4


def replicate_price(settings: Settings, model_id: str, kind: str, mode: str) -> dict[str, float]:
    return settings.prices.get(model_id) or settings.prices.get(model_id.partition(":")[0]) or DEFAULT_PRICES[(kind, mode)]


def estimate_text(model: ModelInfo, prompt: str, max_tokens: int) -> float:
    if not model.price:
        return 0.0
    prompt_tokens = math.ceil(len(prompt) / CHARS_PER_TOKEN)
    return prompt_tokens * model.price.get("prompt", 0.0) + max_tokens * model.price.get("completion", 0.0)


def estimate_replicate(price: dict[str, float]) -> float:
    if "per_image" in price:
        return price["per_image"]
    if "per_second" in price:
        return price["per_second"] * price.get("seconds", 60)
    return price.get("per_run", 0.0)


def price_text(settings: Settings, model: ModelInfo) -> str:
    """A model's price as `cinefile models` shows it: OpenRouter's per 1k tokens; for
    Replicate, which publishes none, cinefile's table (or `[prices]` in cinefile.toml)."""
    if model.provider == "openrouter":
        return f"${model.price_per_1k:.5f}/1k tokens" if model.price_per_1k is not None else "variable"
    kind = "audio" if model.kind in ("speech", "music") else model.kind
    price = replicate_price(settings, model.id, kind, "draft" if model.draft else "final")
    if "per_image" in price:
        return f"${price['per_image']:.4f}/image (table)"
    if "per_second" in price:
        return f"${price['per_second']:.4f}/s of run time (table)"
    return f"${price.get('per_run', 0.0):.4f}/run (table)"


def cost_text(estimate: float, provider: str) -> str:
    """An estimate as short as a code action's title can take: `~$0.003`, or `mock, free`."""
    if provider == "mock":
        return "mock, free"
    return f"~${estimate:.4f}".rstrip("0").rstrip(".") if estimate >= 0.0001 else "~$0"
