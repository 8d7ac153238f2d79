import type { Message } from 'vscode-jsonrpc';
import { Output, type OutputNotification } from './sandbox';

/**
 * The supervisor connection's wire format: Content-Length frames of JSON, as vscode-jsonrpc writes them.
 * Output notifications are nearly all bytes, and their payload is base64, which JSON never escapes: a frame
 * is assembled around the payload copied as Latin-1 into one buffer, and the decoder cuts the payload out the
 * same way, instead of running JSON.stringify / JSON.parse and a UTF-8 transcode over every byte of a flood.
 * Everything else is plain JSON. The bytes on the wire are exactly what JSON.stringify would give.
 */

const HEAD = `{"jsonrpc":"2.0","method":"${Output.method}","params":{"id":`;
const DATA = ',"data":"';
const TAIL = '"}}';
const HEAD_BYTES = Buffer.from(HEAD);
const TAIL_BYTES = Buffer.from(TAIL);

function header(bodyLength: number): string {
  return `Content-Length: ${bodyLength}\r\n\r\n`;
}

/** One whole frame (header and body) for any message. */
export function encodeFrame(msg: Message): Buffer {
  const body = Buffer.from(JSON.stringify(msg), 'utf8');
  return Buffer.concat([Buffer.from(header(body.length), 'latin1'), body]);
}

/** The frame of `sandbox/output` {id, stream, data: base64 of bytes}, built in one buffer. */
export function encodeOutputFrame(id: string, stream: OutputNotification['stream'], bytes: Buffer): Buffer {
  const payload = bytes.toString('base64');
  const middle = Buffer.from(`${JSON.stringify(id)},"stream":${JSON.stringify(stream)}${DATA}`, 'utf8');
  const bodyLength = HEAD_BYTES.length + middle.length + payload.length + TAIL_BYTES.length;
  const head = header(bodyLength);
  const frame = Buffer.allocUnsafe(head.length + bodyLength);
  let at = frame.write(head, 0, 'latin1');
  at += HEAD_BYTES.copy(frame, at);
  at += middle.copy(frame, at);
  at += frame.write(payload, at, 'latin1');
  TAIL_BYTES.copy(frame, at);
  return frame;
}

/** A frame's body back into a message; throws on what is not JSON. */
export function decodeBody(body: Buffer): Message {
  return decodeOutput(body) ?? (JSON.parse(body.toString('utf8')) as Message);
}

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
