// Where the snapshot comes from: the server first; when it cannot answer, `cinefile snapshot`, run once.
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseSnapshot } from "../src/projectSnapshot";
import { loadSnapshot, type CliRunner, type SnapshotResult } from "../src/snapshotSource";
import { SAMPLE } from "./snapshotSample";

const sampleJson = JSON.stringify(SAMPLE);
const NO_SERVER = "the language server is not running or has no cinefile.blocks command";

/** A CLI that records its calls and answers with `answer`. */
function cli(answer: (args: string[]) => string | Promise<string>): { runCli: CliRunner; calls: string[][] } {
  const calls: string[][] = [];
  return { calls, runCli: async (args) => { calls.push(args); return answer(args); } };
}

function failing(error: unknown): () => Promise<never> {
  return async () => { throw error; };
}

function errorOf(result: SnapshotResult): string {
  assert.ok("error" in result, `expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

test("the server's answer is used when it has one; the CLI does not run", async () => {
  const result = await loadSnapshot({
    askServer: async () => SAMPLE,
    runCli: async () => assert.fail("the CLI must not run"),
    root: "/r",
  });
  assert.deepEqual(result, { snapshot: parseSnapshot(SAMPLE, "/r").snapshot, warning: null });
});

test("the server and the CLI give the same JSON, read the same way", async () => {
  const fromServer = await loadSnapshot({ askServer: async () => SAMPLE, runCli: null, root: "/r" });
  const fromCli = await loadSnapshot({ askServer: null, runCli: cli(() => sampleJson).runCli, root: "/r" });
  assert.ok("snapshot" in fromServer && "snapshot" in fromCli);
  assert.deepEqual(fromCli.snapshot, fromServer.snapshot);
  assert.equal(fromCli.snapshot.name, "Night Ferry");
  assert.deepEqual(fromCli.snapshot.blocks.map((b) => b.state), ["fresh", "stale", "broken"]);
});

test("without a server, `cinefile snapshot` runs once, and nothing else", async () => {
  const { runCli, calls } = cli(() => sampleJson);
  const result = await loadSnapshot({ askServer: null, runCli, root: "/r" });
  assert.deepEqual(calls, [["snapshot"]]);
  assert.ok("snapshot" in result);
  assert.equal(result.snapshot.mode, "final");
  assert.equal(result.snapshot.spentUsd, 0.0123);
  assert.equal(result.warning, null);
  assert.equal("note" in result, false, "not asking a server that is not there is nothing to note");
});

test("a server without cinefile.blocks, or whose command fails, falls back to the CLI once", async () => {
  for (const reason of ["Unhandled method workspace/executeCommand cinefile.blocks", "Request failed: no project"]) {
    const { runCli, calls } = cli(() => sampleJson);
    const result = await loadSnapshot({ askServer: failing(new Error(reason)), runCli, root: "/r" });
    assert.deepEqual(calls, [["snapshot"]]);
    assert.ok("snapshot" in result);
    assert.deepEqual(result.snapshot.blocks.map((b) => b.id), ["scene-1", "shot-1a", "mara"]);
    assert.equal(result.note, `Cinefile: listed the blocks with \`cinefile snapshot\`, as the server's cinefile.blocks failed: ${reason}.`);
  }
});

test("a server answer that is no snapshot falls back to the CLI too", async () => {
  const { runCli, calls } = cli(() => sampleJson);
  const result = await loadSnapshot({ askServer: async () => [{ id: "x", path: "x.md" }], runCli, root: "/r" });
  assert.deepEqual(calls, [["snapshot"]]);
  assert.ok("snapshot" in result);
  assert.match(result.note ?? "", /cinefile\.blocks answer is a list, not a snapshot object/);
});

test("with neither, one line says why", async () => {
  assert.deepEqual(await loadSnapshot({ askServer: null, runCli: null, root: "/r" }), {
    error: `Cinefile: cannot list blocks: ${NO_SERVER}; no cinefile command was found to run \`cinefile snapshot\`.` });
});

