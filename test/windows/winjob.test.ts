import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, effectiveLimits, type EffectiveLimits } from '../../src/sandbox/limits';
import { parseWinjobStatus, WINJOB_EXIT, winjobArgv } from '../../src/sandbox/windows/winjob';

const UNLIMITED: EffectiveLimits = { memoryMb: null, cpuSeconds: null, timeoutSeconds: null, maxProcesses: null, maxFileSizeMb: null, maxOutputMb: null };

test('winjob argv: exact flags in order, then the status fd, --, and the command untouched', () => {
  const cases: { name: string; limits: EffectiveLimits; cpuRate?: number; want: string[] }[] = [
    { name: 'defaults', limits: DEFAULT_LIMITS, want: ['--memory-mb', '4096', '--max-processes', '1024', '--status-fd', '3', '--', 'node', 'a b'] },
    { name: 'nothing limited', limits: UNLIMITED, want: ['--status-fd', '3', '--', 'node', 'a b'] },
    {
      name: 'every job limit',
      limits: effectiveLimits({ memoryMb: 256, maxProcesses: 8, cpuSeconds: 2.5, timeoutSeconds: 9, maxOutputMb: 1 }),
      cpuRate: 50,
      want: ['--memory-mb', '256', '--max-processes', '8', '--cpu-seconds', '2.5', '--cpu-rate', '50', '--status-fd', '3', '--', 'node', 'a b'],
    },
    { name: 'cpu rate is clamped to 1..100', limits: UNLIMITED, cpuRate: 0.2, want: ['--cpu-rate', '1', '--status-fd', '3', '--', 'node', 'a b'] },
    { name: 'cpu rate over 100', limits: UNLIMITED, cpuRate: 250, want: ['--cpu-rate', '100', '--status-fd', '3', '--', 'node', 'a b'] },
  ];
  for (const c of cases) {
    assert.deepEqual(winjobArgv(c.limits, ['node', 'a b'], 3, { cpuRatePercent: c.cpuRate }), c.want, c.name);
  }
});

test('winjob argv: the wall timeout, output and file size are not helper flags', () => {
  const argv = winjobArgv({ ...UNLIMITED, timeoutSeconds: 5, maxOutputMb: 2, maxFileSizeMb: 10 }, ['x'], 4);
  assert.deepEqual(argv, ['--status-fd', '4', '--', 'x']);
});

test('winjob argv: a command that looks like flags stays after --', () => {
  assert.deepEqual(winjobArgv(UNLIMITED, ['--memory-mb', '1'], 3), ['--status-fd', '3', '--', '--memory-mb', '1']);
  assert.throws(() => winjobArgv(UNLIMITED, [], 3), /needs a command/);
});

test('status lines: the bwrap vocabulary plus limit and ui-restrictions', () => {
  const text = '{"child-pid": 276}\r\n{"ui-restrictions": false}\n{"limit": "memory"}\n{"exit-code": 137}\n';
  assert.deepEqual(parseWinjobStatus(text), { childPid: 276, uiRestrictions: false, limit: 'memory', exitCode: 137 });
});

test('status lines: partial, unknown and malformed lines are skipped', () => {
  assert.deepEqual(parseWinjobStatus(''), {});
  assert.deepEqual(parseWinjobStatus('{"child-pid": 12}\n{"exit-co'), { childPid: 12 });
  assert.deepEqual(parseWinjobStatus('{"limit": "wall"}\n{"limit": 3}\n[1]\nnull\n"x"\n{"child-pid": -1}\n{"exit-code": 1.5}'), {});
  assert.deepEqual(parseWinjobStatus('{"child-pid": 9, "extra": true}'), { childPid: 9 });
});

test('status lines: Windows exit statuses are DWORDs', () => {
  assert.equal(parseWinjobStatus('{"exit-code": 3221225477}').exitCode, 0xc0000005);
  assert.equal(parseWinjobStatus('{"exit-code": 4294967296}').exitCode, undefined);
});

test('the helper exit statuses match the CLI vocabulary', () => {
  assert.deepEqual(WINJOB_EXIT, { limit: 137, notFound: 127, setup: 125 });
});
