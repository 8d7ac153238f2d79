import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBody, encodeFrame, encodeOutputFrame } from '../../src/protocol/outputCodec';

/** Splits a frame into its Content-Length and body, checking that the length is the body's. */
function unframe(frame: Buffer): Buffer {
  const end = frame.indexOf('\r\n\r\n');
  const length = Number(/^Content-Length: (\d+)$/.exec(frame.toString('latin1', 0, end))![1]);
  const body = frame.subarray(end + 4);
  assert.equal(body.length, length);
  return body;
}

test('an output frame is exactly the JSON JSON.stringify gives for base64 of the bytes, and decodes back', () => {
  const bytes = Buffer.from([0, 255, 10, 34, 92]);
  const expected = { jsonrpc: '2.0', method: 'sandbox/output', params: { id: 'a"b\\c', stream: 'stderr', data: bytes.toString('base64') } };
  const body = unframe(encodeOutputFrame('a"b\\c', 'stderr', bytes));
  assert.equal(body.toString('utf8'), JSON.stringify(expected));
  assert.deepEqual(decodeBody(body), expected);
});

test('every other message is plain JSON in UTF-8 both ways', () => {
  const msg = { jsonrpc: '2.0', id: 1, result: { text: 'ünïcödé ✓' } };
  const body = unframe(encodeFrame(msg as never));
  assert.equal(body.toString('utf8'), JSON.stringify(msg));
  assert.deepEqual(decodeBody(body), msg);
});

test('an output notification not in the fast layout (escaped payload, other key order) is parsed the general way', () => {
  const odd = Buffer.from('{"jsonrpc":"2.0","method":"sandbox/output","params":{"id":"x","stream":"stdout","data":"a\\u0041"}}');
  assert.deepEqual(decodeBody(odd), { jsonrpc: '2.0', method: 'sandbox/output', params: { id: 'x', stream: 'stdout', data: 'aA' } });
  assert.throws(() => decodeBody(Buffer.from('{broken')));
});
