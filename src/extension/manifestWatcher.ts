import * as os from 'node:os';
import * as vscode from 'vscode';
import { isManifestError, MANIFEST_RELATIVE_PATH } from '../sandbox/errors';
import { parseManifest, resolveTool, type ResolvedTool, type ToolEntry } from '../sandbox/manifest';
import { manifestDiagnostics } from './manifestDiagnostics';

/** A tool declared in one workspace folder's manifest. */
export interface ManifestTool {
  folder: vscode.WorkspaceFolder;
  name: string;
  /** The entry as written: what the grant key hashes. */
  entry: ToolEntry;
  resolved: ResolvedTool;
}

/**
 * The tools of every workspace folder's `.vscode/sandbox.json`, re-read when a manifest changes or folders come
 * and go. A manifest with problems contributes no tools and puts one diagnostic per problem on its field.
 */
export class ManifestWatcher implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('workspaceSandbox');
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly byFolder = new Map<string, { tools: ManifestTool[]; exists: boolean }>();
  private readonly watchers = new Map<string, vscode.Disposable>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [this.diagnostics, this.changed, vscode.workspace.onDidChangeWorkspaceFolders(() => void this.syncFolders())];
  }

  /** Reads every folder's manifest; resolves when all are loaded. */
  async start(): Promise<void> {
    await this.syncFolders();
  }

  tools(): ManifestTool[] {
    return [...this.byFolder.values()].flatMap((f) => f.tools);
  }

  hasManifest(folder: vscode.WorkspaceFolder): boolean {
    return this.byFolder.get(folder.uri.toString())?.exists ?? false;
  }

  private async syncFolders(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const current = new Set(folders.map((f) => f.uri.toString()));
    for (const [key, watcher] of this.watchers) {
      if (current.has(key)) continue;
      watcher.dispose();
      this.watchers.delete(key);
      this.byFolder.delete(key);
      this.diagnostics.delete(manifestUri(vscode.Uri.parse(key)));
    }
    await Promise.all(
      folders.filter((f) => !this.watchers.has(f.uri.toString())).map((folder) => {
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, MANIFEST_RELATIVE_PATH));
        const reload = (): Promise<void> =>
          this.load(folder).then(
            () => this.announce(),
            (err: unknown) => this.log.error(`could not read ${MANIFEST_RELATIVE_PATH} of ${folder.name}: ${String(err)}`),
          );
        watcher.onDidCreate(reload);
        watcher.onDidChange(reload);
        watcher.onDidDelete(reload);
        this.watchers.set(folder.uri.toString(), watcher);
        return this.load(folder);
      }),
    );
    this.announce();
  }

  private async load(folder: vscode.WorkspaceFolder): Promise<void> {
    const uri = manifestUri(folder.uri);
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      this.byFolder.set(folder.uri.toString(), { tools: [], exists: false });
      this.diagnostics.delete(uri);
      return;
    }
    try {
      const manifest = parseManifest(text, uri.fsPath);
      const ctx = { workspaceFolder: folder.uri.fsPath, home: os.homedir() };
      const problems: string[] = [];
      const tools = Object.entries(manifest.tools).flatMap(([name, entry]): ManifestTool[] => {
        try {
          return [{ folder, name, entry, resolved: resolveTool(manifest, name, ctx, uri.fsPath) }];
        } catch (err) {
          if (!isManifestError(err)) throw err;
          problems.push(...err.problems);
          return [];
        }
      });
      // A manifest with any problem runs nothing, as on the command line: half a manifest is a surprise.
      this.byFolder.set(folder.uri.toString(), { tools: problems.length ? [] : tools, exists: true });
      this.report(uri, text, problems);
    } catch (err) {
      if (!isManifestError(err)) throw err;
      this.byFolder.set(folder.uri.toString(), { tools: [], exists: true });
      this.report(uri, text, err.problems);
    }
  }

  private report(uri: vscode.Uri, text: string, problems: readonly string[]): void {
    if (problems.length) this.log.warn(`${uri.fsPath}:\n  ${problems.join('\n  ')}`);
    this.diagnostics.set(
      uri,
      manifestDiagnostics(text, problems).map((d) => {
        const diagnostic = new vscode.Diagnostic(new vscode.Range(d.start.line, d.start.character, d.end.line, d.end.character), d.message, vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'Workspace Sandbox';
        return diagnostic;
      }),
    );
  }

  private announce(): void {
    const folders = vscode.workspace.workspaceFolders ?? [];
    void vscode.commands.executeCommand('setContext', 'workspaceSandbox.hasTools', this.tools().length > 0);
    void vscode.commands.executeCommand('setContext', 'workspaceSandbox.canCreateManifest', folders.some((f) => !this.hasManifest(f)));
    this.changed.fire();
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

export function manifestUri(folder: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(folder, MANIFEST_RELATIVE_PATH);
}
