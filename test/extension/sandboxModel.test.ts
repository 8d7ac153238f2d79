import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SandboxInfo } from '../../src/protocol/sandbox';
import { SandboxModel } from '../../src/extension/sandboxModel';

const base: SandboxInfo = {
  id: 'a', tool: 't', command: ['x'], workspace: '/w', cwd: '/w', state: 'running', backend: 'bwrap',
  policy: { read: [], write: [], net: 'none', env: [] }, limits: {}, startedAt: 0, usage: null, exitCode: null, signal: null, limit: null,
};

test('a notification about an unknown sandbox asks for a list', () => {
  const model = new SandboxModel();
  assert.equal(model.applyState({ id: 'a', state: 'running' }, 0), false);
  assert.equal(model.applyWarning({ id: 'a', resource: 'cpu', percent: 90 }, 0), false);
  model.applyList([base]);
  assert.equal(model.applyState({ id: 'a', state: 'suspended' }, 0), true);
  assert.equal(model.get('a')?.info.state, 'suspended');
});

test('usage updates running sandboxes; the end clears it and records the limit', () => {
  const model = new SandboxModel();
  model.applyList([base]);
  model.applyUsage({ at: 1, samples: [{ id: 'a', cpuPercent: 50, memoryBytes: 10, processes: 2, cpuSeconds: 1 }, { id: 'zz', cpuPercent: 1, memoryBytes: 1, processes: 1, cpuSeconds: 0 }] });
  assert.equal(model.get('a')?.info.usage?.cpuPercent, 50);
  model.applyState({ id: 'a', state: 'killed', limit: 'cpu', exitCode: null, signal: 'SIGKILL', message: 'over' }, 5);
  const e = model.get('a')!;
  assert.equal(e.info.usage, null);
  assert.equal(e.message, 'over');
  assert.deepEqual(e.events, [{ at: 5, kind: 'limit', resource: 'cpu', percent: null }]);
  model.applyList([{ ...e.info }]);
  assert.equal(model.get('a')?.events.length, 1, 'a new list keeps the recorded events');
});

test('active sandboxes come first, then at most ten ended ones, newest first', () => {
  const model = new SandboxModel();
  const ended = Array.from({ length: 12 }, (_, i) => ({ ...base, id: `e${i}`, state: 'exited' as const, startedAt: i }));
  model.applyList([...ended, { ...base, id: 'r', startedAt: -1 }]);
  const ids = model.all().map((e) => e.info.id);
  assert.equal(ids[0], 'r');
  assert.deepEqual(ids.slice(1), ['e11', 'e10', 'e9', 'e8', 'e7', 'e6', 'e5', 'e4', 'e3', 'e2']);
});
