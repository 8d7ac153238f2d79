import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { SupervisorErrorCodes } from '../protocol/errors';
import type { DeniedNotification, SandboxInfo, StartParams, StateNotification } from '../protocol/sandbox';
import type { StatsResult } from '../protocol/supervisor';
import type { UsageNotification, WarningNotification } from '../protocol/usage';
import { AuditLog } from '../sandbox/audit';
import { describeDenial } from '../sandbox/denials';
import { SandboxError } from '../sandbox/errors';
import { effectiveLimits } from '../sandbox/limits';
import { UsageTicker } from '../sandbox/monitor';
import { resolveGrantPath } from '../sandbox/policy';
import { MANIFEST_RELATIVE_PATH } from '../sandbox/errors';
import { Sandbox, type SandboxResult } from '../sandbox/sandbox';
import { readProcessTable } from '../sandbox/procfs';
import { OutputRelay, RecentOutput, type OutputChunk } from './outputRelay';

/** Where the supervisor's notifications go, and whether the client keeps up. */
export interface NotificationSink {
  state(n: StateNotification): void;
  output(chunk: OutputChunk): void;
  usage(n: UsageNotification): void;
  warning(n: WarningNotification): void;
  denied(n: DeniedNotification): void;
  /** True while unsent output piles up: the tools' output is paused until `onDrain`. */
  congested(): boolean;
  onDrain(listener: () => void): void;
}

export interface SupervisorOptions {
  auditLog: string | null;
  sampleIntervalMs: number;
  warnAt: number;
  maxSandboxes: number;
  graceMs: number;
  /** NAME=VALUE put into every sandbox's environment, for the reaper. */
  marker: string | null;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = { auditLog: null, sampleIntervalMs: 1000, warnAt: 0.8, maxSandboxes: 64, graceMs: 2000, marker: null };

interface Entry {
  sandbox: Sandbox;
  params: StartParams;
  cwd: string;
  requestedAt: number;
  result: SandboxResult | null;
  recent: RecentOutput;
}

/** Finished sandboxes kept for `sandbox/list` before the oldest are forgotten. */
const KEEP_FINISHED = 50;
const TERMINAL = new Set(['exited', 'failed', 'killed']);

/** Owns every sandbox of one client: starts them, relays their events, enforces the cap, keeps stats. */
export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  private ticker: UsageTicker;
  private audit: AuditLog | null = null;
  private readonly relay: OutputRelay;
  private outputPaused = false;
  private stats = { created: 0, peakActive: 0, limitKills: 0, startMsTotal: 0, started: 0 };
  private readonly bornAt = Date.now();

  constructor(private readonly sink: NotificationSink, private options: SupervisorOptions = DEFAULT_SUPERVISOR_OPTIONS) {
    this.relay = new OutputRelay((n) => this.sendOutput(n));
    this.ticker = this.makeTicker();
    sink.onDrain(() => this.setOutputPaused(false));
  }

  configure(options: Partial<SupervisorOptions>): void {
    this.options = { ...this.options, ...options };
    this.ticker = this.makeTicker();
    this.audit?.close();
    this.audit = this.options.auditLog ? new AuditLog(this.options.auditLog) : null;
  }

  private makeTicker(): UsageTicker {
    const ticker = new UsageTicker(this.options.sampleIntervalMs);
    ticker.onDidTick((at) => {
      const samples = [...this.entries.entries()]
        .filter(([, e]) => e.sandbox.state === 'running' || e.sandbox.state === 'stopping')
        .flatMap(([id, e]) => {
          const u = e.sandbox.latestUsage;
          return u ? [{ id, cpuPercent: u.cpuPercent, memoryBytes: u.memoryBytes, processes: u.processes, cpuSeconds: u.cpuSeconds }] : [];
        });
      if (samples.length) this.sink.usage({ at, samples });
    });
    return ticker;
  }

  get active(): number {
    let n = 0;
    for (const e of this.entries.values()) if (!TERMINAL.has(e.sandbox.state)) n++;
    return n;
  }

