// API keys live in SecretStorage and never show in the picker or the trace.
import assert from "node:assert/strict";
import { test } from "node:test";

import { describeKeys, keyForgotten, keysForServer, readKeys, redact, saveKey, type SecretStore } from "../src/apiKeys";

function memoryStore(): SecretStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: async (key) => data.get(key),
    store: async (key, value) => void data.set(key, value),
    delete: async (key) => void data.delete(key),
  };
}

test("keys are stored trimmed, read back, and forgotten when blank", async () => {
  const store = memoryStore();
  await saveKey(store, "openrouter", "  sk-or-v1-abc  ");
  assert.deepEqual(await readKeys(store), { openrouter: "sk-or-v1-abc" });
  await saveKey(store, "openrouter", "");
  assert.deepEqual(await readKeys(store), {});
  assert.equal(store.data.size, 0);
});

test("the server gets only the keys that are set", () => {
  assert.deepEqual(keysForServer({ replicate: "r8_x", openrouter: "" }), { replicate: "r8_x" });
  assert.deepEqual(keysForServer({}), {});
});

test("forgetting a key is noticed, so the server can be restarted without it", () => {
  assert.equal(keyForgotten({ openrouter: "a" }, {}), true);
  assert.equal(keyForgotten({ openrouter: "a" }, { openrouter: "b" }), false);
  assert.equal(keyForgotten({}, { replicate: "r" }), false);
});

test("the picker says set or not set, never the key", () => {
  const lines = describeKeys({ openrouter: "sk-or-v1-secret" });
  assert.deepEqual(lines, ["OpenRouter (text): set", "Replicate (images, video, audio): not set"]);
  assert.ok(!lines.join().includes("secret"));
});

test("the trace never shows a key", () => {
  const keys = { openrouter: "sk-or-v1-secret", replicate: "r8_token" };
  const line = `Params: {"initializationOptions":{"keys":{"openrouter":"sk-or-v1-secret","replicate":"r8_token"}}}`;
  assert.equal(redact(line, keys), `Params: {"initializationOptions":{"keys":{"openrouter":"***","replicate":"***"}}}`);
});
