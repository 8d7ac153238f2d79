import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeCapabilityIn, displayPath, grantPromptText } from '../../src/extension/capabilityWording';

const folder = '/home/me/src/app';
const home = '/home/me';

test('paths in the workspace folder read relative to it, those in HOME under ~', () => {
  assert.equal(displayPath('/home/me/src/app/.eslintcache', folder, home), '.eslintcache');
  assert.equal(displayPath('/home/me/src/app/dist/', folder, home), 'dist/');
  assert.equal(displayPath('/home/me/src/app', folder, home), 'the workspace folder');
  assert.equal(displayPath('/home/me/src/app-other/x', folder, home), '~/src/app-other/x');
  assert.equal(displayPath('/home/me/.npmrc', folder, home), '~/.npmrc');
  assert.equal(displayPath('/home/me', folder, home), '~');
  assert.equal(displayPath('/opt/cache', folder, home), '/opt/cache');
});

test('capabilities are worded as the engine words them', () => {
  assert.equal(describeCapabilityIn({ kind: 'write', path: '/home/me/src/app/.eslintcache' }, folder, home), 'write to .eslintcache');
  assert.equal(describeCapabilityIn({ kind: 'read', path: '/home/me/.npmrc' }, folder, home), 'read ~/.npmrc');
  assert.equal(describeCapabilityIn({ kind: 'net', access: 'all' }, folder, home), 'full network access');
  assert.equal(describeCapabilityIn({ kind: 'env', name: 'GITHUB_TOKEN' }, folder, home), 'read the environment variable GITHUB_TOKEN');
});

test('the prompt names the tool and lists each capability on its own line', () => {
  const { message, detail } = grantPromptText('lint', [{ kind: 'write', path: '/home/me/src/app/.eslintcache' }, { kind: 'net', access: 'all' }], folder, home);
  assert.match(message, /"lint"/);
  assert.match(detail, /^• write to \.eslintcache$/m);
  assert.match(detail, /^• full network access$/m);
});
