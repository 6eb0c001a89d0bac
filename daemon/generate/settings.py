"""What cinefile.toml says about generation: models, prices, budget and limits.

    mode = "draft"                 # or "final"; a block's `mode:` and `--final` override it

    [models]                       # final models, by kind
    text = "anthropic/claude-sonnet-4.5"
    image = "black-forest-labs/flux-1.1-pro"
    video = "wan-video/wan-2.2-i2v-a14b"      # image-to-video, for shots
    speech = "..."                 # a scene's dialogue
    music = "..."                  # music or ambience

    [models.draft]                 # optional: pin a draft model instead of the cheapest
    image = "black-forest-labs/flux-schnell"

    [prices."black-forest-labs/flux-schnell"]   # Replicate's API carries no prices
    per_image = 0.003              # or per_output_second, per_gpu_second, per_run; seconds (estimate)

    [budget]
    limit_usd = 10.0               # stop any generation that would take spend over this

    [generate]
    concurrency = 4
    max_download_mb = 512
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cinefile.daemon.errors import UserError
from cinefile.format.config import CONFIG_NAME, Config

MODEL_KINDS = ("text", "image", "video", "speech", "music")
# per_second is the older name of per_gpu_second (run time).
PRICE_KEYS = ("per_image", "per_output_second", "per_gpu_second", "per_second", "per_run", "seconds")


@dataclass(frozen=True)
class Settings:
    mode: str = "draft"
    models: dict[str, str] = field(default_factory=dict)
    draft_models: dict[str, str] = field(default_factory=dict)
    prices: dict[str, dict[str, float]] = field(default_factory=dict)
    budget_usd: float | None = None
    concurrency: int = 4
    max_download_bytes: int = 512 * 1024 * 1024

    def model_for(self, kind: str, mode: str) -> str | None:
        return (self.draft_models if mode == "draft" else self.models).get(kind)


def _bad(message: str) -> UserError:
    return UserError(f"{CONFIG_NAME}: {message}")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise _bad(f"{where} must be a number of at least 0, for example {where.split('.')[-1]} = 10.0")
    return float(value)


def _models(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise _bad(f"[{where}] must be a table of kind = \"model id\"")
    found = {}
    for kind, value in table.items():
        if kind == "draft" and where == "models":
            continue
        if kind not in MODEL_KINDS:
            raise _bad(f"[{where}] {kind}: unknown kind; use one of {', '.join(MODEL_KINDS)}")
        if not isinstance(value, str) or not value:
            raise _bad(f"[{where}] {kind} must be a model id, for example {kind} = \"owner/name\"")
        found[kind] = value
    return found


def settings_of(config: Config) -> Settings:
    raw = config.raw
    models = _models(config.models, "models")
    draft = _models(config.models.get("draft", {}), "models.draft")
    prices: dict[str, dict[str, float]] = {}
    price_table = raw.get("prices", {})
    if not isinstance(price_table, dict):
        raise _bad("[prices] must be a table: [prices.\"owner/name\"] with per_image or per_second")
    for model, price in price_table.items():
        if not isinstance(price, dict) or not price or any(k not in PRICE_KEYS for k in price):
            raise _bad(f"[prices.\"{model}\"] takes {', '.join(PRICE_KEYS)}")
        prices[model] = {k: _number(v, f"prices.{k}") for k, v in price.items()}
    limit = config.budget.get("limit_usd")
    generate = raw.get("generate", {})
    if not isinstance(generate, dict):
        raise _bad("[generate] must be a table")
    concurrency = generate.get("concurrency", 4)
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= 32:
        raise _bad("[generate] concurrency must be a whole number from 1 to 32")
    max_mb = _number(generate.get("max_download_mb", 512), "generate.max_download_mb")
    return Settings(config.mode, models, draft, prices, None if limit is None else _number(limit, "budget.limit_usd"),
                    concurrency, int(max_mb * 1024 * 1024))
