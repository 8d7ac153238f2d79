import type { EffectiveLimits, LimitField } from '../limits';
import type { Policy } from '../policy';

/**
 * What the `job` backend (Windows job objects, native/winjob/winjob.c) does and does not do, as data the
 * doctor, the status bar and the confirmation prompt show. It is "limits only": a tool runs as the user,
 * with the user's access to files, network and other processes.
 */
export const JOB_BACKEND = {
  backend: 'job',
  isolation: 'limits only',
  summary:
    'runs the tool as you inside a Windows job object: memory, process count and CPU time are limited and the whole process tree ends with the run, but files, network and your other processes are not isolated',
  enforced: [
    'memory: committed memory of the whole process tree (JOB_OBJECT_LIMIT_JOB_MEMORY); past it, allocations fail and the tree is ended',
    'processes: processes alive at once (JOB_OBJECT_LIMIT_ACTIVE_PROCESS); past it, starting one fails and the tree is ended',
    'CPU time: user-mode time of the whole tree (JOB_OBJECT_LIMIT_JOB_TIME); kernel time is not counted',
    'the whole tree ends with the run, including detached children (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, no breakaway)',
    'no clipboard, no desktop switching, no global atoms, no system settings or display changes, no logoff or shutdown, no window handles of other programs (UI restrictions)',
    'environment: only the variables Windows programs need, plus the granted ones',
  ],
  notIsolated: [
    { area: 'filesystem', detail: 'the tool can read and write every file you can; protected paths (.git/hooks, .vscode, start-up files) are not protected' },
    { area: 'network', detail: 'the tool has full network access' },
    { area: 'processes', detail: 'the tool can open, signal, debug and read the memory of your other processes, including winjob.exe itself' },
    { area: 'registry', detail: 'the tool can read and change your part of the registry (HKEY_CURRENT_USER), including what runs at log-on' },
    { area: 'system services', detail: 'processes started through WMI (Win32_Process.Create), the Task Scheduler or COM servers run outside the job: unlimited, and they outlive the run' },
    { area: 'IPC', detail: 'named pipes and sockets of other programs (the editor, Docker, ssh-agent) are reachable' },
  ],
} as const;

export type JobIsolationArea = (typeof JOB_BACKEND.notIsolated)[number]['area'];

/** A grant that leaves nothing to restrict: a filesystem root (`/`, `\`, `C:\`, `C:/`). */
function isRoot(p: string): boolean {
  return /^(?:[A-Za-z]:)?[\\/]+$/.test(p);
}

/**
 * Why a tool with `policy` would get less isolation than it asks for under the `job` backend, in plain
 * words (empty: it asks for nothing this backend cannot give). Every restriction in a policy is a request:
 * the default policy already asks that the tool read only the system and the workspace, write nowhere and
 * stay off the network, so this is empty only when reads and writes are granted at a filesystem root and
 * the network is granted. A tool whose list is not empty does not run until the user confirms.
 */
export function unisolatedRequests(policy: Policy): string[] {
  const reasons: string[] = [];
  if (!policy.read.some(isRoot)) {
    reasons.push('it could read any file you can read (this backend cannot keep it to the system and the workspace)');
  }
  if (!policy.write.some(isRoot)) {
    const granted = policy.write.length ? policy.write.join(', ') : 'nothing but its temporary folder';
    reasons.push(`it could change any file you can change, not only ${granted}, including .git/hooks and .vscode (this backend cannot restrict writing)`);
  }
  switch (policy.net) {
    case 'none':
      reasons.push('it could use the network (this backend cannot block network access)');
      break;
    case 'all':
      break;
  }
  return reasons;
}

/** Limits set in `limits` that the job backend does not enforce, with why; the others it does (or the engine does). */
export function unenforcedLimits(limits: EffectiveLimits): { field: LimitField; reason: string }[] {
  const out: { field: LimitField; reason: string }[] = [];
  if (limits.maxFileSizeMb !== null) out.push({ field: 'maxFileSizeMb', reason: 'Windows has no per-file size limit for a process tree' });
  return out;
}

/** The doctor's entry for the job backend, given where winjob.exe is (null: not found). */
export function jobDoctorEntry(helperPath: string | null): { backend: 'job'; works: boolean; isolation: 'limits only'; reason: string; fix: string | null } {
  if (!helperPath) {
    return {
      backend: 'job',
      works: false,
      isolation: 'limits only',
      reason: 'winjob.exe, the job-object launcher, is missing from the installation',
      fix: 'reinstall the extension, or build it: scripts/winjob/build.sh (needs mingw-w64)',
    };
  }
  return { backend: 'job', works: true, isolation: 'limits only', reason: JOB_BACKEND.summary, fix: null };
}
