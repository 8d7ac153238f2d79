import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { capabilitiesOf, describeCapability, type Capability } from '../sandbox/policy';
import { describeCapabilityIn } from './capabilityWording';
import { missingCapabilities, toolKey } from './grants';
import { manifestRequest } from './manifestRequests';
import type { CapabilityNode } from './sandboxTree';
import { isActive } from './sandboxModel';
import { registerCommand, type Services } from './services';
import { pickTool } from './toolCommands';

async function pickCapabilities(caps: readonly Capability[], folder: string, placeHolder: string): Promise<Capability[]> {
  const picked = await vscode.window.showQuickPick(
    caps.map((capability) => ({ label: describeCapabilityIn(capability, folder, os.homedir()), capability })),
    { placeHolder, canPickMany: true },
  );
  return picked?.map((p) => p.capability) ?? [];
}

/** Revokes `caps` from the grant under `key`, records it, and offers to restart the tool's running sandboxes. */
async function revoke(s: Services, key: string, tool: string, requested: readonly Capability[]): Promise<void> {
  // A capability allowed once was never stored: there is nothing to take back, the next run asks anyway.
  const stored = s.grants.granted(key);
  const caps = requested.filter((c) => !missingCapabilities([c], stored).length);
  if (!caps.length) return void vscode.window.showInformationMessage(`That was allowed for one run of "${tool}" only; its next run asks again.`);
  await s.grants.revoke(key, caps);
  for (const cap of caps) s.audit.append({ event: 'grant', tool, capability: describeCapability(cap), decision: 'revoke', scope: 'workspace' });
  const affected = s.sandboxes.all().filter((e) => {
    const run = s.runner.get(e.info.id);
    return isActive(e.info.state) && run && toolKey(run.request.tool) === key;
  });
  const what = caps.length === 1 ? 'It applies' : 'They apply';
  if (!affected.length) return void vscode.window.showInformationMessage(`Revoked for "${tool}". ${what} from its next run.`);
  const restart = affected.length === 1 ? 'Restart It' : 'Restart Them';
  const answer = await vscode.window.showInformationMessage(`Revoked for "${tool}". ${what} from its next run; it is running now.`, restart);
  if (answer === restart) await Promise.all(affected.map((e) => s.runner.restart(e.info.id)));
}

export function registerGrantCommands(s: Services): void {
  registerCommand(s, 'workspaceSandbox.grantCapability', async () => {
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      const answer = await vscode.window.showWarningMessage('Capabilities can be granted only in a trusted workspace.', manage);
      if (answer === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    const tool = await pickTool(s, 'Tool to grant capabilities to');
    if (!tool) return;
    const request = manifestRequest(tool, s.manifests);
    const key = toolKey(request.tool);
    const missing = missingCapabilities(capabilitiesOf(request.requested), s.grants.granted(key));
    if (!missing.length) return void vscode.window.showInformationMessage(`"${tool.name}" already has everything it requests.`);
    const caps = await pickCapabilities(missing, request.workspace, `Grant to "${tool.name}" for this workspace`);
    if (!caps.length) return;
    await s.grants.grant(key, request.tool, caps);
    for (const cap of caps) s.audit.append({ event: 'grant', tool: tool.name, capability: describeCapability(cap), decision: 'allow', scope: 'workspace' });
  });

  registerCommand(s, 'workspaceSandbox.revokeCapability', async (arg) => {
    const node = arg as Partial<CapabilityNode> | undefined;
    if (node?.kind === 'capability' && node.sandboxId && node.capability) {
      const run = s.runner.get(node.sandboxId);
      if (!run) throw new Error('This sandbox was not started in this window; revoke its capability from the command palette.');
      return revoke(s, toolKey(run.request.tool), run.request.tool.name, [node.capability]);
    }
    const grants = [...s.grants.all()];
    if (!grants.length) return void vscode.window.showInformationMessage('No capabilities are granted for this workspace.');
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const picked = await vscode.window.showQuickPick(
      grants.map(([key, g]) => ({
        label: g.tool,
        description: `${g.capabilities.length} granted${multiRoot ? ` · ${path.basename(g.folder)}` : ''}`,
        detail: g.capabilities.map((c) => describeCapabilityIn(c, g.folder, os.homedir())).join(', '),
        key,
        grant: g,
      })),
      { placeHolder: 'Tool to revoke capabilities from' },
    );
    if (!picked) return;
    const caps = await pickCapabilities(picked.grant.capabilities, picked.grant.folder, `Revoke from "${picked.grant.tool}"`);
    if (caps.length) await revoke(s, picked.key, picked.grant.tool, caps);
  });
}
