/**
 * API keys: kept in VS Code's SecretStorage (the OS keychain), never in settings.json, and handed
 * to the server for the session, in `initializationOptions.keys` and via `cinefile.setKeys`.
 *
 * Takes any object shaped like SecretStorage, so it is unit-tested without VS Code.
 */

export interface SecretStore {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

/** The providers, their names in the server's `keys` object, and where to get a key. */
export const PROVIDERS = [
  { name: "openrouter", label: "OpenRouter (text)", url: "https://openrouter.ai/keys" },
  { name: "replicate", label: "Replicate (images, video, audio)", url: "https://replicate.com/account/api-tokens" },
] as const;

export type ProviderName = (typeof PROVIDERS)[number]["name"];
export type Keys = Partial<Record<ProviderName, string>>;

const secretName = (provider: ProviderName) => `cinefile.apiKey.${provider}`;

/** The keys stored so far; providers without one are left out. */
export async function readKeys(store: SecretStore): Promise<Keys> {
  const keys: Keys = {};
  for (const { name } of PROVIDERS) {
    const value = await store.get(secretName(name));
    if (value) {
      keys[name] = value;
    }
  }
  return keys;
}

/** Store a key, or forget it when the value is blank. */
export async function saveKey(store: SecretStore, provider: ProviderName, value: string): Promise<void> {
  const key = value.trim();
  if (key) {
    await store.store(secretName(provider), key);
  } else {
    await store.delete(secretName(provider));
  }
}

/** "OpenRouter (text): set" lines for the picker, without ever showing a key. */
export function describeKeys(keys: Keys): string[] {
  return PROVIDERS.map(({ name, label }) => `${label}: ${keys[name] ? "set" : "not set"}`);
}

/** The keys for `initializationOptions.keys` and `cinefile.setKeys`: only those that are set. */
export function keysForServer(keys: Keys): Keys {
  const set: Keys = {};
  for (const { name } of PROVIDERS) {
    if (keys[name]) {
      set[name] = keys[name];
    }
  }
  return set;
}

/** True when a key was forgotten: the server keeps session keys until it restarts. */
export function keyForgotten(before: Keys, after: Keys): boolean {
  return PROVIDERS.some(({ name }) => Boolean(before[name]) && !after[name]);
}

/** The text with every key replaced by `***`, for the trace channel. */
export function redact(text: string, keys: Keys): string {
  let clean = text;
  for (const value of Object.values(keys)) {
    if (value && value.length >= 4) {
      clean = clean.split(value).join("***");
    }
  }
  return clean;
}
