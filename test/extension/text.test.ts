import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAuditLog } from '../../src/extension/auditFormat';
import { splitCommandLine } from '../../src/extension/commandLine';
import { doctorSummary, formatDoctorReport } from '../../src/extension/doctorReport';
import { readSettings } from '../../src/extension/settings';
import { footerText, TerminalText } from '../../src/extension/terminalText';

test('terminal text: a character split across notifications survives, per stream, and newlines become CRLF', () => {
  const t = new TerminalText();
  const bytes = Buffer.from('é\n', 'utf8');
  assert.equal(t.decode({ stream: 'stdout', data: bytes.subarray(0, 1).toString('base64') }), '');
  assert.equal(t.decode({ stream: 'stderr', data: Buffer.from('e\n').toString('base64') }), 'e\r\n');
  assert.equal(t.decode({ stream: 'stdout', data: bytes.subarray(1).toString('base64') }), 'é\r\n');
  assert.match(footerText({ state: 'exited', exitCode: 0 }), /\[sandbox exited with 0\]/);
  assert.match(footerText({ state: 'killed', limit: 'memory', exitCode: null, signal: 'SIGKILL' }), /\x1b\[31m\[sandbox stopped: memory limit reached\]/);
});

test('command lines split like a shell splits words, and nothing more', () => {
  assert.deepEqual(splitCommandLine(`npm  run "build prod" 'a b' c\\ d "x\\"y" $HOME`), ['npm', 'run', 'build prod', 'a b', 'c d', 'x"y', '$HOME']);
  assert.deepEqual(splitCommandLine(`sh -c 'echo "$1" | wc'`), ['sh', '-c', 'echo "$1" | wc']);
  assert.deepEqual(splitCommandLine(`a ""`), ['a', '']);
  assert.throws(() => splitCommandLine(`echo 'oops`), /unterminated ' quote/);
});

test('settings: defaults, and a bad value falls back with a message naming it', () => {
  const { settings, problems } = readSettings({ get: (k) => ({ warningThreshold: 2, defaultLimits: { memoryMb: 512 }, defaultBackend: 'bwrap' })[k] });
  assert.equal(settings.warningThreshold, 0.8);
  assert.deepEqual(settings.defaultLimits, { memoryMb: 512 });
  assert.equal(settings.defaultBackend, 'bwrap');
  assert.equal(settings.sampleIntervalMs, 1000);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^workspaceSandbox\.warningThreshold: /);
  assert.deepEqual(readSettings({ get: () => ({ memoryMb: -1 }) }).problems.length, 6);
});

test('the audit log reads as one line per record with the tool filled in from its start', () => {
  const lines = [
    { ts: '2025-11-24T23:04:05.123Z', event: 'grant', tool: 'lint', capability: 'write to /w/.eslintcache', decision: 'allow', scope: 'once' },
    { ts: '2025-11-24T23:04:06.000Z', event: 'start', id: 's1', tool: 'lint', command: ['eslint', '.'], backend: 'bwrap', grants: ['write /w/.eslintcache'], limits: { memoryMb: 2048, cpuSeconds: null } },
    { ts: '2025-11-24T23:04:07.000Z', event: 'limit', id: 's1', limit: 'memory', value: 2048 },
    { ts: '2025-11-24T23:04:07.500Z', event: 'exit', id: 's1', exitCode: null, signal: 'SIGKILL', limit: 'memory', durationMs: 1500, peakMemoryBytes: 2048 * 1024 * 1024, cpuSeconds: 0.5 },
    { ts: '2025-11-24T23:04:08.000Z', event: 'future', x: 1 },
  ].map((r) => JSON.stringify(r));
  const out = formatAuditLog([...lines, '{"ts":"2025-11-2', ''].join('\n')).split('\n');
  assert.equal(out[0], '2025-11-24 23:04:05Z  grant   lint  allow "write to /w/.eslintcache" (once)');
  assert.equal(out[1], '2025-11-24 23:04:06Z  start   lint  eslint . · bwrap · write /w/.eslintcache · limits memoryMb=2048');
  assert.equal(out[2], '2025-11-24 23:04:07Z  limit   lint  memory limit at 2048');
  assert.equal(out[3], '2025-11-24 23:04:07Z  exit    lint  memory limit · 1.5 s · 0.5 s CPU · 2048 MB peak');
  assert.equal(out[4], '2025-11-24 23:04:08Z  future        {"x":1}');
  assert.equal(out[5], '(1 unreadable line skipped)');
  assert.match(formatAuditLog(''), /empty/);
});

test('the doctor report carries each backend’s reason and fix', () => {
  const doctor = {
    backends: [
      { backend: 'bwrap' as const, works: false, isolation: 'filesystem, network, processes, environment', reason: 'AppArmor blocks it', fix: 'install a profile:\nprofile bwrap {}' },
      { backend: 'none' as const, works: true, isolation: 'limits only', reason: null, fix: null },
    ],
    enforcement: { cgroup: null, rlimits: true, watchdog: true, note: '' },
  };
  const report = formatDoctorReport(doctor, { supervisorVersion: '0.1.0' });
  assert.match(report, /✗ bwrap: does not work here\n {2}why: AppArmor blocks it\n {2}fix: install a profile:\n {7}profile bwrap \{\}/);
  assert.match(report, /✓ none: works — isolates limits only/);
  assert.deepEqual(doctorSummary(doctor).ok, false);
});
