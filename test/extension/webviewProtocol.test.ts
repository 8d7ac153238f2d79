import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SandboxInfo } from '../../src/protocol/sandbox';
import { hostMessageSchema, toSandboxView, webviewMessageSchema } from '../../src/protocol/webview';
import { Ring, UsageHistory } from '../../src/extension/usageHistory';

const sample = (id: string, cpuPercent = 10, memoryBytes = 1024) => ({ id, cpuPercent, memoryBytes, processes: 1, cpuSeconds: 0.5 });

test('webview → host: the three messages parse, anything else is refused', () => {
  assert.deepEqual(webviewMessageSchema.parse({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(webviewMessageSchema.parse({ type: 'stop', id: 's1' }), { type: 'stop', id: 's1' });
  assert.deepEqual(webviewMessageSchema.parse({ type: 'kill', id: 's1' }), { type: 'kill', id: 's1' });
  for (const bad of [
    null,
    'stop',
    {},
    { type: 'stop' },
    { type: 'stop', id: '' },
    { type: 'kill', id: 7 },
    { type: 'stop', id: 's1', signal: 'KILL' }, // strict: no smuggled fields
    { type: 'restart', id: 's1' },
    { command: 'stop', id: 's1' },
  ]) {
    assert.equal(webviewMessageSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test('host → webview: each message type parses; wrong fields are refused', () => {
  const view = { id: 's1', tool: 'eslint', state: 'running', startedAt: 1, memoryLimitBytes: 1 << 30, cpuSecondsLimit: null, limit: null, exitCode: null, signal: null };
  const good = [
    { type: 'snapshot', at: 5, windowMs: 300_000, sandboxes: [view], history: [{ id: 's1', points: [{ at: 4, cpuPercent: 3, memoryBytes: 9, cpuSeconds: 0.1 }], warnings: [{ at: 4, resource: 'memory', percent: 81 }] }] },
    { type: 'usage', at: 5, samples: [{ id: 's1', cpuPercent: 150, memoryBytes: 2048, cpuSeconds: 3 }] },
    { type: 'state', id: 's1', state: 'killed', limit: 'memory', exitCode: null, signal: 'SIGKILL' },
    { type: 'state', id: 's1', state: 'running' },
    { type: 'warning', id: 's1', at: 5, resource: 'cpu', percent: 80 },
  ];
  for (const m of good) assert.deepEqual(hostMessageSchema.parse(m), m);
  for (const bad of [
    { type: 'usage', at: 5, samples: [{ id: 's1', cpuPercent: -1, memoryBytes: 0, cpuSeconds: 0 }] },
    { type: 'usage', at: Infinity, samples: [] },
    { type: 'state', id: 's1', state: 'zombie' },
    { type: 'warning', id: 's1', at: 5, resource: 'network', percent: 80 },
    { type: 'snapshot', at: 5, windowMs: 300_000, sandboxes: [{ ...view, policy: { read: [] } }], history: [] }, // no raw policy
  ]) {
    assert.equal(hostMessageSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test('the view model carries names, state and limits in bytes, and nothing of the policy', () => {
  const info: SandboxInfo = {
    id: 's1',
    tool: 'tsc',
    command: ['tsc', '-b'],
    workspace: '/w',
    cwd: '/w',
    state: 'killed',
    backend: 'bwrap',
    policy: { read: ['/secret'], write: [], net: 'none', env: ['TOKEN'] },
    limits: { memoryMb: 512, cpuSeconds: 60, timeoutSeconds: null },
    startedAt: 1000,
    usage: null,
    exitCode: null,
    signal: 'SIGKILL',
    limit: 'memory',
  };
  const view = toSandboxView(info);
  assert.deepEqual(view, { id: 's1', tool: 'tsc', state: 'killed', startedAt: 1000, memoryLimitBytes: 512 * 1024 * 1024, cpuSecondsLimit: 60, limit: 'memory', exitCode: null, signal: 'SIGKILL' });
  assert.equal(hostMessageSchema.safeParse({ type: 'snapshot', at: 1, windowMs: 1, sandboxes: [view], history: [] }).success, true);
  assert.deepEqual(toSandboxView({ ...info, limits: {} }).memoryLimitBytes, null, 'absent means unlimited');
});

test('ring: keeps the newest `capacity` items in order and drops from the old end', () => {
  const r = new Ring<number>(3);
  assert.deepEqual(r.toArray(), []);
  assert.equal(r.last(), undefined);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.deepEqual(r.toArray(), [3, 4, 5]);
  assert.equal(r.first(), 3);
  assert.equal(r.last(), 5);
  r.dropWhile((n) => n < 5);
  assert.deepEqual(r.toArray(), [5]);
  r.push(6);
  r.push(7);
  r.push(8);
  assert.deepEqual(r.toArray(), [6, 7, 8], 'wraps around after a drop');
  r.dropWhile(() => true);
  assert.equal(r.length, 0);
  assert.throws(() => new Ring(0), RangeError);
});

test('history: one point per sandbox per tick, bounded by count', () => {
  const h = new UsageHistory({ windowMs: 1_000_000, maxPoints: 300, maxWarnings: 2 });
  for (let t = 1; t <= 400; t++) h.addUsage({ at: t * 1000, samples: [sample('a', t), sample('b')] });
  const a = h.get('a');
  assert.ok(a);
  assert.equal(a.points.length, 300);
  assert.deepEqual(a.points[0], { at: 101_000, cpuPercent: 101, memoryBytes: 1024, cpuSeconds: 0.5 });
  assert.equal(a.points.at(-1)?.at, 400_000);
  assert.equal(h.all().length, 2);
});

test('history: keeps five minutes; a finished sandbox leaves once its last point is out of the window', () => {
  const h = new UsageHistory({ windowMs: 300_000, maxPoints: 1000, maxWarnings: 4 });
  h.addUsage({ at: 0, samples: [sample('old')] });
  h.addWarning({ id: 'old', resource: 'memory', percent: 85 }, 0);
  for (let t = 1; t <= 400; t++) h.addUsage({ at: t * 1000, samples: [sample('live')] });
  const live = h.get('live');
  assert.ok(live);
  assert.equal(live.points[0]?.at, 100_000, 'points older than the window are gone');
  assert.equal(live.points.length, 301);
  assert.equal(h.get('old'), undefined, 'nothing left: forgotten');
  h.prune(10_000_000);
  assert.deepEqual(h.all(), [], 'prune without ticks expires everything');
});

test('history: late or repeated ticks do not reorder a sandbox; warnings are bounded and stamped', () => {
  const h = new UsageHistory({ windowMs: 300_000, maxPoints: 10, maxWarnings: 2 });
  h.addUsage({ at: 2000, samples: [sample('a', 1)] });
  h.addUsage({ at: 1000, samples: [sample('a', 2)] });
  h.addUsage({ at: 2000, samples: [sample('a', 3)] });
  assert.deepEqual(h.get('a')?.points.map((p) => p.cpuPercent), [1]);
  assert.deepEqual(h.addWarning({ id: 'a', resource: 'cpu', percent: 80 }, 2100), { at: 2100, resource: 'cpu', percent: 80 });
  h.addWarning({ id: 'a', resource: 'memory', percent: 81 }, 2200);
  h.addWarning({ id: 'a', resource: 'processes', percent: 90 }, 2300);
  assert.deepEqual(h.get('a')?.warnings.map((w) => w.resource), ['memory', 'processes']);
  const parsed = hostMessageSchema.safeParse({ type: 'snapshot', at: 3000, windowMs: 300_000, sandboxes: [], history: h.all() });
  assert.equal(parsed.success, true, 'history is what the snapshot schema expects');
});
