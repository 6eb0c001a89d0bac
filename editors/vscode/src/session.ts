/**
 * One cinefile project open in VS Code: its root, the language client, and the latest snapshot
 * of its blocks that the tree view and the status bar show.
 */

import * as vscode from "vscode";
import {
  CloseAction, ExecuteCommandRequest, LanguageClient, State,
  type ErrorHandler, type LanguageClientOptions, type ServerOptions,
} from "vscode-languageclient/node";

import { keyForgotten, keysForServer, readKeys, redact, type Keys } from "./apiKeys";
import { discoveryInputs, run } from "./machine";
import type { BlockSummary, ProjectSnapshot } from "./projectSnapshot";
import { discoverServer, type ServerFound } from "./serverDiscovery";
import { loadSnapshot } from "./snapshotSource";

/** The trace channel, with every API key blanked out before it is written. */
function redactingChannel(channel: vscode.OutputChannel, keys: () => Keys): vscode.OutputChannel {
  return {
    name: channel.name,
    append: (value: string) => channel.append(redact(value, keys())),
    appendLine: (value: string) => channel.appendLine(redact(value, keys())),
    replace: (value: string) => channel.replace(redact(value, keys())),
    clear: () => channel.clear(),
    show: (...args: unknown[]) => (channel.show as (...a: unknown[]) => void)(...args),
    hide: () => channel.hide(),
    dispose: () => channel.dispose(),
  };
}

export class Session implements vscode.Disposable {
  private client: LanguageClient | null = null;
  private found: ServerFound | null = null;
  private keys: Keys = {};
  private readonly traceChannel = vscode.window.createOutputChannel("Cinefile Trace");
  private readonly trace = redactingChannel(this.traceChannel, () => this.keys);
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  snapshot: ProjectSnapshot | null = null;
  private startProblem: string | null = null;
  private listProblem: string | null = null;

  constructor(
    readonly root: vscode.Uri,
    private readonly secrets: vscode.SecretStorage,
    private readonly output: vscode.OutputChannel,
  ) {}

  /** Find the server and start it; says once, clearly, when there is none. */
  async start(): Promise<void> {
    const found = await discoverServer(discoveryInputs(this.root));
    if ("error" in found) {
      this.startProblem = found.error;
      this.output.appendLine(found.error);
      void vscode.window.showErrorMessage(found.error, "Open Settings").then((choice) => {
        if (choice) {
          void vscode.commands.executeCommand("workbench.action.openSettings", "cinefile.server.path");
        }
      });
      this.changed.fire();
      return;
    }
    this.found = found;
    this.startProblem = null;
    this.keys = await readKeys(this.secrets);
    const { server } = found;
    this.output.appendLine(`Starting ${[server.command, ...server.args].join(" ")} (from ${found.source})`);
    const serverOptions: ServerOptions = { command: server.command, args: server.args, options: { cwd: this.root.fsPath } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file", language: "markdown" }],
      outputChannel: this.output,
      traceOutputChannel: this.trace,
      initializationOptions: { mode: this.modeOverride(), keys: keysForServer(this.keys) },
      synchronize: { configurationSection: "cinefile" },
      // A server that fails to initialize (say, an old cinefile without `lsp`) fails the same way
      // on every retry: stop at once and say so, instead of five restarts and five errors.
      initializationFailedHandler: () => false,
      // Once it has run, a crash restarts it (the client's default: at most 4 times in 3 minutes).
      errorHandler: {
        error: (...args) => restarts.error(...args),
        closed: () => (everRan ? restarts.closed() : { action: CloseAction.DoNotRestart, handled: true }),
      },
    };
    let everRan = false;
    const client = new LanguageClient("cinefile", "Cinefile", serverOptions, clientOptions);
    const restarts: ErrorHandler = client.createDefaultErrorHandler();
    client.onDidChangeState(({ newState }) => {
      everRan ||= newState === State.Running;
    });
    this.client = client;
    try {
      await this.client.start();
    } catch (error) {
      const command = [server.command, ...server.args].join(" ");
      this.startProblem = `Cinefile: \`${command}\` did not start a language server (${error instanceof Error ? error.message : String(error)}). ` +
        "Its error is in the Cinefile output; set `cinefile.server.path` to a cinefile that has the `lsp` command.";
      void vscode.window.showErrorMessage(this.startProblem, "Show Output").then((choice) => choice && this.output.show());
    }
    await this.refresh();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) {
      await client.stop().catch(() => undefined);
    }
  }

  /** "draft" or "final" when the `cinefile.mode` setting overrides cinefile.toml; else nothing. */
  private modeOverride(): string | undefined {
    const mode = vscode.workspace.getConfiguration("cinefile", this.root).get<string>("mode");
    return mode === "draft" || mode === "final" ? mode : undefined;
  }

  /** True when the running server lists this command among its executeCommand commands. */
  private serverOffers(command: string): boolean {
    return this.running()?.initializeResult?.capabilities.executeCommandProvider?.commands.includes(command) ?? false;
  }

  private running(): LanguageClient | null {
    return this.client && this.client.state === State.Running ? this.client : null;
  }

  /** Run one of the server's `workspace/executeCommand` commands. */
  async execute(command: string, args: unknown[], token?: vscode.CancellationToken): Promise<unknown> {
    const client = this.running();
    if (!client) {
      throw new Error(this.startProblem ?? "the language server is not running; run `Cinefile: Restart Language Server`");
    }
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, token);
  }

  /** Hand the server the keys now in SecretStorage; it only forgets one by restarting. */
  async keysChanged(): Promise<void> {
    const before = this.keys;
    this.keys = await readKeys(this.secrets);
    if (keyForgotten(before, this.keys)) {
      await this.restart();
    } else if (this.running() && Object.keys(this.keys).length > 0) {
      await this.execute("cinefile.setKeys", [keysForServer(this.keys)]);
    }
  }

  /** Re-read the snapshot (blocks, mode, spend); the views listen to onDidChange. */
  async refresh(): Promise<void> {
    const cli = this.found?.cli ?? null;
    const result = await loadSnapshot({
      askServer: this.serverOffers("cinefile.blocks") ? () => this.execute("cinefile.blocks", []) : null,
      runCli: cli ? (args) => run(cli, args, this.root.fsPath, 60_000) : null,
      root: this.root.fsPath,
    });
    if ("snapshot" in result) {
      this.snapshot = result.snapshot;
      this.listProblem = result.warning;
      for (const line of [result.note, result.warning]) {
        if (line) {
          this.output.appendLine(line);
        }
      }
    } else {
      // An empty view and one message, rather than blocks the message says cannot be listed.
      this.snapshot = null;
      this.listProblem = result.error;
      this.output.appendLine(result.error);
      if (result.detail) {
        this.output.appendLine(result.detail);
      }
    }
    this.changed.fire();
  }

  /** Why the views are empty, if they are. */
  get problem(): string | null {
    return this.startProblem ?? this.listProblem;
  }

  uriOf(relativePath: string): vscode.Uri {
    return vscode.Uri.joinPath(vscode.Uri.file(this.snapshot?.root ?? this.root.fsPath), ...relativePath.split("/"));
  }

  /** The block stored in this file, by the latest snapshot. */
  blockAtPath(fsPath: string): BlockSummary | undefined {
    return this.snapshot?.blocks.find((block) => this.uriOf(block.path).fsPath === fsPath);
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
    this.traceChannel.dispose();
  }
}
