/**
 * Fetch a ProjectSnapshot: ask the server (`cinefile.blocks`); if it cannot answer (not running,
 * no such command, an error, an answer that is no snapshot), run `cinefile snapshot` once in the
 * project root. Both give the same JSON, read by the one parseSnapshot.
 *
 * The server call and the CLI runner come in as functions, so the fallback is unit-tested.
 */

import { parseSnapshot, type ProjectSnapshot } from "./projectSnapshot";

/** Runs the CLI with these arguments and gives its stdout, or throws. */
export type CliRunner = (args: string[]) => Promise<string>;

export interface SnapshotSources {
  askServer: (() => Promise<unknown>) | null;
  runCli: CliRunner | null;
  root: string;
}

/** The CLI command that prints the snapshot. */
export const SNAPSHOT_ARGS: readonly string[] = ["snapshot"];

/**
 * A snapshot, with a one-line `warning` for the view when some of its blocks were left out, and a
 * `note` for the output channel when the server was asked but the CLI answered; or one line saying
 * why there is none, with `detail` (the full error, say a traceback) for the output channel.
 */
export type SnapshotResult =
  | { snapshot: ProjectSnapshot; warning: string | null; note?: string }
  | { error: string; detail?: string };

/** At most this much of a reply that is no snapshot goes to the output channel. */
const DETAIL_LIMIT = 2000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One line of a possibly long error: its first line and, when there are more, its last. */
function oneLine(message: string): string {
  const lines = message.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  if (lines.length <= 1) {
    return lines[0] ?? "no message";
  }
  return `${lines[0]} (${lines[lines.length - 1]})`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function loadSnapshot({ askServer, runCli, root }: SnapshotSources): Promise<SnapshotResult> {
  let serverProblem = "the language server is not running or has no cinefile.blocks command";
  let serverDetail = "";
  if (askServer) {
    try {
      const parsed = parseSnapshot(await askServer(), root);
      if (parsed.snapshot) {
        const warning = parsed.warning && `Cinefile: the server's cinefile.blocks answer ${parsed.warning}.`;
        return { snapshot: parsed.snapshot, warning };
      }
      serverProblem = `the server's cinefile.blocks answer ${parsed.problem}`;
    } catch (error) {
      serverProblem = `the server's cinefile.blocks failed: ${oneLine(messageOf(error))}`;
      serverDetail = messageOf(error);
    }
  }
  const command = `\`cinefile ${SNAPSHOT_ARGS.join(" ")}\``;
  const failed = (why: string, cliDetail = ""): SnapshotResult => {
    const detail = [serverDetail, cliDetail.slice(0, DETAIL_LIMIT)].filter(Boolean).join("\n");
    return { error: `Cinefile: cannot list blocks: ${serverProblem}; ${why}.`, ...(detail ? { detail } : {}) };
  };
  if (!runCli) {
    return failed(`no cinefile command was found to run ${command}`);
  }
  let stdout: string;
  try {
    stdout = await runCli([...SNAPSHOT_ARGS]);
  } catch (error) {
    const message = messageOf(error);
    return /no such command\W+snapshot/i.test(message)
      ? failed(`this cinefile is too old to have ${command}: update cinefile`, message)
      : failed(`${command} failed: ${oneLine(message)}`, message);
  }
  const reply = parseJson(stdout);
  if (reply === undefined) {
    return failed(`${command} printed no JSON`, stdout);
  }
  const parsed = parseSnapshot(reply, root);
  if (!parsed.snapshot) {
    return failed(`the output of ${command} ${parsed.problem}`, stdout);
  }
  const warning = parsed.warning && `Cinefile: the output of ${command} ${parsed.warning}.`;
  // Said in the output channel only: the view has its blocks, but the server could not give them.
  const note = askServer ? `Cinefile: listed the blocks with ${command}, as ${serverProblem}.` : undefined;
  return note ? { snapshot: parsed.snapshot, warning, note } : { snapshot: parsed.snapshot, warning };
}
