import * as fs from 'node:fs';
import * as path from 'node:path';

/** True when `child` is `parent` or lies below it (both absolute, normalised). */
export function isWithin(child: string, parent: string): boolean {
  if (parent === '/') return child.startsWith('/');
  return child === parent || child.startsWith(parent + path.sep);
}

/**
 * The install prefix of a program found at `file`, which must be mounted for the program to run inside.
 * The rule: the directory above `bin`, `sbin` or `shims` (nvm, volta, asdf, pyenv, cargo, pipx venvs),
 * else the program's own directory. Exceptions keep secrets out: nothing mounted is HOME itself or one of
 * its ancestors (a `~/bin/tool` mounts only `~/bin`, a `~/tool` only that file), and `~/.local` mounts only
 * its `bin` and `lib` (`~/.local/share` holds keyrings). rustup's proxies in `~/.cargo/bin` also need
 * `~/.rustup`.
 */
export function installPrefixes(file: string, home: string): string[] {
  const dir = path.dirname(file);
  const above = ['bin', 'sbin', 'shims'].includes(path.basename(dir)) ? path.dirname(dir) : dir;
  if (isWithin(home, dir)) return [file];
  if (isWithin(home, above)) return [dir];
  if (above === path.join(home, '.local')) return [path.join(above, 'bin'), path.join(above, 'lib')];
  if (above === path.join(home, '.cargo')) return [above, path.join(home, '.rustup')];
  return [above];
}

const windows = process.platform === 'win32';

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (!windows) fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** On Windows a bare name also matches NAME.EXE, NAME.CMD, ... (PATHEXT), as CreateProcess's callers expect. */
function candidates(file: string): string[] {
  if (!windows || path.extname(file)) return [file];
  return [file, ...(process.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean).map((ext) => file + ext)];
}

/** Finds `command` as execvp(3) would: a name with a slash is taken relative to `cwd`, else searched on PATH. */
export function whichCommand(command: string, searchPath: string | undefined, cwd: string): string | null {
  if (command.includes('/') || (windows && command.includes('\\'))) {
    return candidates(path.resolve(cwd, command)).find(isExecutableFile) ?? null;
  }
  for (const entry of (searchPath ?? '').split(path.delimiter)) {
    const found = candidates(path.resolve(cwd, entry || '.', command)).find(isExecutableFile);
    if (found) return found;
  }
  return null;
}

/** The interpreter named by a `#!` line, with `/usr/bin/env NAME` resolved on PATH. */
export function shebangInterpreter(file: string, searchPath: string | undefined, cwd: string): string | null {
  let head: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(256);
      head = buf.subarray(0, fs.readSync(fd, buf, 0, 256, 0)).toString('latin1');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  if (!head.startsWith('#!')) return null;
  const words = head.slice(2).split('\n')[0].trim().split(/\s+/);
  const interpreter = words[0];
  if (!interpreter) return null;
  if (path.basename(interpreter) === 'env') {
    const program = words.slice(1).find((w) => !w.startsWith('-') && !w.includes('='));
    return program ? whichCommand(program, searchPath, cwd) : null;
  }
  return interpreter;
}

/**
 * Every directory that must be mounted read-only for `command` to start the same way it does outside:
 * the prefixes of the program as found on PATH, of its real path, and of its `#!` interpreter (one level,
 * and that interpreter's real path), keeping only those outside `alreadyVisible` roots.
 */
export function toolchainMounts(
  command: string,
  searchPath: string | undefined,
  cwd: string,
  home: string,
  alreadyVisible: readonly string[],
): string[] {
  const found = whichCommand(command, searchPath, cwd);
  if (!found) return [];
  const files = [found, realpathOr(found)];
  const interpreter = shebangInterpreter(files[1], searchPath, cwd);
  if (interpreter) files.push(interpreter, realpathOr(interpreter));
  const mounts = new Set<string>();
  for (const file of files) {
    if (alreadyVisible.some((root) => isWithin(file, root))) continue;
    for (const prefix of installPrefixes(file, home)) if (fs.existsSync(prefix)) mounts.add(prefix);
  }
  return [...mounts];
}

export function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
