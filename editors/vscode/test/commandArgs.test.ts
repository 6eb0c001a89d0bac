// What each palette command sends the server, and what it says back.
import assert from "node:assert/strict";
import { test } from "node:test";

import { blockArgs, generateArgs, resultMessage, targetOf } from "../src/commandArgs";

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
  assert.deepEqual(generateArgs(target, "final"), ["shot-1a", { mode: "final" }]);
  assert.deepEqual(blockArgs(target), ["shot-1a"]);
});

test("answers become one line, or nothing", () => {
  assert.equal(resultMessage("Done"), "Done");
  assert.equal(resultMessage({ message: "Generated scene-1 ($0.0004)" }), "Generated scene-1 ($0.0004)");
  assert.equal(resultMessage({ written: ["exports/project.json"] }), "Wrote exports/project.json");
  assert.equal(resultMessage(["exports/a.md", "exports/b.json"]), "Wrote exports/a.md, exports/b.json");
  assert.equal(resultMessage({ added: ["a.md"], modified: [], removed: [], renamed: [["b.md", "c.md"]], elapsed: 0.01 }),
    "Synced: +1 ~0 -0 >1");
  assert.equal(resultMessage({ applied: true }), null);
  assert.equal(resultMessage(null), null);
});
