import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayRestart } from '../../src/extension/supervisorClient';

test('restarts after a crash until five crashes fall within three minutes', () => {
  const min = 60_000;
  assert.equal(mayRestart([0], 0), true);
  assert.equal(mayRestart([0, 1, 2, 3], 3), true);
  assert.equal(mayRestart([0, 1, 2, 3, 4], 4), false);
  assert.equal(mayRestart([0, 1, 2, 3, 4], 3 * min + 1), true, 'old crashes age out of the window');
  assert.equal(mayRestart([0, min, 2 * min, 2.5 * min, 2.9 * min], 2.9 * min), false);
});
