import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProtectedCandidate } from './protectedPaths';
import { isWithin } from './toolchain';

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
 * levels below each root (VS Code opens the repository of any file the user opens, however deep),
 * `node_modules` skipped (packages do not ship repositories git would enter), at most `MAX_DIRECTORIES`
 * directories read. Bind mounts protect only what exists, so the same walk runs again after the tool: see
 * `plantedGitMetadata`.
 */
export const MAX_DEPTH = 6;
export const MAX_DIRECTORIES = 5000;
const MAX_MODULE_DEPTH = 8;
const SKIPPED = new Set(['node_modules']);

/** What a walk of the write roots found: git directories (submodules' and worktrees' included) and `.git` files. */
export interface GitMetadata {
  gitDirs: string[];
  gitFiles: string[];
  /** `.git` symlinks: git follows them. Not protected (a mount would follow them too); checked after a run. */
  gitLinks: string[];
  /** The walk ran out of its directory budget: what it did not list may still exist. */
  truncated: boolean;
  /** When the walk began (ms since the epoch). */
  takenAt: number;
}

export function findGitMetadata(roots: readonly string[]): GitMetadata {
  const found: GitMetadata = { gitDirs: [], gitFiles: [], gitLinks: [], truncated: false, takenAt: Date.now() };
  let budget = MAX_DIRECTORIES;
  const walk = (dir: string, depth: number) => {
    if (budget-- <= 0) {
      found.truncated = true;
      return;
    }
    for (const e of readDir(dir)) {
      const full = path.join(dir, e.name);
      if (e.name === '.git') {
        if (e.isDirectory()) collectGitDirs(full, found.gitDirs, 0);
        else if (e.isFile()) found.gitFiles.push(full);
        else if (e.isSymbolicLink()) found.gitLinks.push(full);
      } else if (e.isDirectory() && depth < MAX_DEPTH && !SKIPPED.has(e.name)) {
        walk(full, depth + 1);
      }
    }
  };
  for (const root of roots) walk(root, 0);
  return found;
}

/** The git metadata to protect under each of `roots` (write-grant directories). */
export function gitMetadataCandidates(found: GitMetadata): ProtectedCandidate[] {
  const out: ProtectedCandidate[] = found.gitFiles.map((p) => ({ path: p, kind: 'file' }));
  for (const gitDir of found.gitDirs) {
    out.push({ path: path.join(gitDir, 'hooks'), kind: 'dir' }, { path: path.join(gitDir, 'config'), kind: 'file' });
    for (const w of readDir(path.join(gitDir, 'worktrees'))) {
      if (!w.isDirectory()) continue;
      for (const f of ['commondir', 'gitdir', 'config.worktree']) out.push({ path: path.join(gitDir, 'worktrees', w.name, f), kind: 'file' });
    }
  }
  return out;
}

/** A git directory, then its submodules' git directories (a name may hold slashes: several levels below `modules/`). */
function collectGitDirs(gitDir: string, out: string[], depth: number): void {
  out.push(gitDir);
  const modules = (dir: string, level: number): void => {
    for (const e of readDir(dir)) {
      if (!e.isDirectory()) continue;
      const full = path.join(dir, e.name);
      if (fs.existsSync(path.join(full, 'HEAD'))) collectGitDirs(full, out, level + 1);
      else if (level < MAX_MODULE_DEPTH) modules(full, level + 1);
    }
  };
  if (depth < MAX_MODULE_DEPTH) modules(path.join(gitDir, 'modules'), depth);
}

/**
 * Config keys a plain `git init` or `git clone` writes, and the identity a scaffolder sets before its first
 * commit; any other key may name a program to run (fsmonitor, hooksPath, pager, editor, sshCommand, filters,
 * textconv, gpg.program, credential helpers, `!` aliases, includes), so it is judged a plant.
 */
const HARMLESS_KEYS = [
  /^core\.(repositoryformatversion|filemode|bare|logallrefupdates|ignorecase|precomposeunicode|symlinks|autocrlf|eol)$/,
  /^remote\.[^\n]+\.(url|fetch|pushurl)$/,
  /^branch\.[^\n]+\.(remote|merge|rebase)$/,
  /^extensions\.objectformat$/,
  /^init\.defaultbranch$/,
  /^user\.(name|email)$/,
];

