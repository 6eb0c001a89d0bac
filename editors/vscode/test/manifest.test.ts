// package.json and the code agree: every contributed command is registered, the settings exist.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

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