  start(params: StartParams): { id: string } {
    if (this.active >= this.options.maxSandboxes) {
      throw new ResponseError(SupervisorErrorCodes.TooManySandboxes, `${this.options.maxSandboxes} sandboxes are running, the most allowed; stop one first`);
    }
    const workspace = path.resolve(params.workspace);
    const cwd = params.cwd ? path.resolve(workspace, params.cwd) : workspace;
    let sandbox: Sandbox;
    try {
      sandbox = new Sandbox(
        {
          tool: params.tool,
          command: params.command,
          cwd,
          workspace,
          policy: {
            read: params.policy.read.map((p) => resolveGrantPath(workspace, p)),
            write: params.policy.write.map((p) => resolveGrantPath(workspace, p)),
            net: params.policy.net,
            env: params.policy.env,
          },
          limits: effectiveLimits(params.limits),
          backend: params.backend ?? 'auto',
          stdin: 'pipe',
          output: 'pipe',
          hostEnv: process.env,
          manifestFile: path.join(workspace, MANIFEST_RELATIVE_PATH),
          graceMs: this.options.graceMs,
          warnAt: this.options.warnAt,
          extraEnv: markerEnv(this.options.marker),
          allowUnisolated: params.allowUnisolated,
        },
        { ticker: this.ticker, audit: this.audit },
      );
    } catch (err) {
      throw toResponseError(err);
    }
    const id = sandbox.id;
    const entry: Entry = { sandbox, params, cwd, requestedAt: Date.now(), result: null, recent: new RecentOutput() };
    this.entries.set(id, entry);
    this.stats.created++;
    this.stats.peakActive = Math.max(this.stats.peakActive, this.active);
    sandbox.onOutput(({ stream, data }) => {
      entry.recent.push(data);
      this.relay.push(id, stream, data);
    });
    sandbox.onWarning((w) => this.sink.warning({ id, ...w }));
    sandbox.onDenial((d) => this.sink.denied({ id, kind: d.kind, path: d.path, message: describeDenial(d) }));
    sandbox.onDidChangeState((state) => {
      if (state === 'running') {
        this.stats.started++;
        this.stats.startMsTotal += Date.now() - entry.requestedAt;
        if (!params.interactive) sandbox.closeStdin();
        if (this.outputPaused) sandbox.setOutputFlowing(false);
      }
      if (!TERMINAL.has(state)) this.sink.state({ id, state });
    });
    // Answer first, then run: the client learns the id before any notification about it.
    setImmediate(() => {
      this.sink.state({ id, state: 'created' });
      sandbox.run().then(
        (result) => this.finished(id, entry, result, null),
        (err) => this.finished(id, entry, null, (err as Error).message),
      );
    });
    return { id };
  }

