"""What generation may still spend: the `[budget] limit_usd` of cinefile.toml against the
ledger, checked before a batch runs, and the ledger itself.

The runner stops each paid job that would pass the limit as it goes (`generate/runner.py`);
this refuses a whole plan up front, so a front end that asks a person to confirm a cost never
asks about one the budget would stop half way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UserError
from .core import Core

if TYPE_CHECKING:
    from .generation import GenerationPlan


@dataclass(frozen=True)
class Budget:
    limit_usd: float | None  # None: cinefile.toml sets no limit
    spent_usd: float

    @property
    def left_usd(self) -> float | None:
        return None if self.limit_usd is None else max(0.0, self.limit_usd - self.spent_usd)

    def refusal(self, estimate: float) -> str | None:
        """Why a batch estimated at `estimate` may not run, or None when it may."""
        if self.limit_usd is None or estimate <= 0 or self.spent_usd + estimate <= self.limit_usd:
            return None
        return (f"budget: this would take spend to ${self.spent_usd + estimate:.4f}, over the ${self.limit_usd:.4f} "
                f"limit in cinefile.toml ([budget] limit_usd; ${self.spent_usd:.4f} spent so far): nothing was run; "
                "raise the limit, or generate fewer blocks, in draft or mock mode")

    def to_json(self) -> dict:
        left = self.left_usd
        return {"limit_usd": self.limit_usd, "spent_usd": round(self.spent_usd, 6),
                "left_usd": None if left is None else round(left, 6)}


class Spending(Core):
    def budget(self) -> Budget:
        """The limit cinefile.toml sets, and what the ledger says is spent."""
        from ..generate.ledger import Ledger
        from ..generate.settings import settings_of

        return Budget(settings_of(self.project.config).budget_usd, Ledger(self.project.assets).total())

    def check_budget(self, plan: GenerationPlan) -> Budget:
        """Refuse (UserError) a plan whose estimate would take spend over the limit."""
        budget = self.budget()
        reason = budget.refusal(plan.total)
        if reason is not None:
            raise UserError(reason)
        return budget

    def ledger(self) -> list[dict]:
        """Every paid call, oldest first, as assets/ledger.jsonl records it."""
        from ..generate.ledger import Ledger

        return Ledger(self.project.assets).entries()
