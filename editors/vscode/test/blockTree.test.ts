// The tree model: four phases in order, blocks sorted by type then id, stale ones marked.
import assert from "node:assert/strict";
import { test } from "node:test";

import { blockNode, buildTree, PHASES, staleBlocks } from "../src/blockTree";
import type { BlockSummary } from "../src/projectSnapshot";

function block(id: string, type: string, phase: string, extra: Partial<BlockSummary> = {}): BlockSummary {
  return { id, type, phase, title: id.toUpperCase(), state: "fresh", path: `${phase.toLowerCase()}/${id}.md`, generated: false, ...extra };
}

const blocks = [
  block("shot-1a", "shot", "Shooting", { state: "stale", staleReason: "scene-1 changed", generated: true }),
  block("scene-1", "scene", "Story"),
  block("logline", "logline", "Story"),
  block("mara", "character", "Design", { state: "unreviewed" }),
  block("beat-1", "beat", "Story", { state: "stale", staleReason: "act-1 changed" }),
];

test("all four phases, in order, even when empty", () => {
  const tree = buildTree([]);
  assert.deepEqual(tree.map((node) => node.phase), [...PHASES]);
  assert.deepEqual(tree.map((node) => node.description), ["0 blocks", "0 blocks", "0 blocks", "0 blocks"]);
});

test("blocks sit in their phase, in the order of making them", () => {
  const [story, design, shooting] = buildTree(blocks);
  assert.deepEqual(story.blocks.map((node) => node.block.id), ["logline", "beat-1", "scene-1"]);
  assert.deepEqual(design.blocks.map((node) => node.block.id), ["mara"]);
  assert.deepEqual(shooting.blocks.map((node) => node.block.id), ["shot-1a"]);
});

test("Generate lists the blocks generation made something for", () => {
  const generate = buildTree(blocks)[3];
  assert.deepEqual(generate.blocks.map((node) => node.block.id), ["shot-1a"]);
});

test("stale blocks are marked, counted, and say why", () => {
  const [story] = buildTree(blocks);
  assert.equal(story.description, "3 blocks · 1 stale");
  const beat = story.blocks.find((node) => node.block.id === "beat-1")!;
  assert.equal(beat.stale, true);
  assert.equal(beat.description, "beat-1 · stale");
  assert.match(beat.tooltip, /Stale: act-1 changed/);
});

test("a fresh block shows just its id; other states are named", () => {
  assert.equal(blockNode(blocks[1]).description, "scene-1");
  assert.equal(blockNode(blocks[3]).description, "mara · unreviewed");
  assert.equal(blockNode(blocks[1]).stale, false);
});

test("the stale picker lists each stale block once, in tree order", () => {
  assert.deepEqual(staleBlocks(blocks).map((node) => node.block.id), ["beat-1", "shot-1a"]);
});
