import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeDenial, findDenials } from '../../src/sandbox/denials';

test('refused writes are recognised in the words of sh, coreutils, node and python', () => {
  const text = [
    'sh: 1: cannot create out/gen.txt: Read-only file system',
    "touch: cannot touch 'a.txt': Read-only file system",
    'mkdir: cannot create directory ‘build’: Read-only file system',
    "Error: EROFS: read-only file system, open '/w/repo/.eslintcache'",
    "OSError: [Errno 30] Read-only file system: '/w/repo/x.pyc'",
  ].join('\n');
  assert.deepEqual(findDenials(text).map((d) => d.path).sort(), ['/w/repo/.eslintcache', '/w/repo/x.pyc', 'a.txt', 'build', 'out/gen.txt']);
});

test('a refused network call is one denial however often it is reported', () => {
  const d = findDenials('getaddrinfo EAI_AGAIN registry.npmjs.org\ncurl: (6) Could not resolve host\nconnect ENETUNREACH');
  assert.deepEqual(d, [{ kind: 'net', path: null }]);
  assert.equal(describeDenial(d[0]), 'network access (the sandbox has no network: not granted)');
});

test('ordinary errors are not denials', () => {
  assert.deepEqual(findDenials("Error: ENOENT: no such file or directory, open 'x'\nPermission denied (publickey)"), []);
});

test('planted git metadata is described with where it went, or as not moved when the move failed', () => {
  assert.match(describeDenial({ kind: 'git', path: '/w/evil/.git', movedTo: '/w/evil/.git.wsb-quarantine-2' }), /at \/w\/evil\/\.git .*moved aside to \/w\/evil\/\.git\.wsb-quarantine-2\)$/);
  assert.match(describeDenial({ kind: 'git', path: '/w/evil/.git', movedTo: null }), /could not be moved aside: delete it before running git there\)$/);
});
