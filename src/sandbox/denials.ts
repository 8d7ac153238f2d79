/**
 * Recognises, in a tool's error output, the messages with which common runtimes report what the sandbox
 * refused: a write to a read-only path, a network call with no network. The kernel says only EROFS or
 * ENETUNREACH to the tool; this turns the tool's own words into "the sandbox refused X", so a blocked
 * access is named instead of failing silently. Best effort, by design: it reads what the tool printed.
 */
export type DenialKind = 'write' | 'net' | 'git';

export interface Denial {
  kind: DenialKind;
  /** The path refused, when the message names one. */
  path: string | null;
  /** kind `git`: where the planted metadata was moved, or null when it could not be. */
  movedTo?: string | null;
}

const WRITE_PATTERNS: RegExp[] = [
  // node: EROFS: read-only file system, open '/w/out.txt'
  /EROFS: read-only file system, \w+ '([^']+)'/g,
  // python: OSError: [Errno 30] Read-only file system: '/w/out.txt'
  /\[Errno 30\] Read-only file system: '([^']+)'/g,
  // coreutils in a UTF-8 or C locale: touch: cannot touch 'x': Read-only file system (‘x’ with curly quotes)
  /cannot [\w ]+? ['‘]([^'’]+)['’]: Read-only file system/g,
  // sh and bash: cannot create x: Read-only file system; x: Read-only file system
  /(?:cannot create |^|\s)([^\s:'‘]+): Read-only file system/gm,
];

const NET_PATTERNS: RegExp[] = [/\b(?:ENETUNREACH|EAI_AGAIN)\b/, /Network is unreachable/, /Temporary failure in name resolution/];

export function findDenials(text: string): Denial[] {
  const out: Denial[] = [];
  const seen = new Set<string>();
  for (const pattern of WRITE_PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      if (seen.has(m[1])) continue;
      seen.add(m[1]);
      out.push({ kind: 'write', path: m[1] });
    }
  }
  if (NET_PATTERNS.some((p) => p.test(text))) out.push({ kind: 'net', path: null });
  return out;
}

export function describeDenial(d: Denial): string {
  switch (d.kind) {
    case 'write':
      return `write to ${d.path ?? 'a path'} (read-only in the sandbox: not granted)`;
    case 'net':
      return 'network access (the sandbox has no network: not granted)';
    case 'git': {
      const fate = d.movedTo ? `moved aside to ${d.movedTo}` : 'it could not be moved aside: delete it before running git there';
      return `git metadata it created at ${d.path} (hooks or config that git would run outside the sandbox; ${fate})`;
    }
  }
}
