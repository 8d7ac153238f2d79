import type { EffectiveLimits, LimitKind } from '../limits';

/**
 * native/winjob/winjob.c, the job-object launcher of the `job` backend: its command line and the status
 * lines it writes. Pure; the engine spawns `[helperPath, ...winjobArgv(...)]` with the status descriptor
 * as stdio entry `statusFd`.
 */

/** How winjob.exe itself ends when the tool could not run; otherwise it exits with the tool's status. */
export const WINJOB_EXIT = {
  /** A job limit ended the tree (as a Linux tool killed by SIGKILL). */
  limit: 137,
  /** PROGRAM was not found on PATH (or at the path given). */
  notFound: 127,
  /** Bad usage, a batch file, or the job could not be set up; nothing was started. */
  setup: 125,
} as const;

/** Limits the job object can enforce, as winjob.exe reports them in `{"limit": ...}`. */
export const WINJOB_LIMITS = ['memory', 'processes', 'cpu'] as const satisfies readonly LimitKind[];
export type WinjobLimit = (typeof WINJOB_LIMITS)[number];

export interface WinjobOptions {
  /** Hard cap on CPU use, in percent of all processors (JOBOBJECT_CPU_RATE_CONTROL_INFORMATION). */
  cpuRatePercent?: number | null;
}

/**
 * The helper's arguments, without the helper's path, ending with `--` and the command. Only the limits a
 * job object enforces appear: memory (committed memory of the whole tree), process count and CPU time (user
 * time of the whole tree); the wall timeout and output are the engine's own, file size is not enforced
 * (see `unenforcedLimits`).
 */
export function winjobArgv(limits: EffectiveLimits, command: readonly string[], statusFd: number, options: WinjobOptions = {}): string[] {
  if (command.length === 0) throw new Error('winjob needs a command');
  const argv: string[] = [];
  if (limits.memoryMb !== null) argv.push('--memory-mb', String(limits.memoryMb));
  if (limits.maxProcesses !== null) argv.push('--max-processes', String(limits.maxProcesses));
  if (limits.cpuSeconds !== null) argv.push('--cpu-seconds', String(limits.cpuSeconds));
  if (options.cpuRatePercent != null) argv.push('--cpu-rate', String(Math.min(100, Math.max(1, Math.round(options.cpuRatePercent)))));
  argv.push('--status-fd', String(statusFd), '--', ...command);
  return argv;
}

/** What the status lines said so far. */
export interface WinjobStatus {
  /** The tool's process id, once it is in the job; its absence after exit means nothing was started. */
  childPid?: number;
  /** The limit that ended the tree. */
  limit?: WinjobLimit;
  /** The tool's exit status (a DWORD: 0 to 4294967295, e.g. 3221225477 for an access violation). */
  exitCode?: number;
  /** false when the job had to go without UI restrictions (winjob.exe ran inside a job that forbids breakaway). */
  uiRestrictions?: boolean;
}

/**
 * Reads winjob.exe's status lines (`{"child-pid": N}`, `{"limit": "memory"}`, `{"exit-code": N}`,
 * `{"ui-restrictions": false}`). Lines that are not (yet) whole JSON, and keys or values it does not know,
 * are skipped.
 */
export function parseWinjobStatus(text: string): WinjobStatus {
  const out: WinjobStatus = {};
  for (const line of text.split(/\r?\n/)) {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      continue; // empty, or still being written
    }
    if (typeof msg !== 'object' || msg === null) continue;
    const m = msg as Record<string, unknown>;
    if (isDword(m['child-pid'])) out.childPid = m['child-pid'];
    if (isDword(m['exit-code'])) out.exitCode = m['exit-code'];
    if (typeof m.limit === 'string' && (WINJOB_LIMITS as readonly string[]).includes(m.limit)) out.limit = m.limit as WinjobLimit;
    if (typeof m['ui-restrictions'] === 'boolean') out.uiRestrictions = m['ui-restrictions'];
  }
  return out;
}

function isDword(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}
