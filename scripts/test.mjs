// The test command: compiles the tests, runs unit tests, then the real-sandbox tests as this user and,
// when this is root, once more as an unprivileged user (real users are not root).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { build } from 'esbuild';
import { join } from 'node:path';

const UNPRIVILEGED_USER = 'wsb-tester';
const PHASE_TIMEOUT_MS = 20 * 60 * 1000;
const totals = { pass: 0, fail: 0, skipped: 0 };

/** Adds the `# pass` / `# fail` / `# skipped` lines of every node:test summary in `output`. */
function count(output, exitStatus) {
  const sum = (name) => [...output.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  totals.pass += sum('pass');
  totals.fail += sum('fail') + (exitStatus !== 0 && sum('fail') === 0 ? 1 : 0);
  totals.skipped += sum('skipped');
}

function nodeTest(label, args, opts = {}) {
  console.log(`\n=== ${label} ===`);
  const r = spawnSync(opts.command ?? process.execPath, opts.command ? [...opts.prefix, process.execPath, '--test', ...args] : ['--test', ...args], {
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    // A test file that never exits (a handle left open) must fail the run, not stall CI until its deadline.
    timeout: PHASE_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  process.stdout.write(r.stdout);
  if (r.error) console.log(`not ok - ${label}: ${r.error.message} (a test file did not exit within ${PHASE_TIMEOUT_MS / 60000} minutes)`);
  count(r.stdout, r.status);
}

// A test file moved or deleted must not live on as a stale compiled copy.
rmSync('out/test', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
// The extension layer type-checks against @types/vscode; its unit tests are vscode-free and bundled to run.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.extension.json'], { stdio: 'inherit' });
// The extension's and the Windows backend's tests are bundled to run (vscode-free, platform-free code).
for (const dir of ['extension', 'windows']) {
  rmSync(`out/test-${dir}`, { recursive: true, force: true });
  await build({
    entryPoints: readdirSync(`test/${dir}`).filter((f) => f.endsWith('.test.ts')).map((f) => `test/${dir}/${f}`),
    bundle: true,
    platform: 'node',
    outdir: `out/test-${dir}`,
    logLevel: 'warning',
  });
}
const windowsUnit = readdirSync('out/test-windows').filter((f) => f.endsWith('.test.js') && f !== 'wine.test.js').map((f) => `out/test-windows/${f}`);
nodeTest('unit tests', ['out/test/sandbox', 'out/test/cli', 'out/test/protocol', 'out/test/supervisor', 'out/test-extension', ...windowsUnit]);
// winjob.exe and `wsb run` on a Windows Node, under Wine; each test skips, saying why, where Wine, the
// helper or the Windows Node is missing, or where Wine does not enforce a job limit.
nodeTest('Windows backend under Wine', ['out/test-windows/wine.test.js']);
execFileSync(process.execPath, ['scripts/vscode-test.mjs'], { stdio: 'inherit' });
nodeTest(`real-sandbox tests as uid ${process.getuid()}`, ['out/test/integration']);

if (process.getuid() === 0) {
  if (spawnSync('id', [UNPRIVILEGED_USER]).status !== 0) execFileSync('useradd', ['--create-home', UNPRIVILEGED_USER]);
  // A private copy the unprivileged user can read: the checkout may live under root's home.
  const copy = mkdtempSync(join(tmpdir(), 'wsb-unprivileged-'));
  for (const part of ['dist', 'out', 'node_modules', 'test/fixtures', 'package.json']) cpSync(part, join(copy, part), { recursive: true, verbatimSymlinks: true });
  execFileSync('chown', ['-R', `${UNPRIVILEGED_USER}:`, copy]);
  execFileSync('chmod', ['755', copy]);
  nodeTest(`real-sandbox tests as ${UNPRIVILEGED_USER}`, ['out/test/integration'], {
    cwd: copy,
    command: 'runuser',
    prefix: ['-u', UNPRIVILEGED_USER, '--', 'env', `HOME=/home/${UNPRIVILEGED_USER}`],
  });
  rmSync(copy, { recursive: true, force: true });
}

// End to end in a real VS Code (code-server in headless Chromium). Its set-up installs Debian packages,
// so where that is impossible (not root, no Chromium) it is skipped visibly; WSB_E2E=0 skips it on purpose.
const canSetUpE2e = process.getuid() === 0 || spawnSync('sh', ['-c', 'command -v chromium']).status === 0;
if (process.env.WSB_E2E === '0' || !canSetUpE2e) {
  console.log(`\nSKIPPED: end-to-end tests in code-server (${process.env.WSB_E2E === '0' ? 'WSB_E2E=0' : 'not root and Chromium missing: run as root once to install it'})`);
} else {
  console.log('\n=== end-to-end tests in code-server ===');
  const r = spawnSync('bash', ['test/e2e/run.sh'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(r.stdout);
  count(r.stdout, r.status);
}

console.log(`\ntests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exitCode = totals.fail === 0 ? 0 : 1;
