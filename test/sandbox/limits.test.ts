import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, effectiveLimits, exitStatusForLimit, limitValueProblem, prlimitOptions, tmpfsBytes, watchdogThresholds } from '../../src/sandbox/limits';

test('absent limits take the documented defaults; given ones win', () => {
  assert.deepEqual(effectiveLimits(undefined), DEFAULT_LIMITS);
  assert.deepEqual(effectiveLimits({ memoryMb: 256, cpuSeconds: undefined }), { ...DEFAULT_LIMITS, memoryMb: 256 });
});

test('limit values are checked by field', () => {
  assert.equal(limitValueProblem('memoryMb', 512), null);
  assert.equal(limitValueProblem('memoryMb', 0), 'must be greater than 0');
  assert.equal(limitValueProblem('memoryMb', -1), 'must be greater than 0');
  assert.equal(limitValueProblem('memoryMb', 1.5), 'must be a whole number');
  assert.equal(limitValueProblem('maxProcesses', 2.5), 'must be a whole number');
  assert.equal(limitValueProblem('cpuSeconds', 0.5), null);
  assert.equal(limitValueProblem('timeoutSeconds', NaN), 'must be a number');
  assert.equal(limitValueProblem('timeoutSeconds', Infinity), 'must be a number');
});

test('rlimits: CPU soft then hard a second later, file size in bytes, open files only above the cap', () => {
  const l = effectiveLimits({ cpuSeconds: 2.2, maxFileSizeMb: 3 });
  assert.deepEqual(prlimitOptions(l, { soft: 1024, hard: 20000 }), ['--cpu=3:4', `--fsize=${3 * 1024 * 1024}`]);
  assert.deepEqual(prlimitOptions({ ...l, cpuSeconds: null, maxFileSizeMb: null }, { soft: 1024, hard: 10 ** 7 }), ['--nofile=1024:65536']);
  assert.deepEqual(prlimitOptions({ ...l, cpuSeconds: null, maxFileSizeMb: null }, { soft: 10 ** 6, hard: 10 ** 7 }), ['--nofile=65536:65536']);
  assert.deepEqual(prlimitOptions(effectiveLimits({}), { soft: 1024, hard: 4096 }), [], 'the defaults need no prlimit');
});

test('the private /tmp and HOME share the memory limit', () => {
  assert.equal(tmpfsBytes(effectiveLimits({ memoryMb: 512 })), 256 * 1024 * 1024);
  assert.equal(tmpfsBytes({ ...effectiveLimits({}), memoryMb: null }), null);
});

test('watchdog thresholds are in bytes and seconds; unlimited stays null', () => {
  const t = watchdogThresholds(effectiveLimits({ memoryMb: 2, maxOutputMb: 0.5 }), 0.8);
  assert.equal(t.memoryBytes, 2 * 1024 * 1024);
  assert.equal(t.outputBytes, 512 * 1024);
  assert.equal(t.cpuSeconds, null);
  assert.equal(t.processes, 1024);
});

test('exit statuses follow timeout(1): 124 for the wall clock, 137 for the rest', () => {
  assert.equal(exitStatusForLimit('wall'), 124);
  for (const l of ['memory', 'cpu', 'processes', 'output', 'fileSize'] as const) assert.equal(exitStatusForLimit(l), 137);
});
