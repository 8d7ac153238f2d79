import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { constants as osConstants } from 'node:os';
import type { AuditSink } from './audit';
import { createCgroup, type Cgroup } from './cgroup';
import { describeDenial, findDenials, type Denial } from './denials';
import { plantedGitMetadata } from './gitMetadata';
import { SandboxError } from './errors';
import { Emitter, type Disposable } from './events';
import { launchArgv, launchEnv, newSandboxId, prepareRun, resolveBackend, StatusFile } from './launch';
import { watchdogThresholds, type EffectiveLimits, type LimitKind, type WatchdogThresholds } from './limits';
import { TreeMeter, judge, type UsageSample, type UsageTicker, type WatchedResource } from './monitor';
import { capabilitiesOf, describeCapability, type Policy } from './policy';
import { type Preparation } from './prepare';
import { probeHost, type HostFacts } from './probe';
import { descendants, pidsWithEnvMarker, signalPids, type ProcessSnapshot, type ProcessTable, readProcessTable } from './procfs';

export { dryRun, resolveBackend } from './launch';

export type BackendName = 'bwrap' | 'job' | 'none';
export type BackendChoice = BackendName | 'auto';
export type SandboxState = 'created' | 'starting' | 'running' | 'suspended' | 'stopping' | 'exited' | 'failed' | 'killed';
export type OutputStream = 'stdout' | 'stderr';

export interface SandboxSpec {
  id?: string;
  tool: string | null;
  command: string[];
  cwd: string;
  workspace: string;
  policy: Policy;
  limits: EffectiveLimits;
  backend: BackendChoice;
  /** `inherit` hands the tool our descriptors (byte-identical, tty kept); `pipe` delivers `onOutput`. */
  stdin: 'inherit' | 'pipe';
  output: 'inherit' | 'pipe';
  hostEnv: NodeJS.ProcessEnv;
  manifestFile: string | null;
  /** Grace between SIGTERM and SIGKILL when stopping, including on the wall timeout. */
  graceMs: number;
  warnAt: number;
  /** Variables the caller adds to the tool's environment (the supervisor's marker for its reaper). */
  extraEnv?: Record<string, string>;
  /** The user confirmed running under a backend that cannot give the isolation the policy asks for (`job`). */
  allowUnisolated?: boolean;
}

export interface SandboxResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  limit: LimitKind | null;
  durationMs: number;
  peakMemoryBytes: number;
  cpuSeconds: number;
  backend: BackendName;
  policy: Policy;
}

export interface SandboxDeps {
  ticker: UsageTicker;
  audit: AuditSink | null;
  facts?: HostFacts;
}

const signalNumber = (name: NodeJS.Signals): number => osConstants.signals[name];

/** How much of a tool's stderr is read for refused accesses, and how many are reported: bounded work. */
const DENIAL_SCAN_BYTES = 1024 * 1024;
const MAX_DENIALS = 20;

/**
 * One sandboxed run of a tool: prepared and spawned by `start`, watched on every tick of the shared
 * ticker, ended by the tool, a limit, or `stop`/`kill`. Nothing of the tool outlives `done`: under bwrap the
 * pid namespace dies with its init; the cgroup (where there is one) and a scan for the sandbox's
 * environment marker catch the rest.
 */
export class Sandbox {
  readonly id: string;
  readonly backend: BackendName;
  readonly preparation: Preparation | null;
  private result: Promise<SandboxResult> | undefined;

  private readonly stateEmitter = new Emitter<SandboxState>();
  private readonly outputEmitter = new Emitter<{ stream: OutputStream; data: Buffer }>();
  private readonly usageEmitter = new Emitter<UsageSample>();
  private readonly warningEmitter = new Emitter<{ resource: WatchedResource; percent: number }>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onOutput = this.outputEmitter.event;
  readonly onUsage = this.usageEmitter.event;
  readonly onWarning = this.warningEmitter.event;
  private readonly denialEmitter = new Emitter<Denial>();
  /** Accesses the sandbox refused, as the tool's error output reported them (piped output only). */
  readonly onDenial = this.denialEmitter.event;
  private readonly denied = new Set<string>();
  private scannedBytes = 0;

  private _state: SandboxState = 'created';
  private child!: ChildProcess;
  private readonly infrastructure = new Set<number>();
  private toolExitCode: number | null = null;
  private limit: LimitKind | null = null;
  private killedByRequest = false;
  private outputBytes = 0;
  private readonly warned = new Set<WatchedResource>();
  private readonly thresholds: WatchdogThresholds;
  private meter!: TreeMeter;
  private cgroup: Cgroup | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly subscriptions: Disposable[] = [];
  private readonly startedAt = Date.now();
  private privateHome: string | null = null;
  private readonly marker: string;
  private exited = false;
  private killRequested = false;
  private readonly facts: HostFacts;
  private status: StatusFile | undefined;

