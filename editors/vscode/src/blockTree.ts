/**
 * The "Cinefile" tree: the four phases of making the film, each listing its blocks.
 *
 * Story, Design and Shooting hold the blocks of their phase; Generate holds the blocks that
 * generation has made something for. A block with no such phase (say one whose file cannot be
 * read, so its type is unknown) goes under a fifth node, Other, shown only then. Pure, so the
 * grouping and the marks are unit-tested. It sorts the blocks itself, so the order cinefile
 * sends them in changes nothing.
 */

import type { BlockSummary } from "./projectSnapshot";

export const PHASES = ["Story", "Design", "Shooting", "Generate"] as const;
export type Phase = (typeof PHASES)[number];
/** The node for blocks in none of the phases; only there when it has some. */
export const OTHER = "Other";

/** What the tree says of a block whose state is "broken". */
export const BROKEN_LABEL = "cannot be read";

// The order types come in within a phase: the order of making them.
const TYPE_ORDER = [
  "logline", "concept", "outline", "act", "beat", "scene",
  "character", "location", "prop", "costume", "style_guide",
  "shot_breakdown", "cinematography", "shot",
];

export interface PhaseNode {
  kind: "phase";
  phase: Phase | typeof OTHER;
  label: string;
  /** e.g. "12 blocks · 2 stale · 1 cannot be read" */
  description: string;
  blocks: BlockNode[];
}

export interface BlockNode {
  kind: "block";
  block: BlockSummary;
  label: string;
  description: string;
  tooltip: string;
  stale: boolean;
  /** Its file cannot be read as a block (state "broken"): nothing can be done to it but fix it. */
  broken: boolean;
  /** What package.json's `view/item/context` menus test: "block.broken" is offered no actions. */
  contextValue: "block" | "block.stale" | "block.broken";
}

export function isStale(block: BlockSummary): boolean {
  return block.state === "stale";
}

export function isBroken(block: BlockSummary): boolean {
  return block.state === "broken";
}

function typeRank(type: string): number {
  const rank = TYPE_ORDER.indexOf(type);
  return rank === -1 ? TYPE_ORDER.length : rank;
}

export function blockNode(block: BlockSummary): BlockNode {
  const stale = isStale(block);
  const broken = isBroken(block);
  const shown = broken ? BROKEN_LABEL : block.state;
  const state = shown && shown !== "fresh" ? ` · ${shown}` : "";
  let why = "";
  if (broken) {
    why = `\nCannot be read: ${block.staleReason || "open the file to see its problem"}`;
  } else if (stale && block.staleReason) {
    why = `\nStale: ${block.staleReason}`;
  }
  return {
    kind: "block",
    block,
    label: block.title,
    description: `${block.id}${state}`,
    tooltip: `${block.title} (${block.type || "no type"})\n${block.path}${why}`,
    stale,
    broken,
    contextValue: broken ? "block.broken" : stale ? "block.stale" : "block",
  };
}

function describe(nodes: readonly BlockNode[]): string {
  const stale = nodes.filter((node) => node.stale).length;
  const broken = nodes.filter((node) => node.broken).length;
  return [
    nodes.length === 1 ? "1 block" : `${nodes.length} blocks`,
    ...(stale > 0 ? [`${stale} stale`] : []),
    ...(broken > 0 ? [`${broken} ${BROKEN_LABEL}`] : []),
  ].join(" · ");
}

function phaseNode(phase: Phase | typeof OTHER, members: readonly BlockSummary[]): PhaseNode {
  const nodes = members
    .slice()
    .sort((a, b) => typeRank(a.type) - typeRank(b.type) || a.id.localeCompare(b.id) || a.path.localeCompare(b.path))
    .map(blockNode);
  return { kind: "phase", phase, label: phase, description: describe(nodes), blocks: nodes };
}

/**
 * The four phase nodes, always all four and in order, with their blocks sorted by type then id;
 * then Other, when some blocks are in none of Story, Design and Shooting.
 */
export function buildTree(blocks: readonly BlockSummary[]): PhaseNode[] {
  const tree = PHASES.map((phase) =>
    phaseNode(phase, blocks.filter((block) => (phase === "Generate" ? block.generated : block.phase === phase))));
  const placed: readonly string[] = PHASES.filter((phase) => phase !== "Generate");
  const others = blocks.filter((block) => !placed.includes(block.phase));
  return others.length > 0 ? [...tree, phaseNode(OTHER, others)] : tree;
}

/** The count on the view's badge: the blocks that need a look (stale or unreadable), if any. */
export function attentionBadge(blocks: readonly BlockSummary[]): { value: number; tooltip: string } | undefined {
  const stale = blocks.filter(isStale).length;
  const broken = blocks.filter(isBroken).length;
  if (stale + broken === 0) {
    return undefined;
  }
  const parts = [
    ...(stale > 0 ? [stale === 1 ? "1 stale block" : `${stale} stale blocks`] : []),
    ...(broken > 0 ? [broken === 1 ? `1 block that ${BROKEN_LABEL}` : `${broken} blocks that ${BROKEN_LABEL}`] : []),
  ];
  return { value: stale + broken, tooltip: parts.join(", ") };
}

/** Stale blocks in tree order, for the "Show stale blocks" picker. */
export function staleBlocks(blocks: readonly BlockSummary[]): BlockNode[] {
  return buildTree(blocks)
    .filter((node) => node.phase !== "Generate")
    .flatMap((node) => node.blocks)
    .filter((node) => node.stale);
}
