import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { Message } from 'vscode-jsonrpc';
import { FrameReader, FrameWriter } from '../../src/protocol/frames';
import { encodeFrame, encodeOutputFrame } from '../../src/protocol/outputCodec';

const turn = () => new Promise((r) => setImmediate(r));

/** Feeds `wire` to a reader in pieces of the given sizes (cycled) and collects what it delivers. */
async function readAll(wire: Buffer, sizes: number[], maxBytes?: number): Promise<{ messages: Message[]; errors: Error[] }> {
  const input = new PassThrough();
  const reader = new FrameReader(input, maxBytes);
  const messages: Message[] = [];
  const errors: Error[] = [];
  reader.onError((e) => errors.push(e));
  reader.listen((m) => messages.push(m));
  for (let at = 0, i = 0; at < wire.length; i++) {
    const n = sizes[i % sizes.length];
    input.write(wire.subarray(at, at + n));
    at += n;
    await turn();
  }
  input.end();
  for (let i = 0; i < 50 && input.readableLength > 0; i++) await turn();
  await turn();
  return { messages, errors };
}

const big = Buffer.alloc(200_000, 7);
const frames = [
  encodeOutputFrame('s1', 'stdout', Buffer.from('hello\n')),
  encodeFrame({ jsonrpc: '2.0', id: 3, result: { text: 'ünïcödé ✓' } } as Message),
  encodeOutputFrame('s1', 'stderr', big),
  encodeFrame({ jsonrpc: '2.0', method: 'sandbox/state', params: { id: 's1', state: 'exited', exitCode: 0 } } as Message),
];
const expected = [
  { jsonrpc: '2.0', method: 'sandbox/output', params: { id: 's1', stream: 'stdout', data: Buffer.from('hello\n').toString('base64') } },
  { jsonrpc: '2.0', id: 3, result: { text: 'ünïcödé ✓' } },
  { jsonrpc: '2.0', method: 'sandbox/output', params: { id: 's1', stream: 'stderr', data: big.toString('base64') } },
  { jsonrpc: '2.0', method: 'sandbox/state', params: { id: 's1', state: 'exited', exitCode: 0 } },
];

test('frames arrive whole and in order however the stream cuts them (1 byte, headers split, many per read)', async () => {
  const wire = Buffer.concat(frames);
  for (const sizes of [[wire.length], [251, 17, 5], [65536], [40, 100_000, 7]]) {
    const { messages, errors } = await readAll(wire, sizes);
    assert.deepEqual(errors, [], `cut into ${sizes}`);
    assert.deepEqual(messages, expected, `cut into ${sizes}`);
  }
  const small = await readAll(Buffer.concat([frames[0], frames[1], frames[3]]), [1]);
  assert.deepEqual(small, { messages: [expected[0], expected[1], expected[3]], errors: [] }, 'cut into single bytes');
});

test('a frame above the size limit is an error, and nothing after it is read', async () => {
  const wire = Buffer.concat([frames[0], encodeOutputFrame('s1', 'stdout', Buffer.alloc(5000)), frames[3]]);
  const { messages, errors } = await readAll(wire, [wire.length], 4096);
  assert.deepEqual(messages, [expected[0]]);
  assert.match(errors[0]?.message ?? '', /a frame of \d+ bytes \(at most 4096\)/);
});

test('a header without a Content-Length, or an endless one, is an error', async () => {
  const noLength = await readAll(Buffer.from('Content-Type: application/json\r\n\r\n{}'), [100]);
  assert.match(noLength.errors[0]?.message ?? '', /without a valid Content-Length/);
  const endless = await readAll(Buffer.alloc(2000, 0x41), [2000]);
  assert.match(endless.errors[0]?.message ?? '', /longer than 1 KiB/);
  assert.deepEqual([...noLength.messages, ...endless.messages], []);
});

test('the reader stops reading while the messages it delivered wait for their turn, then reads on', async () => {
  const input = new PassThrough();
  const reader = new FrameReader(input);
  let delivered = 0;
  reader.listen(() => delivered++);
  input.write(Buffer.concat([frames[0], frames[1], frames[3]]));
  await new Promise((r) => process.nextTick(r));
  assert.equal(delivered, 3);
  assert.equal(input.isPaused(), true, 'paused with three messages delivered');
  for (let i = 0; i < 4; i++) await turn();
  assert.equal(input.isPaused(), false, 'flowing again after three turns');
});

test('the writer writes each message as one frame, in call order, and reports a write to a dead stream', async () => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const writer = new FrameWriter(out);
  let outputDone = false;
  const first = writer.write(expected[1] as Message);
  writer.writeOutput('s1', 'stderr', big, () => (outputDone = true));
  await writer.write(expected[3] as Message);
  await first;
  assert.equal(outputDone, true);
  assert.deepEqual(chunks, [frames[1], frames[2], frames[3]]);

  const errors: Error[] = [];
  writer.onError(([e]) => errors.push(e));
  out.destroy();
  await assert.rejects(writer.write(expected[1] as Message));
  assert.equal(errors.length, 1);
});