  /** Prepares and launches in one step (the CLI's way). */
  static start(spec: SandboxSpec, deps: SandboxDeps): Sandbox {
    const sandbox = new Sandbox(spec, deps);
    sandbox.run();
    return sandbox;
  }

  /** Prepares the run (and throws SandboxError for what cannot run); `run()` launches it. */
  constructor(private readonly spec: SandboxSpec, private readonly deps: SandboxDeps) {
    this.id = spec.id ?? newSandboxId();
    this.marker = `WSB_SANDBOX_ID=${this.id}`;
    this.thresholds = watchdogThresholds(spec.limits, spec.warnAt);
    const facts = (this.facts = deps.facts ?? probeHost(spec.hostEnv));
    try {
      this.backend = resolveBackend(spec.backend, facts);
      this.preparation = prepareRun(spec, this.backend, facts, true);
    } catch (err) {
      if (err instanceof SandboxError) deps.audit?.append({ event: 'denied', id: this.id, tool: spec.tool, reason: err.message });
      throw err;
    }
  }

  run(): Promise<SandboxResult> {
    this.result ??= this.launch(this.facts);
    return this.result;
  }

  /** Settles when the run is over and nothing of the tool remains. */
  get done(): Promise<SandboxResult> {
    return this.run();
  }

  get state(): SandboxState {
    return this._state;
  }

  /** The process the tree hangs from (bwrap, or the tool under `none`), once spawned. */
  get rootPid(): number | undefined {
    return this.child?.pid;
  }

  get latestUsage(): UsageSample | undefined {
    return this.meter?.latest;
  }

  private setState(state: SandboxState): void {
    if (this._state === state) return;
    this._state = state;
    this.stateEmitter.fire(state);
  }

