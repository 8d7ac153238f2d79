import * as path from 'node:path';
import * as vscode from 'vscode';
import { AuditLog } from '../sandbox/audit';
import { createApi, type WorkspaceSandboxApi } from './api';
import { registerGrantCommands } from './grantCommands';
import { GrantStore } from './grants';
import { ManifestWatcher } from './manifestWatcher';
import { registerReportCommands } from './reportCommands';
import { ReportDocuments } from './reportDocuments';
import { ResourcesPanel } from './resourcesPanel';
import { registerSandboxCommands } from './sandboxCommands';
import { Sandboxes } from './sandboxes';
import { SandboxTree } from './sandboxTree';
import type { Services } from './services';
import { readSettings, SETTINGS_SECTION, SUPERVISOR_SETTINGS, type Settings } from './settings';
import { SandboxStatusBar } from './statusBar';
import { SupervisorClient } from './supervisorClient';
import { SandboxTaskProvider, TASK_TYPE } from './taskProvider';
import { registerToolCommands } from './toolCommands';
import { ToolRunner } from './toolRunner';

/**
 * Builds the services and registers them; spawns nothing. The supervisor starts on first use, or right after
 * the manifests are read when a folder declares tools (the `workspaceContains` activation), so the first run
 * does not wait for it. Workspace trust is read at each run, so granting trust unlocks prompts with no restart.
 */
export function activate(context: vscode.ExtensionContext): WorkspaceSandboxApi {
  const log = vscode.window.createOutputChannel('Workspace Sandbox', { log: true });
  context.subscriptions.push(log);
  const settings = (): Settings => {
    const { settings: current, problems } = readSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION));
    for (const p of problems) log.warn(p);
    return current;
  };
  const initial = settings();

  // One file for both writers: the supervisor's engine records runs, the extension records grant decisions.
  const auditFile = path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'audit.jsonl');
  const audit = new AuditLog(auditFile);
  // `nodePath` is Electron inside VS Code; the client runs it as Node (ELECTRON_RUN_AS_NODE) when it sees that.
  const client = new SupervisorClient({
    supervisorPath: context.asAbsolutePath('dist/supervisor.js'),
    nodePath: process.execPath,
    clientName: `VS Code ${vscode.version}`,
    auditLog: auditFile,
    sampleIntervalMs: initial.sampleIntervalMs,
    warnAt: initial.warningThreshold,
    maxSandboxes: initial.maxSandboxes,
    ...(initial.bwrapPath && { env: { WSB_BWRAP: initial.bwrapPath } }),
  });
  const sandboxes = new Sandboxes(client, log);
  const manifests = new ManifestWatcher(log);
  const setHasGrants = (n: number): Thenable<unknown> => vscode.commands.executeCommand('setContext', 'workspaceSandbox.hasGrants', n > 0);
  const grants = new GrantStore(context.workspaceState, (m) => log.warn(m), setHasGrants);
  void setHasGrants(grants.all().size);
  const runner = new ToolRunner(client, grants, audit, settings);
  const reports = new ReportDocuments();
  context.subscriptions.push(client, { dispose: () => audit.close() }, sandboxes, manifests, runner, reports);

  const services: Services = { context, client, sandboxes, manifests, runner, grants, audit, auditFile, reports, log };
  registerToolCommands(services);
  registerSandboxCommands(services);
  registerGrantCommands(services);
  registerReportCommands(services);

  context.subscriptions.push(
    vscode.window.createTreeView('workspaceSandbox.sandboxes', { treeDataProvider: new SandboxTree(sandboxes) }),
    new SandboxStatusBar(sandboxes),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new SandboxTaskProvider(manifests, runner)),
    ResourcesPanel.track(client),
    vscode.window.registerWebviewPanelSerializer(ResourcesPanel.viewType, {
      deserializeWebviewPanel: async (panel) => ResourcesPanel.revive(panel, context.extensionUri, client),
    }),
    client.onLog((line) => log.info(line)),
    // Name what the sandbox refused instead of leaving the tool's EROFS to speak for itself.
    client.onDenied((d) => {
      const tool = sandboxes.get(d.id)?.info.tool ?? 'A sandboxed tool';
      log.warn(`${tool} was refused ${d.message}`);
      // Planted git metadata is never grantable: say what was moved aside, offer no grant.
      const actions = d.kind === 'git' ? [] : ['Grant Capability…'];
      void vscode.window
        .showWarningMessage(`Sandbox: "${tool}" was refused ${d.message}.`, ...actions)
        .then((a) => a && vscode.commands.executeCommand('workspaceSandbox.grantCapability'));
    }),
    client.onDidChangeState((state) => {
      if (state !== 'failed') return;
      void vscode.window.showErrorMessage('The sandbox supervisor keeps crashing and was not restarted.', 'Show Log').then((a) => a && log.show());
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Backend and limits apply from the next run; the supervisor reads its options once, at start.
      if (!SUPERVISOR_SETTINGS.some((key) => e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`))) return;
      const reload = 'Reload Window';
      void vscode.window
        .showInformationMessage('The changed sandbox setting applies once the window is reloaded.', reload)
        .then((a) => a === reload && vscode.commands.executeCommand('workbench.action.reloadWindow'));
    }),
  );

  manifests.start().then(
    () => (manifests.tools().length ? client.start().then(() => undefined) : undefined),
    (err: unknown) => log.error(`reading the manifests failed: ${String(err)}`),
  ).catch((err: unknown) => log.error(`the supervisor did not start: ${err instanceof Error ? err.message : String(err)}`));

  return createApi(runner);
}
