import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readAuditLog } from '../../src/sandbox/audit';
import { skipReason, tree, who, wsb } from './helpers';

const skip = skipReason;

test(`output is byte-identical to a bare run, stdin passes through (${who})`, { skip }, () => {
  const script = 'printf "\\000\\001\\377 bytes\\r\\n"; echo to-stderr >&2; cat; exit 3';
  const bare = spawnSync('sh', ['-c', script], { input: 'piped input\n' });
  const ws = tree();
  const inside = spawnSync(process.execPath, [require('./helpers').CLI, 'run', '--', 'sh', '-c', script], { input: 'piped input\n', cwd: ws });
  assert.deepEqual(inside.stdout, bare.stdout);
  assert.deepEqual(inside.stderr, bare.stderr);
  assert.equal(inside.status, 3);
});

test(`exit statuses: command not found 127, bad usage 2, the tool's own otherwise (${who})`, { skip }, () => {
  assert.equal(wsb(['run', '--', 'no-such-command-wsb'], { cwd: tree() }).status, 127);
  assert.equal(wsb(['run', '--memory-mb', 'lots', '--', 'true'], { cwd: tree() }).status, 2);
  assert.equal(wsb(['run', '--', 'sh', '-c', 'exit 42'], { cwd: tree() }).status, 42);
});

test(`--json reports the run (${who})`, { skip }, () => {
  const r = wsb(['run', '--json', '--allow-env', 'X', '--', 'true'], { cwd: tree() });
  assert.deepEqual(Object.keys(r.result ?? {}).sort(), ['backend', 'cpuSeconds', 'durationMs', 'exitCode', 'limit', 'peakMemoryBytes', 'policy', 'signal']);
  assert.equal(r.result?.exitCode, 0);
  assert.equal(r.result?.backend, 'bwrap');
  assert.deepEqual(r.result?.policy, { read: [], write: [], net: 'none', env: ['X'] });
});

test(`a bad manifest is one line naming the field, exit 2, and nothing runs (${who})`, { skip }, () => {
  const ws = tree({ '.vscode/sandbox.json': JSON.stringify({ tools: { t: { command: ['sh', '-c', 'touch ran'], capabilities: { write: ['.'] }, limits: { memoryMb: -5 } } } }) });
  const r = wsb(['run', '--tool', 't'], { cwd: ws });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim(), `wsb: ${path.join(ws, '.vscode/sandbox.json')}: tools.t.limits.memoryMb: Too small: expected number to be >0`);
  assert.ok(!fs.existsSync(path.join(ws, 'ran')));
  const malformed = tree({ '.vscode/sandbox.json': '{"tools": {' });
  const m = wsb(['run', '--tool', 't'], { cwd: malformed });
  assert.equal(m.status, 2);
  assert.match(m.stderr, /malformed JSON/);
});

test(`manifest tools get only what is granted; --grant-requested grants the request; every decision is audited (${who})`, { skip }, () => {
  const ws = tree({ '.vscode/sandbox.json': JSON.stringify({ tools: { gen: { command: ['sh', '-c', 'echo generated > out/gen.txt'], description: 'generator', capabilities: { write: ['out/'] }, limits: { timeoutSeconds: 30 } } } }) });
  const audit = path.join(ws, 'audit.jsonl');
  const denied = wsb(['run', '--audit-log', audit, '--tool', 'gen'], { cwd: ws });
  assert.notEqual(denied.status, 0);
  assert.match(denied.stderr, /tool gen requests write to .*\/out\/: not granted/);
  assert.ok(!fs.existsSync(path.join(ws, 'out/gen.txt')));
  const granted = wsb(['run', '--audit-log', audit, '--grant-requested', '--tool', 'gen'], { cwd: ws });
  assert.equal(granted.status, 0, granted.stderr);
  assert.equal(fs.readFileSync(path.join(ws, 'out/gen.txt'), 'utf8'), 'generated\n');

  const limited = wsb(['run', '--audit-log', audit, '--timeout-seconds', '1', '--', 'sleep', '10'], { cwd: ws });
  assert.equal(limited.status, 124);
  const { records, unreadable } = readAuditLog(audit);
  assert.equal(unreadable, 0);
  assert.deepEqual(records.map((r) => r.event), ['denied', 'start', 'exit', 'start', 'exit', 'start', 'limit', 'signal', 'exit']);
  const start = records[3];
  assert.ok(start.event === 'start' && start.tool === 'gen' && start.grants.length === 1 && /^write to /.test(start.grants[0]));
  const limit = records[6];
  assert.ok(limit.event === 'limit' && limit.limit === 'wall' && limit.value === 1);
});

test(`wsb tools lists what each tool requests (${who})`, { skip }, () => {
  const ws = tree({ '.vscode/sandbox.json': JSON.stringify({ tools: { lint: { command: ['eslint', '.'], description: 'ESLint', capabilities: { write: ['.eslintcache'], net: 'all', env: ['GITHUB_TOKEN'] } } } }) });
  const r = wsb(['tools'], { cwd: ws });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^lint - ESLint$/m);
  assert.match(r.stdout, /requests: write to .*\.eslintcache; read the environment variable GITHUB_TOKEN; full network access/);
});

test(`wsb doctor says which backends work and how limits are enforced (${who})`, { skip }, () => {
  const r = wsb(['doctor', '--json']);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.backends.map((b: { backend: string; works: boolean }) => [b.backend, b.works]), [['bwrap', true], ['none', true]]);
  assert.equal(report.enforcement.watchdog, true);
});

test(`--backend none warns that nothing is isolated (${who})`, { skip }, () => {
  const r = wsb(['run', '--backend', 'none', '--', 'true'], { cwd: tree() });
  assert.equal(r.status, 0);
  assert.match(r.stderr, /WITHOUT isolation/);
});

test(`without bwrap the run does not start (125) and never falls back to no isolation (${who})`, { skip }, () => {
  const r = wsb(['run', '--', 'sh', '-c', 'echo RAN'], { cwd: tree(), env: { ...process.env, WSB_BWRAP: '/nonexistent/bwrap' } });
  assert.equal(r.status, 125);
  assert.doesNotMatch(r.stdout, /RAN/);
  assert.match(r.stderr, /bubblewrap \(bwrap\) is not installed.*wsb doctor/);
  const doctor = wsb(['doctor'], { env: { ...process.env, WSB_BWRAP: '/nonexistent/bwrap' } });
  assert.equal(doctor.status, 1, 'doctor fails when no isolating backend works');
  assert.match(doctor.stdout, /FAIL bwrap[\s\S]*fix: install it/);
});
