import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EffectiveLimits } from './limits';
import { signalPids } from './procfs';

/**
 * A kernel-enforced home for one sandbox's processes: memory and process count capped by the kernel,
 * every member killable at once, peak memory and OOM kills reported. Used where the caller can create one
 * (cgroup v2 with a delegated subtree and the memory and pids controllers enabled); otherwise the watchdog
 * is the only enforcement. The tool joins it before exec (see `joinCommand`), so no child starts outside it.
 */
export interface Cgroup {
  readonly version: 2;
  /** cgroup.procs files the tool must join. */
  readonly procsFiles: string[];
  killAll(): void;
  peakMemoryBytes(): number | null;
  oomKilled(): boolean;
  remove(): void;
}

function write(file: string, value: string): void {
  fs.writeFileSync(file, value);
}

function readNumber(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

function members(procsFile: string): number[] {
  try {
    return fs.readFileSync(procsFile, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killMembers(procsFiles: string[]): void {
  for (let round = 0; round < 50; round++) {
    const pids = procsFiles.flatMap(members);
    if (pids.length === 0) return;
    signalPids(pids, 'SIGKILL');
  }
}

function removeDirs(dirs: string[]): void {
  for (const dir of dirs) {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        fs.rmdirSync(dir);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
        killMembers([path.join(dir, 'cgroup.procs')]);
      }
    }
  }
}

/** Where this process's cgroup v2 lives, if a cgroup2 hierarchy is mounted. */
function ownV2Dir(): string | null {
  try {
    const mount = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .find((f) => f[f.indexOf('-') + 1] === 'cgroup2');
    const rel = fs
      .readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'))
      ?.slice(3);
    return mount && rel !== undefined ? path.join(mount[4], rel) : null;
  } catch {
    return null;
  }
}

function createV2(name: string, limits: EffectiveLimits): Cgroup | null {
  const parent = ownV2Dir();
  if (!parent) return null;
  const dir = path.join(parent, name);
  try {
    fs.mkdirSync(dir);
  } catch {
    return null;
  }
  try {
    // Controllers must be enabled for the subtree by whoever delegated it; without them there is nothing to enforce.
    if (!fs.existsSync(path.join(dir, 'memory.max')) || !fs.existsSync(path.join(dir, 'pids.max'))) throw new Error('no controllers');
    if (limits.memoryMb !== null) {
      write(path.join(dir, 'memory.max'), String(limits.memoryMb * 1024 * 1024));
      write(path.join(dir, 'memory.swap.max'), '0');
    }
    if (limits.maxProcesses !== null) write(path.join(dir, 'pids.max'), String(limits.maxProcesses));
  } catch {
    removeDirs([dir]);
    return null;
  }
  const procs = path.join(dir, 'cgroup.procs');
  return {
    version: 2,
    procsFiles: [procs],
    killAll: () => {
      try {
        write(path.join(dir, 'cgroup.kill'), '1');
      } catch {
        // cgroup.kill arrived in Linux 5.14
      }
      killMembers([procs]);
    },
    peakMemoryBytes: () => readNumber(path.join(dir, 'memory.peak')),
    oomKilled: () => {
      try {
        return /^oom_kill [1-9]/m.test(fs.readFileSync(path.join(dir, 'memory.events'), 'utf8'));
      } catch {
        return false;
      }
    },
    remove: () => removeDirs([dir]),
  };
}

let v2Unusable = false;

/**
 * A cgroup for sandbox `id`, or null where none can be made (the watchdog then enforces alone).
 * cgroup v1 is deliberately not used: joining a v1 cgroup costs about 10 ms per process on these kernels
 * (an RCU grace period), which alone would break the start-up budget, and only root may do it anyway.
 */
export function createCgroup(id: string, limits: EffectiveLimits): Cgroup | null {
  if (v2Unusable) return null;
  const cgroup = createV2(`wsb-${id}`, limits);
  v2Unusable = cgroup === null;
  return cgroup;
}

/**
 * Argv prefix that moves the starting process into the cgroup and then execs the rest. A shell is the
 * smallest exec-in-place we have; the paths travel as arguments, never inside the script text.
 */
export function joinCommand(procsFiles: readonly string[]): string[] {
  return ['/bin/sh', '-c', 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"', 'wsb-cgroup', ...procsFiles, '--'];
}
