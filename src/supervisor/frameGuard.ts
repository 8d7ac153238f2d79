import { Transform, type TransformCallback } from 'node:stream';

/** A refused frame: what to answer (JSON-RPC error, id when known) and why. */
export interface RefusedFrame {
  id: number | string | null;
  code: number;
  message: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 1024;

/**
 * Sits between stdin and the JSON-RPC reader and lets only sound frames through: a frame whose
 * Content-Length exceeds `maxBytes` is skipped without being buffered, a body that is not JSON or not a
 * JSON-RPC 2.0 object is dropped, and each refusal is reported so the supervisor can answer with an error
 * instead of crashing or stalling. Garbage between frames is skipped up to the next header.
 */
export class FrameGuard extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  private skipping = 0;

  constructor(private readonly maxBytes: number, private readonly onRefused: (refusal: RefusedFrame) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.skipping > 0) {
      const skip = Math.min(this.skipping, chunk.length);
      this.skipping -= skip;
      chunk = chunk.subarray(skip);
    }
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.drain();
    done();
  }

  private drain(): void {
    for (;;) {
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buffer.length > MAX_HEADER_BYTES) this.resync('no header end');
        return;
      }
      const length = contentLength(this.buffer.subarray(0, end).toString('ascii'));
      if (length === null) {
        this.resync('a header without a valid Content-Length');
        continue;
      }
      const bodyStart = end + HEADER_END.length;
      if (length > this.maxBytes) {
        const available = this.buffer.length - bodyStart;
        this.skipping = Math.max(0, length - available);
        this.buffer = this.buffer.subarray(Math.min(this.buffer.length, bodyStart + length));
        this.onRefused({ id: null, code: -32007, message: `message of ${length} bytes refused: the limit is ${this.maxBytes}` });
        if (this.skipping > 0) return;
        continue;
      }
      if (this.buffer.length < bodyStart + length) return;
      const body = this.buffer.subarray(bodyStart, bodyStart + length);
      this.buffer = this.buffer.subarray(bodyStart + length);
      const refusal = checkBody(body);
      if (refusal) this.onRefused(refusal);
      else this.push(Buffer.concat([Buffer.from(`Content-Length: ${length}\r\n\r\n`, 'ascii'), body]));
    }
  }

  /** Drops bytes up to the next thing that looks like a header. */
  private resync(why: string): void {
    const next = this.buffer.indexOf('Content-Length:', 1);
    this.buffer = next < 0 ? Buffer.alloc(0) : this.buffer.subarray(next);
    this.onRefused({ id: null, code: -32700, message: `unreadable frame (${why}) skipped` });
  }
}

function contentLength(header: string): number | null {
  const m = /^content-length:\s*(\d+)\s*$/im.exec(header);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

function checkBody(body: Buffer): RefusedFrame | null {
  let msg: unknown;
  try {
    msg = JSON.parse(body.toString('utf8'));
  } catch {
    return { id: null, code: -32700, message: 'parse error: the message is not JSON' };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return { id: null, code: -32600, message: 'invalid request: expected one JSON-RPC object (batches are not supported)' };
  }
  const m = msg as { jsonrpc?: unknown; id?: unknown; method?: unknown };
  const id = typeof m.id === 'number' || typeof m.id === 'string' ? m.id : null;
  if (m.jsonrpc !== '2.0') return { id, code: -32600, message: 'invalid request: jsonrpc must be "2.0"' };
  if (m.method !== undefined && typeof m.method !== 'string') return { id, code: -32600, message: 'invalid request: method must be a string' };
  return null;
}
