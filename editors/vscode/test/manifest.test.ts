// package.json and the code agree: every contributed command is registered, the settings exist.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import { blockNode } from "../src/blockTree";

const here = path.resolve(__dirname, "..", "..");
const manifest = JSON.parse(readFileSync(path.join(here, "package.json"), "utf8"));
const commandsSource = readFileSync(path.join(here, "src", "commands.ts"), "utf8");

test("every palette command is registered in commands.ts, and only those", () => {
  const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  const registered = [...commandsSource.matchAll(/register\("([\w.]+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual(registered, contributed);
});

test("no palette command takes an id the language client registers for the server", () => {
  const serverCommands = ["cinefile.sync", "cinefile.generate", "cinefile.markFresh", "cinefile.approve",
    "cinefile.export", "cinefile.setKeys", "cinefile.blocks"];
  for (const { command } of manifest.contributes.commands) {
    assert.ok(!serverCommands.includes(command), command);
  }
});

test("the settings follow VS Code's conventions", () => {
  const settings = Object.keys(manifest.contributes.configuration.properties).sort();
  assert.deepEqual(settings, ["cinefile.mode", "cinefile.server.path", "cinefile.trace.server"]);
  assert.deepEqual(manifest.activationEvents, ["workspaceContains:**/cinefile.toml"]);
});

test("a block that cannot be read is offered no actions in the tree; the others are", () => {
  // Each `view/item/context` clause is `view == cinefile.blocks && viewItem =~ /re/` or `viewItem == value`.
  const offered = (contextValue: string) => manifest.contributes.menus["view/item/context"]
    .filter(({ when }: { when: string }) => {
      const regex = /viewItem =~ \/(.+)\/$/.exec(when);
      const equal = /viewItem == ([\w.]+)$/.exec(when);
      assert.ok(regex || equal, when);
      return regex ? new RegExp(regex[1]).test(contextValue) : equal![1] === contextValue;
    })
    .map(({ command }: { command: string }) => command)
    .sort();
  assert.deepEqual(offered("block.broken"), []);
  assert.deepEqual(offered("block"), ["cinefile.approveStill", "cinefile.generateBlock"]);
  assert.deepEqual(offered("block.stale"), ["cinefile.approveStill", "cinefile.generateBlock", "cinefile.markBlockFresh"]);
  assert.deepEqual(offered("phase"), []);
});

test("the tree gives blocks the context values the menus test", () => {
  const block = { id: "x", type: "scene", phase: "Story", title: "X", path: "story/x.md", generated: false };
  assert.equal(blockNode({ ...block, state: "fresh" }).contextValue, "block");
  assert.equal(blockNode({ ...block, state: "unreviewed" }).contextValue, "block");
  assert.equal(blockNode({ ...block, state: "stale" }).contextValue, "block.stale");
  assert.equal(blockNode({ ...block, state: "broken" }).contextValue, "block.broken");
});
