import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBwrapArgv, type BwrapPlan } from '../../src/sandbox/bwrap';

const plan: BwrapPlan = {
  system: [
    { path: '/usr', kind: 'dir' },
    { path: '/bin', kind: 'symlink', target: 'usr/bin' },
    { path: '/etc', kind: 'dir' },
  ],
  masked: ['/etc/shadow'],
  home: '/home/u',
  readOnly: ['/home/u/.nvm/versions/node/v20', '/work/ws'],
  readWrite: ['/work/ws/out'],
  protectedPaths: ['/work/ws/out/.vscode'],
  cwd: '/work/ws',
  net: 'none',
  tmpfsBytes: 1024,
  statusFd: 3,
};

test('policy becomes namespaces, then mounts in covering order, then cwd and status fd', () => {
  assert.deepEqual(buildBwrapArgv(plan), [
    '--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--unshare-net',
    '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/bin', '/bin',
    '--ro-bind', '/etc', '/etc',
    '--ro-bind', '/dev/null', '/etc/shadow',
    '--proc', '/proc', '--dev', '/dev', '--size', '1024', '--tmpfs', '/tmp', '--size', '1024', '--tmpfs', '/home/u',
    '--ro-bind', '/home/u/.nvm/versions/node/v20', '/home/u/.nvm/versions/node/v20',
    '--ro-bind', '/work/ws', '/work/ws',
    '--bind', '/work/ws/out', '/work/ws/out',
    '--ro-bind', '/work/ws/out/.vscode', '/work/ws/out/.vscode',
    '--chdir', '/work/ws', '--json-status-fd', '3',
  ]);
});

test('net all keeps the host network namespace and changes nothing else', () => {
  const none = buildBwrapArgv(plan);
  const all = buildBwrapArgv({ ...plan, net: 'all' });
  assert.ok(none.includes('--unshare-net'));
  assert.ok(!all.includes('--unshare-net'));
  assert.deepEqual(none.filter((a) => a !== '--unshare-net'), all);
});

test('without a size (no memory limit, or bwrap < 0.7) the tmpfs mounts are uncapped', () => {
  const argv = buildBwrapArgv({ ...plan, tmpfsBytes: null });
  assert.ok(!argv.includes('--size'));
  assert.deepEqual(argv.slice(argv.indexOf('--tmpfs') - 1, argv.indexOf('--tmpfs') + 4), ['/dev', '--tmpfs', '/tmp', '--tmpfs', '/home/u']);
});

test('a HOME of /tmp gets no second tmpfs', () => {
  const argv = buildBwrapArgv({ ...plan, home: '/tmp' });
  assert.equal(argv.filter((a) => a === '--tmpfs').length, 1);
});
