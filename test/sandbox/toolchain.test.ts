import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installPrefixes, isWithin } from '../../src/sandbox/toolchain';

const home = '/home/u';
const cases: [string, string[]][] = [
  ['/home/u/.nvm/versions/node/v20.11.0/bin/node', ['/home/u/.nvm/versions/node/v20.11.0']],
  ['/home/u/.volta/bin/node', ['/home/u/.volta']],
  ['/home/u/.asdf/shims/node', ['/home/u/.asdf']],
  ['/home/u/.pyenv/shims/python', ['/home/u/.pyenv']],
  ['/home/u/.cargo/bin/rustc', ['/home/u/.cargo', '/home/u/.rustup']],
  ['/home/u/.local/bin/black', ['/home/u/.local/bin', '/home/u/.local/lib']],
  ['/home/u/bin/tool', ['/home/u/bin']],
  ['/home/u/tool', ['/home/u/tool']],
  ['/home/bin-tool', ['/home/bin-tool']],
  ['/opt/node/bin/node', ['/opt/node']],
];

for (const [file, expected] of cases) {
  test(`install prefix of ${file}`, () => assert.deepEqual(installPrefixes(file, home), expected));
}

test('isWithin compares whole path components', () => {
  assert.ok(isWithin('/a/b', '/a'));
  assert.ok(isWithin('/a', '/a'));
  assert.ok(!isWithin('/ab', '/a'));
  assert.ok(isWithin('/anything', '/'));
});
