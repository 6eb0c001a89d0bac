/** The status bar item: mode and spend; a click switches between draft and final. */

import * as vscode from "vscode";

import type { Session } from "./session";
import { effectiveMode, statusBarText, statusBarTooltip } from "./statusText";

export function currentMode(session: Session) {
  const setting = vscode.workspace.getConfiguration("cinefile", session.root).get("mode");
  return effectiveMode(setting, session.snapshot?.mode ?? null);
}

export function createStatusBar(session: Session): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("cinefile.status", vscode.StatusBarAlignment.Left, 50);
  item.name = "Cinefile";
  item.command = "cinefile.toggleMode";
  const update = () => {
    const mode = currentMode(session);
    const spent = session.snapshot?.spentUsd ?? null;
    item.text = statusBarText(mode, spent);
    item.tooltip = statusBarTooltip(mode, spent);
    item.show();
  };
  const listeners = [
    session.onDidChange(update),
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration("cinefile.mode") && update()),
  ];
  update();
  return vscode.Disposable.from(item, ...listeners);
}
