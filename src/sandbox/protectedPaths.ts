import * as path from 'node:path';
import { isWithin } from './toolchain';

/**
 * Paths that make code run outside the sandbox later (git hooks and config, editor and devcontainer
 * settings, shell start-up files) or that would let a tool grant itself more (the manifest). A write grant
 * never covers them: they are re-mounted read-only unless a grant names them (or a path inside them).
 * `dir` entries that are missing get an empty placeholder directory so nothing can be created there;
 * missing files cannot be covered without leaving a file behind, which is why HOME itself is never
 * writable (see `refuseWriteRoot`).
 */
export interface ProtectedEntry {
  relative: string;
  kind: 'dir' | 'file';
}

export const WORKSPACE_PROTECTED: readonly ProtectedEntry[] = [
  { relative: '.git/hooks', kind: 'dir' },
  { relative: '.git/config', kind: 'file' },
  { relative: '.vscode', kind: 'dir' },
  { relative: '.idea', kind: 'dir' },
  { relative: '.devcontainer', kind: 'dir' },
  { relative: '.husky', kind: 'dir' },
];

export const HOME_PROTECTED: readonly ProtectedEntry[] = [
  ...['.bashrc', '.bash_profile', '.bash_login', '.bash_logout', '.profile', '.zshrc', '.zshenv', '.zprofile', '.zlogin', '.gitconfig'].map(
    (relative): ProtectedEntry => ({ relative, kind: 'file' }),
  ),
  ...['.ssh', '.gnupg', '.config/fish', '.config/git', '.config/autostart', '.config/systemd', '.config/Code', '.vscode', '.vscode-server', '.local/bin'].map(
    (relative): ProtectedEntry => ({ relative, kind: 'dir' }),
  ),
];

export interface ProtectedCandidate {
  path: string;
  kind: 'dir' | 'file';
}

/** The protected paths to look for, given the workspace, HOME, the write grants and the manifest file. */
export function protectedCandidates(workspace: string, home: string, writeRoots: readonly string[], manifestFile: string | null): ProtectedCandidate[] {
  const bases = [...new Set([workspace, ...writeRoots])];
  const out = new Map<string, ProtectedCandidate>();
  for (const base of bases) {
    for (const e of WORKSPACE_PROTECTED) out.set(path.join(base, e.relative), { path: path.join(base, e.relative), kind: e.kind });
  }
  for (const e of HOME_PROTECTED) out.set(path.join(home, e.relative), { path: path.join(home, e.relative), kind: e.kind });
  if (manifestFile) out.set(manifestFile, { path: manifestFile, kind: 'file' });
  return [...out.values()];
}

/**
 * The candidates that a write grant would expose: strictly inside some write root, and not explicitly
 * granted (no write grant equals the candidate or lies inside it).
 */
export function exposedProtectedPaths(candidates: readonly ProtectedCandidate[], writeRoots: readonly string[]): ProtectedCandidate[] {
  return candidates.filter(
    (c) => writeRoots.some((w) => w !== c.path && isWithin(c.path, w)) && !writeRoots.some((w) => isWithin(w, c.path)),
  );
}

/** Why a write grant of `root` is refused, or null. HOME and its ancestors hold start-up files that cannot all be protected. */
export function refuseWriteRoot(root: string, home: string): string | null {
  if (isWithin(home, root)) return `${root} contains your home directory; grant the directories the tool writes instead`;
  return null;
}