  private async launch(facts: HostFacts): Promise<SandboxResult> {
    const { spec } = this;
    this.setState('starting');
    this.cgroup = createCgroup(this.id, spec.limits);
    const home = this.preparation ? this.preparation.plan.home : (this.privateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'wsb-home-')));
    const argv = launchArgv(spec, this.backend, this.preparation, facts, this.cgroup?.procsFiles ?? []);
    this.audit();
    if (this.backend !== 'none') this.status = new StatusFile(this.id);
    this.child = spawn(argv[0], argv.slice(1), {
      cwd: spec.cwd,
      env: launchEnv(spec, this.backend, home, this.id),
      stdio: [spec.stdin, spec.output, spec.output, this.status?.fd ?? 'ignore'],
      // A process group of its own to signal on POSIX; on Windows the helper must stay in Node's own
      // kill-on-close job, so that a dead supervisor takes winjob.exe (and so the tool's job) with it.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const { child } = this;
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.on('data', (data: Buffer) => this.onChunk(stream, data));
    }

    try {
      await spawned;
    } catch (err) {
      this.cleanup();
      this.setState('failed');
      throw new SandboxError('start', `could not start ${argv[0]}: ${(err as Error).message}`);
    }
    this.infrastructure.add(child.pid!);
    this.meter = new TreeMeter(child.pid!);
    // The job object enforces memory, processes and CPU itself; there is no /proc to watch on Windows.
    if (this.backend !== 'job') this.subscriptions.push(this.deps.ticker.subscribe(this));
    if (spec.limits.timeoutSeconds !== null) {
      this.timers.push(setTimeout(() => this.hitLimit('wall'), spec.limits.timeoutSeconds * 1000));
    }
    this.setState('running');
    if (this.killRequested) this.kill();

    const { code, signal } = await exited;
    this.exited = true;
    this.finishTree();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
    const status = this.status?.read();
    if (status?.childPid !== undefined && this.backend === 'bwrap') this.infrastructure.add(status.childPid);
    this.toolExitCode = status?.exitCode ?? null;
    if (status?.limit) this.limit ??= status.limit;
    if (this.backend === 'bwrap' && this.preparation) this.quarantinePlantedGit(this.preparation);
    return this.finish(code, signal, this.backend === 'none' || status?.childPid !== undefined);
  }

  private onChunk(stream: OutputStream, data: Buffer): void {
    this.outputBytes += data.length;
    this.outputEmitter.fire({ stream, data });
    if (stream === 'stderr' && this.backend === 'bwrap' && this.scannedBytes < DENIAL_SCAN_BYTES) {
      this.scannedBytes += data.length;
      for (const d of findDenials(data.toString())) this.denial(d);
    }
    const max = this.spec.limits.maxOutputMb;
    if (max !== null && this.outputBytes > max * 1024 * 1024) this.hitLimit('output');
  }

  /** Every tick: measure the tree, warn at the threshold, kill on overrun. */
  onTable(snapshot: ProcessSnapshot, now: number): void {
    if (this.exited || this._state === 'suspended') return;
    if (this.infrastructure.size < 2 && this.status) {
      const childPid = this.status.read().childPid;
      if (childPid !== undefined) this.infrastructure.add(childPid);
    }
    const sample = this.meter.measure(snapshot, now, this.infrastructure);
    this.usageEmitter.fire(sample);
    const verdict = judge(sample, this.outputBytes, this.thresholds, this.warned);
    for (const w of verdict.warnings) this.warningEmitter.fire(w);
    if (verdict.exceeded) this.hitLimit(verdict.exceeded);
    else if (this.cgroup?.oomKilled()) this.hitLimit('memory');
  }

  private denial(d: Denial): void {
    const key = `${d.kind}\0${d.path}`;
    if (this.denied.has(key) || this.denied.size >= MAX_DENIALS) return;
    this.denied.add(key);
    this.deps.audit?.append({ event: 'denied', id: this.id, tool: this.spec.tool, reason: `refused by the sandbox: ${describeDenial(d)}` });
    this.denialEmitter.fire(d);
  }

  /**
   * Git metadata the tool planted under its write grants (a repository whose config runs a program, say)
   * would have git, and VS Code's git extension, run the tool's code outside the sandbox. Mounts cannot
   * forbid creating it, so once the whole tree is gone it is moved aside and named.
   */
  private quarantinePlantedGit(preparation: Preparation): void {
    for (const planted of plantedGitMetadata(preparation.git, preparation.writeDirs)) {
      let movedTo: string | null = `${planted.path}.wsb-quarantine`;
      for (let n = 2; fs.existsSync(movedTo); n++) movedTo = `${planted.path}.wsb-quarantine-${n}`;
      try {
        fs.renameSync(planted.path, movedTo);
      } catch {
        movedTo = null;
      }
      const d: Denial = { kind: 'git', path: planted.path, movedTo };
      this.deps.audit?.append({ event: 'denied', id: this.id, tool: this.spec.tool, reason: `${describeDenial(d)}: ${planted.reasons.join(', ')}`, movedTo });
      this.denialEmitter.fire(d);
    }
  }

  private hitLimit(limit: LimitKind): void {
    if (this.limit || this.exited) return;
    this.limit = limit;
    const value = this.limitValue(limit);
    this.deps.audit?.append({ event: 'limit', id: this.id, limit, value });
    if (limit === 'wall') this.stop(this.spec.graceMs);
    else this.kill();
  }

  private limitValue(limit: LimitKind): number | null {
    const l = this.spec.limits;
    switch (limit) {
      case 'memory':
        return l.memoryMb;
      case 'cpu':
        return l.cpuSeconds;
      case 'wall':
        return l.timeoutSeconds;
      case 'processes':
        return l.maxProcesses;
      case 'output':
        return l.maxOutputMb;
      case 'fileSize':
        return l.maxFileSizeMb;
    }
  }

  /** Every process of the tree, bwrap's own included, read afresh (none to read under `job`). */
  private treePids(table?: ProcessTable): number[] {
    if (!this.child?.pid || this.backend === 'job') return [];
    return descendants(table ?? readProcessTable(), this.child.pid).map((p) => p.pid);
  }

  /** SIGTERM to the tool's processes (not bwrap's), SIGKILL to all after `graceMs`. */
  stop(graceMs = this.spec.graceMs): void {
    if (this.exited || this._state === 'stopping') return;
    // Windows has no SIGTERM to give a tree: stopping a job is ending it.
    if (!this.child?.pid || this.backend === 'job') return this.kill();
    this.deps.audit?.append({ event: 'signal', id: this.id, action: `stop (grace ${graceMs} ms)` });
    this.killedByRequest = true;
    this.setState('stopping');
    const tree = this.treePids();
    const tool = tree.filter((pid) => !this.infrastructure.has(pid));
    if (tool.length === 0) return this.kill();
    signalPids(tree, 'SIGCONT');
    signalPids(tool, 'SIGTERM');
    this.timers.push(setTimeout(() => this.kill(), graceMs));
  }

  /** SIGKILL to the whole tree; `table` is a /proc table read once for many kills (a shutdown). */
  kill(table?: ProcessTable): void {
    if (this.exited) return;
    this.killedByRequest = true;
    if (!this.child?.pid) {
      this.killRequested = true;
      return;
    }
    if (this.backend === 'job') {
      // TerminateProcess on winjob.exe closes the job handle; kill-on-close ends the whole tree.
      this.child.kill('SIGKILL');
      return;
    }
    if (this._state !== 'stopping') this.setState('stopping');
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // the group leader may already be gone
    }
    signalPids(this.treePids(table), 'SIGKILL');
    this.cgroup?.killAll();
  }

  /** SIGSTOP the whole tree; repeated so that a child forked meanwhile is caught too. */
  suspend(): void {
    if (this.backend === 'job') throw new SandboxError('usage', 'suspend: the job backend cannot suspend a tree yet');
    if (this._state !== 'running') return;
    for (let round = 0; round < 3; round++) signalPids(this.treePids(), 'SIGSTOP');
    this.setState('suspended');
  }

  resume(): void {
    if (this.backend === 'job') throw new SandboxError('usage', 'resume: the job backend cannot suspend a tree yet');
    if (this._state !== 'suspended') return;
    signalPids(this.treePids().reverse(), 'SIGCONT');
    this.setState('running');
  }

  write(data: string | Buffer): boolean {
    return this.child?.stdin?.write(data) ?? false;
  }

  closeStdin(): void {
    this.child?.stdin?.end();
  }

  /** Back-pressure: a consumer that cannot keep up pauses the tool's output (the tool then blocks on write). */
  setOutputFlowing(flowing: boolean): void {
    for (const s of [this.child?.stdout, this.child?.stderr]) {
      if (flowing) s?.resume();
      else s?.pause();
    }
  }

  /** After the root exits: nothing of the tool may remain. */
  private finishTree(): void {
    this.cgroup?.killAll();
    if (this.backend === 'none') {
      const pid = this.child.pid!;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // group already empty
      }
      for (let round = 0; round < 5; round++) {
        const stray = pidsWithEnvMarker(this.marker).filter((p) => p !== process.pid);
        if (stray.length === 0) break;
        signalPids(stray, 'SIGKILL');
      }
    }
  }

  private finish(code: number | null, signal: NodeJS.Signals | null, started: boolean): SandboxResult {
    const peak = Math.max(this.meter?.peakMemoryBytes ?? 0, this.cgroup?.peakMemoryBytes() ?? 0);
    if (!this.limit && this.cgroup?.oomKilled()) this.limit = 'memory';
    this.cleanup();
    if (!started) {
      this.setState('failed');
      const launcher = this.backend === 'job' ? 'winjob.exe' : 'bwrap';
      const failure = new SandboxError('start', `the sandbox could not start (${launcher} exited with ${code ?? signal}); run \`wsb doctor\` to see why`);
      this.deps.audit?.append({ event: 'denied', id: this.id, tool: this.spec.tool, reason: failure.message });
      throw failure;
    }
    const exitCode = this.preparation ? (this.toolExitCode ?? (signal ? null : code)) : code;
    const status = exitCode ?? (signal ? 128 + signalNumber(signal) : 0);
    const cpuSeconds = this.meter?.latest?.cpuSeconds ?? 0;
    if (!this.limit) this.limit = this.kernelLimit(status, cpuSeconds);
    const result: SandboxResult = {
      exitCode,
      signal: exitCode === null ? signal : null,
      limit: this.limit,
      durationMs: Date.now() - this.startedAt,
      peakMemoryBytes: peak,
      cpuSeconds,
      backend: this.backend,
      policy: this.spec.policy,
    };
    this.deps.audit?.append({ event: 'exit', id: this.id, ...result, signal: result.signal });
    this.setState(this.killedByRequest || this.limit ? 'killed' : 'exited');
    return result;
  }

  /** Limits the kernel enforced itself, read off the status (128 + signal): SIGXFSZ, SIGXCPU, or SIGKILL at the hard CPU limit. */
  private kernelLimit(status: number, cpuSeconds: number): LimitKind | null {
    if (this.backend === 'job') return null; // winjob.exe reports its limits on the status descriptor
    const { maxFileSizeMb, cpuSeconds: cpuLimit } = this.spec.limits;
    if (maxFileSizeMb !== null && status === 128 + signalNumber('SIGXFSZ')) return 'fileSize';
    if (cpuLimit !== null && status === 128 + signalNumber('SIGXCPU')) return 'cpu';
    if (cpuLimit !== null && status === 128 + signalNumber('SIGKILL') && cpuSeconds >= cpuLimit * 0.8) return 'cpu';
    return null;
  }

  private cleanup(): void {
    this.status?.close();
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
    this.cgroup?.remove();
    if (this.privateHome) fs.rmSync(this.privateHome, { recursive: true, force: true });
  }

  private audit(): void {
    const { spec, preparation } = this;
    this.deps.audit?.append({
      event: 'start',
      id: this.id,
      tool: spec.tool,
      command: spec.command,
      cwd: spec.cwd,
      workspace: spec.workspace,
      backend: this.backend,
      policy: spec.policy,
      limits: spec.limits,
      grants: capabilitiesOf(spec.policy).map(describeCapability),
      created: preparation?.created ?? [],
      skippedReads: preparation?.skippedReads ?? [],
      toolchain: preparation?.toolchain ?? [],
      cgroup: this.cgroup?.version ?? null,
    });
  }
}
