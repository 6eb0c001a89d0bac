"""Asking before spending: a generation runs only once its estimate is confirmed.

A client that can ask its user (MCP elicitation, form mode) is asked, with the estimate in
the question. Any other client confirms with the `confirm_cost` argument, which must equal
the estimate `plan_generation` gave; without it the call is refused, saying the estimate.
Confirmation is asked even for a free batch (mock, or served from the cache), so that a
client's flow is the same whichever provider runs.
"""

from __future__ import annotations

from mcp.server.mcpserver import (AcceptedElicitation, CancelledElicitation, Context, DeclinedElicitation, Elicit,
                                  ElicitationResult)
from pydantic import BaseModel, Field

from ..api import GenerationPlan
from ..errors import UserError

ESTIMATE_DIGITS = 6  # the estimate as plan_generation's `estimate_usd` gives it


class CostConfirmation(BaseModel):
    """The form a client shows its user."""

    confirm: bool = Field(title="Generate", description="Run this generation and pay for it")


Answer = ElicitationResult[CostConfirmation]


def cost_words(plan: GenerationPlan) -> str:
    cost = f"about ${plan.total:.4f}" if plan.total > 0 else "free (mock or cached)"
    return f"{len(plan.jobs)} generation(s), {cost}"


def ask_to_confirm(ctx: Context, plan: GenerationPlan, confirm_cost: float | None) -> CostConfirmation | Elicit:
    """The question to put to the user, or the confirmation `confirm_cost` already gives."""
    estimate = round(plan.total, ESTIMATE_DIGITS)
    if confirm_cost is not None:
        if round(confirm_cost, ESTIMATE_DIGITS) != estimate:
            raise UserError(f"confirm_cost {confirm_cost} is not the estimate, {estimate}: nothing was generated; "
                            "plan again (plan_generation) and confirm the estimate it gives")
        return CostConfirmation(confirm=True)
    if not _can_ask(ctx):
        raise UserError(f"this would run {cost_words(plan)}: nothing was generated; to go ahead, call generate again "
                        f"with confirm_cost={estimate} (this client cannot ask its user)")
    return Elicit(f"cinefile: run {cost_words(plan)}? {plan.estimate_line}.", CostConfirmation)


def require_confirmed(answer: Answer) -> None:
    """Go on only with a yes."""
    if isinstance(answer, AcceptedElicitation) and answer.data.confirm:
        return
    said = {DeclinedElicitation: "declined", CancelledElicitation: "cancelled"}.get(type(answer), "not confirmed")
    raise UserError(f"the generation was {said}: nothing was generated")


def _can_ask(ctx: Context) -> bool:
    """Whether the client said it can show a form to its user (a bare `elicitation` is form)."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)
