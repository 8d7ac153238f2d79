import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SandboxInfo } from '../../src/protocol/sandbox';
import { SandboxModel } from '../../src/extension/sandboxModel';
import { formatBytes, limitLines, statusSummary, usageDescription } from '../../src/extension/usageText';

const MIB = 1024 * 1024;

function info(over: Partial<SandboxInfo> = {}): SandboxInfo {
  return {
    id: 'a',
    tool: 'lint',
    command: ['eslint', '.'],
    workspace: '/w',
    cwd: '/w',
    state: 'running',
    backend: 'bwrap',
    policy: { read: [], write: [], net: 'none', env: [] },
    limits: { memoryMb: 2048, cpuSeconds: null, timeoutSeconds: 300, maxProcesses: 1024, maxFileSizeMb: 4096, maxOutputMb: null },
    startedAt: 1000,
    usage: { cpuPercent: 12.4, memoryBytes: 80 * MIB, processes: 3, cpuSeconds: 1.25 },
    exitCode: null,
    signal: null,
    limit: null,
    ...over,
  };
}

test('sizes', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(80 * MIB), '80 MB');
  assert.equal(formatBytes(1536 * MIB), '1.5 GB');
});

test('the tree item description: live usage while running, the outcome after', () => {
  assert.equal(usageDescription(info()), '12% · 80 MB');
  assert.equal(usageDescription(info({ state: 'suspended' })), 'suspended · 80 MB');
  assert.equal(usageDescription(info({ state: 'starting', usage: null })), 'starting');
  assert.equal(usageDescription(info({ state: 'exited', exitCode: 1 })), 'exited with 1');
  assert.equal(usageDescription(info({ state: 'killed', limit: 'memory', signal: 'SIGKILL' })), 'stopped: memory limit reached');
  assert.equal(usageDescription(info({ state: 'exited', limit: 'wall', exitCode: null })), 'stopped: timed out');
});

test('limits with their current usage', () => {
  assert.deepEqual(limitLines(info()), ['memory: 80 MB of 2.0 GB', 'processes: 3 of 1024', 'timeout: 300 s', 'file size: 4.0 GB']);
});

test('the status bar: count, totals and severity', () => {
  const model = new SandboxModel();
  model.applyList([info(), info({ id: 'b', usage: { cpuPercent: 30, memoryBytes: 20 * MIB, processes: 1, cpuSeconds: 0 } }), info({ id: 'c', state: 'exited', exitCode: 0 })]);
  let s = statusSummary(model.all(), (id) => model.isAcknowledged(id));
  assert.equal(s.text, '$(shield) 2 · 42% · 100 MB');
  assert.equal(s.severity, 'normal');
  assert.equal(s.tooltip.length, 3);

  model.applyWarning({ id: 'a', resource: 'memory', percent: 85 }, 2000);
  assert.equal(statusSummary(model.all(), (id) => model.isAcknowledged(id)).severity, 'warning');

  model.applyState({ id: 'b', state: 'killed', limit: 'memory', exitCode: null, signal: 'SIGKILL' }, 3000);
  s = statusSummary(model.all(), (id) => model.isAcknowledged(id));
  assert.equal(s.severity, 'error');
  model.acknowledgeLimitKills();
  assert.equal(statusSummary(model.all(), (id) => model.isAcknowledged(id)).severity, 'warning');
  assert.equal(statusSummary([], () => false).text, '$(shield) 0');
});
