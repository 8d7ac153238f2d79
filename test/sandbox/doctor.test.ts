import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainBwrapFailure } from '../../src/sandbox/doctor';

const open = { apparmorRestrictUnprivilegedUserns: null, unprivilegedUsernsClone: null, maxUserNamespaces: '15000' };

test("Ubuntu 24.04's AppArmor restriction is named, with a profile that allows bwrap alone", () => {
  const r = explainBwrapFailure('bwrap: setting up uid map: Permission denied\n', { ...open, apparmorRestrictUnprivilegedUserns: '1' });
  assert.match(r.reason, /AppArmor blocks unprivileged user namespaces/);
  assert.match(r.reason, /setting up uid map: Permission denied/);
  assert.match(r.fix, /profile bwrap \/usr\/bin\/bwrap flags=\(unconfined\)/);
  assert.match(r.fix, /apparmor_parser -r/);
});

test('disabled user namespaces name the sysctl to change', () => {
  assert.match(explainBwrapFailure('bwrap: No permissions to creating new namespace', { ...open, unprivilegedUsernsClone: '0' }).fix, /kernel\.unprivileged_userns_clone=1/);
  assert.match(explainBwrapFailure('', { ...open, maxUserNamespaces: '0' }).fix, /user\.max_user_namespaces/);
});

test('a container without namespace rights is recognised', () => {
  assert.match(explainBwrapFailure('bwrap: Creating new namespace failed: Operation not permitted', open).reason, /container|seccomp/);
});
