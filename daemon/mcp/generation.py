"""The tools that spend money: plan a generation with its cost, and run one, within the
budget and once its estimate is confirmed (confirmation.py). Without API keys every kind runs
on the free offline mock, as everywhere in cinefile; keys come from the server's environment
only, and the project API keeps them out of every result and message."""

# No `from __future__ import annotations`: the SDK reads `generate`'s annotations, and one
# names `confirmation`, a function of this closure, which only evaluation at definition sees.
from typing import Annotated, Any, Literal

import anyio
import anyio.from_thread
import anyio.lowlevel
from mcp.server.mcpserver import Context, MCPServer, Resolve
from mcp_types import ToolAnnotations
from pydantic import Field

from ..api import GenerationPlan, ProjectAPI
from ..errors import UserError
from .confirmation import Answer, ask_to_confirm, cost_words, require_confirmed

Ids = Annotated[list[str] | None, Field(max_length=1000, description="block ids (or give stale or phase)")]
Stale = Annotated[bool, Field(description="every stale block that takes this kind")]
Phase = Annotated[str | None, Field(max_length=20, description="every block of a phase: story, design, shooting")]
Kind = Annotated[Literal["text", "image", "video", "audio"], Field(description="text (the body), image (a still), "
                                                                               "video or audio")]
Mode = Annotated[Literal["draft", "final"] | None, Field(description="draft (cheap) or final models (default: the "
                                                                     "block's, else the project's)")]
Overwrite = Annotated[bool, Field(description="replace text a person wrote or edited by hand too (it stays in history)")]
Mock = Annotated[bool, Field(description="use the free offline mock even when API keys are set")]
ConfirmCost = Annotated[float | None, Field(ge=0, description="the estimate plan_generation gave, in USD: confirms "
                                                              "paying it, for a client that cannot ask its user")]

SPENDS = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=True)
PLANS = ToolAnnotations(read_only_hint=True, open_world_hint=False)


def add_generation_tools(server: MCPServer, api: ProjectAPI) -> None:
    def targets_of(ids: list[str] | None, stale: bool, phase: str | None, kind: str) -> list[tuple[str, str]]:
        targets = api.generation_targets(ids or (), stale=stale, phase=phase, kind=kind)
        if not targets:
            raise UserError(f"nothing to generate: no {'stale ' if stale else ''}block takes {kind} generation")
        return targets

    def plan_of(ids: list[str] | None, stale: bool, phase: str | None, kind: str, mode: str | None, overwrite: bool,
                mock: bool) -> GenerationPlan:
        return api.plan_generation(targets_of(ids, stale, phase, kind), mode, overwrite=overwrite, mock=mock)

    @server.tool(annotations=PLANS)
    def plan_generation(ids: Ids = None, stale: Stale = False, phase: Phase = None, kind: Kind = "text",
                        mode: Mode = None, overwrite: Overwrite = False, mock: Mock = False) -> dict[str, Any]:
        """What a generation would do, with nothing run: each job's prompt, model, provider and
        cost estimate, what cannot run and why, the texts that would be kept, and the budget.
        `estimate_usd` is what `generate` asks to confirm."""
        plan = plan_of(ids, stale, phase, kind, mode, overwrite, mock)
        budget = api.budget()
        return plan.to_json() | {"summary": cost_words(plan), "budget": budget.to_json(),
                                 "over_budget": budget.refusal(plan.total)}

    def confirmation(ctx: Context, ids: Ids, stale: Stale, phase: Phase, kind: Kind, mode: Mode, overwrite: Overwrite,
                     mock: Mock, confirm_cost: ConfirmCost):
        """Within the budget, and confirmed: by the user when the client can ask, else by
        `confirm_cost`. Re-run on each round of a multi-round call, so it asks the same."""
        plan = plan_of(ids, stale, phase, kind, mode, overwrite, mock)
        if not plan.jobs:
            raise UserError("nothing to generate: " + "; ".join(
                [f"{e.id}: {e.message}" for e in plan.errors + plan.kept] or ["no job could be planned"]))
        api.check_budget(plan)
        return ask_to_confirm(ctx, plan, confirm_cost)

    @server.tool(annotations=SPENDS)
    async def generate(ctx: Context, confirmed: Annotated[Answer, Resolve(confirmation)], ids: Ids = None,
                       stale: Stale = False, phase: Phase = None, kind: Kind = "text", mode: Mode = None,
                       overwrite: Overwrite = False, mock: Mock = False, confirm_cost: ConfirmCost = None,
                       force: Annotated[bool, Field(description="ask the provider again even when an identical "
                                                                "request is cached")] = False) -> dict[str, Any]:
        """Generate text, stills, video or audio for blocks, and write the results into them
        (the old versions stay in history). It states the estimate and runs only within the
        budget, once confirmed: the client asks its user, or pass `confirm_cost` equal to
        plan_generation's `estimate_usd`. Text a person wrote is kept unless `overwrite`."""
        require_confirmed(confirmed)
        targets = targets_of(ids, stale, phase, kind)
        token = anyio.lowlevel.current_token()
        done = 0

        def progress(outcome) -> None:
            nonlocal done
            done += 1
            anyio.from_thread.run(ctx.report_progress, done, len(targets), f"{outcome.key} {outcome.status}", token=token)

        result = await anyio.to_thread.run_sync(lambda: api.generate(
            targets, mode=mode, force=force, overwrite=overwrite, mock=mock, on_outcome=progress))
        counts = {status: result.count(status) for status in ("done", "cached", "failed", "cancelled", "skipped")}
        return {"outcomes": [o.to_json() for o in result.outcomes], **counts, "cost_usd": round(result.cost, 6),
                "complete": result.complete}
