/**
 * Where the language server comes from: the `cinefile.server.path` setting, then the Python
 * extension's interpreter (`python -m cinefile lsp`), then `cinefile` on PATH.
 *
 * Pure: everything it needs from the machine (the interpreter, a probe that runs it, the file
 * system) comes in as arguments, so the order is unit-tested without VS Code.
 */

import * as path from "node:path";

/** A program and its arguments. */
export interface Command {
  command: string;
  args: string[];
}

export interface ServerFound {
  /** Starts `cinefile lsp`. */
  server: Command;
  /** Runs other `cinefile` commands (`list --json`, ...), when we know how. */
  cli: Command | null;
  /** Where it came from, for the output channel. */
  source: "setting" | "python" | "path";
}

export interface DiscoveryInputs {
  /** The `cinefile.server.path` setting. */
  setting: unknown;
  /** The Python extension's interpreter command (e.g. `["/venv/bin/python"]`), if any. */
  pythonCommand: () => Promise<string[] | undefined>;
  /** True when this interpreter can import cinefile. */
  pythonHasCinefile: (python: Command) => Promise<boolean>;
  /** The PATH to search, the platform's executable suffixes, and an "is executable file" test. */
  envPath: string | undefined;
  pathExt?: string | undefined;
  platform: NodeJS.Platform;
  isExecutable: (file: string) => boolean;
}

export const INSTALL_HINT =
  "Cinefile: no language server found. Install cinefile into your Python environment " +
  "(`python -m pip install cinefile`, or `pip install -e .` in a checkout), select that interpreter " +
  "with the Python extension, or set `cinefile.server.path` to the command, e.g. " +
  '["/path/to/cinefile", "lsp"].';

/** The setting as a command, or an error line when it is set but malformed. */
export function commandFromSetting(setting: unknown): Command | string | null {
  if (setting === undefined || setting === null) {
    return null;
  }
  if (!Array.isArray(setting) || setting.some((part) => typeof part !== "string")) {
    return 'Cinefile: `cinefile.server.path` must be an array of strings, e.g. ["cinefile", "lsp"].';
  }
  const parts = (setting as string[]).filter((part) => part.trim() !== "");
  if (parts.length === 0) {
    return null;
  }
  return { command: parts[0], args: parts.slice(1) };
}

/** The CLI behind a server command that ends in `lsp`; otherwise we cannot tell. */
export function cliOf(server: Command): Command | null {
  const last = server.args[server.args.length - 1];
  return last === "lsp" ? { command: server.command, args: server.args.slice(0, -1) } : null;
}

/** The first executable called `name` on PATH, honouring PATHEXT on Windows. */
export function findOnPath(
  name: string,
  envPath: string | undefined,
  platform: NodeJS.Platform,
  isExecutable: (file: string) => boolean,
  pathExt?: string,
): string | undefined {
  const windows = platform === "win32";
  const separator = windows ? ";" : ":";
  const suffixes = windows ? ["", ...(pathExt ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean)] : [""];
  const join = windows ? path.win32.join : path.posix.join;
  for (const dir of (envPath ?? "").split(separator)) {
    if (!dir) {
      continue;
    }
    for (const suffix of suffixes) {
      const candidate = join(dir, name + suffix);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** The server to start, or the one message that says how to get one. */
export async function discoverServer(inputs: DiscoveryInputs): Promise<ServerFound | { error: string }> {
  const fromSetting = commandFromSetting(inputs.setting);
  if (typeof fromSetting === "string") {
    return { error: fromSetting };
  }
  if (fromSetting) {
    return { server: fromSetting, cli: cliOf(fromSetting), source: "setting" };
  }

  const python = await inputs.pythonCommand();
  if (python && python.length > 0) {
    const cli = { command: python[0], args: [...python.slice(1), "-m", "cinefile"] };
    if (await inputs.pythonHasCinefile({ command: python[0], args: python.slice(1) })) {
      return { server: { command: cli.command, args: [...cli.args, "lsp"] }, cli, source: "python" };
    }
  }

  const onPath = findOnPath("cinefile", inputs.envPath, inputs.platform, inputs.isExecutable, inputs.pathExt);
  if (onPath) {
    return { server: { command: onPath, args: ["lsp"] }, cli: { command: onPath, args: [] }, source: "path" };
  }
  return { error: INSTALL_HINT };
}
