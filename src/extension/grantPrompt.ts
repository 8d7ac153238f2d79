import * as os from 'node:os';
import * as vscode from 'vscode';
import type { Capability } from '../sandbox/policy';
import type { GatePrompts, GrantAnswer, UntrustedAnswer } from './capabilityGate';
import { grantPromptText, untrustedPromptText } from './capabilityWording';

/** The modal prompts of the capability gate; paths are worded relative to `folder`. */
export function modalPrompts(folder: string): GatePrompts {
  const home = os.homedir();
  return {
    async askGrant(tool: string, missing: readonly Capability[]): Promise<GrantAnswer> {
      const { message, detail } = grantPromptText(tool, missing, folder, home);
      const buttons: (vscode.MessageItem & { answer: GrantAnswer })[] = [
        { title: 'Allow Once', answer: 'once' },
        { title: 'Allow for This Workspace', answer: 'workspace' },
        { title: 'Deny', answer: 'deny', isCloseAffordance: true },
      ];
      const picked = await vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons);
      return picked?.answer ?? 'deny';
    },
    async askUntrusted(tool: string, requested: readonly Capability[]): Promise<UntrustedAnswer> {
      const { message, detail } = untrustedPromptText(tool, requested, folder, home);
      const manage = 'Manage Workspace Trust';
      const runDefault = 'Run with Default Policy';
      const picked = await vscode.window.showWarningMessage(message, { modal: true, detail }, manage, runDefault);
      if (picked === manage) void vscode.commands.executeCommand('workbench.trust.manage');
      return picked === runDefault ? 'default' : 'cancel';
    },
  };
}
