import type { NetAccess } from './policy';
import type { SystemEntry } from './probe';

/**
 * Everything the bwrap command line depends on, already resolved against the host (paths exist, symlinks
 * resolved, protected paths found). Building the argv from it does no I/O.
 */
export interface BwrapPlan {
  system: SystemEntry[];
  /** Files and directories hidden behind an empty read-only file (root-only secrets in /etc). */
  masked: string[];
  home: string;
  /** Read-only, in order: toolchain prefixes, read grants, the workspace. */
  readOnly: string[];
  /** Read-write write grants. */
  readWrite: string[];
  /** Re-mounted read-only over the write grants. */
  protectedPaths: string[];
  cwd: string;
  net: NetAccess;
  /** Cap of the private /tmp and HOME in bytes (they live in memory), when bwrap supports it. */
  tmpfsBytes: number | null;
  /** bwrap writes `{"child-pid": N}` and later `{"exit-code": N}` here. */
  statusFd: number;
}

/**
 * The bwrap arguments (without the bwrap path and without the command). Mount order matters: later
 * mounts cover earlier ones, so private /tmp and HOME come first, then what is granted inside them,
 * then the writable grants, then the read-only protected paths on top.
 */
export function buildBwrapArgv(plan: BwrapPlan): string[] {
  const argv: string[] = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...netArgs(plan.net),
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
  ];
  for (const entry of plan.system) {
    if (entry.kind === 'dir') argv.push('--ro-bind', entry.path, entry.path);
    else argv.push('--symlink', entry.target, entry.path);
  }
  for (const p of plan.masked) argv.push('--ro-bind', '/dev/null', p);
  const size = plan.tmpfsBytes === null ? [] : ['--size', String(plan.tmpfsBytes)];
  argv.push('--proc', '/proc', '--dev', '/dev', ...size, '--tmpfs', '/tmp');
  if (plan.home !== '/tmp') argv.push(...size, '--tmpfs', plan.home);
  for (const p of plan.readOnly) argv.push('--ro-bind', p, p);
  for (const p of plan.readWrite) argv.push('--bind', p, p);
  for (const p of plan.protectedPaths) argv.push('--ro-bind', p, p);
  argv.push('--chdir', plan.cwd, '--json-status-fd', String(plan.statusFd));
  return argv;
}

function netArgs(net: NetAccess): string[] {
  switch (net) {
    case 'none':
      return ['--unshare-net'];
    case 'all':
      return [];
  }
}
