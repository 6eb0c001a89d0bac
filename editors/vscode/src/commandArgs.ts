/**
 * The arguments the extension sends with each `workspace/executeCommand` to the server, in the
 * shapes `cinefile lsp` takes (positional, block ids first):
 *
 *   cinefile.markFresh  [id, ...]
 *   cinefile.approve    [id]                      (the server picks the newest unapproved still)
 *   cinefile.generate   [id, {mode: "draft" | "final"}]
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

export function generateArgs(target: BlockTarget, mode: Mode): unknown[] {
  return [target.id, { mode }];
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
