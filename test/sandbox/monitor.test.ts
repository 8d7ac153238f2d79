import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveLimits, watchdogThresholds } from '../../src/sandbox/limits';
import { judge, TreeMeter, UsageTicker, type WatchedResource } from '../../src/sandbox/monitor';
import { ProcessSnapshot, type ProcStat } from '../../src/sandbox/procfs';

function proc(pid: number, ppid: number, ticks: number, rssPages: number, childTicks = 0): ProcStat {
  return { pid, ppid, comm: 'x', state: 'S', ticks, childTicks, rssPages };
}
const table = (...ps: ProcStat[]): ProcessSnapshot => new ProcessSnapshot(new Map(ps.map((p) => [p.pid, p])));

test('the meter sums the tree only, counts reaped children, skips infrastructure in the process count', () => {
  const meter = new TreeMeter(10, 4096);
  const s = meter.measure(table(proc(10, 1, 5, 100), proc(11, 10, 20, 50, 30), proc(12, 11, 0, 10), proc(99, 1, 1000, 1000)), 1000, new Set([10]));
  assert.equal(s.memoryBytes, 160 * 4096);
  assert.equal(s.cpuSeconds, 0.55);
  assert.equal(s.processes, 2);
});

test('CPU seconds never go backwards when a reaper exits, and percent is over the interval', () => {
  const meter = new TreeMeter(10, 4096);
  meter.measure(table(proc(10, 1, 100, 1)), 0, new Set());
  const later = meter.measure(table(proc(10, 1, 150, 1)), 1000, new Set());
  assert.equal(later.cpuPercent, 50);
  const afterExit = meter.measure(table(proc(10, 1, 20, 1)), 2000, new Set());
  assert.equal(afterExit.cpuSeconds, 1.5);
  assert.equal(afterExit.cpuPercent, 0);
});

test('judge: warns once at 80%, reports the first limit exceeded', () => {
  const t = watchdogThresholds(effectiveLimits({ memoryMb: 1, maxProcesses: 10 }), 0.8);
  const warned = new Set<WatchedResource>();
  const sample = { at: 0, cpuPercent: 0, memoryBytes: 900 * 1024, processes: 3, cpuSeconds: 0 };
  assert.deepEqual(judge(sample, 0, t, warned), { exceeded: null, warnings: [{ resource: 'memory', percent: 88 }] });
  assert.deepEqual(judge(sample, 0, t, warned), { exceeded: null, warnings: [] });
  assert.equal(judge({ ...sample, processes: 11 }, 0, t, warned).exceeded, 'processes');
});

test('the ticker reads /proc once per tick for all consumers and stops when nobody listens', () => {
  let reads = 0;
  const seen: number[] = [];
  const ticker = new UsageTicker(60_000, () => (reads++, new ProcessSnapshot(new Map())), () => 42);
  const a = ticker.subscribe({ rootPid: 1, onTable: (_t, now) => seen.push(now) });
  const b = ticker.subscribe({ rootPid: 2, onTable: (_t, now) => seen.push(now) });
  ticker.tick();
  assert.equal(reads, 1);
  assert.deepEqual(seen, [42, 42]);
  a.dispose();
  b.dispose();
  assert.equal((ticker as unknown as { timer: unknown }).timer, undefined);
});
