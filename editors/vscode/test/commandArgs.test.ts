// What each palette command sends the server, and what it says back.
import assert from "node:assert/strict";
import { test } from "node:test";

import { blockArgs, generateArgs, generateChoices, resultMessage, targetOf } from "../src/commandArgs";

const blocks = new Map([["/films/nf/story/scene-1.md", { id: "scene-1", path: "story/scene-1.md" }]]);
const blockAt = (path: string) => blocks.get(path);

test("a clicked tree item is the target", () => {
  const target = targetOf({ block: { id: "shot-1a", path: "shooting/shot-1a.md" } }, "/films/nf/story/scene-1.md", blockAt);
  assert.deepEqual(target, { id: "shot-1a", path: "shooting/shot-1a.md" });
});

test("from the palette the block in the active editor is the target", () => {
  assert.deepEqual(targetOf(undefined, "/films/nf/story/scene-1.md", blockAt), { id: "scene-1", path: "story/scene-1.md" });
});

test("no editor, or a file that is no block, is one clear line", () => {
  const none = targetOf(undefined, undefined, blockAt);
  assert.ok("error" in none && /open a block's Markdown file/.test(none.error));
  const other = targetOf(undefined, "/films/nf/cinefile.toml", blockAt);
  assert.ok("error" in other && /not a block of this project/.test(other.error));
});

test("arguments are positional, block id first, as cinefile lsp takes them", () => {
  const target = { id: "shot-1a", path: "shooting/shot-1a.md" };
  assert.deepEqual(generateArgs(target, "final"), ["shot-1a", "text", "final"]);
  assert.deepEqual(blockArgs(target), ["shot-1a"]);
});

test("answers become one line, or nothing", () => {
  assert.equal(resultMessage("Done"), "Done");
  assert.equal(resultMessage({ message: "Generated scene-1 ($0.0004)" }), "Generated scene-1 ($0.0004)");
  assert.equal(resultMessage({ written: ["exports/project.json"] }), "Wrote exports/project.json");
  assert.equal(resultMessage(["exports/a.md", "exports/b.json"]), "Wrote exports/a.md, exports/b.json");
  assert.equal(resultMessage({ added: ["a.md"], modified: [], removed: [], renamed: [["b.md", "c.md"]], elapsed: 0.01 }),
    "Synced: +1 ~0 -0 >1");
  assert.equal(resultMessage({ id: "shot-1a", kind: "image", status: "done", message: "", cost_usd: 0.003, assets: ["ab"] }),
    "shot-1a: image done ($0.0030)");
  assert.equal(resultMessage({ id: "shot-1a", kind: "video", status: "failed", message: "approve a still first", cost_usd: 0 }),
    "shot-1a: video failed: approve a still first");
  assert.equal(resultMessage({ applied: true }), null);
  assert.equal(resultMessage(null), null);
});

test("Generate offers the server's own generate actions, the preferred mode first", () => {
  const actions = [
    { title: "Approve still 1a2b3c4d" },
    { title: "Generate shot (draft) · ~$0.0004", command: { command: "cinefile.generate", arguments: ["shot-1a", "text", "draft"] } },
    { title: "Generate shot (final) · ~$0.02", command: { command: "cinefile.generate", arguments: ["shot-1a", "text", "final"] } },
    { title: "Generate still (draft) · mock, free", command: { command: "cinefile.generate", arguments: ["shot-1a", "image", "draft"] } },
    { title: "Mark up to date", command: { command: "cinefile.markFresh", arguments: ["shot-1a"] } },
  ];
  assert.deepEqual(generateChoices(actions, "final").map((c) => c.label),
    ["Generate shot (final) · ~$0.02", "Generate shot (draft) · ~$0.0004", "Generate still (draft) · mock, free"]);
  assert.deepEqual(generateChoices(actions, "draft")[1], {
    label: "Generate still (draft) · mock, free", args: ["shot-1a", "image", "draft"], mode: "draft" });
  assert.deepEqual(generateChoices([], "draft"), []);
});
