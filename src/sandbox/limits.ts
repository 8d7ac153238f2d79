/**
 * The limit fields, their units and whether they take whole numbers. The manifest's zod schema and the
 * command line's flag checks are both built from this table.
 */
export const LIMIT_FIELDS = {
  memoryMb: { integer: true, description: 'Memory of the whole process tree, in MiB (default 4096).' },
  cpuSeconds: { integer: false, description: 'CPU time of the whole process tree, in seconds (default: unlimited).' },
  timeoutSeconds: { integer: false, description: 'Wall-clock time before the tree is stopped, in seconds (default: unlimited).' },
  maxProcesses: { integer: true, description: 'Processes alive at once in the tree (default 1024).' },
  maxFileSizeMb: { integer: true, description: 'Largest file a process may write, in MiB (default: unlimited).' },
  maxOutputMb: { integer: false, description: 'Output on stdout and stderr together, in MiB (default: unlimited).' },
} as const;

export type LimitField = keyof typeof LIMIT_FIELDS;

/** Resource limits a sandbox runs under. Every field is optional; an absent field takes its default. */
export type Limits = { [K in LimitField]?: number };

/** Why `value` is not acceptable for `field`, or null. */
export function limitValueProblem(field: LimitField, value: number): string | null {
  if (!Number.isFinite(value)) return 'must be a number';
  if (value <= 0) return 'must be greater than 0';
  if (LIMIT_FIELDS[field].integer && !Number.isInteger(value)) return 'must be a whole number';
  return null;
}

/** Limits with defaults applied; `null` means unlimited. */
export interface EffectiveLimits {
  memoryMb: number | null;
  cpuSeconds: number | null;
  timeoutSeconds: number | null;
  maxProcesses: number | null;
  maxFileSizeMb: number | null;
  maxOutputMb: number | null;
}

/**
 * Defaults are generous enough for real toolchains (tsc on a large project, a dev server left running)
 * and tight enough that a runaway tool cannot take the machine: memory (the private /tmp and HOME, which
 * live in memory, included) and process count are bounded; time is not, because servers and watchers
 * legitimately run for hours; file size is not, because a tool writes only where it was granted.
 */
export const DEFAULT_LIMITS: EffectiveLimits = {
  memoryMb: 4096,
  cpuSeconds: null,
  timeoutSeconds: null,
  maxProcesses: 1024,
  maxFileSizeMb: null,
  maxOutputMb: null,
};

export type LimitKind = 'memory' | 'cpu' | 'wall' | 'processes' | 'output' | 'fileSize';

export function effectiveLimits(requested: Limits | undefined, defaults: EffectiveLimits = DEFAULT_LIMITS): EffectiveLimits {
  return { ...defaults, ...stripUndefined(requested ?? {}) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Open files are not a user-facing limit; this cap keeps a descriptor leak from exhausting the host. */
export const MAX_OPEN_FILES = 65536;

/**
 * prlimit(1) options for the kernel-enforced per-process limits; empty when there is nothing to set, so
 * the run needs no prlimit at all. CPU gets a one-second gap between soft (SIGXCPU, catchable) and hard
 * (SIGKILL) so a tool can report before it dies. Open files are capped only where the inherited limits
 * exceed the cap (an unprivileged process cannot raise its hard limit anyway).
 */
export function prlimitOptions(limits: EffectiveLimits, openFiles: { soft: number; hard: number }): string[] {
  const opts: string[] = [];
  if (limits.cpuSeconds !== null) {
    const soft = Math.max(1, Math.ceil(limits.cpuSeconds));
    opts.push(`--cpu=${soft}:${soft + 1}`);
  }
  if (limits.maxFileSizeMb !== null) opts.push(`--fsize=${limits.maxFileSizeMb * 1024 * 1024}`);
  if (openFiles.hard > MAX_OPEN_FILES) opts.push(`--nofile=${Math.min(openFiles.soft, MAX_OPEN_FILES)}:${MAX_OPEN_FILES}`);
  return opts;
}

/** Size of each of the private /tmp and HOME (RAM-backed tmpfs): half the memory limit, so both together stay within it. */
export function tmpfsBytes(limits: EffectiveLimits): number | null {
  return limits.memoryMb === null ? null : Math.floor((limits.memoryMb * 1024 * 1024) / 2);
}

/** What the watchdog compares each sample of the process tree against. */
export interface WatchdogThresholds {
  memoryBytes: number | null;
  cpuSeconds: number | null;
  processes: number | null;
  outputBytes: number | null;
  /** Fraction of a limit at which a warning is raised once. */
  warnAt: number;
}

export function watchdogThresholds(limits: EffectiveLimits, warnAt = 0.8): WatchdogThresholds {
  return {
    memoryBytes: limits.memoryMb === null ? null : limits.memoryMb * 1024 * 1024,
    cpuSeconds: limits.cpuSeconds,
    processes: limits.maxProcesses,
    outputBytes: limits.maxOutputMb === null ? null : Math.floor(limits.maxOutputMb * 1024 * 1024),
    warnAt,
  };
}

/** The status `wsb run` exits with when a limit ended the tool, as timeout(1) does for the wall clock. */
export function exitStatusForLimit(limit: LimitKind): number {
  return limit === 'wall' ? 124 : 137;
}
