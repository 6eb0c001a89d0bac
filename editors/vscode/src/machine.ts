/**
 * What server discovery needs from this machine and from VS Code: the Python extension's
 * interpreter, a probe that runs it, and an executable test for PATH lookups.
 */

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as vscode from "vscode";

import type { Command, DiscoveryInputs } from "./serverDiscovery";

// The parts of the Python extension's API we use; older releases only have `settings`.
interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: { getExecutionDetails?(resource?: vscode.Uri): { execCommand: string[] | undefined } };
}

async function pythonCommand(resource: vscode.Uri): Promise<string[] | undefined> {
  const extension = vscode.extensions.getExtension<PythonApi>("ms-python.python");
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const active = api.environments?.getActiveEnvironmentPath(resource);
    if (active) {
      const executable = (await api.environments?.resolveEnvironment(active))?.executable?.uri?.fsPath;
      if (executable) {
        return [executable];
      }
    }
    return api.settings?.getExecutionDetails?.(resource)?.execCommand;
  } catch {
    return undefined;
  }
}

/** Runs a command and gives its stdout; a non-zero exit rejects with the error carrying stdout. */
export function run(command: Command, extra: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command.command, [...command.args, ...extra], { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => (error ? reject(Object.assign(error, { stdout })) : resolve(stdout)));
  });
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function discoveryInputs(root: vscode.Uri): DiscoveryInputs {
  return {
    setting: vscode.workspace.getConfiguration("cinefile", root).get("server.path"),
    pythonCommand: () => pythonCommand(root),
    pythonHasCinefile: (python) =>
      run(python, ["-c", "import cinefile.cli"], root.fsPath, 20_000).then(() => true, () => false),
    envPath: process.env.PATH,
    pathExt: process.env.PATHEXT,
    platform: process.platform,
    isExecutable,
  };
}
