import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../src/cli/args';

test('run flags map to policy, limits and options; the command follows --', () => {
  const a = parseArgs(['run', '--allow-read', 'r', '--allow-write', 'w', '--allow-write', 'w2', '--allow-net', '--allow-env', 'TOKEN', '--memory-mb', '64', '--cpu-seconds', '1.5', '--timeout-seconds', '3', '--max-processes', '8', '--backend', 'bwrap', '--json', '--audit-log', 'a.jsonl', '--', 'ls', '--allow-net']);
  assert.equal(a.kind, 'run');
  if (a.kind !== 'run') return;
  assert.deepEqual([a.read, a.write, a.net, a.env], [['r'], ['w', 'w2'], true, ['TOKEN']]);
  assert.deepEqual(a.limits, { memoryMb: 64, cpuSeconds: 1.5, timeoutSeconds: 3, maxProcesses: 8 });
  assert.deepEqual([a.backend, a.json, a.auditLog], ['bwrap', true, 'a.jsonl']);
  assert.deepEqual(a.command, ['ls', '--allow-net']);
});

for (const [argv, message] of [
  [['run', '--memory-mb', '-1', '--', 'x'], /--memory-mb: "-1" must be greater than 0/],
  [['run', '--max-processes', '2.5', '--', 'x'], /--max-processes: "2.5" must be a whole number/],
  [['run', '--timeout-seconds', '', '--', 'x'], /--timeout-seconds: "" must be a number/],
  [['run', '--memory-mb'], /--memory-mb needs a value/],
  [['run', '--backend', 'docker', '--', 'x'], /--backend: docker is not one of auto, bwrap, job, none/],
  [['run', '--allow-env', 'A=B', '--', 'x'], /--allow-env: "A=B" is not an environment variable name/],
  [['run', '--bogus', '--', 'x'], /unknown option: --bogus/],
  [['run', 'ls'], /put the command after --/],
  [['run'], /no command/],
  [['run', '--manifest', 'm.json', '--', 'x'], /--manifest needs --tool/],
  [['frobnicate'], /unknown command: frobnicate/],
] as const) {
  test(`usage error: ${argv.join(' ')}`, () => assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && message.test(e.message)));
}

test('a manifest tool may run without a command, extra arguments append', () => {
  const a = parseArgs(['run', '--tool', 'lint', '--grant-requested', '--', '--fix']);
  assert.ok(a.kind === 'run' && a.tool === 'lint' && a.grantRequested && a.command.join() === '--fix');
});

test('doctor, tools and schema', () => {
  assert.deepEqual(parseArgs(['doctor', '--json']), { kind: 'doctor', json: true });
  assert.deepEqual(parseArgs(['tools', '--manifest', 'm.json']), { kind: 'tools', json: false, workspace: undefined, manifest: 'm.json' });
  assert.deepEqual(parseArgs(['schema']), { kind: 'schema' });
});