  private finished(id: string, entry: Entry, result: SandboxResult | null, failure: string | null): void {
    entry.result = result;
    if (result?.limit) this.stats.limitKills++;
    this.relay.flush(id);
    this.sink.state(
      result
        ? { id, state: entry.sandbox.state, exitCode: result.exitCode, signal: result.signal, limit: result.limit }
        : { id, state: 'failed', exitCode: null, signal: null, limit: null, message: failure ?? 'failed' },
    );
    const finished = [...this.entries.entries()].filter(([, e]) => TERMINAL.has(e.sandbox.state));
    for (const [oldId] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.entries.delete(oldId);
  }

  private get(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new ResponseError(SupervisorErrorCodes.UnknownSandbox, `no sandbox ${id}`);
    return entry;
  }

  /** Runs `action` on sandbox `id`; an engine refusal (e.g. suspend under `job`) becomes a JSON-RPC error. */
  private act(id: string, action: (sandbox: Sandbox) => unknown): null {
    const { sandbox } = this.get(id);
    try {
      action(sandbox);
    } catch (err) {
      throw toResponseError(err);
    }
    return null;
  }

  stop(id: string, graceMs?: number): null {
    return this.act(id, (s) => s.stop(graceMs));
  }

  kill(id: string): null {
    return this.act(id, (s) => s.kill());
  }

  suspend(id: string): null {
    return this.act(id, (s) => s.suspend());
  }

  resume(id: string): null {
    return this.act(id, (s) => s.resume());
  }

  write(id: string, data: string): null {
    return this.act(id, (s) => s.write(data));
  }

  recentOutput(id: string): { data: string } {
    return { data: this.get(id).recent.snapshot().toString('base64') };
  }

  list(): { sandboxes: SandboxInfo[] } {
    return {
      sandboxes: [...this.entries.entries()].map(([id, e]) => {
        const u = e.sandbox.latestUsage;
        return {
          id,
          tool: e.params.tool,
          command: e.params.command,
          workspace: e.params.workspace,
          cwd: e.cwd,
          state: e.sandbox.state,
          backend: e.sandbox.backend,
          policy: e.params.policy,
          limits: { ...effectiveLimits(e.params.limits) },
          startedAt: e.requestedAt,
          usage: u ? { cpuPercent: u.cpuPercent, memoryBytes: u.memoryBytes, processes: u.processes, cpuSeconds: u.cpuSeconds } : null,
          exitCode: e.result?.exitCode ?? null,
          signal: e.result?.signal ?? null,
          limit: e.result?.limit ?? null,
        };
      }),
    };
  }

  statistics(): StatsResult {
    const cpu = process.cpuUsage();
    return {
      created: this.stats.created,
      active: this.active,
      peakActive: this.stats.peakActive,
      limitKills: this.stats.limitKills,
      avgStartMs: this.stats.started ? this.stats.startMsTotal / this.stats.started : 0,
      rssBytes: process.memoryUsage.rss(),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      uptimeSeconds: (Date.now() - this.bornAt) / 1000,
    };
  }

  /** Kills every sandbox and waits until each has finished. */
  async shutdown(): Promise<void> {
    const running = [...this.entries.values()].filter((e) => !TERMINAL.has(e.sandbox.state));
    this.killEach(running);
    await Promise.allSettled(running.map((e) => e.sandbox.done));
    this.audit?.close();
  }

  /** Synchronous last resort (a crash): SIGKILL everything still running. */
  killAllNow(): void {
    this.killEach([...this.entries.values()].filter((e) => !TERMINAL.has(e.sandbox.state)));
  }

  /** One /proc read for all of them: a read per sandbox made a shutdown cost grow with the square of their count. */
  private killEach(entries: Entry[]): void {
    if (entries.length === 0) return;
    const table = process.platform === 'linux' ? readProcessTable() : undefined;
    for (const e of entries) e.sandbox.kill(table);
  }

  private sendOutput(chunk: OutputChunk): void {
    this.sink.output(chunk);
    if (!this.outputPaused && this.sink.congested()) this.setOutputPaused(true);
  }

  private setOutputPaused(paused: boolean): void {
    if (this.outputPaused === paused) return;
    this.outputPaused = paused;
    for (const e of this.entries.values()) if (e.sandbox.state === 'running') e.sandbox.setOutputFlowing(!paused);
  }
}

function markerEnv(marker: string | null): Record<string, string> {
  if (!marker) return {};
  const eq = marker.indexOf('=');
  return { [marker.slice(0, eq)]: marker.slice(eq + 1) };
}

function toResponseError(err: unknown): ResponseError<void> {
  if (err instanceof SandboxError) {
    switch (err.kind) {
      case 'usage':
        return new ResponseError(SupervisorErrorCodes.Refused, err.message);
      case 'not-found':
        return new ResponseError(SupervisorErrorCodes.CommandNotFound, err.message);
      case 'start':
        return new ResponseError(SupervisorErrorCodes.StartFailed, err.message);
    }
  }
  return new ResponseError(SupervisorErrorCodes.StartFailed, (err as Error)?.message ?? String(err));
}
