import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { whichCommand } from './toolchain';

/** A top-level system path as it is on the host: a directory to bind, or a usr-merge symlink to reproduce. */
export type SystemEntry = { path: string; kind: 'dir' } | { path: string; kind: 'symlink'; target: string };

/** Facts about the host that the sandbox is built from; gathered once per process. */
export interface HostFacts {
  platform: NodeJS.Platform;
  bwrapPath: string | null;
  /** winjob.exe, the job-object launcher of the Windows backend, shipped next to the bundles. */
  winjobPath: string | null;
  prlimitPath: string | null;
  home: string;
  openFiles: { soft: number; hard: number };
  /** bwrap ≥ 0.7 can cap a tmpfs (`--size`); older ones (Ubuntu 22.04 ships 0.6) cannot. */
  bwrapTmpfsSize: boolean;
  system: SystemEntry[];
  /** Root-only secrets under /etc, masked even when the sandbox runs as root. */
  etcSecrets: string[];
  /** Where /etc/resolv.conf really lives when that is outside /etc (systemd-resolved), for `net: all`. */
  resolvConfTarget: string | null;
}

const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'];
const ETC_SECRETS = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/sudoers', '/etc/security/opasswd'];

let cached: HostFacts | undefined;

export function probeHost(env: NodeJS.ProcessEnv = process.env): HostFacts {
  if (cached) return cached;
  if (process.platform === 'win32') return (cached = probeWindows(env));
  // WSB_BWRAP (the extension's bwrapPath setting) names the binary; one that is not there counts as missing.
  const bwrapPath = env.WSB_BWRAP ? (fs.existsSync(env.WSB_BWRAP) ? env.WSB_BWRAP : null) : whichCommand('bwrap', env.PATH ?? '/usr/bin:/bin', '/');
  const system: SystemEntry[] = [];
  for (const p of SYSTEM_PATHS) {
    try {
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) system.push({ path: p, kind: 'symlink', target: fs.readlinkSync(p) });
      else if (st.isDirectory()) system.push({ path: p, kind: 'dir' });
    } catch {
      // absent on this distribution
    }
  }
  cached = {
    platform: process.platform,
    winjobPath: null,
    bwrapPath,
    prlimitPath: whichCommand('prlimit', '/usr/bin:/bin:/usr/sbin:/sbin', '/'),
    home: path.resolve(env.HOME || os.homedir()),
    openFiles: openFilesLimits(),
    bwrapTmpfsSize: bwrapPath !== null && binaryMentions(bwrapPath, '--size'),
    system,
    etcSecrets: [...ETC_SECRETS.filter((p) => fs.existsSync(p)), ...sshHostKeys()],
    resolvConfTarget: resolvConfTarget(),
  };
  return cached;
}

/** Windows has no /proc, /etc or bwrap: what is there is the job-object launcher. */
function probeWindows(env: NodeJS.ProcessEnv): HostFacts {
  const winjob = env.WSB_WINJOB ?? path.join(__dirname, 'winjob.exe');
  return {
    platform: 'win32',
    bwrapPath: null,
    winjobPath: fs.existsSync(winjob) ? winjob : null,
    prlimitPath: null,
    home: path.resolve(env.USERPROFILE || os.homedir()),
    openFiles: { soft: Number.MAX_SAFE_INTEGER, hard: Number.MAX_SAFE_INTEGER },
    bwrapTmpfsSize: false,
    system: [],
    etcSecrets: [],
    resolvConfTarget: null,
  };
}

function openFilesLimits(): { soft: number; hard: number } {
  const value = (v: string | undefined) => (v === undefined || v === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(v));
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const [, , , soft, hard] = line?.trim().split(/\s+/) ?? [];
    return { soft: value(soft), hard: value(hard) };
  } catch {
    return { soft: 1024, hard: 1024 };
  }
}

/** Whether a program's binary contains `text` (its help text names an option): no exec on the start-up path. */
function binaryMentions(file: string, text: string): boolean {
  try {
    return fs.readFileSync(file).includes(text);
  } catch {
    return false;
  }
}

function sshHostKeys(): string[] {
  try {
    return fs
      .readdirSync('/etc/ssh')
      .filter((f) => /^ssh_host_.*_key$/.test(f))
      .map((f) => path.join('/etc/ssh', f));
  } catch {
    return [];
  }
}

function resolvConfTarget(): string | null {
  try {
    const real = fs.realpathSync('/etc/resolv.conf');
    return real.startsWith('/etc/') ? null : real;
  } catch {
    return null;
  }
}
