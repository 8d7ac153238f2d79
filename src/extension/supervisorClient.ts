import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Emitter, type Event, type MessageConnection } from 'vscode-jsonrpc';
import { createMessageConnection, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { onNotification } from '../protocol/handlers';
import { jsonDecoder, jsonEncoder } from '../protocol/outputCodec';
import { pacedMessageReader } from '../protocol/pacedReader';
import {
  Denied, Kill, List, listResult, Output, RecentOutput, recentOutputResult, Resume, Start, startResult, State, Stop, Suspend, Write,
  type DeniedNotification, type OutputNotification, type SandboxInfo, type StartParams, type StateNotification,
} from '../protocol/sandbox';
import { Doctor, doctorResult, Initialize, initializeResult, PROTOCOL_VERSION, Shutdown, Stats, statsResult, type DoctorResult, type InitializeResult, type StatsResult } from '../protocol/supervisor';
import { Usage, Warning, type UsageNotification, type WarningNotification } from '../protocol/usage';

export type ClientState = 'stopped' | 'starting' | 'running' | 'failed';

export interface SupervisorClientOptions {
  supervisorPath: string;
  /** The Node to run it with; inside VS Code this is Electron, run as Node. */
  nodePath?: string;
  clientName: string;
  auditLog?: string;
  sampleIntervalMs?: number;
  warnAt?: number;
  maxSandboxes?: number;
  /** Extra environment for the supervisor (e.g. WSB_BWRAP). */
  env?: Record<string, string>;
  log?: (line: string) => void;
  now?: () => number;
}

/** At most this many crashes within the window are restarted; then the client stays failed. */
export const RESTART_BUDGET = { crashes: 5, windowMs: 3 * 60_000 };

/** Whether another restart is allowed after crashes at `crashTimes` (ms), the latest included. */
export function mayRestart(crashTimes: readonly number[], now: number, budget = RESTART_BUDGET): boolean {
  return crashTimes.filter((t) => now - t < budget.windowMs).length < budget.crashes;
}

const SHUTDOWN_TIMEOUT_MS = 3000;
const EXIT_DRAIN_MS = 2000;

/**
 * The extension's side of the supervisor: owns the child process, gives typed calls and events, restarts
 * it after a crash (within a budget) and marks the sandboxes lost in the crash failed, so nothing waits
 * forever. No `vscode` import: tests drive it from plain Node.
 */
export class SupervisorClient {
  private child: ChildProcess | undefined;
  private connection: MessageConnection | undefined;
  private starting: Promise<InitializeResult> | undefined;
  /** Settles once the current child is gone and its notifications were all delivered (see `exited`). */
  private gone: Promise<void> = Promise.resolve();
  private _state: ClientState = 'stopped';
  private deliberateExit = false;
  private readonly crashes: number[] = [];
  private readonly live = new Set<string>();
  private readonly now: () => number;

  private readonly stateEmitter = new Emitter<ClientState>();
  private readonly sandboxStateEmitter = new Emitter<StateNotification>();
  private readonly outputEmitter = new Emitter<OutputNotification>();
  private readonly usageEmitter = new Emitter<UsageNotification>();
  private readonly warningEmitter = new Emitter<WarningNotification>();
  private readonly logEmitter = new Emitter<string>();
  private readonly deniedEmitter = new Emitter<DeniedNotification>();
  readonly onDidChangeState: Event<ClientState> = this.stateEmitter.event;
  readonly onState: Event<StateNotification> = this.sandboxStateEmitter.event;
  readonly onOutput: Event<OutputNotification> = this.outputEmitter.event;
  readonly onUsage: Event<UsageNotification> = this.usageEmitter.event;
  readonly onWarning: Event<WarningNotification> = this.warningEmitter.event;
  readonly onLog: Event<string> = this.logEmitter.event;
  readonly onDenied: Event<DeniedNotification> = this.deniedEmitter.event;

  constructor(private readonly options: SupervisorClientOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): ClientState {
    return this._state;
  }

  /** The supervisor's process id while it runs (tests kill it to play a crash). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private setState(state: ClientState): void {
    if (this._state === state) return;
    this._state = state;
    this.stateEmitter.fire(state);
  }

  /** Starts the supervisor if it is not running; idempotent. */
  start(): Promise<InitializeResult> {
    if (!this.starting || this._state === 'stopped' || this._state === 'failed') this.starting = this.launch();
    return this.starting;
  }

  private async launch(): Promise<InitializeResult> {
    this.setState('starting');
    this.deliberateExit = false;
    const electron = process.versions.electron !== undefined;
    const child = spawn(this.options.nodePath ?? process.execPath, [this.options.supervisorPath, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...(electron && { ELECTRON_RUN_AS_NODE: '1' }), ...this.options.env },
    });
    this.child = child;
    const connection = createMessageConnection(
      pacedMessageReader(child.stdout!, { charset: 'utf-8', contentTypeDecoder: jsonDecoder }),
      new StreamMessageWriter(child.stdin!, { charset: 'utf-8', contentTypeEncoder: jsonEncoder }),
    );
    this.connection = connection;
    const invalid = (why: string) => this.log(`dropped a notification: ${why}`);
    onNotification(connection, State, (n) => {
      if (n.state === 'exited' || n.state === 'failed' || n.state === 'killed') this.live.delete(n.id);
      else this.live.add(n.id);
      this.sandboxStateEmitter.fire(n);
    }, invalid);
    onNotification(connection, Output, (n) => this.outputEmitter.fire(n), invalid);
    onNotification(connection, Usage, (n) => this.usageEmitter.fire(n), invalid);
    onNotification(connection, Warning, (n) => this.warningEmitter.fire(n), invalid);
    onNotification(connection, Denied, (n) => this.deniedEmitter.fire(n), invalid);
    createInterface({ input: child.stderr! }).on('line', (line) => this.log(line));
    // 'close' comes once stdout is read to its end too, so the last notifications (a flood's final output,
    // the states of a shutdown) are delivered before the connection goes; 'exit' is the fallback should a
    // stray holder of the pipe keep it open.
    let markGone!: () => void;
    this.gone = new Promise((resolve) => (markGone = resolve));
    child.on('close', (code, signal) => this.exited(child, code, signal, markGone));
    child.on('exit', (code, signal) => setTimeout(() => this.exited(child, code, signal, markGone), EXIT_DRAIN_MS).unref());
    child.stdin!.on('error', () => undefined); // the exit handler reports a dead supervisor
    connection.listen();
    try {
      const result = initializeResult.parse(
        await connection.sendRequest(Initialize.type, {
          protocolVersion: PROTOCOL_VERSION,
          clientName: this.options.clientName,
          ...(this.options.auditLog && { auditLog: this.options.auditLog }),
          ...(this.options.sampleIntervalMs && { sampleIntervalMs: this.options.sampleIntervalMs }),
          ...(this.options.warnAt && { warnAt: this.options.warnAt }),
          ...(this.options.maxSandboxes && { maxSandboxes: this.options.maxSandboxes }),
        }),
      );
      if (this.child === child) this.setState('running');
      return result;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, markGone: () => void): void {
    if (this.child !== child) return;
    this.connection?.dispose();
    this.connection = undefined;
    this.child = undefined;
    // Whatever still holds the pipes (the fallback path), no handle of ours outlives the supervisor.
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
    markGone();
    for (const id of this.live) {
      this.sandboxStateEmitter.fire({ id, state: 'failed', exitCode: null, signal: null, limit: null, message: 'the supervisor stopped unexpectedly; the sandbox was killed with it' });
    }
    this.live.clear();
    if (this.deliberateExit) return this.setState('stopped');
    this.log(`the supervisor exited unexpectedly (${signal ?? `code ${code}`})`);
    this.crashes.push(this.now());
    if (mayRestart(this.crashes, this.now())) {
      this.starting = this.launch();
      this.starting.catch((err) => this.log(`restart failed: ${(err as Error).message}`));
    } else {
      this.log(`giving up after ${RESTART_BUDGET.crashes} crashes in ${RESTART_BUDGET.windowMs / 60_000} minutes`);
      this.setState('failed');
    }
  }

  private log(line: string): void {
    this.options.log?.(line);
    this.logEmitter.fire(line);
  }

  private async ready(): Promise<MessageConnection> {
    await this.start();
    if (!this.connection) throw new Error('the supervisor is not running');
    return this.connection;
  }

  async startSandbox(params: StartParams): Promise<string> {
    const c = await this.ready();
    return startResult.parse(await c.sendRequest(Start.type, params)).id;
  }

  async stop(id: string, graceMs?: number): Promise<void> {
    await (await this.ready()).sendRequest(Stop.type, graceMs === undefined ? { id } : { id, graceMs });
  }

  async kill(id: string): Promise<void> {
    await (await this.ready()).sendRequest(Kill.type, { id });
  }

  async suspend(id: string): Promise<void> {
    await (await this.ready()).sendRequest(Suspend.type, { id });
  }

  async resume(id: string): Promise<void> {
    await (await this.ready()).sendRequest(Resume.type, { id });
  }

  async write(id: string, data: string): Promise<void> {
    await (await this.ready()).sendRequest(Write.type, { id, data });
  }

  async list(): Promise<SandboxInfo[]> {
    return listResult.parse(await (await this.ready()).sendRequest(List.type, null)).sandboxes;
  }

  async recentOutput(id: string): Promise<string> {
    return recentOutputResult.parse(await (await this.ready()).sendRequest(RecentOutput.type, { id })).data;
  }

  async stats(): Promise<StatsResult> {
    return statsResult.parse(await (await this.ready()).sendRequest(Stats.type, null));
  }

  async doctor(): Promise<DoctorResult> {
    return doctorResult.parse(await (await this.ready()).sendRequest(Doctor.type, null));
  }

  /** Asks the supervisor to kill every sandbox and exit; kills it if it does not within a few seconds. */
  async shutdown(): Promise<void> {
    const child = this.child;
    if (!child) return this.setState('stopped');
    this.deliberateExit = true;
    const gone = this.gone;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref());
    this.connection?.sendRequest(Shutdown.type, null).catch(() => undefined);
    await Promise.race([gone, timeout]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await gone;
  }

  dispose(): void {
    void this.shutdown();
    for (const e of [this.stateEmitter, this.sandboxStateEmitter, this.outputEmitter, this.usageEmitter, this.warningEmitter, this.logEmitter, this.deniedEmitter]) e.dispose();
  }
}
