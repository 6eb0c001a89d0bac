/**
 * What the tree view and the status bar show, read from the language server's
 * `cinefile.blocks` command or, failing that, from `cinefile list --json`, `status --json` and `cost --json`.
 *
 * Pure: it only checks and normalises JSON, so a server that answers something odd gives an
 * empty view and one message, never an exception in the extension host.
 */

export type Mode = "draft" | "final";

export interface BlockSummary {
  id: string;
  type: string;
  phase: string;
  title: string;
  /** "fresh", "stale", "unreviewed", ... as the index says. */
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
  mode: Mode | null;
  /** Money spent on generation so far, in US dollars, when the server tells it. */
  spentUsd: number | null;
  blocks: BlockSummary[];
}

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

/** One block from either source; null when it lacks an id or a path. */
export function parseBlock(value: unknown): BlockSummary | null {
  if (!isObject(value)) {
    return null;
  }
  const id = text(value.id);
  const path = text(value.path).replace(/\\/g, "/");
  if (!id || !path) {
    return null;
  }
  const assets = value.assets;
  const assetCount = Array.isArray(assets) ? assets.length : typeof assets === "number" ? assets : 0;
  return {
    id,
    path,
    type: text(value.type),
    phase: text(value.phase),
    title: text(value.title) || id,
    state: text(value.state),
    staleReason: text(value.stale_reason) || undefined,
    generated: value.generated === true || assetCount > 0,
  };
}

function parseBlocks(value: unknown): BlockSummary[] {
  return Array.isArray(value) ? value.map(parseBlock).filter((b): b is BlockSummary => b !== null) : [];
}

function parseSpend(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * The reply of the server's `cinefile.blocks` command:
 * `{root, mode, spent_usd, blocks: [{id, type, phase, title, state, path, stale_reason, generated, assets}]}`.
 */
export function snapshotFromServer(reply: unknown, fallbackRoot: string): ProjectSnapshot | null {
  if (Array.isArray(reply)) {
    return { root: fallbackRoot, mode: null, spentUsd: null, blocks: parseBlocks(reply) };
  }
  if (!isObject(reply) || !Array.isArray(reply.blocks)) {
    return null;
  }
  return {
    root: text(reply.root) || fallbackRoot,
    mode: parseMode(reply.mode),
    spentUsd: parseSpend(reply.spent_usd),
    blocks: parseBlocks(reply.blocks),
  };
}

/**
 * The same from `cinefile list --json`, `cinefile status --json` (whose stale list gives reasons)
 * and `cinefile cost --json` (whose `total` is the spend).
 */
export function snapshotFromCli(list: unknown, status: unknown, cost: unknown, fallbackRoot: string): ProjectSnapshot | null {
  if (!Array.isArray(list)) {
    return null;
  }
  const blocks = parseBlocks(list);
  const info = isObject(status) ? status : {};
  const reasons = new Map<string, string>();
  for (const item of Array.isArray(info.stale) ? info.stale : []) {
    if (isObject(item) && typeof item.id === "string" && typeof item.reason === "string") {
      reasons.set(item.id, item.reason);
    }
  }
  for (const block of blocks) {
    block.staleReason = block.staleReason ?? reasons.get(block.id);
  }
  const spent = isObject(cost) ? parseSpend(cost.total) : null;
  return { root: text(info.root) || fallbackRoot, mode: parseMode(info.mode), spentUsd: spent, blocks };
}
