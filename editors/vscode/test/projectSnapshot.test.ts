// Reading the one snapshot (the server's `cinefile.blocks` answer, the output of `cinefile snapshot`),
// including odd answers.
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseBlock, parseSnapshot, type ParsedSnapshot, type ProjectSnapshot } from "../src/projectSnapshot";
import { SAMPLE } from "./snapshotSample";

function snapshotOf(parsed: ParsedSnapshot): ProjectSnapshot {
  assert.ok(parsed.snapshot, `expected a snapshot, got ${JSON.stringify(parsed)}`);
  return parsed.snapshot;
}

test("the snapshot becomes what the views show, every field read", () => {
  assert.deepEqual(parseSnapshot(SAMPLE, "/fallback"), {
    snapshot: {
      root: "/films/night-ferry", name: "Night Ferry", mode: "final", spentUsd: 0.0123,
      blocks: [
        { id: "scene-1", type: "scene", phase: "Story", title: "The Ramp", path: "story/scene-1.md",
          state: "fresh", staleReason: undefined, generated: false },
        { id: "shot-1a", type: "shot", phase: "Shooting", title: "Mara boards", path: "shooting/shot-1a.md",
          state: "stale", staleReason: "mara-raincoat changed", generated: true },
        { id: "mara", type: "", phase: "", title: "mara", path: "design/mara.md",
          state: "broken", staleReason: undefined, generated: false },
      ],
    },
    warning: null,
  });
});

test("blocks keep the order they came in", () => {
  const reversed = { ...SAMPLE, blocks: [...SAMPLE.blocks].reverse() };
  assert.deepEqual(snapshotOf(parseSnapshot(reversed, "/r")).blocks.map((b) => b.id), ["mara", "shot-1a", "scene-1"]);
});

test("a missing or relative root falls back; name, mode and spend may be absent", () => {
  const bare = snapshotOf(parseSnapshot({ blocks: [] }, "/films/x"));
  assert.deepEqual(bare, { root: "/films/x", name: "", mode: null, spentUsd: null, blocks: [] });
  assert.equal(snapshotOf(parseSnapshot({ root: "films/x", blocks: [] }, "/fallback")).root, "/fallback");
  assert.equal(snapshotOf(parseSnapshot({ root: "C:\\films\\x", blocks: [] }, "/fallback")).root, "C:\\films\\x");
  assert.equal(snapshotOf(parseSnapshot({ root: 7, blocks: [] }, "/fallback")).root, "/fallback");
});

test("odd values are dropped, never trusted", () => {
  const odd = snapshotOf(parseSnapshot({ root: "/r", name: ["x"], mode: "loud", spent_usd: -1, blocks: [] }, "/r"));
  assert.equal(odd.name, "");
  assert.equal(odd.mode, null);
  assert.equal(odd.spentUsd, null);
  assert.equal(snapshotOf(parseSnapshot({ spent_usd: Number.NaN, blocks: [] }, "/r")).spentUsd, null);
  assert.equal(snapshotOf(parseSnapshot({ spent_usd: "0.5", blocks: [] }, "/r")).spentUsd, null);
  assert.equal(snapshotOf(parseSnapshot({ mode: "DRAFT", blocks: [] }, "/r")).mode, "draft");
});

test("generated is what cinefile says, not guessed from assets", () => {
  const referenceOnly = { id: "mara", path: "design/mara.md", generated: false,
    assets: [{ sha256: "b".repeat(64), role: "reference", approved: false }] };
  assert.equal(parseBlock(referenceOnly)?.generated, false);
  assert.equal(parseBlock({ id: "x", path: "x.md", generated: "yes" })?.generated, false);
  assert.equal(parseBlock({ id: "x", path: "x.md", generated: true })?.generated, true);
});

test("an answer that is no snapshot gives no snapshot and one problem, never an exception", () => {
  const cases: [unknown, string][] = [
    [null, "is null, not a snapshot object"],
    [undefined, "is nothing, not a snapshot object"],
    ["blocks", "is a string, not a snapshot object"],
    [42, "is a number, not a snapshot object"],
    [[{ id: "logline", path: "story/logline.md" }], "is a list, not a snapshot object"],
    [{ mode: "draft" }, "has no `blocks` list"],
    [{ blocks: { "scene-1": {} } }, "has no `blocks` list"],
  ];
  for (const [reply, problem] of cases) {
    assert.deepEqual(parseSnapshot(reply, "/r"), { snapshot: null, problem }, JSON.stringify(reply));
  }
});

test("blocks without an id or a path are left out, and counted in one warning", () => {
  const parsed = parseSnapshot({ blocks: [{ id: "a", path: "a.md" }, 7, { path: "b.md" }, { id: "c" }, null] }, "/r");
  assert.deepEqual(snapshotOf(parsed).blocks.map((b) => b.id), ["a"]);
  assert.equal(parsed.snapshot && parsed.warning, "has 4 blocks without an id or a path, not shown");
  const one = parseSnapshot({ blocks: [{ id: "a", path: "a.md" }, { id: "", path: "b.md" }] }, "/r");
  assert.equal(one.snapshot && one.warning, "has 1 block without an id or a path, not shown");
  assert.equal(parseBlock("x"), null);
  assert.equal(parseBlock({ id: 3, path: "x.md" }), null);
});
