import * as vscode from 'vscode';
import type { AuditSink } from '../sandbox/audit';
import type { GrantStore } from './grants';
import type { ManifestWatcher } from './manifestWatcher';
import type { ReportDocuments } from './reportDocuments';
import type { Sandboxes } from './sandboxes';
import type { SupervisorClient } from './supervisorClient';
import type { ToolRunner } from './toolRunner';

/** What the commands work with, built once in `activate()`. */
export interface Services {
  context: vscode.ExtensionContext;
  client: SupervisorClient;
  sandboxes: Sandboxes;
  manifests: ManifestWatcher;
  runner: ToolRunner;
  grants: GrantStore;
  audit: AuditSink;
  auditFile: string;
  reports: ReportDocuments;
  log: vscode.LogOutputChannel;
}

/** Registers a command whose failures end up in an error notification and the log, not as unhandled rejections. */
export function registerCommand(s: Services, id: string, run: (...args: unknown[]) => unknown): void {
  s.context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        s.log.error(`${id}: ${message}`);
        void vscode.window.showErrorMessage(message);
      }
    }),
  );
}
