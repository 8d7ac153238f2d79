import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createCgroup } from './cgroup';
import { DEFAULT_LIMITS } from './limits';
import type { HostFacts } from './probe';
import type { BackendName } from './sandbox';
import { jobDoctorEntry } from './windows/isolation';

export interface BackendReport {
  backend: BackendName;
  works: boolean;
  /** What the backend isolates when it works. */
  isolation: 'filesystem, network, processes, environment' | 'limits only';
  reason: string | null;
  fix: string | null;
}

export interface DoctorReport {
  backends: BackendReport[];
  /** How memory and process limits are enforced here. */
  enforcement: { cgroup: 2 | null; /** null where rlimits do not exist (Windows) */ rlimits: boolean | null; watchdog: boolean; note: string };
}

/** Kernel settings that decide whether unprivileged bwrap can create a user namespace. */
export interface UsernsSysctls {
  apparmorRestrictUnprivilegedUserns: string | null;
  unprivilegedUsernsClone: string | null;
  maxUserNamespaces: string | null;
}

export function readUsernsSysctls(): UsernsSysctls {
  const read = (p: string): string | null => {
    try {
      return fs.readFileSync(p, 'utf8').trim();
    } catch {
      return null;
    }
  };
  return {
    apparmorRestrictUnprivilegedUserns: read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
    unprivilegedUsernsClone: read('/proc/sys/kernel/unprivileged_userns_clone'),
    maxUserNamespaces: read('/proc/sys/user/max_user_namespaces'),
  };
}

const APPARMOR_PROFILE = `abi <abi/4.0>,
include <tunables/global>
profile bwrap /usr/bin/bwrap flags=(unconfined) {
  userns,
  include if exists <local/bwrap>
}`;

/** Why bwrap failed and how to fix it, from its stderr and the user-namespace sysctls. */
export function explainBwrapFailure(stderr: string, sysctls: UsernsSysctls): { reason: string; fix: string } {
  const said = stderr.trim().split('\n').pop() ?? '';
  if (sysctls.apparmorRestrictUnprivilegedUserns === '1') {
    return {
      reason: `Ubuntu's AppArmor blocks unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1), so bwrap cannot start${said ? `: ${said}` : ''}`,
      fix: `allow bwrap alone by installing this AppArmor profile as /etc/apparmor.d/bwrap and running \`sudo apparmor_parser -r /etc/apparmor.d/bwrap\`:\n${APPARMOR_PROFILE}\n(or, less safely, \`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0\`)`,
    };
  }
  if (sysctls.unprivilegedUsernsClone === '0') {
    return {
      reason: `unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0)${said ? `: ${said}` : ''}`,
      fix: 'run `sudo sysctl -w kernel.unprivileged_userns_clone=1` and add it to /etc/sysctl.d/ to keep it',
    };
  }
  if (sysctls.maxUserNamespaces === '0') {
    return {
      reason: `user namespaces are disabled (user.max_user_namespaces=0)${said ? `: ${said}` : ''}`,
      fix: 'run `sudo sysctl -w user.max_user_namespaces=15000` and add it to /etc/sysctl.d/ to keep it',
    };
  }
  if (/Operation not permitted|Permission denied/.test(said)) {
    return {
      reason: `bwrap may not create namespaces here (inside a container or under a seccomp policy?): ${said}`,
      fix: 'run wsb on the host, or give the container permission to create user namespaces (e.g. docker run --security-opt seccomp=unconfined --security-opt apparmor=unconfined)',
    };
  }
  return { reason: `bwrap failed: ${said || 'no message'}`, fix: 'run the bwrap command from `wsb doctor --json` by hand to see more' };
}

function checkBwrap(facts: HostFacts): BackendReport {
  const base = { backend: 'bwrap' as const, isolation: 'filesystem, network, processes, environment' as const };
  if (!facts.bwrapPath) {
    return {
      ...base,
      works: false,
      reason: 'bubblewrap (bwrap) is not installed',
      fix: 'install it: `sudo apt-get install bubblewrap` (Debian, Ubuntu), `sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch)',
    };
  }
  const probe = spawnSync(
    facts.bwrapPath,
    ['--unshare-user', '--unshare-pid', '--unshare-net', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.status === 0) return { ...base, works: true, reason: null, fix: null };
  return { ...base, works: false, ...explainBwrapFailure(probe.stderr ?? String(probe.error ?? ''), readUsernsSysctls()) };
}

const NONE_REPORT: BackendReport = {
  backend: 'none',
  works: true,
  isolation: 'limits only',
  reason: 'runs the tool as you, with a scrubbed environment and resource limits, but without filesystem, network or process isolation',
  fix: null,
};

export function runDoctor(facts: HostFacts): DoctorReport {
  if (facts.platform === 'win32') {
    return {
      backends: [jobDoctorEntry(facts.winjobPath), NONE_REPORT],
      enforcement: {
        cgroup: null,
        rlimits: null,
        watchdog: false,
        note: 'a job object per sandbox: Windows enforces committed memory, the process count and CPU user time (kernel time is not counted) and kills the whole tree when the sandbox ends; file size is not enforced',
      },
    };
  }
  const cgroup = createCgroup(`doctor-${process.pid}`, DEFAULT_LIMITS);
  cgroup?.remove();
  const version = cgroup?.version ?? null;
  return {
    backends: [checkBwrap(facts), NONE_REPORT],
    enforcement: {
      cgroup: version,
      rlimits: facts.prlimitPath !== null,
      watchdog: true,
      note: version
        ? 'cgroup v2 (delegated): the kernel caps memory and process count; the watchdog reports and kills the tree'
        : 'no delegated cgroup v2 subtree (or cgroup v1): memory, CPU and process limits are enforced by the watchdog sampling the process tree',
    },
  };
}

export function formatDoctor(report: DoctorReport): string {
  const lines: string[] = [];
  for (const b of report.backends) {
    lines.push(`${b.works ? 'ok  ' : 'FAIL'} ${b.backend.padEnd(6)} isolation: ${b.isolation}`);
    if (b.reason) lines.push(`       ${b.works ? 'note' : 'why'}: ${b.reason}`);
    if (b.fix) lines.push(`       fix: ${b.fix.replace(/\n/g, '\n            ')}`);
  }
  const e = report.enforcement;
  const rlimits = e.rlimits === null ? '' : `; rlimits (CPU seconds, file size, open files): ${e.rlimits ? 'via prlimit' : 'prlimit missing (install util-linux)'}`;
  lines.push(`limits: ${e.note}${rlimits}`);
  return lines.join('\n');
}
