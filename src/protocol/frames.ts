import type { Readable, Writable } from 'node:stream';
import { AbstractMessageReader, AbstractMessageWriter, type DataCallback, type Disposable, type Message, type MessageReader, type MessageWriter } from 'vscode-jsonrpc';
import { decodeBody, encodeFrame, encodeOutputFrame } from './outputCodec';
import type { OutputNotification } from './sandbox';

/**
 * The supervisor connection's reader and writer, in place of vscode-jsonrpc's stream reader and writer
 * (same Content-Length framing, same JSON). Theirs encode and decode every message through a promise and a
 * semaphore, write each frame as two writes, and start a timer for every partial frame; at an output flood's
 * rate of thousands of frames a second that bookkeeping, and the garbage it leaves, cost more than the bytes.
 * These work synchronously: a frame is one buffer and one write, and a frame read is decoded at once.
 */

/** Writes each message as one frame, in call order; the stream's own buffer is the only queue. */
export class FrameWriter extends AbstractMessageWriter implements MessageWriter {
  private errorCount = 0;

  constructor(private readonly out: Writable) {
    super();
    out.on('error', (err) => this.fireError(err));
    out.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    return new Promise((resolve, reject) => this.send(encodeFrame(msg), (err) => (err ? reject(err) : resolve()), msg));
  }

  /** A `sandbox/output` notification straight from the bytes; `done` runs once the stream took them. */
  writeOutput(id: string, stream: OutputNotification['stream'], bytes: Buffer, done: () => void): void {
    this.send(encodeOutputFrame(id, stream, bytes), done);
  }

  private send(frame: Buffer, done: (err?: Error | null) => void, msg?: Message): void {
    this.out.write(frame, (err) => {
      if (err) this.fireError(err, msg, ++this.errorCount);
      done(err);
    });
  }

  end(): void {
    this.out.end();
  }
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Reads frames from a stream the peer we started writes, delivering each message synchronously. A frame
 * split across reads is assembled in one reused buffer (decoding copies everything out of it), so a flood
 * allocates nothing per frame but the decoded message. A frame above `maxBytes`, or a header without a
 * Content-Length, is a broken peer: reported as an error, and reading stops.
 */
export class FrameReader extends AbstractMessageReader implements MessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private bodyLength = -1;
  private scratch = Buffer.alloc(0);
  private broken = false;

  constructor(private readonly input: Readable, private readonly maxBytes = 64 * 1024 * 1024) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    const onData = (data: Buffer) => this.onData(data, callback);
    this.input.on('data', onData);
    this.input.on('error', (err) => this.fireError(err));
    this.input.on('close', () => this.fireClose());
    return { dispose: () => this.input.off('data', onData) };
  }

  private onData(data: Buffer, callback: DataCallback): void {
    if (this.broken) return;
    this.chunks.push(data);
    this.buffered += data.length;
    let delivered = 0;
    try {
      for (;;) {
        if (this.bodyLength < 0 && !this.readHeader()) break;
        if (this.buffered < this.bodyLength) break;
        const body = this.take(this.bodyLength);
        this.bodyLength = -1;
        callback(decodeBody(body));
        delivered++;
      }
    } catch (err) {
      this.broken = true;
      this.chunks = [];
      this.fireError(err);
      return;
    }
    if (delivered > 0) this.pace(delivered);
  }

  /**
   * A vscode-jsonrpc connection queues what it is given and handles one message per turn of the event loop
   * (setImmediate). Read on, and a flood piles up decoded messages in that queue without bound, the
   * supervisor never feels back-pressure, and the piled-up payloads outlive the young generation; so reading
   * pauses for as many turns as messages were delivered, leaving the backlog in the supervisor's pipe.
   */
  private pace(delivered: number): void {
    this.input.pause();
    const turn = () => (--delivered > 0 ? setImmediate(turn) : this.input.resume());
    setImmediate(turn);
  }

  /** Consumes the header if it is all here; its Content-Length becomes the awaited body length. */
  private readHeader(): boolean {
    if (this.buffered === 0) return false;
    let end = this.chunks[0].indexOf(HEADER_END);
    if (end < 0 && this.chunks.length > 1) {
      // A header split across reads (rare: frames are far longer than headers): join what is here.
      this.chunks = [Buffer.concat(this.chunks, this.buffered)];
      end = this.chunks[0].indexOf(HEADER_END);
    }
    if (end < 0) {
      if (this.buffered > 1024) throw new Error('a frame header longer than 1 KiB');
      return false;
    }
    const lines = this.take(end + HEADER_END.length).toString('latin1', 0, end).split('\r\n');
    const length = lines.find((l) => /^content-length:/i.test(l))?.slice('content-length:'.length).trim();
    if (length === undefined || !/^\d+$/.test(length)) throw new Error(`a frame header without a valid Content-Length: ${JSON.stringify(lines)}`);
    this.bodyLength = Number(length);
    if (this.bodyLength > this.maxBytes) throw new Error(`a frame of ${this.bodyLength} bytes (at most ${this.maxBytes})`);
    return true;
  }

  /** The next `n` buffered bytes: a view when they sit in one read, else a copy into the scratch buffer. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    this.buffered -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (this.scratch.length < n) this.scratch = Buffer.allocUnsafe(Math.max(n, 2 * this.scratch.length));
    let at = 0;
    while (at < n) {
      const chunk = this.chunks[0];
      const used = chunk.copy(this.scratch, at, 0, n - at);
      at += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return this.scratch.subarray(0, n);
  }
}
