import type { OutputNotification } from '../protocol/sandbox';

type Stream = OutputNotification['stream'];

/** A piece of one sandbox's output as the relay hands it on; the wire encoding is the writer's business. */
export interface OutputChunk {
  id: string;
  stream: Stream;
  bytes: Buffer;
}

/**
 * Coalesces a sandbox's output into few notifications: chunks that arrive in one turn of the event loop
 * leave together, at most `maxChunk` bytes a message, so a flood costs a handful of large writes instead
 * of thousands of small ones. 64 KiB keeps each message's base64 string below V8's large-object size, so
 * a flood's garbage dies young instead of piling up until a major collection.
 */
export class OutputRelay {
  private pending = new Map<string, { id: string; stream: Stream; chunks: Buffer[]; bytes: number }>();
  private scheduled = false;

  constructor(private readonly send: (chunk: OutputChunk) => void, private readonly maxChunk = 64 * 1024) {}

  push(id: string, stream: Stream, data: Buffer): void {
    const key = `${id}\0${stream}`;
    let entry = this.pending.get(key);
    if (!entry) this.pending.set(key, (entry = { id, stream, chunks: [], bytes: 0 }));
    entry.chunks.push(data);
    entry.bytes += data.length;
    if (entry.bytes >= this.maxChunk) this.flushEntry(key);
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends everything pending (also called before a sandbox's final state, so output precedes it). */
  flush(id?: string): void {
    this.scheduled = false;
    for (const key of [...this.pending.keys()]) if (id === undefined || key.startsWith(`${id}\0`)) this.flushEntry(key);
  }

  private flushEntry(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.pending.delete(key);
    const all = entry.chunks.length === 1 ? entry.chunks[0] : Buffer.concat(entry.chunks, entry.bytes);
    for (let at = 0; at < all.length; at += this.maxChunk) {
      this.send({ id: entry.id, stream: entry.stream, bytes: all.subarray(at, at + this.maxChunk) });
    }
  }
}

/** The last `capacity` bytes of a sandbox's output, for a client that attaches late. */
export class RecentOutput {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly capacity = 64 * 1024) {}

  push(data: Buffer): void {
    this.chunks.push(data);
    this.bytes += data.length;
    while (this.bytes - this.chunks[0].length >= this.capacity) this.bytes -= this.chunks.shift()!.length;
  }

  snapshot(): Buffer {
    const all = Buffer.concat(this.chunks, this.bytes);
    return all.subarray(Math.max(0, all.length - this.capacity));
  }
}
