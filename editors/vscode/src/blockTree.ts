/**
 * The "Cinefile" tree: the four phases of making the film, each listing its blocks.
 *
 * Story, Design and Shooting hold the blocks of their phase; Generate holds the blocks that
 * generation has made something for. Pure, so the grouping and the marks are unit-tested.
 */

import type { BlockSummary } from "./projectSnapshot";

export const PHASES = ["Story", "Design", "Shooting", "Generate"] as const;
export type Phase = (typeof PHASES)[number];

// The order types come in within a phase: the order of making them.
const TYPE_ORDER = [
  "logline", "concept", "outline", "act", "beat", "scene",
  "character", "location", "prop", "costume", "style_guide",
  "shot_breakdown", "cinematography", "shot",
];

export interface PhaseNode {
  kind: "phase";
  phase: Phase;
  label: string;
  /** e.g. "12 blocks · 2 stale" */
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
}

export function isStale(block: BlockSummary): boolean {
  return block.state === "stale";
}

function typeRank(type: string): number {
  const rank = TYPE_ORDER.indexOf(type);
  return rank === -1 ? TYPE_ORDER.length : rank;
}

export function blockNode(block: BlockSummary): BlockNode {
  const stale = isStale(block);
  const state = block.state && block.state !== "fresh" ? ` · ${block.state}` : "";
  const why = stale && block.staleReason ? `\nStale: ${block.staleReason}` : "";
  return {
    kind: "block",
    block,
    label: block.title,
    description: `${block.id}${state}`,
    tooltip: `${block.title} (${block.type || "no type"})\n${block.path}${why}`,
    stale,
  };
}

function describe(count: number, stale: number): string {
  const blocks = count === 1 ? "1 block" : `${count} blocks`;
  return stale > 0 ? `${blocks} · ${stale} stale` : blocks;
}

/** The four phase nodes, always all four and in order, with their blocks sorted by type then id. */
export function buildTree(blocks: readonly BlockSummary[]): PhaseNode[] {
  return PHASES.map((phase) => {
    const members = blocks
      .filter((block) => (phase === "Generate" ? block.generated : block.phase === phase))
      .slice()
      .sort((a, b) => typeRank(a.type) - typeRank(b.type) || a.id.localeCompare(b.id));
    const nodes = members.map(blockNode);
    return {
      kind: "phase",
      phase,
      label: phase,
      description: describe(nodes.length, nodes.filter((node) => node.stale).length),
      blocks: nodes,
    };
  });
}

/** Stale blocks in tree order, for the "Show stale blocks" picker. */
export function staleBlocks(blocks: readonly BlockSummary[]): BlockNode[] {
  return buildTree(blocks)
    .filter((node) => node.phase !== "Generate")
    .flatMap((node) => node.blocks)
    .filter((node) => node.stale);
}
