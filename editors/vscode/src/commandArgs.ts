/**
 * The arguments the extension sends with each `workspace/executeCommand` to the server.
 * One object per call, so the server can add fields without breaking older clients:
 *
 *   cinefile.generate   [{uri, id?, mode: "draft" | "final"}]
 *   cinefile.markFresh  [{uri, id?}]
 *   cinefile.approve    [{uri, id?}]
 *   cinefile.sync, cinefile.export, cinefile.blocks  []
 *   cinefile.setKeys    [{openrouter?, replicate?}]
 *
 * Pure: a target is worked out from what the user clicked or the active editor.
 */

import type { Mode } from "./projectSnapshot";

export interface BlockTarget {
  /** file:// URI of the block's file. */
  uri: string;
  id?: string;
}

/** A tree item carries its block; from the palette the active Markdown editor is the target. */
export function targetOf(
  clicked: { block?: { id: string; path: string } } | undefined,
  toUri: (relativePath: string) => string,
  activeDocumentUri: string | undefined,
): BlockTarget | null {
  if (clicked?.block) {
    return { uri: toUri(clicked.block.path), id: clicked.block.id };
  }
  if (activeDocumentUri && activeDocumentUri.endsWith(".md")) {
    return { uri: activeDocumentUri };
  }
  return null;
}

export function generateArgs(target: BlockTarget, mode: Mode): unknown[] {
  return [{ ...target, mode }];
}

export function blockArgs(target: BlockTarget): unknown[] {
  return [{ ...target }];
}

/** One line for what the server answered to a command, or null to say nothing. */
export function resultMessage(result: unknown): string | null {
  if (typeof result === "string") {
    return result || null;
  }
  if (typeof result === "object" && result !== null) {
    const message = (result as Record<string, unknown>).message;
    if (typeof message === "string" && message) {
      return message;
    }
    const written = (result as Record<string, unknown>).written;
    if (Array.isArray(written) && written.length > 0) {
      return `Wrote ${written.join(", ")}`;
    }
  }
  if (Array.isArray(result) && result.length > 0 && result.every((item) => typeof item === "string")) {
    return `Wrote ${result.join(", ")}`;
  }
  return null;
}
