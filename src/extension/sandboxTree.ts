import * as os from 'node:os';
import * as vscode from 'vscode';
import type { SandboxInfo } from '../protocol/sandbox';
import { capabilitiesOf, type Capability } from '../sandbox/policy';
import { describeCapabilityIn } from './capabilityWording';
import { joinCommandLine } from './commandLine';
import type { Sandboxes } from './sandboxes';
import type { SandboxEntry } from './sandboxModel';
import { limitLines, limitWords, usageDescription } from './usageText';

/** Tree nodes. Commands invoked from the tree receive one of these as their argument. */
export type SandboxNode = { kind: 'sandbox'; id: string };
export type CapabilityNode = { kind: 'capability'; sandboxId: string; capability: Capability };
type InfoNode = { kind: 'info'; sandboxId: string; label: string; icon: string; description?: string };
export type TreeNode = SandboxNode | CapabilityNode | InfoNode;

/** `contextValue` per state, read by the `view/item/context` menus in package.json. */
function contextValue(info: SandboxInfo): string {
  switch (info.state) {
    case 'running':
      return 'sandbox.running';
    case 'suspended':
      return 'sandbox.suspended';
    case 'created':
    case 'starting':
    case 'stopping':
      return 'sandbox.busy';
    case 'exited':
    case 'failed':
    case 'killed':
      return 'sandbox.ended';
  }
}

function stateIcon(info: SandboxInfo): vscode.ThemeIcon {
  switch (info.state) {
    case 'created':
    case 'starting':
    case 'stopping':
      return new vscode.ThemeIcon('loading~spin');
    case 'running':
      return new vscode.ThemeIcon('play-circle', new vscode.ThemeColor('charts.green'));
    case 'suspended':
      return new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow'));
    case 'exited':
      return info.exitCode === 0 ? new vscode.ThemeIcon('check') : new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    case 'killed':
      return new vscode.ThemeIcon(info.limit ? 'flame' : 'circle-slash', new vscode.ThemeColor('errorForeground'));
  }
}

function tooltip(entry: SandboxEntry): vscode.MarkdownString {
  const { info } = entry;
  const caps = capabilitiesOf(info.policy).map((c) => describeCapabilityIn(c, info.workspace, os.homedir()));
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${info.tool}** — ${usageDescription(info)}\n\n`);
  md.appendCodeblock(joinCommandLine(info.command), 'shellscript');
  md.appendMarkdown(`\n\nin \`${info.cwd}\` · backend \`${info.backend}\`\n\n`);
  md.appendMarkdown(caps.length ? `May: ${caps.map((c) => `\n- ${c}`).join('')}\n\n` : 'Default policy: no writes, no network, no extra environment.\n\n');
  md.appendMarkdown(`Limits: ${limitLines(info).join(' · ')}`);
  if (entry.message) md.appendMarkdown(`\n\n$(error) ${entry.message}`);
  return md;
}

/** One item per sandbox; its children are the granted capabilities, the limits with usage, and recent limit events. */
export class SandboxTree implements vscode.TreeDataProvider<TreeNode> {
  readonly onDidChangeTreeData: vscode.Event<void>;

  constructor(private readonly sandboxes: Sandboxes) {
    this.onDidChangeTreeData = sandboxes.onDidChange;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) return this.sandboxes.all().map((e): SandboxNode => ({ kind: 'sandbox', id: e.info.id }));
    if (node.kind !== 'sandbox') return [];
    const entry = this.sandboxes.get(node.id);
    if (!entry) return [];
    const { info } = entry;
    const caps = capabilitiesOf(info.policy).map((capability): TreeNode => ({ kind: 'capability', sandboxId: info.id, capability }));
    const none: TreeNode[] = caps.length ? [] : [{ kind: 'info', sandboxId: info.id, label: 'default policy', description: 'no writes, network or extra environment', icon: 'lock' }];
    const limits = limitLines(info).map((line): TreeNode => {
      const [label = line, description] = line.split(': ');
      return { kind: 'info', sandboxId: info.id, label, description, icon: 'dashboard' };
    });
    const events = [...entry.events].reverse().map((e): TreeNode => ({
      kind: 'info',
      sandboxId: info.id,
      label: e.kind === 'limit' ? limitWords(e.resource) : `${e.resource} at ${e.percent ?? '?'}% of its limit`,
      description: new Date(e.at).toLocaleTimeString(),
      icon: e.kind === 'limit' ? 'flame' : 'warning',
    }));
    return [...caps, ...none, ...limits, ...events];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'sandbox': {
        const entry = this.sandboxes.get(node.id);
        if (!entry) return new vscode.TreeItem(node.id);
        const item = new vscode.TreeItem(entry.info.tool, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = usageDescription(entry.info);
        item.tooltip = tooltip(entry);
        item.iconPath = stateIcon(entry.info);
        item.contextValue = contextValue(entry.info);
        item.command = { command: 'workspaceSandbox.showOutput', title: 'Show Output', arguments: [node] };
        return item;
      }
      case 'capability': {
        const workspace = this.sandboxes.get(node.sandboxId)?.info.workspace ?? '/';
        const item = new vscode.TreeItem(describeCapabilityIn(node.capability, workspace, os.homedir()));
        item.iconPath = new vscode.ThemeIcon('unlock');
        item.contextValue = 'capability';
        item.tooltip = 'Granted to this run. Revoke to stop granting it from the next run on.';
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.label);
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
    }
  }
}
