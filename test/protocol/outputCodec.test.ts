import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonDecoder, jsonEncoder } from '../../src/protocol/outputCodec';

const output = { jsonrpc: '2.0', method: 'sandbox/output', params: { id: 'a"b\\c', stream: 'stderr', data: Buffer.from([0, 255, 10, 34]).toString('base64') } };

test('output notifications encode to exactly the JSON that JSON.stringify gives, and decode back', async () => {
  const bytes = Buffer.from(await jsonEncoder.encode(output as never));
  assert.equal(bytes.toString('utf8'), JSON.stringify(output));
  assert.deepEqual(await jsonDecoder.decode(bytes), output);
});

test('every other message is plain JSON in UTF-8 both ways', async () => {
  const msg = { jsonrpc: '2.0', id: 1, result: { text: 'ünïcödé ✓' } };
  const bytes = Buffer.from(await jsonEncoder.encode(msg as never));
  assert.equal(bytes.toString('utf8'), JSON.stringify(msg));
  assert.deepEqual(await jsonDecoder.decode(bytes), msg);
});

test('an output notification not in the fast layout (escaped payload, other key order) is parsed the general way', async () => {
  const odd = Buffer.from('{"jsonrpc":"2.0","method":"sandbox/output","params":{"id":"x","stream":"stdout","data":"a\\u0041"}}');
  assert.deepEqual(await jsonDecoder.decode(odd), { jsonrpc: '2.0', method: 'sandbox/output', params: { id: 'x', stream: 'stdout', data: 'aA' } });
  await assert.rejects(jsonDecoder.decode(Buffer.from('{broken')));
});
