// Reading the server's `cinefile.blocks` answer and the CLI's JSON, including odd answers.
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseBlock, snapshotFromCli, snapshotFromServer } from "../src/projectSnapshot";

test("the server's answer becomes a snapshot", () => {
  const snapshot = snapshotFromServer({
    root: "/films/night-ferry", mode: "final", spent_usd: 0.0123,
    blocks: [{ id: "shot-1a", type: "shot", phase: "Shooting", title: "Mara boards", state: "stale",
      path: "shooting\\shot-1a.md", stale_reason: "scene-1 changed", assets: [{ sha256: "ab", role: "still" }] }],
  }, "/fallback");
  assert.deepEqual(snapshot, {
    root: "/films/night-ferry", mode: "final", spentUsd: 0.0123,
    blocks: [{ id: "shot-1a", type: "shot", phase: "Shooting", title: "Mara boards", state: "stale",
      path: "shooting/shot-1a.md", staleReason: "scene-1 changed", generated: true }],
  });
});

test("a bare list of blocks is accepted; the root falls back", () => {
  const snapshot = snapshotFromServer([{ id: "logline", path: "story/logline.md" }], "/films/x");
  assert.equal(snapshot?.root, "/films/x");
  assert.equal(snapshot?.mode, null);
  assert.equal(snapshot?.blocks[0].title, "logline");
});

test("an answer without blocks is refused, and bad entries are dropped", () => {
  assert.equal(snapshotFromServer({ mode: "draft" }, "/r"), null);
  assert.equal(snapshotFromServer(null, "/r"), null);
  assert.equal(parseBlock({ id: "x" }), null);
  assert.equal(parseBlock("x"), null);
  const snapshot = snapshotFromServer({ blocks: [{ id: "a", path: "a.md" }, 7, { path: "b.md" }], spent_usd: -1, mode: "loud" }, "/r");
  assert.deepEqual(snapshot?.blocks.map((b) => b.id), ["a"]);
  assert.equal(snapshot?.spentUsd, null);
  assert.equal(snapshot?.mode, null);
});

test("the CLI's list, status and cost give blocks with their stale reasons, and the spend", () => {
  const list = [
    { id: "scene-1", type: "scene", phase: "Story", title: "Boarding", state: "stale", path: "story/scene-1.md" },
    { id: "mara", type: "character", phase: "Design", title: "Mara", state: "fresh", path: "design/mara.md" },
  ];
  const status = { root: "/films/nf", mode: "draft", stale: [{ id: "scene-1", path: "story/scene-1.md", reason: "mara changed" }] };
  const snapshot = snapshotFromCli(list, status, { total: 0.0421, calls: 3, by: {} }, "/fallback");
  assert.equal(snapshot?.root, "/films/nf");
  assert.equal(snapshot?.mode, "draft");
  assert.equal(snapshot?.spentUsd, 0.0421);
  assert.equal(snapshot?.blocks[0].staleReason, "mara changed");
  assert.equal(snapshot?.blocks[1].staleReason, undefined);
  assert.equal(snapshotFromCli(list, status, undefined, "/r")?.spentUsd, null);
  assert.equal(snapshotFromCli({ not: "a list" }, status, undefined, "/r"), null);
});
