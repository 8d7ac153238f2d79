import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBwrapArgv } from './bwrap';
import { joinCommand } from './cgroup';
import { SandboxError } from './errors';
import { prlimitOptions, tmpfsBytes } from './limits';
import { sandboxEnv } from './policy';
import { prepare, type Preparation } from './prepare';
import { probeHost, type HostFacts } from './probe';
import type { BackendChoice, BackendName, SandboxSpec } from './sandbox';
import { whichCommand } from './toolchain';
import { windowsEnv, windowsProfileDirs } from './windows/env';
import { unisolatedRequests } from './windows/isolation';
import { parseWinjobStatus, winjobArgv, type WinjobStatus } from './windows/winjob';

/**
 * Which backend `choice` means on this host. `auto` is bwrap on Linux and the job object on Windows, and
 * never falls back to `none`: losing isolation is opt-in.
 */
export function resolveBackend(choice: BackendChoice, facts: HostFacts): BackendName {
  if (choice === 'none') return 'none';
  if (facts.platform === 'win32') {
    if (choice === 'bwrap') throw new SandboxError('usage', 'backend: bwrap is Linux-only; on Windows the backend is job');
    if (!facts.winjobPath) throw new SandboxError('start', 'winjob.exe, the job-object launcher, is missing from the installation; run `wsb doctor`');
    return 'job';
  }
  if (choice === 'job') throw new SandboxError('usage', 'backend: job (Windows job objects) is Windows-only; on Linux the backend is bwrap');
  if (!facts.bwrapPath) {
    throw new SandboxError(
      'start',
      'bubblewrap (bwrap) is not installed; install it (Debian/Ubuntu: sudo apt-get install bubblewrap, Fedora: sudo dnf install bubblewrap) or run `wsb doctor`. `--backend none` runs without isolation.',
    );
  }
  return 'bwrap';
}

/**
 * Resolves the request against the host. `none` and `job` isolate no files; they still check the workspace
 * and cwd, resolve the command and (at launch) scrub the environment. `job` runs only once the user
 * confirmed what it cannot isolate. `create: false` changes nothing on disk.
 */
export function prepareRun(spec: SandboxSpec, backend: BackendName, facts: HostFacts, create: boolean): Preparation | null {
  if (backend === 'bwrap') return prepare({ ...spec, hostPath: spec.hostEnv.PATH, tmpfsBytes: tmpfsBytes(spec.limits), create }, facts);
  if (backend === 'job' && !spec.allowUnisolated) {
    const reasons = unisolatedRequests(spec.policy);
    if (reasons.length) {
      throw new SandboxError('usage', `the job backend enforces limits but isolates nothing else: ${reasons.join('; ')}. Run it anyway only if you trust the tool (--allow-unisolated)`);
    }
  }
  for (const [field, p] of [['workspace', spec.workspace], ['cwd', spec.cwd]] as const) {
    if (!fs.existsSync(p)) throw new SandboxError('usage', `${field}: ${p} does not exist`);
  }
  if (!whichCommand(spec.command[0], spec.hostEnv.PATH ?? spec.hostEnv.Path, spec.cwd)) throw new SandboxError('not-found', `command not found: ${spec.command[0]}`);
  return null;
}

/** The whole command line of a run: cgroup join, rlimits, bwrap, the tool; or winjob.exe and the tool. */
export function launchArgv(spec: SandboxSpec, backend: BackendName, preparation: Preparation | null, facts: HostFacts, cgroupProcs: readonly string[]): string[] {
  if (backend === 'job') return [facts.winjobPath!, ...winjobArgv(spec.limits, spec.command, STATUS_FD_INDEX)];
  const argv: string[] = [];
  if (cgroupProcs.length) argv.push(...joinCommand(cgroupProcs));
  const rlimits = prlimitOptions(spec.limits, facts.openFiles);
  if (facts.prlimitPath && rlimits.length) argv.push(facts.prlimitPath, ...rlimits, '--');
  if (preparation) argv.push(facts.bwrapPath!, ...buildBwrapArgv(preparation.plan), '--');
  argv.push(...spec.command);
  return argv;
}

/** The stdio index of the status descriptor (bwrap's --json-status-fd, winjob's --status-fd). */
export const STATUS_FD_INDEX = 3;

/** The tool's starting environment, with its private HOME (created here for the backends without bwrap). */
export function launchEnv(spec: SandboxSpec, backend: BackendName, home: string, id: string): Record<string, string> {
  if (backend === 'job') {
    for (const dir of windowsProfileDirs(home)) fs.mkdirSync(dir, { recursive: true });
    return { ...windowsEnv(spec.hostEnv, spec.policy.env, home, id), ...spec.extraEnv };
  }
  return { ...sandboxEnv(spec.hostEnv, spec.policy.env, home, id), ...spec.extraEnv };
}

/** What `start` would run, without running it or changing anything on disk (`wsb run --dry-run`). */
export function dryRun(spec: SandboxSpec, facts: HostFacts = probeHost(spec.hostEnv)): string[] {
  const backend = resolveBackend(spec.backend, facts);
  return launchArgv(spec, backend, prepareRun(spec, backend, facts, false), facts, []);
}

let sandboxCount = 0;

/** Unique within the host for the life of the process; not a secret (a tool can read its own). */
export function newSandboxId(): string {
  return `${Date.now().toString(36)}${process.pid.toString(36)}${(sandboxCount++).toString(36)}`;
}

/**
 * The status descriptor (bwrap's --json-status-fd, winjob.exe's --status-fd: the same JSON lines), backed
 * by a temporary file rather than a pipe: reading it costs a pread when needed, and no stream machinery
 * loads on the start-up path. Unlinked at once where the OS allows it (not Windows: removed at close).
 */
export class StatusFile {
  readonly fd: number;
  private readonly file: string;
  private readonly unlinked: boolean;

  constructor(id: string) {
    this.file = path.join(os.tmpdir(), `wsb-status-${id}`);
    this.fd = fs.openSync(this.file, 'w+', 0o600);
    this.unlinked = process.platform !== 'win32';
    if (this.unlinked) fs.unlinkSync(this.file);
  }

  read(): WinjobStatus {
    const size = fs.fstatSync(this.fd).size;
    const buf = Buffer.alloc(size);
    fs.readSync(this.fd, buf, 0, size, 0);
    return parseWinjobStatus(buf.toString());
  }

  close(): void {
    fs.closeSync(this.fd);
    if (!this.unlinked) fs.rmSync(this.file, { force: true });
  }
}
