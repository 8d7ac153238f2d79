import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/sandbox/limits';
import { EMPTY_POLICY } from '../../src/sandbox/policy';
import { JOB_BACKEND, jobDoctorEntry, unenforcedLimits, unisolatedRequests } from '../../src/sandbox/windows/isolation';

test('the default policy asks for three things the job backend cannot give', () => {
  const reasons = unisolatedRequests(EMPTY_POLICY);
  assert.equal(reasons.length, 3);
  assert.match(reasons[0], /read any file/);
  assert.match(reasons[1], /change any file you can change, not only nothing but its temporary folder/);
  assert.match(reasons[2], /network/);
});

test('write grants narrower than everything are named', () => {
  const reasons = unisolatedRequests({ ...EMPTY_POLICY, write: ['C:\\w\\dist', '.eslintcache'] });
  assert.match(reasons[1], /not only C:\\w\\dist, \.eslintcache, including \.git\/hooks/);
});

test('only grants at a filesystem root and full network ask for nothing more', () => {
  for (const root of ['/', '\\', 'C:\\', 'c:/', 'D:\\\\']) {
    assert.deepEqual(unisolatedRequests({ read: [root], write: [root], net: 'all', env: [] }), [], root);
  }
  assert.equal(unisolatedRequests({ read: ['C:\\'], write: ['C:\\'], net: 'none', env: [] }).length, 1);
  assert.equal(unisolatedRequests({ read: ['C:\\Users'], write: ['C:\\'], net: 'all', env: [] }).length, 1);
  assert.equal(unisolatedRequests({ read: ['C:'], write: ['C:\\x'], net: 'all', env: ['TOKEN'] }).length, 2);
});

test('environment grants are not a reason: the environment is scrubbed on Windows too', () => {
  const a = unisolatedRequests(EMPTY_POLICY);
  assert.deepEqual(unisolatedRequests({ ...EMPTY_POLICY, env: ['GITHUB_TOKEN'] }), a);
});

test('the backend describes itself as limits only and names what it leaves open', () => {
  assert.equal(JOB_BACKEND.isolation, 'limits only');
  assert.deepEqual(
    JOB_BACKEND.notIsolated.map((n) => n.area),
    ['filesystem', 'network', 'processes', 'registry', 'system services', 'IPC'],
  );
});

test('file size is the one limit the job backend does not enforce', () => {
  assert.deepEqual(unenforcedLimits({ ...DEFAULT_LIMITS, maxFileSizeMb: 100 }).map((u) => u.field), ['maxFileSizeMb']);
  assert.deepEqual(unenforcedLimits(DEFAULT_LIMITS), [], 'the defaults set no file size');
});

test('doctor entry: works when the helper is there, says how to get it when not', () => {
  assert.deepEqual(jobDoctorEntry('C:\\ext\\dist\\winjob.exe'), { backend: 'job', works: true, isolation: 'limits only', reason: JOB_BACKEND.summary, fix: null });
  const missing = jobDoctorEntry(null);
  assert.equal(missing.works, false);
  assert.match(missing.fix ?? '', /build\.sh/);
});
