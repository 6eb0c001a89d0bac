/**
 * The palette commands. Each forwards to one of the server's `workspace/executeCommand`
 * commands (see commandArgs.ts for the arguments) and then refreshes the views.
 *
 * Their ids differ from the server's (cinefile.sync, ...) because the language client registers
 * the server's own commands under those ids.
 */

import * as vscode from "vscode";

import { describeKeys, PROVIDERS, readKeys, saveKey } from "./apiKeys";
import { staleBlocks } from "./blockTree";
import { blockArgs, generateArgs, generateChoices, resultMessage, targetOf, type BlockTarget, type ServerAction } from "./commandArgs";
import type { Mode } from "./projectSnapshot";
import type { Session } from "./session";
import { currentMode } from "./statusBar";

type Clicked = { block?: { id: string; path: string } } | undefined;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Run a server command under a progress notification; report its answer or its error in one line. */
async function runOnServer(session: Session, title: string, command: string, args: unknown[]): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Cinefile: ${title}`, cancellable: true },
    async (_progress, token) => {
      try {
        const message = resultMessage(await session.execute(command, args, token));
        if (message) {
          void vscode.window.showInformationMessage(`Cinefile: ${message}`);
        }
      } catch (error) {
        if (!token.isCancellationRequested) {
          void vscode.window.showErrorMessage(`Cinefile: ${title} failed: ${errorText(error)}`);
        }
      }
    },
  );
  await session.refresh();
}

function target(session: Session, clicked: Clicked): BlockTarget | null {
  const found = targetOf(clicked, vscode.window.activeTextEditor?.document.uri.fsPath, (path) => session.blockAtPath(path));
  if ("error" in found) {
    void vscode.window.showWarningMessage(found.error);
    return null;
  }
  return found;
}

async function pickMode(current: Mode): Promise<Mode | undefined> {
  const choices: (vscode.QuickPickItem & { mode: Mode })[] = [
    { label: "Draft", description: "cheap, fast models", mode: "draft" },
    { label: "Final", description: "the final models; costs more", mode: "final" },
  ];
  choices.sort((a, b) => Number(b.mode === current) - Number(a.mode === current));
  return (await vscode.window.showQuickPick(choices, { title: "Cinefile: Generate with which models?" }))?.mode;
}

/** Pick one of the server's Generate actions for the block (they carry kind, mode and cost). */
async function generate(session: Session, where: BlockTarget): Promise<void> {
  const mode = currentMode(session);
  const actions = await vscode.commands.executeCommand<ServerAction[]>(
    "vscode.executeCodeActionProvider", session.uriOf(where.path), new vscode.Range(0, 0, 0, 0));
  const choices = generateChoices(actions ?? [], mode);
  if (choices.length > 0) {
    const picked = await vscode.window.showQuickPick(choices, { title: `Cinefile: Generate for ${where.id}` });
    if (picked) {
      await runOnServer(session, picked.label, "cinefile.generate", picked.args);
    }
    return;
  }
  // A server without Generate actions: text, in the mode picked here.
  const picked = await pickMode(mode);
  if (picked) {
    await runOnServer(session, `Generate (${picked})`, "cinefile.generate", generateArgs(where, picked));
  }
}

async function setKeys(session: Session, secrets: vscode.SecretStorage): Promise<void> {
  const status = describeKeys(await readKeys(secrets));
  const picked = await vscode.window.showQuickPick(
    PROVIDERS.map((provider, index) => ({ label: provider.label, detail: status[index], provider })),
    { title: "Cinefile: Set which API key? (kept in the OS keychain, never in settings)" },
  );
  if (!picked) {
    return;
  }
  const value = await vscode.window.showInputBox({
    title: `Cinefile: ${picked.provider.label} API key`,
    prompt: `Paste the key from ${picked.provider.url}. Leave empty to forget the stored key.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) {
    return;
  }
  await saveKey(secrets, picked.provider.name, value);
  try {
    await session.keysChanged();
    void vscode.window.showInformationMessage(`Cinefile: ${picked.provider.label} key ${value.trim() ? "saved" : "forgotten"}.`);
  } catch (error) {
    void vscode.window.showErrorMessage(`Cinefile: the key is saved, but the server did not take it: ${errorText(error)}`);
  }
}

async function showStale(session: Session): Promise<void> {
  await session.refresh();
  const stale = staleBlocks(session.snapshot?.blocks ?? []);
  if (stale.length === 0) {
    void vscode.window.showInformationMessage(session.problem ?? "Cinefile: no stale blocks.");
    return;
  }
  const picked = await vscode.window.showQuickPick(
    stale.map((node) => ({ label: `$(warning) ${node.label}`, description: node.block.id, detail: node.block.staleReason, node })),
    { title: `Cinefile: ${stale.length} stale block(s)`, matchOnDescription: true, matchOnDetail: true },
  );
  if (picked) {
    await vscode.window.showTextDocument(session.uriOf(picked.node.block.path));
  }
}

export function registerCommands(session: Session, secrets: vscode.SecretStorage): vscode.Disposable {
  const register = (id: string, run: (clicked?: Clicked) => Promise<void>) =>
    vscode.commands.registerCommand(id, (clicked?: Clicked) => run(clicked));
  return vscode.Disposable.from(
    register("cinefile.syncProject", () => runOnServer(session, "Sync", "cinefile.sync", [])),
    register("cinefile.generateBlock", async (clicked) => {
      const where = target(session, clicked);
      if (where) {
        await generate(session, where);
      }
    }),
    register("cinefile.markBlockFresh", async (clicked) => {
      const where = target(session, clicked);
      if (where) {
        await runOnServer(session, "Mark up to date", "cinefile.markFresh", blockArgs(where));
      }
    }),
    register("cinefile.approveStill", async (clicked) => {
      const where = target(session, clicked);
      if (where) {
        await runOnServer(session, "Approve still", "cinefile.approve", blockArgs(where));
      }
    }),
    register("cinefile.exportProject", () => runOnServer(session, "Export", "cinefile.export", [])),
    register("cinefile.showStaleBlocks", () => showStale(session)),
    register("cinefile.setApiKeys", () => setKeys(session, secrets)),
    register("cinefile.toggleMode", async () => {
      const next = currentMode(session) === "final" ? "draft" : "final";
      await vscode.workspace.getConfiguration("cinefile", session.root).update("mode", next, vscode.ConfigurationTarget.Workspace);
    }),
    register("cinefile.refreshBlocks", () => session.refresh()),
    register("cinefile.restartServer", () => session.restart()),
  );
}
