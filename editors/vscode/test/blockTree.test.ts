// The tree model: four phases in order, blocks sorted by type then id, stale and broken ones marked.
import assert from "node:assert/strict";
import { test } from "node:test";

import { attentionBadge, blockNode, buildTree, OTHER, PHASES, staleBlocks } from "../src/blockTree";
import { parseSnapshot, type BlockSummary } from "../src/projectSnapshot";
import { SAMPLE } from "./snapshotSample";

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

test("the order blocks come in changes nothing", () => {
  assert.deepEqual(buildTree([...blocks].reverse()), buildTree(blocks));
  assert.deepEqual(staleBlocks([...blocks].reverse()), staleBlocks(blocks));
});

test("a block that cannot be read says so, and is neither stale nor fresh", () => {
  const node = blockNode(block("mara", "character", "Design", { state: "broken" }));
  assert.equal(node.broken, true);
  assert.equal(node.stale, false);
  assert.equal(node.description, "mara · cannot be read");
  assert.match(node.tooltip, /\nCannot be read: open the file to see its problem$/);
  const why = blockNode(block("mara", "character", "Design", { state: "broken", staleReason: "the frontmatter is not valid YAML" }));
  assert.match(why.tooltip, /\nCannot be read: the frontmatter is not valid YAML$/);
  assert.equal(blockNode(blocks[0]).broken, false);
  assert.equal(blockNode(blocks[3]).broken, false);
});

test("broken blocks are counted in their phase, not as stale", () => {
  const [, design] = buildTree([...blocks, block("lantern", "prop", "Design", { state: "broken" })]);
  assert.equal(design.description, "2 blocks · 1 cannot be read");
  assert.deepEqual(staleBlocks([block("lantern", "prop", "Design", { state: "broken" })]), []);
});

test("blocks in no phase (a broken file has no type) go under Other, which is only there then", () => {
  assert.deepEqual(buildTree(blocks).map((node) => node.phase), [...PHASES]);
  const unplaced = [block("x", "", "", { state: "broken" }), block("y", "memo", "Notes")];
  const tree = buildTree([...blocks, ...unplaced]);
  assert.deepEqual(tree.map((node) => node.phase), [...PHASES, OTHER]);
  const other = tree[4];
  assert.equal(other.label, "Other");
  assert.deepEqual(other.blocks.map((node) => node.block.id), ["x", "y"]);
  assert.equal(other.description, "2 blocks · 1 cannot be read");
  // Every block is shown once outside Generate.
  const shown = tree.filter((node) => node.phase !== "Generate").flatMap((node) => node.blocks.map((b) => b.block.id));
  assert.deepEqual(shown.sort(), [...blocks, ...unplaced].map((b) => b.id).sort());
});

test("the badge counts the blocks that need a look", () => {
  assert.equal(attentionBadge([]), undefined);
  assert.equal(attentionBadge([blocks[1], blocks[3]]), undefined);
  assert.deepEqual(attentionBadge(blocks), { value: 2, tooltip: "2 stale blocks" });
  assert.deepEqual(attentionBadge([blocks[0], block("x", "", "", { state: "broken" })]),
    { value: 2, tooltip: "1 stale block, 1 block that cannot be read" });
  assert.deepEqual(attentionBadge([block("x", "", "", { state: "broken" }), block("z", "", "", { state: "broken" })]),
    { value: 2, tooltip: "2 blocks that cannot be read" });
});

test("the contract's sample makes the tree it should", () => {
  const parsed = parseSnapshot(SAMPLE, "/r");
  assert.ok(parsed.snapshot);
  const tree = buildTree(parsed.snapshot.blocks);
  assert.deepEqual(tree.map((node) => [node.phase, node.blocks.map((b) => b.description)]), [
    ["Story", ["scene-1"]],
    ["Design", []],
    ["Shooting", ["shot-1a · stale"]],
    ["Generate", ["shot-1a · stale"]],
    ["Other", ["mara · cannot be read"]],
  ]);
});