export interface PlantedGitMetadata {
  /** The `.git` directory or file the tool created. */
  path: string;
  /** Why it would run code outside the sandbox: the config keys and hooks it holds. */
  reasons: string[];
}

/**
 * Git metadata the tool created under its write grants (absent from `before`) that holds hooks or config
 * beyond what `git init` writes: run by git outside the sandbox, it would be the tool's code running
 * unsandboxed. A repository the tool initialised plainly (a project scaffolder does) is left alone.
 */
export function plantedGitMetadata(before: GitMetadata, roots: readonly string[]): PlantedGitMetadata[] {
  const after = findGitMetadata(roots);
  const known = new Set([...before.gitDirs, ...before.gitFiles, ...before.gitLinks]);
  // Unlisted before is new, unless the first walk ran out of budget: then only a birth time after it says so
  // (a user's own repository must never be moved aside for having been missed). File times come from a
  // coarse clock, a tick or so behind Date.now().
  const isNew = (p: string) => !known.has(p) && (!before.truncated || birthTime(p) >= before.takenAt - COARSE_CLOCK_MS);
  const out: PlantedGitMetadata[] = [];
  for (const gitDir of after.gitDirs) {
    if (!isNew(gitDir) || out.some((p) => isWithin(gitDir, p.path))) continue;
    const reasons = dangers(gitDir);
    if (reasons.length) out.push({ path: gitDir, reasons });
  }
  for (const pointer of [...after.gitFiles, ...after.gitLinks]) {
    if (!isNew(pointer)) continue;
    const target = after.gitLinks.includes(pointer) ? realpathOrNull(pointer) : gitFileTarget(pointer);
    const reasons = target === null ? ['it names no git directory'] : known.has(target) ? [] : pointedDangers(target, known);
    if (reasons.length) out.push({ path: pointer, reasons });
  }
  return out;
}

/** A checkout's git directory, and the common directory a linked worktree's names, unless that is one we protected. */
function pointedDangers(gitDir: string, known: Set<string>): string[] {
  const commondir = readText(path.join(gitDir, 'commondir')).trim();
  const common = commondir ? path.resolve(gitDir, commondir) : null;
  return [...dangers(gitDir), ...(common && !known.has(common) ? dangers(common) : [])];
}

function dangers(gitDir: string): string[] {
  const keys = configKeys(readText(path.join(gitDir, 'config')));
  const risky = keys.filter((k) => !HARMLESS_KEYS.some((re) => re.test(k)));
  const hooks = readDir(path.join(gitDir, 'hooks')).filter((e) => !e.name.endsWith('.sample')).map((e) => e.name);
  return [...risky.map((k) => `config ${k}`), ...hooks.map((h) => `hook ${h}`)];
}

/** `section.subsection.key` for every assignment, lower-cased but for the subsection, as git reads them. */
export function configKeys(text: string): string[] {
  const keys: string[] = [];
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\s\]"]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(.*)$/.exec(line);
    if (header) {
      const [name, ...dotted] = header[1].split('.');
      section = [name.toLowerCase(), ...(header[2] !== undefined ? [header[2]] : dotted)].join('.');
      // `[core] fsmonitor = x` on one line is valid git config.
      if (header[3]) keys.push(`${section}.${header[3].split('=')[0].trim().toLowerCase()}`);
      continue;
    }
    if (/^\[/.test(line)) {
      keys.push(`unparsed section ${line}`);
      continue;
    }
    keys.push(`${section}.${line.split('=')[0].trim().toLowerCase()}`);
  }
  return keys;
}

/** The git directory a `.git` file names, or null when it names none. */
function gitFileTarget(file: string): string | null {
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(readText(file));
  return m ? path.resolve(path.dirname(file), m[1]) : null;
}

const COARSE_CLOCK_MS = 20;

/** Birth time in ms, or 0 where the file system does not record it. */
function birthTime(p: string): number {
  try {
    return fs.lstatSync(p).birthtimeMs;
  } catch {
    return 0;
  }
}

function realpathOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function readDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
