/**
 * The arguments the extension sends with each `workspace/executeCommand` to the server, in the
 * shapes `cinefile lsp` takes (positional, block ids first):
 *
 *   cinefile.markFresh  [id, ...]
 *   cinefile.approve    [id]                      (the server picks the newest unapproved still)
 *   cinefile.generate   [id, kind, mode]           (kind: text, image, video or audio)
 *   cinefile.sync, cinefile.export, cinefile.blocks   []
 *   cinefile.setKeys    [{openrouter?, replicate?}]
 *
 * Pure: the target block is worked out from what the user clicked or the active editor.
 */

import type { Mode } from "./projectSnapshot";

export interface BlockTarget {
  id: string;
  /** Relative to the project root. */
  path: string;
}

export type TargetResult = BlockTarget | { error: string };

/** A tree item carries its block; from the palette, the block in the active editor. */
export function targetOf(
  clicked: { block?: { id: string; path: string } } | undefined,
  activeDocumentPath: string | undefined,
  blockAtPath: (path: string) => BlockTarget | undefined,
): TargetResult {
  if (clicked?.block) {
    return { id: clicked.block.id, path: clicked.block.path };
  }
  if (!activeDocumentPath) {
    return { error: "Cinefile: open a block's Markdown file, or right-click one in the Cinefile view, first." };
  }
  return blockAtPath(activeDocumentPath)
    ?? { error: "Cinefile: the active file is not a block of this project (or it is not synced yet: run Cinefile: Sync)." };
}

/** Text generation, for a server that offers no Generate code action to choose from. */
export function generateArgs(target: BlockTarget, mode: Mode): unknown[] {
  return [target.id, "text", mode];
}

/** A code action as VS Code hands it over: only its title and command matter here. */
export interface ServerAction {
  title: string;
  command?: { command: string; arguments?: unknown[] };
}

export interface GenerateChoice {
  label: string;
  args: unknown[];
  mode: Mode | null;
}

/**
 * The server's own Generate actions for a block ("Generate shot (draft) · ~$0.002", "Generate
 * still (draft) · mock, free", ...): it knows what a type can make and what it costs. Those in
 * the preferred mode come first; otherwise the server's order stays.
 */
export function generateChoices(actions: readonly ServerAction[], preferred: Mode): GenerateChoice[] {
  const choices = actions
    .filter((action) => action.command?.command === "cinefile.generate")
    .map((action) => {
      const args = action.command?.arguments ?? [];
      const mode = args.find((arg): arg is Mode => arg === "draft" || arg === "final") ?? null;
      return { label: action.title, args, mode };
    });
  return choices.filter((c) => c.mode === preferred).concat(choices.filter((c) => c.mode !== preferred));
}

export function blockArgs(target: BlockTarget): unknown[] {
  return [target.id];
}

/** One line for what the server answered to a command, or null to say nothing. */
export function resultMessage(result: unknown): string | null {
  if (typeof result === "string") {
    return result || null;
  }
  if (Array.isArray(result)) {
    return result.length > 0 && result.every((item) => typeof item === "string") ? `Wrote ${result.join(", ")}` : null;
  }
  if (typeof result !== "object" || result === null) {
    return null;
  }
  const answer = result as Record<string, unknown>;
  if (typeof answer.id === "string" && typeof answer.kind === "string" && typeof answer.status === "string") {
    // A generation's outcome: "shot-1a: image done ($0.0030)", or why it failed.
    const cost = typeof answer.cost_usd === "number" && answer.cost_usd > 0 ? ` ($${answer.cost_usd.toFixed(4)})` : "";
    const why = typeof answer.message === "string" && answer.message ? `: ${answer.message}` : "";
    return `${answer.id}: ${answer.kind} ${answer.status}${cost}${why}`;
  }
  if (typeof answer.message === "string" && answer.message) {
    return answer.message;
  }
  if (Array.isArray(answer.written) && answer.written.length > 0) {
    return `Wrote ${answer.written.join(", ")}`;
  }
  if (Array.isArray(answer.added) && Array.isArray(answer.modified) && Array.isArray(answer.removed)) {
    const renamed = Array.isArray(answer.renamed) ? answer.renamed.length : 0;
    return `Synced: +${answer.added.length} ~${answer.modified.length} -${answer.removed.length} >${renamed}`;
  }
  return null;
}
