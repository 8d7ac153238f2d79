import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProtectedCandidate } from './protectedPaths';

/**
 * Git runs code named by its metadata: hooks, and config keys such as core.fsmonitor or core.hooksPath,
 * which VS Code's git extension triggers by itself (a `git status` on every change). A write grant must not
 * reach that metadata in any repository it covers: the workspace's own, the git directories of its
 * submodules (`.git/modules/<name>`, nested for nested submodules), linked worktrees' pointers back to
 * the common directory, and repositories nested inside the grant. A `.git` *file* (a submodule's or a
 * worktree's checkout) names the git directory to use, so it is protected as a whole: rewritten, it could
 * point git at a directory the tool filled.
 *
 * Nested repositories are found by a walk of the grant, bounded so that a start stays cheap: `MAX_DEPTH`
 * levels below each root, `node_modules` skipped (packages do not ship repositories git would enter), at
 * most `MAX_DIRECTORIES` directories read. A repository the tool creates during the run is not covered;
 * bind mounts can only protect what exists.
 */
export const MAX_DEPTH = 3;
export const MAX_DIRECTORIES = 5000;
const MAX_MODULE_DEPTH = 8;
const SKIPPED = new Set(['node_modules']);

/** The git metadata to protect under each of `roots` (write-grant directories). */
export function gitMetadataCandidates(roots: readonly string[]): ProtectedCandidate[] {
  const out = new Map<string, ProtectedCandidate>();
  const add = (p: string, kind: 'dir' | 'file') => out.set(p, { path: p, kind });
  let budget = MAX_DIRECTORIES;
  const walk = (dir: string, depth: number) => {
    if (budget-- <= 0) return;
    const entries = readDir(dir);
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.name === '.git') {
        if (e.isDirectory()) gitDirCandidates(full, add, 0);
        else if (e.isFile()) add(full, 'file');
      } else if (e.isDirectory() && depth < MAX_DEPTH && !SKIPPED.has(e.name)) {
        walk(full, depth + 1);
      }
    }
  };
  for (const root of roots) walk(root, 0);
  return [...out.values()];
}

/** Hooks and config of one git directory, then of its submodules' and worktrees' git directories. */
function gitDirCandidates(gitDir: string, add: (p: string, kind: 'dir' | 'file') => void, depth: number): void {
  add(path.join(gitDir, 'hooks'), 'dir');
  add(path.join(gitDir, 'config'), 'file');
  for (const w of readDir(path.join(gitDir, 'worktrees'))) {
    if (!w.isDirectory()) continue;
    for (const f of ['commondir', 'gitdir', 'config.worktree']) add(path.join(gitDir, 'worktrees', w.name, f), 'file');
  }
  if (depth < MAX_MODULE_DEPTH) moduleGitDirs(path.join(gitDir, 'modules'), depth, add);
}

/** A submodule's name may hold slashes, so its git directory can sit several levels below `modules/`. */
function moduleGitDirs(dir: string, depth: number, add: (p: string, kind: 'dir' | 'file') => void): void {
  for (const e of readDir(dir)) {
    if (!e.isDirectory()) continue;
    const full = path.join(dir, e.name);
    if (fs.existsSync(path.join(full, 'HEAD'))) gitDirCandidates(full, add, depth + 1);
    else if (depth < MAX_MODULE_DEPTH) moduleGitDirs(full, depth + 1, add);
  }
}

function readDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
