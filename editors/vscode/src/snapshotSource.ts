/**
 * Fetch a ProjectSnapshot: ask the server (`cinefile.blocks`); if it does not know that command,
 * run the CLI (`list --json`, `status --json`, `cost --json`) in the project root.
 *
 * The server call and the CLI runner come in as functions, so the fallback is unit-tested.
 */

import { snapshotFromCli, snapshotFromServer, type ProjectSnapshot } from "./projectSnapshot";

/** Runs the CLI with these arguments and gives its stdout, or throws. */
export type CliRunner = (args: string[]) => Promise<string>;

export interface SnapshotSources {
  askServer: (() => Promise<unknown>) | null;
  runCli: CliRunner | null;
  root: string;
}

export type SnapshotResult = { snapshot: ProjectSnapshot } | { error: string };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function loadSnapshot({ askServer, runCli, root }: SnapshotSources): Promise<SnapshotResult> {
  let serverProblem = "the language server is not running or has no cinefile.blocks command";
  if (askServer) {
    try {
      const snapshot = snapshotFromServer(await askServer(), root);
      if (snapshot) {
        return { snapshot };
      }
      serverProblem = "the server's cinefile.blocks answer has no `blocks` list";
    } catch (error) {
      serverProblem = `the server's cinefile.blocks failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (!runCli) {
    return { error: `Cinefile: cannot list blocks: ${serverProblem}.` };
  }
  try {
    const list = parseJson(await runCli(["list", "--json"]));
    // `status` exits 1 when a block has an error, yet still prints its JSON.
    const status = parseJson(await runCli(["status", "--json"]).catch((error) => String(error?.stdout ?? "")));
    // An older cinefile without `cost` simply shows no spend.
    const cost = parseJson(await runCli(["cost", "--json"]).catch(() => ""));
    const snapshot = snapshotFromCli(list, status, cost, root);
    if (snapshot) {
      return { snapshot };
    }
    return { error: "Cinefile: cannot list blocks: `cinefile list --json` printed no block list." };
  } catch (error) {
    return { error: `Cinefile: cannot list blocks: ${error instanceof Error ? error.message : String(error)}` };
  }
}
