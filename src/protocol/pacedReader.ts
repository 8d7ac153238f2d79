import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { StreamMessageReader, type MessageReaderOptions } from 'vscode-jsonrpc/node';

/**
 * vscode-jsonrpc's stream reader, fed at the pace its connection handles messages. The reader decodes one
 * message per turn of the event loop and the connection queues what it gets and handles one per turn; the
 * socket meanwhile delivers up to 32 reads (2 MiB) per poll. Read eagerly, an output flood piles up
 * decoded messages without bound, their payloads outlive V8's young generation (costly to collect), and
 * the supervisor never feels back-pressure. So each chunk pauses the source until a turn passes in which
 * nothing was delivered and nothing delivered still waits in the connection's queue: the backlog stays in
 * the pipe, where the supervisor's back-pressure sees it and pauses the tools.
 */
export function pacedMessageReader(source: Readable, options: MessageReaderOptions): StreamMessageReader {
  const paced = new EventEmitter();
  let waiting = 0; // messages delivered and not yet handled, counting one handled per turn
  let deliveredThisTurn = 0;
  let scheduled = false;
  const turn = () => {
    if (waiting > 0) waiting--;
    if (deliveredThisTurn > 0 || waiting > 0) {
      deliveredThisTurn = 0;
      setImmediate(turn);
      return;
    }
    scheduled = false;
    source.resume();
  };
  source.on('data', (chunk: Buffer) => {
    paced.emit('data', chunk);
    source.pause();
    if (!scheduled) {
      scheduled = true;
      setImmediate(turn);
    }
  });
  for (const event of ['close', 'error', 'end']) source.on(event, (...args: unknown[]) => paced.emit(event, ...args));
  const reader = new StreamMessageReader(paced as unknown as Readable, options);
  // Its partial-message warning costs a timer per read, thousands a second in a flood, and warns of
  // nothing here: a frame split across reads is normal for 64 KiB outputs.
  reader.partialMessageTimeout = 0;
  const listen = reader.listen.bind(reader);
  reader.listen = (callback) =>
    listen((message) => {
      waiting++;
      deliveredThisTurn++;
      callback(message);
    });
  return reader;
}
