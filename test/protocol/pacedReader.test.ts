import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { Message } from 'vscode-jsonrpc';
import { jsonDecoder } from '../../src/protocol/outputCodec';
import { pacedMessageReader } from '../../src/protocol/pacedReader';

const turn = () => new Promise((r) => setImmediate(r));

function frame(msg: object): Buffer {
  const body = Buffer.from(JSON.stringify(msg));
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

const messages = Array.from({ length: 20 }, (_, i) => ({ jsonrpc: '2.0', method: 'sandbox/output', params: { id: 's', stream: 'stdout', data: Buffer.alloc(1000 + i, i).toString('base64') } }));

test('every message arrives, in order, however the stream cuts the frames', async () => {
  const wire = Buffer.concat(messages.map(frame));
  for (const size of [wire.length, 4096, 7]) {
    const source = new PassThrough();
    const got: Message[] = [];
    pacedMessageReader(source, { charset: 'utf-8', contentTypeDecoder: jsonDecoder }).listen((m) => got.push(m));
    for (let at = 0; at < wire.length; at += size) source.write(wire.subarray(at, at + size));
    for (let i = 0; i < 20_000 && got.length < messages.length; i++) await turn();
    assert.deepEqual(got, messages, `cut every ${size} bytes`);
  }
});

test('the source is paused while delivered messages wait their turn, and flows again once they are handled', async () => {
  const source = new PassThrough();
  let delivered = 0;
  pacedMessageReader(source, { charset: 'utf-8', contentTypeDecoder: jsonDecoder }).listen(() => delivered++);
  source.write(Buffer.concat(messages.slice(0, 5).map(frame)));
  await new Promise((r) => process.nextTick(r));
  assert.equal(source.isPaused(), true, 'paused as soon as a chunk arrived');
  for (let i = 0; i < 3; i++) await turn();
  assert.equal(source.isPaused(), true, 'still paused while messages are being delivered and handled');
  for (let i = 0; i < 30 && source.isPaused(); i++) await turn();
  assert.equal(delivered, 5);
  assert.equal(source.isPaused(), false, 'flowing again');
});
