/** The "Cinefile" tree view: VS Code's side of the pure tree model in blockTree.ts. */

import * as vscode from "vscode";

import { attentionBadge, buildTree, type BlockNode, type PhaseNode } from "./blockTree";
import type { Session } from "./session";

type Node = PhaseNode | BlockNode;

export class BlockTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly session: Session) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      return buildTree(this.session.snapshot?.blocks ?? []);
    }
    return node.kind === "phase" ? node.blocks : [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === "phase") {
      const item = new vscode.TreeItem(node.label, node.phase === "Generate"
        ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
      item.description = node.description;
      item.contextValue = "phase";
      item.id = `phase:${node.phase}`;
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    const uri = this.session.uriOf(node.block.path);
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.resourceUri = uri;
    item.iconPath = blockIcon(node);
    item.contextValue = node.contextValue;
    item.command = { command: "vscode.open", title: "Open Block", arguments: [uri] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function blockIcon(node: BlockNode): vscode.ThemeIcon {
  if (node.broken) {
    return new vscode.ThemeIcon("error", new vscode.ThemeColor("list.errorForeground"));
  }
  return node.stale
    ? new vscode.ThemeIcon("warning", new vscode.ThemeColor("list.warningForeground"))
    : new vscode.ThemeIcon("file-text");
}

export function createBlockTree(session: Session): vscode.Disposable {
  const provider = new BlockTreeProvider(session);
  const view = vscode.window.createTreeView("cinefile.blocks", { treeDataProvider: provider, showCollapseAll: true });
  const update = () => {
    view.message = session.problem ?? undefined;
    view.description = session.snapshot?.name || undefined;
    view.badge = attentionBadge(session.snapshot?.blocks ?? []);
    provider.refresh();
  };
  const listener = session.onDidChange(update);
  update();
  return vscode.Disposable.from(view, provider, listener);
}
