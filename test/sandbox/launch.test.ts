import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SandboxError } from '../../src/sandbox/errors';
import { resolveBackend } from '../../src/sandbox/launch';
import type { HostFacts } from '../../src/sandbox/probe';

const linux: HostFacts = {
  platform: 'linux',
  bwrapPath: '/usr/bin/bwrap',
  winjobPath: null,
  prlimitPath: '/usr/bin/prlimit',
  home: '/home/u',
  openFiles: { soft: 1024, hard: 4096 },
  bwrapTmpfsSize: true,
  system: [],
  etcSecrets: [],
  resolvConfTarget: null,
};
const windows: HostFacts = { ...linux, platform: 'win32', bwrapPath: null, prlimitPath: null, winjobPath: 'C:\\ext\\dist\\winjob.exe' };

const refused = (kind: string, message: RegExp) => (e: unknown) => e instanceof SandboxError && e.kind === kind && message.test(e.message);

test('auto is bwrap on Linux and the job object on Windows', () => {
  assert.equal(resolveBackend('auto', linux), 'bwrap');
  assert.equal(resolveBackend('auto', windows), 'job');
});

test('auto never falls back to none: without bwrap the run does not start, and says how to fix it', () => {
  assert.throws(() => resolveBackend('auto', { ...linux, bwrapPath: null }), refused('start', /bubblewrap \(bwrap\) is not installed.*apt-get install bubblewrap/));
  assert.throws(() => resolveBackend('auto', { ...windows, winjobPath: null }), refused('start', /winjob\.exe.*missing/));
});

test('none is always an explicit choice; a backend of the other platform is bad usage', () => {
  assert.equal(resolveBackend('none', linux), 'none');
  assert.equal(resolveBackend('none', windows), 'none');
  assert.throws(() => resolveBackend('job', linux), refused('usage', /Windows-only/));
  assert.throws(() => resolveBackend('bwrap', windows), refused('usage', /Linux-only/));
});
