import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameGuard, type RefusedFrame } from '../../src/supervisor/frameGuard';

function feed(chunks: (string | Buffer)[], max = 100): { passed: string; refused: RefusedFrame[] } {
  const refused: RefusedFrame[] = [];
  const guard = new FrameGuard(max, (r) => refused.push(r));
  let passed = '';
  guard.on('data', (d: Buffer) => (passed += d.toString()));
  for (const c of chunks) guard.write(c);
  return { passed, refused };
}
const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

test('sound frames pass unchanged, even split across chunks', () => {
  const body = '{"jsonrpc":"2.0","id":1,"method":"initialize"}';
  const whole = frame(body);
  const { passed, refused } = feed([whole.slice(0, 10), whole.slice(10, 30), whole.slice(30)]);
  assert.equal(passed, whole);
  assert.deepEqual(refused, []);
});

test('an oversized frame is skipped unread and the next one still passes', () => {
  const ok = '{"jsonrpc":"2.0","method":"x"}';
  const { passed, refused } = feed([`Content-Length: 500\r\n\r\n`, 'a'.repeat(200), 'a'.repeat(300) + frame(ok)]);
  assert.equal(passed, frame(ok));
  assert.equal(refused.length, 1);
  assert.equal(refused[0].code, -32007);
});

test('bodies that are not JSON-RPC objects are refused with the right code and id', () => {
  const { passed, refused } = feed([frame('{not json'), frame('[1,2]'), frame('{"jsonrpc":"1.0","id":7,"method":"a"}')]);
  assert.equal(passed, '');
  assert.deepEqual(refused.map((r) => [r.code, r.id]), [[-32700, null], [-32600, null], [-32600, 7]]);
});

test('garbage before a header is skipped up to the next header', () => {
  const ok = '{"jsonrpc":"2.0","method":"x"}';
  const { passed, refused } = feed(['garbage\r\n\r\n' + frame(ok)]);
  assert.equal(passed, frame(ok));
  assert.equal(refused[0].code, -32700);
});
