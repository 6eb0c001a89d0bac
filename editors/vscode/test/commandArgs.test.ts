// What each palette command sends the server, and what it says back.
import assert from "node:assert/strict";
import { test } from "node:test";

import { blockArgs, generateArgs, resultMessage, targetOf } from "../src/commandArgs";

const toUri = (path: string) => `file:///films/nf/${path}`;

test("a clicked tree item is the target, with its id", () => {
  const target = targetOf({ block: { id: "shot-1a", path: "shooting/shot-1a.md" } }, toUri, "file:///elsewhere.md");
  assert.deepEqual(target, { uri: "file:///films/nf/shooting/shot-1a.md", id: "shot-1a" });
  assert.deepEqual(generateArgs(target!, "final"), [{ uri: "file:///films/nf/shooting/shot-1a.md", id: "shot-1a", mode: "final" }]);
  assert.deepEqual(blockArgs(target!), [{ uri: "file:///films/nf/shooting/shot-1a.md", id: "shot-1a" }]);
});

test("from the palette the active Markdown file is the target", () => {
  assert.deepEqual(targetOf(undefined, toUri, "file:///films/nf/story/scene-1.md"), { uri: "file:///films/nf/story/scene-1.md" });
  assert.equal(targetOf(undefined, toUri, "file:///films/nf/cinefile.toml"), null);
  assert.equal(targetOf(undefined, toUri, undefined), null);
});

test("answers become one line, or nothing", () => {
  assert.equal(resultMessage("Synced: +1 ~0 -0"), "Synced: +1 ~0 -0");
  assert.equal(resultMessage({ message: "Generated scene-1 ($0.0004)" }), "Generated scene-1 ($0.0004)");
  assert.equal(resultMessage({ written: ["exports/project.json"] }), "Wrote exports/project.json");
  assert.equal(resultMessage(["exports/a.md", "exports/b.json"]), "Wrote exports/a.md, exports/b.json");
  assert.equal(resultMessage(null), null);
  assert.equal(resultMessage({}), null);
});
