import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
export const CLI = path.join(REPO, 'dist', 'cli.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The `--json` line, when asked for. */
  result: Record<string, unknown> | null;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

function lastJson(stderr: string): Record<string, unknown> | null {
  const line = stderr.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

/** `wsb ARGS`, waited for synchronously (the test process does nothing meanwhile). */
export function wsb(args: string[], opts: RunOptions = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, result: lastJson(r.stderr) };
}

/** `wsb ARGS` while this process keeps serving (sockets the tool connects to). */
export function wsbAsync(args: string[], opts: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, result: lastJson(stderr) }));
  });
}

/** A fresh directory with `files` (relative path → content) written into it. */
export function tree(files: Record<string, string> = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wsb-it-')));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

/** Why the real-sandbox tests cannot run here, or false. Asked of `wsb doctor` itself. */
export const skipReason: string | false = (() => {
  if (process.platform !== 'linux') return 'the bwrap backend is Linux-only';
  if (!fs.existsSync(CLI)) return `${CLI} is missing: run npm run build`;
  const r = spawnSync(process.execPath, [CLI, 'doctor', '--json'], { encoding: 'utf8' });
  try {
    const bwrap = JSON.parse(r.stdout).backends.find((b: { backend: string }) => b.backend === 'bwrap');
    return bwrap.works ? false : `bwrap does not work here: ${bwrap.reason}`;
  } catch {
    return `wsb doctor failed: ${r.stderr}`;
  }
})();

if (skipReason) process.stderr.write(`SKIPPING real-sandbox tests: ${skipReason}\n`);

/** Host processes whose command line contains `token`. */
export function hostProcessesWith(token: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(token)) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

export const asRoot = process.getuid?.() === 0;
export const who = asRoot ? 'as root' : `as uid ${process.getuid?.()}`;
