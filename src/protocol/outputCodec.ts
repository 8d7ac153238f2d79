import type { Message } from 'vscode-jsonrpc';
import { Output, type OutputNotification } from './sandbox';

/**
 * JSON codecs for the supervisor connection, used on both ends in place of vscode-jsonrpc's default.
 * Output notifications are nearly all bytes, and their payload is base64, which JSON never escapes: the
 * encoder assembles them in one buffer around the payload copied as Latin-1, and the decoder cuts the
 * payload out the same way, instead of running JSON.stringify / JSON.parse and a UTF-8 transcode over every
 * byte of a flood.
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

/** The body of `sandbox/output` {id, stream, data}, built in one buffer around the base64 payload. */
function encodeOutput({ id, stream, data }: OutputNotification): Buffer {
  const middle = Buffer.from(`${JSON.stringify(id)},"stream":${JSON.stringify(stream)}${DATA}`, 'utf8');
  const body = Buffer.allocUnsafe(HEAD_BYTES.length + middle.length + data.length + TAIL_BYTES.length);
  let at = HEAD_BYTES.copy(body, 0);
  at += middle.copy(body, at);
  at += body.write(data, at, 'latin1');
  TAIL_BYTES.copy(body, at);
  return body;
}

/** vscode-jsonrpc's content-type encoder for the supervisor connection (both directions). */
export const jsonEncoder = {
  name: 'application/json',
  encode(msg: Message): Promise<Uint8Array> {
    return Promise.resolve(isOutput(msg) ? encodeOutput(msg.params) : Buffer.from(JSON.stringify(msg), 'utf8'));
  },
};

/** vscode-jsonrpc's content-type decoder for the supervisor connection. */
export const jsonDecoder = {
  name: 'application/json',
  decode(input: Uint8Array): Promise<Message> {
    const body = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    try {
      return Promise.resolve(decodeOutput(body) ?? (JSON.parse(body.toString('utf8')) as Message));
    } catch (err) {
      return Promise.reject(err);
    }
  },
};

/** An output notification in exactly our encoder's layout, or null (then it is parsed as any JSON). */
function decodeOutput(buffer: Buffer): Message | null {
  if (buffer.length < HEAD_BYTES.length + TAIL_BYTES.length || buffer.compare(HEAD_BYTES, 0, HEAD_BYTES.length, 0, HEAD_BYTES.length) !== 0) return null;
  if (buffer.compare(TAIL_BYTES, 0, TAIL_BYTES.length, buffer.length - TAIL_BYTES.length) !== 0) return null;
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
