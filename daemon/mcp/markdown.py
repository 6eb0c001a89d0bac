"""The project as Markdown for a model to read: a block with its state and problems, lists of
blocks in story order, the project at a glance. Only presentation: every fact comes from the
project API's results (cards, summaries, status)."""

from __future__ import annotations

from ..api import BlockCard, BlockSummary, Budget, ProjectStatus

BLOCK_URI = "cinefile://blocks/{block_id}"
MAX_PROBLEMS_LISTED = 50


def block_uri(block_id: str) -> str:
    return BLOCK_URI.format(block_id=block_id)


def state_text(state: str, reason: str) -> str:
    return f"**{state}**: {reason}" if reason else f"**{state}**"


def card_markdown(card: BlockCard, text: str | None) -> str:
    """One block: who it is, its state and why, its problems and links, then its file."""
    lines = [f"# {card.title or card.id} (`{card.id}`)", "",
             f"{card.type or 'no type'} · {card.phase or 'no phase'} · `{card.path}` · {state_text(card.state, card.stale_reason)}"]
    if card.parent:
        lines.append(f"Parent: `{card.parent}`")
    if card.dependencies:
        lines.append("Depends on: " + ", ".join(f"`{d['id']}`" + (f" ({d['type']})" if d["type"] else "")
                                                for d in card.dependencies))
    if card.dependents:
        lines.append("Made into: " + ", ".join(f"`{d['id']}`" for d in card.dependents))
    if card.assets:
        lines.append("Assets: " + ", ".join(f"{a.role} {a.sha256[:12]}" + (" (approved)" if a.approved else "")
                                            for a in card.assets))
    lines += ["", "## Problems", ""]
    lines += [f"- {p.text}" for p in card.problems] or ["None."]
    lines += ["", f"## The file (file_hash {card.file_hash})", ""]
    lines += _fenced(text) if text is not None else ["(not readable as UTF-8 text)"]
    return "\n".join(lines) + "\n"


def _fenced(text: str) -> list[str]:
    """The file in a fence longer than any run of backticks in it."""
    runs = (line.strip() for line in text.split("\n"))
    longest = max((len(run) for run in runs if set(run) == {"`"}), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}markdown", text.rstrip("\n"), fence]


def outline_markdown(title: str, blocks: list[tuple[BlockSummary, str]]) -> str:
    """Blocks in story order, each under a heading as deep as it is in the tree, with its body."""
    lines = [f"# {title}", ""]
    for block, body in blocks:
        lines += [f"{'#' * min(2 + block.depth, 6)} {block.title or block.id}", "",
                  f"`{block.id}` · {block.type} · {state_text(block.state, block.stale_reason)}", ""]
        if body.strip():
            lines += [body.strip(), ""]
    return "\n".join(lines)


def status_markdown(status: ProjectStatus, budget: Budget) -> str:
    """The project at a glance, and where to read more."""
    limit = f"${budget.limit_usd:.2f} limit" if budget.limit_usd is not None else "no budget limit"
    lines = [f"# {status.project}", "",
             f"{status.blocks} blocks · {status.mode} mode · ${budget.spent_usd:.4f} spent on generation ({limit})", "",
             "## Blocks", ""]
    for phase, counts in status.phases.items():
        listed = ", ".join(f"{name} {n}" for name, n in counts.items()) or "none"
        lines.append(f"- {phase}: {listed}")
    lines += ["", "## State", "",
              f"- {len(status.stale)} stale (made from blocks that changed since): `cinefile://stale`",
              f"- {len(status.unreviewed)} never reviewed, {len(status.broken)} broken",
              f"- {len(status.problems)} problems, {status.errors} of them errors", ""]
    if status.problems:
        lines += [f"- {p.text}" for p in status.problems[:MAX_PROBLEMS_LISTED]]
        if len(status.problems) > MAX_PROBLEMS_LISTED:
            lines.append(f"- ... and {len(status.problems) - MAX_PROBLEMS_LISTED} more")
        lines.append("")
    lines += ["## Read more", "", "- `cinefile://story`: the story in order, with every block's text",
              f"- `{BLOCK_URI}`: one block, its state and problems", "- `cinefile://shots`: the shot list (CSV)",
              "- `cinefile://ledger`: what generation has cost, call by call"]
    return "\n".join(lines) + "\n"


def stale_markdown(status: ProjectStatus) -> str:
    lines = ["# Stale blocks", "",
             "Each is made from a block that changed since it was last generated or marked fresh. Regenerate it "
             "(`plan_generation`, `generate`), or edit it and record it as up to date (`mark_fresh`).", ""]
    lines += [f"- `{s['id']}` (`{s['path']}`): {s['reason']}" for s in status.stale] or ["None: every block is up to date."]
    if status.broken:
        lines += ["", "## Broken", ""] + [f"- `{b['id']}` (`{b['path']}`): {b['reason']}" for b in status.broken]
    return "\n".join(lines) + "\n"