test("a failing CLI is one line, not an exception, with the whole error as detail", async () => {
  const spawn = await loadSnapshot({ askServer: null, runCli: failing(new Error("spawn cinefile ENOENT")), root: "/r" });
  assert.deepEqual(spawn, {
    error: `Cinefile: cannot list blocks: ${NO_SERVER}; \`cinefile snapshot\` failed: spawn cinefile ENOENT.`,
    detail: "spawn cinefile ENOENT" });
  const traceback = "Command failed: python -m cinefile snapshot\nTraceback (most recent call last):\n  File \"x.py\"\nValueError: boom\n";
  const crash = await loadSnapshot({ askServer: null, runCli: failing(new Error(traceback)), root: "/r" });
  assert.equal(errorOf(crash),
    `Cinefile: cannot list blocks: ${NO_SERVER}; \`cinefile snapshot\` failed: Command failed: python -m cinefile snapshot (ValueError: boom).`);
  assert.ok(!errorOf(crash).includes("\n"));
  assert.equal("detail" in crash && crash.detail, traceback);
});

test("both failing: the line says why each did", async () => {
  const result = await loadSnapshot({
    askServer: failing(new Error("Internal error\nKeyError: 'phase'")),
    runCli: failing("killed"),
    root: "/r",
  });
  assert.deepEqual(result, {
    error: "Cinefile: cannot list blocks: the server's cinefile.blocks failed: Internal error (KeyError: 'phase'); "
      + "`cinefile snapshot` failed: killed.",
    detail: "Internal error\nKeyError: 'phase'\nkilled" });
});

test("a cinefile too old for `snapshot` says to update it", async () => {
  const usage = "Command failed: cinefile snapshot\nUsage: cinefile [OPTIONS] COMMAND [ARGS]...\n"
    + "Try 'cinefile --help' for help.\n\nError: No such command 'snapshot'.\n";
  const result = await loadSnapshot({ askServer: null, runCli: failing(Object.assign(new Error(usage), { stdout: "" })), root: "/r" });
  assert.equal(errorOf(result),
    `Cinefile: cannot list blocks: ${NO_SERVER}; this cinefile is too old to have \`cinefile snapshot\`: update cinefile.`);
});

test("odd CLI output is one line: no JSON, or JSON that is no snapshot", async () => {
  const cases: [string, string][] = [
    ["", "`cinefile snapshot` printed no JSON"],
    ["Traceback (most recent call last):", "`cinefile snapshot` printed no JSON"],
    ["null", "the output of `cinefile snapshot` is null, not a snapshot object"],
    ["[]", "the output of `cinefile snapshot` is a list, not a snapshot object"],
    ["{\"root\": \"/r\"}", "the output of `cinefile snapshot` has no `blocks` list"],
  ];
  for (const [stdout, why] of cases) {
    const result = await loadSnapshot({ askServer: null, runCli: cli(() => stdout).runCli, root: "/r" });
    assert.equal(errorOf(result), `Cinefile: cannot list blocks: ${NO_SERVER}; ${why}.`, stdout);
  }
});

test("a long odd output is cut in the detail", async () => {
  const result = await loadSnapshot({ askServer: null, runCli: cli(() => "x".repeat(10_000)).runCli, root: "/r" });
  assert.ok("detail" in result && result.detail !== undefined && result.detail.length === 2000);
});

test("blocks left out are one warning, and the rest are shown", async () => {
  const partial = { ...SAMPLE, blocks: [...SAMPLE.blocks, { id: "no-path" }, "junk"] };
  const fromServer = await loadSnapshot({ askServer: async () => partial, runCli: null, root: "/r" });
  assert.ok("snapshot" in fromServer);
  assert.equal(fromServer.snapshot.blocks.length, 3);
  assert.equal(fromServer.warning, "Cinefile: the server's cinefile.blocks answer has 2 blocks without an id or a path, not shown.");
  const fromCli = await loadSnapshot({ askServer: null, runCli: cli(() => JSON.stringify(partial)).runCli, root: "/r" });
  assert.ok("snapshot" in fromCli);
  assert.equal(fromCli.warning, "Cinefile: the output of `cinefile snapshot` has 2 blocks without an id or a path, not shown.");
});
