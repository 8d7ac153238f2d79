import * as vscode from 'vscode';
import type { SandboxStateName } from '../protocol/sandbox';
import { joinCommandLine } from './commandLine';
import { ResourcesPanel } from './resourcesPanel';
import type { SandboxNode } from './sandboxTree';
import { isActive, type SandboxEntry } from './sandboxModel';
import { registerCommand, type Services } from './services';
import { usageDescription } from './usageText';

/**
 * The id a command acts on: the tree item it was invoked on, else the user's pick among the sandboxes it
 * applies to (or the only one).
 */
async function sandboxArg(s: Services, arg: unknown, applies: (state: SandboxStateName) => boolean, verb: string): Promise<SandboxEntry | undefined> {
  const node = arg as Partial<SandboxNode> | undefined;
  if (node?.kind === 'sandbox' && node.id) return s.sandboxes.get(node.id);
  const candidates = s.sandboxes.all().filter((e) => applies(e.info.state));
  if (candidates.length <= 1) {
    if (!candidates.length) void vscode.window.showInformationMessage(`No sandbox to ${verb}.`);
    return candidates[0];
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((e) => ({ label: e.info.tool, description: usageDescription(e.info), detail: joinCommandLine(e.info.command), entry: e })),
    { placeHolder: `Sandbox to ${verb}` },
  );
  return picked?.entry;
}

const running = (state: SandboxStateName): boolean => state === 'running';
const any = (): boolean => true;

export function registerSandboxCommands(s: Services): void {
  const act = (command: string, applies: (state: SandboxStateName) => boolean, verb: string, call: (id: string) => Promise<unknown>): void =>
    registerCommand(s, `workspaceSandbox.${command}`, async (arg) => {
      const entry = await sandboxArg(s, arg, applies, verb);
      if (entry) await call(entry.info.id);
    });

  act('stop', isActive, 'stop', (id) => s.client.stop(id));
  act('kill', isActive, 'kill', (id) => s.client.kill(id));
  act('suspend', running, 'suspend', (id) => s.client.suspend(id));
  act('resume', (state) => state === 'suspended', 'resume', (id) => s.client.resume(id));
  act('restart', any, 'restart', (id) => s.runner.restart(id));
  registerCommand(s, 'workspaceSandbox.showOutput', async (arg) => {
    const entry = await sandboxArg(s, arg, any, 'show the output of');
    if (entry) await s.runner.showOutput(entry.info.id, entry.info.tool);
  });
  registerCommand(s, 'workspaceSandbox.killAll', async () => {
    const active = s.sandboxes.all().filter((e) => isActive(e.info.state));
    const results = await Promise.allSettled(active.map((e) => s.client.kill(e.info.id)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${active[i]!.info.tool} (${active[i]!.info.id}): ${String(r.reason)}`] : []));
    for (const line of failed) s.log.error(`kill all: ${line}`);
    if (failed.length) void vscode.window.showWarningMessage(`${failed.length} of ${active.length} sandboxes could not be killed; see the Workspace Sandbox log.`);
  });
  registerCommand(s, 'workspaceSandbox.showResources', () => {
    ResourcesPanel.createOrShow(s.context.extensionUri, s.client);
    s.sandboxes.acknowledgeLimitKills();
  });
}
