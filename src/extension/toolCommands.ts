import * as path from 'node:path';
import * as vscode from 'vscode';
import { EMPTY_POLICY } from '../sandbox/policy';
import { joinCommandLine, splitCommandLine } from './commandLine';
import { manifestRequest } from './manifestRequests';
import { manifestUri, type ManifestTool } from './manifestWatcher';
import { scaffoldManifest } from './scaffold';
import { registerCommand, type Services } from './services';

/** The folder to act in: the only one, else the user's pick among those `applies` accepts. */
export async function pickFolder(placeHolder: string, applies: (f: vscode.WorkspaceFolder) => boolean = () => true): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter(applies);
  if (folders.length <= 1) return folders[0];
  const picked = await vscode.window.showQuickPick(
    folders.map((folder) => ({ label: folder.name, description: folder.uri.fsPath, folder })),
    { placeHolder },
  );
  return picked?.folder;
}

/** A quick pick of manifest tools; the folder is shown when there are several. */
export async function pickTool(s: Services, placeHolder: string): Promise<ManifestTool | undefined> {
  const tools = s.manifests.tools();
  if (!tools.length) {
    const create = 'Create Sandbox Manifest';
    if ((await vscode.window.showInformationMessage('No tools are declared in .vscode/sandbox.json.', create)) === create) {
      await vscode.commands.executeCommand('workspaceSandbox.createManifest');
    }
    return undefined;
  }
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  const picked = await vscode.window.showQuickPick(
    tools.map((tool) => ({
      label: tool.name,
      description: [multiRoot ? tool.folder.name : '', tool.resolved.description ?? ''].filter(Boolean).join(' · '),
      detail: joinCommandLine(tool.entry.command),
      tool,
    })),
    { placeHolder, matchOnDetail: true },
  );
  return picked?.tool;
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

async function createManifest(s: Services): Promise<void> {
  const folder = await pickFolder('Folder to create .vscode/sandbox.json in', (f) => !s.manifests.hasManifest(f));
  if (!folder) {
    const existing = vscode.workspace.workspaceFolders?.[0];
    if (existing) await vscode.window.showTextDocument(manifestUri(existing.uri));
    return;
  }
  const rootFiles = (await vscode.workspace.fs.readDirectory(folder.uri)).map(([name]) => name);
  const makefile = ['GNUmakefile', 'makefile', 'Makefile'].find((n) => rootFiles.includes(n));
  const manifest = scaffoldManifest({
    packageJson: rootFiles.includes('package.json') ? await readText(vscode.Uri.joinPath(folder.uri, 'package.json')) : undefined,
    makefile: makefile ? await readText(vscode.Uri.joinPath(folder.uri, makefile)) : undefined,
    rootFiles,
  });
  const uri = manifestUri(folder.uri);
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder.uri, '.vscode'));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n'));
  await vscode.window.showTextDocument(uri);
  const count = Object.keys(manifest.tools).length;
  void vscode.window.showInformationMessage(
    count
      ? `Declared ${count} tool${count === 1 ? '' : 's'} from package.json scripts and Makefile targets. Add the capabilities each needs; you will be asked before any is granted.`
      : 'No npm scripts or Makefile targets found: add tools to the manifest by hand.',
  );
}

export function registerToolCommands(s: Services): void {
  registerCommand(s, 'workspaceSandbox.runTool', async () => {
    const tool = await pickTool(s, 'Tool to run in the sandbox');
    if (tool) await s.runner.runInTerminal(manifestRequest(tool, s.manifests));
  });

  registerCommand(s, 'workspaceSandbox.runCommand', async () => {
    const folder = await pickFolder('Folder to run the command in');
    if (!folder) return void vscode.window.showInformationMessage('Open a folder to run commands in a sandbox.');
    const line = await vscode.window.showInputBox({
      prompt: 'Command to run with the default policy: no writes, no network, no extra environment (no shell; use sh -c for one)',
      placeHolder: 'npm test',
      validateInput: (value) => {
        try {
          return splitCommandLine(value).length ? undefined : 'Type a command';
        } catch (err) {
          return (err as Error).message;
        }
      },
    });
    if (!line) return;
    const command = splitCommandLine(line);
    await s.runner.runInTerminal({
      tool: { folder: folder.uri.fsPath, name: path.basename(command[0]!), definition: command },
      workspace: folder.uri.fsPath,
      command,
      cwd: folder.uri.fsPath,
      requested: EMPTY_POLICY,
      limits: {},
    });
  });

  registerCommand(s, 'workspaceSandbox.createManifest', () => createManifest(s));
}
