import * as vscode from 'vscode';
import { SupervisorErrorCodes } from '../protocol/errors';
import type { StateNotification } from '../protocol/sandbox';
import type { AuditSink } from '../sandbox/audit';
import type { Limits } from '../sandbox/limits';
import type { Policy } from '../sandbox/policy';
import { authorize } from './capabilityGate';
import { joinCommandLine } from './commandLine';
import { modalPrompts } from './grantPrompt';
import type { GrantStore, ToolIdentity } from './grants';
import { OutputTerminal } from './outputTerminal';
import type { Settings } from './settings';
import type { SupervisorClient } from './supervisorClient';

/** Everything needed to run one tool: what it is for the grants, and what to start. */
export interface RunRequest {
  tool: ToolIdentity;
  workspace: string;
  command: string[];
  cwd: string;
  /** What the tool requests; paths absolute. It runs with this only when granted. */
  requested: Policy;
  limits: Limits;
  /** The request as it stands now (a manifest tool re-read), for Restart; absent when it cannot change. */
  refresh?: () => RunRequest | undefined;
}

export interface RunExit {
  exitCode: number | null;
  limit: string | null;
}

export interface Run {
  id: string;
  request: RunRequest;
  exit: Promise<RunExit>;
  terminal: OutputTerminal | undefined;
}

const ENDED = new Set(['exited', 'failed', 'killed']);
/** Finished runs remembered for Restart and Show Output; the supervisor forgets older ones too. */
const KEEP_FINISHED = 50;

/**
 * Runs tools: the capability gate, then `sandbox/start`, then the run's output into its terminal. Every run
 * of this window goes through here — commands, tasks and the API — so the same grants apply to all of them.
 */
