import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { Event } from 'vscode-jsonrpc';
import { z } from 'zod';
import type { SandboxInfo, SandboxStateName, StateNotification } from '../protocol/sandbox';
import type { UsageNotification, WarningNotification } from '../protocol/usage';
import { toSandboxView, webviewMessageSchema, type HostMessage } from '../protocol/webview';
import { UsageHistory } from './usageHistory';

/** What the Resources panel needs from the supervisor client. */
export interface ResourcesSource {
  onUsage: Event<UsageNotification>;
  onState: Event<StateNotification>;
  onWarning: Event<WarningNotification>;
  list(): Promise<SandboxInfo[]>;
  stop(id: string): Promise<void>;
  kill(id: string): Promise<void>;
}

type Disposable = { dispose(): unknown };

/** States in which a sandbox has processes to stop; the rest are over. */
const LIVE_STATES: ReadonlySet<SandboxStateName> = new Set(['created', 'starting', 'running', 'suspended', 'stopping']);

function log(message: string): void {
  // The extension host routes console output to its log ("Extension Host" in the Output view).
  console.warn(`[${ResourcesPanel.viewType}] ${message}`);
}

/**
 * Records a source's usage and warnings into a history, and re-announces them as webview messages for an open
 * panel. It lives apart from the panel so the charts are complete when the panel is opened or reopened.
 */
class Recording {
  readonly history = new UsageHistory();
  private readonly emitter = new vscode.EventEmitter<HostMessage>();
  readonly onMessage = this.emitter.event;
  private readonly subscriptions: Disposable[];
  users = 0;

