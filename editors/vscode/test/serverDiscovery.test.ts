// Server discovery: the setting, then the Python extension's interpreter, then PATH, then one message.
import assert from "node:assert/strict";
import { test } from "node:test";

import { cliOf, commandFromSetting, discoverServer, findOnPath, INSTALL_HINT, type DiscoveryInputs } from "../src/serverDiscovery";

function inputs(overrides: Partial<DiscoveryInputs> = {}): DiscoveryInputs {
  return {
    setting: [],
    pythonCommand: async () => undefined,
    pythonHasCinefile: async () => false,
    envPath: "/usr/bin:/opt/film/bin",
    platform: "linux",
    isExecutable: () => false,
    ...overrides,
  };
}

test("the setting wins over everything else", async () => {
  const found = await discoverServer(inputs({
    setting: ["/home/me/venv/bin/cinefile", "lsp"],
    pythonCommand: async () => ["/usr/bin/python3"],
    pythonHasCinefile: async () => true,
    isExecutable: () => true,
  }));
  assert.deepEqual(found, {
    server: { command: "/home/me/venv/bin/cinefile", args: ["lsp"] },
    cli: { command: "/home/me/venv/bin/cinefile", args: [] },
    source: "setting",
  });
});

test("a setting that does not end in lsp starts the server but gives no CLI", async () => {
  const found = await discoverServer(inputs({ setting: ["cinefile-dev", "serve", "--stdio"] }));
  assert.ok("server" in found);
  assert.deepEqual(found.server, { command: "cinefile-dev", args: ["serve", "--stdio"] });
  assert.equal(found.cli, null);
});

test("a malformed setting is one clear error, not a fallback", async () => {
  const found = await discoverServer(inputs({ setting: "cinefile lsp", isExecutable: () => true }));
  assert.ok("error" in found);
  assert.match(found.error, /must be an array of strings/);
  assert.equal(commandFromSetting([1, 2]), found.error);
});

test("an empty or blank setting falls through", () => {
  assert.equal(commandFromSetting([]), null);
  assert.equal(commandFromSetting(["  "]), null);
  assert.equal(commandFromSetting(undefined), null);
});

test("the Python extension's interpreter runs -m cinefile lsp when it has cinefile", async () => {
  const probed: unknown[] = [];
  const found = await discoverServer(inputs({
    pythonCommand: async () => ["/usr/bin/conda", "run", "-n", "film", "python"],
    pythonHasCinefile: async (python) => (probed.push(python), true),
    isExecutable: () => true,
  }));
  assert.deepEqual(probed, [{ command: "/usr/bin/conda", args: ["run", "-n", "film", "python"] }]);
  assert.deepEqual(found, {
    server: { command: "/usr/bin/conda", args: ["run", "-n", "film", "python", "-m", "cinefile", "lsp"] },
    cli: { command: "/usr/bin/conda", args: ["run", "-n", "film", "python", "-m", "cinefile"] },
    source: "python",
  });
});

test("an interpreter without cinefile falls through to PATH", async () => {
  const found = await discoverServer(inputs({
    pythonCommand: async () => ["/usr/bin/python3"],
    pythonHasCinefile: async () => false,
    isExecutable: (file) => file === "/opt/film/bin/cinefile",
  }));
  assert.deepEqual(found, {
    server: { command: "/opt/film/bin/cinefile", args: ["lsp"] },
    cli: { command: "/opt/film/bin/cinefile", args: [] },
    source: "path",
  });
});

test("nothing found gives the install hint", async () => {
  const found = await discoverServer(inputs());
  assert.deepEqual(found, { error: INSTALL_HINT });
  assert.match(INSTALL_HINT, /pip install cinefile/);
  assert.match(INSTALL_HINT, /cinefile\.server\.path/);
});

test("PATH lookup takes the first directory that has it", () => {
  const seen: string[] = [];
  const found = findOnPath("cinefile", "/a::/b:/c", "linux", (file) => (seen.push(file), file !== "/a/cinefile"));
  assert.equal(found, "/b/cinefile");
  assert.deepEqual(seen, ["/a/cinefile", "/b/cinefile"]);
  assert.equal(findOnPath("cinefile", undefined, "linux", () => true), undefined);
});

test("PATH lookup on Windows tries PATHEXT suffixes", () => {
  const found = findOnPath("cinefile", "C:\\Python\\Scripts;D:\\bin", "win32",
    (file) => file === "D:\\bin\\cinefile.EXE", ".COM;.EXE");
  assert.equal(found, "D:\\bin\\cinefile.EXE");
});

test("the CLI of a server command is the command without lsp", () => {
  assert.deepEqual(cliOf({ command: "python", args: ["-m", "cinefile", "lsp"] }), { command: "python", args: ["-m", "cinefile"] });
  assert.equal(cliOf({ command: "cinefile", args: ["lsp", "--tcp", "2087"] }), null);
});
