import * as path from 'node:path';

/**
 * Network access. Today either nothing (a fresh network namespace with only loopback) or everything.
 * A host allowlist will be a third member, `{ allowHosts: string[] }`, handled by each exhaustive switch.
 */
export const NET_ACCESS = ['none', 'all'] as const;
export type NetAccess = (typeof NET_ACCESS)[number];

/**
 * What a tool may do beyond the defaults. The defaults (an empty policy) are: read the system and the
 * workspace, write nothing but a private /tmp and a private HOME, no network, only the harmless
 * environment variables of {@link DEFAULT_ENV_NAMES}.
 * - `read`: extra paths readable (read-only).
 * - `write`: paths writable; protected paths inside them stay read-only unless granted by exact path.
 * - `env`: names of host environment variables passed through.
 */
export interface Policy {
  read: string[];
  write: string[];
  net: NetAccess;
  env: string[];
}

export const EMPTY_POLICY: Policy = { read: [], write: [], net: 'none', env: [] };

export const DEFAULT_ENV_NAMES = ['PATH', 'LANG', 'TERM', 'TZ', 'COLORTERM', 'NO_COLOR', 'FORCE_COLOR'] as const;
const DEFAULT_ENV_PREFIXES = ['LC_'] as const;

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One thing a user can grant. Every switch on `kind` is exhaustive. */
export type Capability =
  | { kind: 'read'; path: string }
  | { kind: 'write'; path: string }
  | { kind: 'net'; access: Exclude<NetAccess, 'none'> }
  | { kind: 'env'; name: string };

export function capabilitiesOf(policy: Policy): Capability[] {
  const caps: Capability[] = [
    ...policy.read.map((path): Capability => ({ kind: 'read', path })),
    ...policy.write.map((path): Capability => ({ kind: 'write', path })),
    ...policy.env.map((name): Capability => ({ kind: 'env', name })),
  ];
  if (policy.net !== 'none') caps.push({ kind: 'net', access: policy.net });
  return caps;
}

/** Plain words for a capability, as prompts, `wsb tools` and the audit log show it. */
export function describeCapability(cap: Capability): string {
  switch (cap.kind) {
    case 'read':
      return `read ${cap.path}`;
    case 'write':
      return `write to ${cap.path}`;
    case 'net':
      return 'full network access';
    case 'env':
      return `read the environment variable ${cap.name}`;
  }
}

/** An absolute grant path; a trailing `/` (the path is a directory) is kept. */
export function resolveGrantPath(base: string, p: string): string {
  const abs = path.resolve(base, p);
  return p.endsWith('/') && abs !== '/' ? abs + '/' : abs;
}

export function isDefaultEnvName(name: string): boolean {
  return (DEFAULT_ENV_NAMES as readonly string[]).includes(name) || DEFAULT_ENV_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * The environment a sandboxed tool starts with: the default names plus the granted ones, HOME pointing
 * at the sandbox's own home, and the sandbox id (so a tool can tell it is sandboxed, and the `none`
 * backend can find processes that escaped the tree).
 */
export function sandboxEnv(
  hostEnv: NodeJS.ProcessEnv,
  granted: readonly string[],
  home: string,
  sandboxId: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(hostEnv)) {
    if (value !== undefined && (isDefaultEnvName(name) || granted.includes(name))) env[name] = value;
  }
  env.HOME = home;
  env.WSB_SANDBOX_ID = sandboxId;
  return env;
}
