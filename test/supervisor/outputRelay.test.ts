import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputRelay, RecentOutput, type OutputChunk } from '../../src/supervisor/outputRelay';

test('chunks of one turn leave as one notification per sandbox and stream, in order', () => {
  const sent: OutputChunk[] = [];
  const relay = new OutputRelay((n) => sent.push(n), 1024);
  relay.push('a', 'stdout', Buffer.from('he'));
  relay.push('b', 'stdout', Buffer.from('x'));
  relay.push('a', 'stdout', Buffer.from('llo'));
  relay.push('a', 'stderr', Buffer.from('!'));
  relay.flush();
  assert.deepEqual(sent.map((n) => [n.id, n.stream, n.bytes.toString()]), [['a', 'stdout', 'hello'], ['b', 'stdout', 'x'], ['a', 'stderr', '!']]);
});

test('a big push is cut into messages of at most maxChunk bytes, byte for byte', () => {
  const sent: OutputChunk[] = [];
  const relay = new OutputRelay((n) => sent.push(n), 4);
  const bytes = Buffer.from([0, 1, 2, 255, 254, 253, 10, 13, 0]);
  relay.push('a', 'stdout', bytes);
  relay.flush();
  assert.ok(sent.every((n) => n.bytes.length <= 4));
  assert.deepEqual(Buffer.concat(sent.map((n) => n.bytes)), bytes);
});

test('flush(id) sends only that sandbox', () => {
  const sent: OutputChunk[] = [];
  const relay = new OutputRelay((n) => sent.push(n));
  relay.push('a', 'stdout', Buffer.from('1'));
  relay.push('b', 'stdout', Buffer.from('2'));
  relay.flush('a');
  assert.deepEqual(sent.map((n) => n.id), ['a']);
});

test('recent output keeps the last bytes only', () => {
  const r = new RecentOutput(5);
  for (const s of ['abc', 'def', 'gh']) r.push(Buffer.from(s));
  assert.equal(r.snapshot().toString(), 'defgh');
});
