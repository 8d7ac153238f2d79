// Runs inside a real VS Code launched by @vscode/test-electron (scripts/vscode-test.mjs).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'workspace-sandbox.workspace-sandbox';

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  const api = (await extension.activate()) as { runInSandbox?: unknown };
  assert.equal(typeof api.runInSandbox, 'function', 'activate() returns the API');

  const declared = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
  const registered = new Set(await vscode.commands.getCommands(true));
  assert.deepEqual(declared.filter((c) => !registered.has(c)), [], 'every contributed command is registered');
  console.log(`vscode integration: ${declared.length} commands registered, API present`);
}
