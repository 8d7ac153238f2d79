import * as vscode from 'vscode';
import type { Sandboxes } from './sandboxes';
import { statusSummary } from './usageText';

/** `$(shield) N · CPU · memory` for the window's sandboxes; clicking opens the Resources panel. */
export class SandboxStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('workspaceSandbox.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly sandboxes: Sandboxes) {
    this.item.name = 'Workspace Sandbox';
    this.item.command = 'workspaceSandbox.showResources';
    this.subscription = sandboxes.onDidChange(() => this.update());
    this.update();
    this.item.show();
  }

  private update(): void {
    const summary = statusSummary(this.sandboxes.all(), (id) => this.sandboxes.model.isAcknowledged(id));
    this.item.text = summary.text;
    this.item.tooltip = `Workspace Sandbox\n${summary.tooltip.join('\n')}\n\nClick to show resources`;
    switch (summary.severity) {
      case 'normal':
        this.item.backgroundColor = undefined;
        break;
      case 'warning':
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      case 'error':
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
