/**
 * Cinefile for VS Code: a thin client. It finds `cinefile lsp`, starts it for the project that
 * holds cinefile.toml, and adds palette commands, a tree of the blocks and a status bar item.
 * Everything about the film itself comes from the server.
 */

import * as path from "node:path";
import * as vscode from "vscode";

import { createBlockTree } from "./blockTreeView";
import { registerCommands } from "./commands";
import { Session } from "./session";
import { createStatusBar } from "./statusBar";

let session: Session | undefined;

/** The folder of the first cinefile.toml in the workspace. */
async function projectRoot(): Promise<vscode.Uri | undefined> {
  const [config] = await vscode.workspace.findFiles("**/cinefile.toml", "**/{node_modules,.git,.venv}/**", 1);
  return config ? vscode.Uri.file(path.dirname(config.fsPath)) : undefined;
}

/** Calls `run` at most once per `ms`, after the last of a burst of events. */
function debounced(run: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const root = await projectRoot();
  if (!root) {
    return;
  }
  const output = vscode.window.createOutputChannel("Cinefile");
  session = new Session(root, context.secrets, output);
  await vscode.commands.executeCommand("setContext", "cinefile.active", true);

  const refreshSoon = debounced(() => void session?.refresh(), 500);
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, "**/{*.md,cinefile.toml}"));
  context.subscriptions.push(
    output,
    session,
    createBlockTree(session),
    createStatusBar(session),
    registerCommands(session, context.secrets),
    watcher,
    watcher.onDidChange(refreshSoon),
    watcher.onDidCreate(refreshSoon),
    watcher.onDidDelete(refreshSoon),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("cinefile.server.path")) {
        void session?.restart();
      }
    }),
  );
  await session.start();
}

export async function deactivate(): Promise<void> {
  await session?.stop();
}
