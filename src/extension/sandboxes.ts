import * as vscode from 'vscode';
import type { SupervisorClient } from './supervisorClient';
import { isActive, SandboxModel, type SandboxEntry } from './sandboxModel';

/** Views redraw at most this often: usage arrives every tick for every sandbox. */
const REFRESH_DEBOUNCE_MS = 200;

/**
 * The window's sandboxes: feeds the supervisor's notifications into a {@link SandboxModel} and tells the
 * views, debounced. Nothing polls — `sandbox/list` is asked only when a notification names a sandbox the
 * model has not seen. Also keeps the context keys the menus' `when` clauses read.
 */
export class Sandboxes implements vscode.Disposable {
  readonly model = new SandboxModel();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires at most every {@link REFRESH_DEBOUNCE_MS} after the model changed. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private timer: NodeJS.Timeout | undefined;
  private listing: Promise<void> | undefined;
  private listAgain = false;

  constructor(private readonly client: SupervisorClient, private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      this.changed,
      client.onState((n) => (this.model.applyState(n, Date.now()) ? this.schedule() : this.relist())),
      client.onUsage((n) => {
        this.model.applyUsage(n);
        this.schedule();
      }),
      client.onWarning((n) => (this.model.applyWarning(n, Date.now()) ? this.schedule() : this.relist())),
    ];
  }

  all(): SandboxEntry[] {
    return this.model.all();
  }

  get(id: string): SandboxEntry | undefined {
    return this.model.get(id);
  }

  acknowledgeLimitKills(): void {
    this.model.acknowledgeLimitKills();
    this.schedule();
  }

  /** Lists again; calls while a list is in flight collapse into one more. */
  private relist(): void {
    if (this.listing) {
      this.listAgain = true;
      return;
    }
    this.listing = this.client
      .list()
      .then((infos) => this.model.applyList(infos))
      .catch((err: unknown) => this.log.warn(`could not list sandboxes: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.listing = undefined;
        this.schedule();
        if (this.listAgain) {
          this.listAgain = false;
          this.relist();
        }
      });
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.updateContextKeys();
      this.changed.fire();
    }, REFRESH_DEBOUNCE_MS);
  }

  private updateContextKeys(): void {
    const all = this.model.all();
    const set = (key: string, value: boolean): Thenable<unknown> => vscode.commands.executeCommand('setContext', `workspaceSandbox.${key}`, value);
    void set('hasSandboxes', all.length > 0);
    void set('hasActive', all.some((e) => isActive(e.info.state)));
    void set('hasRunning', all.some((e) => e.info.state === 'running'));
    void set('hasSuspended', all.some((e) => e.info.state === 'suspended'));
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}
