import assert from 'node:assert/strict';
import { test } from 'node:test';
import { descendants, parseStat } from '../../src/sandbox/procfs';

test('parseStat survives spaces and parentheses in the command name', () => {
  const line = '4242 (evil) (name) S 17 4242 4242 0 -1 4194304 100 0 0 0 7 3 2 1 20 0 1 0 123 4096000 250 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0';
  assert.deepEqual(parseStat(line), { pid: 4242, ppid: 17, comm: 'evil) (name', state: 'S', ticks: 10, childTicks: 3, rssPages: 250 });
  assert.equal(parseStat('garbage'), null);
});

test('descendants walks the whole tree from the root', () => {
  const t = new Map([1, 2, 3, 4, 5].map((pid) => [pid, { pid, ppid: pid === 1 ? 0 : pid === 5 ? 1 : pid - 1, comm: '', state: 'S', ticks: 0, childTicks: 0, rssPages: 0 }]));
  assert.deepEqual(descendants(t, 2).map((p) => p.pid), [2, 3, 4]);
  assert.deepEqual(descendants(t, 9), []);
});

test('the cached table keeps every process and re-reads the watched tree each time', async () => {
  const { ProcessTableCache } = await import('../../src/sandbox/procfs');
  const cache = new ProcessTableCache(1000);
  const first = cache.read([process.ppid]).table.get(process.pid)!;
  const spinUntil = Date.now() + 50;
  while (Date.now() < spinUntil); // burn CPU so our own ticks grow
  const second = cache.read([process.ppid]).table.get(process.pid)!;
  assert.equal(second.ppid, process.ppid);
  assert.ok(second.ticks > first.ticks, `${first.ticks} → ${second.ticks}`);
  assert.ok(cache.read([]).table.size > 1, 'other processes stay in the table');
});
