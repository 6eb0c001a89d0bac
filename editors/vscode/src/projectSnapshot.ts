/**
 * What the tree view and the status bar show: the project snapshot that cinefile builds in one
 * place and gives the same way twice, as the language server's `cinefile.blocks` answer and as the
 * output of `cinefile snapshot`:
 *
 *     {"root": "/abs/path", "name": "Night Ferry", "mode": "draft" | "final", "spent_usd": 0.0,
 *      "blocks": [{"id", "type", "phase", "title", "path", "state", "stale_reason", "generated",
 *                  "assets": [{"sha256", "role", "approved"}]}]}
 *
 * Pure: it only checks and normalises JSON, so an answer that is odd gives an empty view and one
 * message, never an exception in the extension host.
 */

export type Mode = "draft" | "final";

export interface BlockSummary {
  id: string;
  type: string;
  phase: string;
  title: string;
  /** "fresh", "stale", "unreviewed" or "broken" (its file cannot be read), as cinefile says. */
  state: string;
  /** Relative to the project root, with forward slashes. */
  path: string;
  staleReason?: string;
  /** True when generation made something for this block (text or assets). */
  generated: boolean;
}

export interface ProjectSnapshot {
  /** Absolute path of the folder holding cinefile.toml. */
  root: string;
  /** The film's name from cinefile.toml; "" when cinefile does not say. */
  name: string;
  mode: Mode | null;
  /** Money spent on generation so far, in US dollars, when cinefile tells it. */
  spentUsd: number | null;
  /** In the order cinefile gives them; the tree view sorts them itself. */
  blocks: BlockSummary[];
}

/**
 * A snapshot, with `warning` when some blocks in it could not be understood and are left out;
 * or, for an answer that is no snapshot at all, `problem`: what is wrong with it, worded to follow
 * "the answer …" (e.g. "has no `blocks` list").
 */
export type ParsedSnapshot =
  | { snapshot: ProjectSnapshot; warning: string | null }
  | { snapshot: null; problem: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function parseMode(value: unknown): Mode | null {
  const mode = text(value).toLowerCase();
  return mode === "draft" || mode === "final" ? mode : null;
}

function parseSpend(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/** "/films/x", "C:\films\x" or "\\server\films\x"; a relative root would resolve against nothing. */
function isAbsolutePath(value: string): boolean {
  return value.startsWith("/") || /^[A-Za-z]:[\\/]/.test(value) || value.startsWith("\\\\");
}

/** One block of the snapshot; null when it lacks an id or a path. */
export function parseBlock(value: unknown): BlockSummary | null {
  if (!isObject(value)) {
    return null;
  }
  const id = text(value.id);
  const path = text(value.path).replace(/\\/g, "/");
  if (!id || !path) {
    return null;
  }
  return {
    id,
    path,
    type: text(value.type),
    phase: text(value.phase),
    title: text(value.title) || id,
    state: text(value.state),
    staleReason: text(value.stale_reason) || undefined,
    // Only what cinefile says: a block holding nothing but a reference image made nothing.
    generated: value.generated === true,
  };
}

function describeKind(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "a list";
  }
  return value === undefined ? "nothing" : `a ${typeof value}`;
}

/** The snapshot in `reply` (the server's answer, or the CLI's parsed stdout). */
export function parseSnapshot(reply: unknown, fallbackRoot: string): ParsedSnapshot {
  if (!isObject(reply)) {
    return { snapshot: null, problem: `is ${describeKind(reply)}, not a snapshot object` };
  }
  if (!Array.isArray(reply.blocks)) {
    return { snapshot: null, problem: "has no `blocks` list" };
  }
  const blocks: BlockSummary[] = [];
  let skipped = 0;
  for (const entry of reply.blocks) {
    const block = parseBlock(entry);
    if (block) {
      blocks.push(block);
    } else {
      skipped += 1;
    }
  }
  const root = text(reply.root);
  const snapshot: ProjectSnapshot = {
    root: root && isAbsolutePath(root) ? root : fallbackRoot,
    name: text(reply.name).trim(),
    mode: parseMode(reply.mode),
    spentUsd: parseSpend(reply.spent_usd),
    blocks,
  };
  const warning = skipped === 0 ? null
    : `has ${skipped === 1 ? "1 block" : `${skipped} blocks`} without an id or a path, not shown`;
  return { snapshot, warning };
}