  constructor(source: ResourcesSource) {
    this.subscriptions = [
      source.onUsage((n) => {
        this.history.addUsage(n);
        const samples = n.samples.map(({ id, cpuPercent, memoryBytes, cpuSeconds }) => ({ id, cpuPercent, memoryBytes, cpuSeconds }));
        this.emitter.fire({ type: 'usage', at: n.at, samples });
      }),
      source.onWarning((w) => {
        const mark = this.history.addWarning(w, Date.now());
        this.emitter.fire({ type: 'warning', id: w.id, ...mark });
      }),
      this.emitter,
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** The Resources panel: live CPU and memory per sandbox. One instance at a time, like webview-sample's panel. */
export class ResourcesPanel {
  static readonly viewType = 'workspaceSandbox.resources';

  private static current: ResourcesPanel | undefined;
  /** One recording per source, shared by `track` and the panel; the last user to let go disposes it. */
  private static readonly recordings = new Map<ResourcesSource, Recording>();

  private readonly disposables: Disposable[] = [];
  private readonly recording: Recording;
  /** Ids the last `list()` returned: a state change for any other id means a new sandbox, so a new snapshot. */
  private knownIds = new Set<string>();
  private snapshotting = false;
  private snapshotAgain = false;
  private disposed = false;

  /**
   * Starts recording usage for `source` now, so the panel's first opening already has up to five minutes of charts.
   * Call from `activate()` and add the result to `context.subscriptions`. Without it the panel records from its opening.
   */
  static track(source: ResourcesSource): vscode.Disposable {
    let recording = ResourcesPanel.recordings.get(source);
    if (!recording) {
      recording = new Recording(source);
      ResourcesPanel.recordings.set(source, recording);
    }
    const r = recording;
    r.users++;
    let released = false;
    return new vscode.Disposable(() => {
      if (released) return;
      released = true;
      if (--r.users > 0) return;
      r.dispose();
      ResourcesPanel.recordings.delete(source);
    });
  }

  static createOrShow(extensionUri: vscode.Uri, source: ResourcesSource): void {
    const column = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
    const current = ResourcesPanel.current;
    if (current?.source === source) {
      current.panel.reveal(column);
      return;
    }
    current?.dispose(); // a panel on an older client (the supervisor was restarted) would show nothing live
    const panel = vscode.window.createWebviewPanel(ResourcesPanel.viewType, 'Sandbox Resources', column, webviewOptions(extensionUri));
    ResourcesPanel.current = new ResourcesPanel(panel, extensionUri, source);
  }

  /** For the `WebviewPanelSerializer`: adopts a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, source: ResourcesSource): void {
    ResourcesPanel.current?.dispose();
    panel.webview.options = webviewOptions(extensionUri); // the restored panel keeps no options of its own
    ResourcesPanel.current = new ResourcesPanel(panel, extensionUri, source);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly source: ResourcesSource,
  ) {
    this.disposables.push(ResourcesPanel.track(source));
    this.recording = ResourcesPanel.recordings.get(source) as Recording;

    // Set once: without retainContextWhenHidden VS Code reloads this HTML whenever the panel is shown again,
    // and the script then says `ready` and gets a fresh snapshot.
    panel.webview.html = html(panel.webview, extensionUri);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw), null, this.disposables);
    this.recording.onMessage((m) => this.post(m), null, this.disposables);
    this.disposables.push(source.onState((s) => this.onState(s)));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (ResourcesPanel.current === this) ResourcesPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  private receive(raw: unknown): void {
    const parsed = webviewMessageSchema.safeParse(raw);
    if (!parsed.success) {
      log(`dropped a message from the webview: ${z.prettifyError(parsed.error)}`);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ready':
        this.requestSnapshot();
        return;
      case 'stop':
      case 'kill':
        void this.act(msg.type, msg.id);
        return;
    }
  }

  private async act(action: 'stop' | 'kill', id: string): Promise<void> {
    // The webview names only sandboxes it was shown; anything else is a bug or a tampered page.
    if (!this.knownIds.has(id)) {
      log(`dropped ${action} for unknown sandbox ${JSON.stringify(id)}`);
      return;
    }
    try {
      await (action === 'stop' ? this.source.stop(id) : this.source.kill(id));
    } catch (e) {
      void vscode.window.showErrorMessage(`Could not ${action} sandbox ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private onState(s: StateNotification): void {
    if (this.knownIds.has(s.id)) this.post({ type: 'state', ...s });
    else this.requestSnapshot(); // a new sandbox: its view model (tool, limits) comes from list()
  }

  /** Sends a snapshot; requests while one is being built collapse into one more afterwards. */
  private requestSnapshot(): void {
    if (this.snapshotting) {
      this.snapshotAgain = true;
      return;
    }
    this.snapshotting = true;
    void this.sendSnapshot().finally(() => {
      this.snapshotting = false;
      if (this.snapshotAgain && !this.disposed) {
        this.snapshotAgain = false;
        this.requestSnapshot();
      }
    });
  }

  private async sendSnapshot(): Promise<void> {
    let infos: SandboxInfo[];
    try {
      infos = await this.source.list();
    } catch (e) {
      log(`could not list sandboxes: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (this.disposed) return;
    const at = Date.now();
    const { history } = this.recording;
    history.prune(at); // no usage ticks arrive once everything has exited; let finished charts expire anyway
    this.knownIds = new Set(infos.map((i) => i.id));
    // Finished sandboxes stay while their charts have something to show, then leave the panel.
    const shown = infos.filter((i) => LIVE_STATES.has(i.state) || history.get(i.id));
    this.post({
      type: 'snapshot',
      at,
      windowMs: history.options.windowMs,
      sandboxes: shown.map(toSandboxView),
      history: shown.flatMap((i) => history.get(i.id) ?? []),
    });
  }

  private post(message: HostMessage): void {
    // A hidden webview is gone (no retainContextWhenHidden); it gets a snapshot when shown again.
    if (this.panel.visible) void this.panel.webview.postMessage(message);
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

function html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', file));
  const nonce = crypto.randomBytes(16).toString('base64');
  const csp = `default-src 'none'; style-src ${webview.cspSource}; img-src ${webview.cspSource}; script-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link href="${media('resources.css')}" rel="stylesheet">
  <title>Sandbox Resources</title>
</head>
<body>
  <header id="totals"></header>
  <main id="sandboxes"></main>
  <div id="announce" class="visually-hidden" role="status"></div>
  <script nonce="${nonce}" src="${media('resources.js')}"></script>
</body>
</html>`;
}