export class ToolRunner implements vscode.Disposable {
  private readonly runs = new Map<string, Run & { settle(exit: RunExit): void; ended: StateNotification | undefined }>();
  private readonly terminals = new WeakMap<OutputTerminal, vscode.Terminal>();
  /** Restricted Mode: runs whose output goes to an output channel (one per tool name) rather than a terminal. */
  private readonly channels = new WeakMap<OutputTerminal, vscode.OutputChannel>();
  private readonly channelsByName = new Map<string, vscode.OutputChannel>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly client: SupervisorClient,
    private readonly grants: GrantStore,
    private readonly audit: AuditSink,
    private readonly settings: () => Settings,
  ) {
    this.subscriptions = [
      client.onOutput((n) => this.runs.get(n.id)?.terminal?.output(n)),
      client.onState((n) => {
        const run = this.runs.get(n.id);
        if (!run || !ENDED.has(n.state)) return;
        run.ended = n;
        run.terminal?.end(n);
        run.settle({ exitCode: n.exitCode ?? null, limit: n.limit ?? null });
        this.prune();
      }),
    ];
  }

  /** The policy the user allows for this request, or undefined when it must not run. */
  authorize(request: RunRequest): Promise<Policy | undefined> {
    return authorize(
      { tool: request.tool, requested: request.requested, trusted: vscode.workspace.isTrusted },
      { store: this.grants, prompts: modalPrompts(request.workspace), audit: (r) => this.audit.append(r) },
    );
  }

  /** Starts an authorized request with its output going to `terminal`. Throws when the supervisor refuses. */
  async start(request: RunRequest, policy: Policy, terminal: OutputTerminal): Promise<Run> {
    const settings = this.settings();
    terminal.note(`$ ${joinCommandLine(request.command)}`);
    let id: string;
    const params = {
      tool: request.tool.name,
      command: request.command,
      cwd: request.cwd,
      workspace: request.workspace,
      policy,
      limits: { ...settings.defaultLimits, ...request.limits },
      backend: settings.defaultBackend,
    };
    try {
      id = await this.client.startSandbox(params).catch(async (err: unknown) => {
        // Windows' job backend isolates no files or network: the supervisor refuses until the user confirms.
        const message = err instanceof Error ? err.message : '';
        if ((err as { code?: number }).code !== SupervisorErrorCodes.Refused || !message.includes('--allow-unisolated')) throw err;
        const run = 'Run Without Isolation';
        const answer = await vscode.window.showWarningMessage(
          `"${request.tool.name}" cannot be isolated here`,
          { modal: true, detail: message.replace(/ Run it anyway only if you trust the tool \(--allow-unisolated\)$/, '') },
          run,
        );
        if (answer !== run) throw err;
        this.audit.append({ event: 'grant', tool: request.tool.name, capability: 'run without isolation (job backend)', decision: 'allow', scope: 'once' });
        return this.client.startSandbox({ ...params, allowUnisolated: true });
      });
    } catch (err) {
      terminal.fail(`The sandbox did not start: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    let settle!: (exit: RunExit) => void;
    const exit = new Promise<RunExit>((resolve) => (settle = resolve));
    const run = { id, request, exit, terminal, settle, ended: undefined };
    this.runs.set(id, run);
    return run;
  }

  /** Authorizes, then runs in a terminal of its own. Undefined when the user denied it. */
  async runInTerminal(request: RunRequest): Promise<Run | undefined> {
    const policy = await this.authorize(request);
    if (!policy) return undefined;
    const terminal = this.newTerminal(request.tool.name, () => this.runIdOf(terminal));
    return this.start(request, policy, terminal);
  }

  get(id: string): Run | undefined {
    return this.runs.get(id);
  }

  /** Stops the run if it is still going, then runs its request again (re-read, and through the gate again). */
  async restart(id: string): Promise<Run | undefined> {
    const run = this.runs.get(id);
    if (!run) throw new Error('this sandbox was not started in this window, so it cannot be restarted');
    if (!run.ended) {
      await this.client.stop(id);
      await run.exit;
    }
    const request = run.request.refresh ? run.request.refresh() : run.request;
    if (!request) throw new Error(`"${run.request.tool.name}" is no longer declared in its manifest`);
    return this.runInTerminal(request);
  }

  /** Shows the run's terminal; if it was closed, a new one with the recent output, live again if it still runs. */
  async showOutput(id: string, tool: string): Promise<void> {
    const run = this.runs.get(id);
    if (run?.terminal && !run.terminal.isClosed) {
      this.show(run.terminal);
      return;
    }
    const terminal = this.newTerminal(tool, () => id);
    terminal.output({ stream: 'stdout', data: await this.client.recentOutput(id) });
    if (run) run.terminal = terminal;
    if (run?.ended) terminal.end(run.ended);
  }

  private runIdOf(terminal: OutputTerminal): string | undefined {
    return [...this.runs.values()].find((r) => r.terminal === terminal)?.id;
  }

  /** A terminal whose Ctrl+C and closing stop the sandbox it shows. */
  newTerminal(tool: string, idOf: () => string | undefined, closeOnEnd = false): OutputTerminal {
    const stop = (): void => {
      const id = idOf();
      if (id) this.client.stop(id).catch(() => undefined); // it may have just ended on its own
    };
    const terminal = new OutputTerminal({ closeOnEnd, onInterrupt: stop, onClose: stop });
    if (!closeOnEnd) this.show(terminal, tool);
    return terminal;
  }

  private show(pty: OutputTerminal, tool?: string): void {
    let channel = this.channels.get(pty);
    // VS Code asks for workspace trust before it opens any terminal, an extension's pseudoterminal included,
    // so in Restricted Mode a run's output goes to an output channel: no trust prompt after "Run with Default Policy".
    if (!channel && !this.terminals.has(pty) && !vscode.workspace.isTrusted) channel = this.attachChannel(pty, tool);
    if (channel) {
      channel.show(true);
      return;
    }
    let terminal = this.terminals.get(pty);
    if (!terminal) {
      terminal = vscode.window.createTerminal({ name: `Sandbox: ${tool ?? 'output'}`, pty, iconPath: new vscode.ThemeIcon('shield') });
      this.terminals.set(pty, terminal);
    }
    terminal.show(true);
  }

  private attachChannel(pty: OutputTerminal, tool: string | undefined): vscode.OutputChannel {
    const name = `Sandbox: ${tool ?? 'output'}`;
    let channel = this.channelsByName.get(name);
    if (!channel) {
      channel = vscode.window.createOutputChannel(name);
      this.channelsByName.set(name, channel);
    }
    const target = channel;
    // Terminal text without its colours and carriage returns; open() hands over what was written before.
    pty.onDidWrite((text) => target.append(text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r\n/g, '\n')));
    pty.open();
    this.channels.set(pty, target);
    return target;
  }

  private prune(): void {
    const ended = [...this.runs.values()].filter((r) => r.ended);
    for (const r of ended.slice(0, Math.max(0, ended.length - KEEP_FINISHED))) this.runs.delete(r.id);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const c of this.channelsByName.values()) c.dispose();
  }
}
