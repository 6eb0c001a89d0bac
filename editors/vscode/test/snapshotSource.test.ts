// Where the snapshot comes from: the server first, the CLI when the server cannot answer.
import assert from "node:assert/strict";
import { test } from "node:test";

import { loadSnapshot } from "../src/snapshotSource";

const listJson = JSON.stringify([{ id: "logline", type: "logline", phase: "Story", title: "L", state: "fresh", path: "story/logline.md" }]);

test("the server's answer is used when it has one", async () => {
  const result = await loadSnapshot({
    askServer: async () => ({ root: "/r", mode: "draft", spent_usd: 0, blocks: [] }),
    runCli: async () => assert.fail("the CLI must not run"),
    root: "/r",
  });
  assert.ok("snapshot" in result);
  assert.equal(result.snapshot.spentUsd, 0);
});

test("a server without cinefile.blocks falls back to the CLI", async () => {
  const calls: string[][] = [];
  const result = await loadSnapshot({
    askServer: async () => { throw new Error("Unhandled method workspace/executeCommand cinefile.blocks"); },
    runCli: async (args) => {
      calls.push(args);
      if (args[0] === "status") {
        // `cinefile status` exits 1 when there are problems, but prints its JSON anyway.
        throw Object.assign(new Error("exit 1"), { stdout: JSON.stringify({ mode: "final", stale: [] }) });
      }
      if (args[0] === "cost") {
        return JSON.stringify({ total: 1.25, calls: 2, by: {} });
      }
      return listJson;
    },
    root: "/r",
  });
  assert.deepEqual(calls, [["list", "--json"], ["status", "--json"], ["cost", "--json"]]);
  assert.ok("snapshot" in result);
  assert.equal(result.snapshot.mode, "final");
  assert.equal(result.snapshot.spentUsd, 1.25);
  assert.equal(result.snapshot.blocks[0].id, "logline");
});

test("with neither, one line says why", async () => {
  const result = await loadSnapshot({ askServer: null, runCli: null, root: "/r" });
  assert.deepEqual(result, {
    error: "Cinefile: cannot list blocks: the language server is not running or has no cinefile.blocks command." });
});

test("a failing CLI is one line, not an exception", async () => {
  const result = await loadSnapshot({ askServer: null, runCli: async () => { throw new Error("spawn cinefile ENOENT"); }, root: "/r" });
  assert.deepEqual(result, { error: "Cinefile: cannot list blocks: spawn cinefile ENOENT" });
});

test("a CLI without `cost` still lists the blocks, without spend", async () => {
  const result = await loadSnapshot({
    askServer: null,
    runCli: async (args) => {
      if (args[0] === "cost") {
        throw new Error("No such command 'cost'.");
      }
      return args[0] === "list" ? listJson : "{}";
    },
    root: "/r",
  });
  assert.ok("snapshot" in result);
  assert.equal(result.snapshot.blocks.length, 1);
  assert.equal(result.snapshot.spentUsd, null);
});
