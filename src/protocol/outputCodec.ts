import type { Message } from 'vscode-jsonrpc';
import { Output, type OutputNotification } from './sandbox';

/**
 * JSON codecs for the supervisor's connection, used on both ends in place of vscode-jsonrpc's default.
 * Output notifications are nearly all bytes, and their payload is base64, which JSON never escapes: the
 * encoder assembles them around the payload copied as Latin-1, and the decoder cuts the payload out the same
 * way, instead of running JSON.stringify / JSON.parse and a UTF-8 transcode over every byte of a flood.
 * Everything else is plain JSON. The bytes on the wire are exactly what JSON.stringify would give.
 */

const HEAD = `{"jsonrpc":"2.0","method":"${Output.method}","params":{"id":`;
const DATA = ',"data":"';
const TAIL = '"}}';
const HEAD_BYTES = Buffer.from(HEAD);
const TAIL_BYTES = Buffer.from(TAIL);

function isOutput(msg: Message): msg is Message & { method: string; params: OutputNotification } {
  return (msg as { method?: string }).method === Output.method;
}

export const jsonEncoder = {
  name: 'application/json',
  encode(msg: Message): Promise<Uint8Array> {
    if (!isOutput(msg)) return Promise.resolve(Buffer.from(JSON.stringify(msg), 'utf8'));
    const { id, stream, data } = msg.params;
    const middle = `${JSON.stringify(id)},"stream":${JSON.stringify(stream)}${DATA}`;
    return Promise.resolve(Buffer.concat([HEAD_BYTES, Buffer.from(middle, 'utf8'), Buffer.from(data, 'latin1'), TAIL_BYTES]));
  },
};

export const jsonDecoder = {
  name: 'application/json',
  decode(input: Uint8Array): Promise<Message> {
    const buffer = Buffer.isBuffer(input) ? input : Buffer.from(input);
    try {
      return Promise.resolve(decodeOutput(buffer) ?? JSON.parse(buffer.toString('utf8')));
    } catch (err) {
      return Promise.reject(err);
    }
  },
};

/** An output notification in exactly our encoder's layout, or null (then it is parsed as any JSON). */
function decodeOutput(buffer: Buffer): Message | null {
  if (buffer.length < HEAD_BYTES.length + TAIL_BYTES.length || !buffer.subarray(0, HEAD_BYTES.length).equals(HEAD_BYTES)) return null;
  if (!buffer.subarray(buffer.length - TAIL_BYTES.length).equals(TAIL_BYTES)) return null;
  const dataAt = buffer.indexOf(DATA, HEAD_BYTES.length);
  if (dataAt < 0) return null;
  const start = dataAt + DATA.length;
  const end = buffer.length - TAIL_BYTES.length;
  // No quote or backslash (a native memchr each): the JSON string has no escapes, so its text is its value.
  // The peer is our supervisor, whose encoder puts only ASCII base64 here; a regex or byte loop to prove
  // that cost as much as the rest of the client together.
  const quote = buffer.indexOf(0x22, start);
  const backslash = buffer.indexOf(0x5c, start);
  if ((quote >= 0 && quote < end) || (backslash >= 0 && backslash < end)) return null;
  const data = buffer.toString('latin1', start, end);
  const head = JSON.parse(`{"id":${buffer.toString('utf8', HEAD_BYTES.length, dataAt)}}`) as { id: string; stream: string };
  return { jsonrpc: '2.0', method: Output.method, params: { id: head.id, stream: head.stream, data } } as Message;
}
