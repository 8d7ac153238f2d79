import { StringDecoder } from 'node:string_decoder';
import type { OutputNotification, StateNotification } from '../protocol/sandbox';
import { outcomeText } from './usageText';

/**
 * Turns the supervisor's base64 output into terminal text. Each stream has its own UTF-8 decoder, since a
 * character split across two notifications must not become two replacement characters, nor borrow bytes from
 * the other stream. A pseudoterminal has no line discipline, so `\n` must be sent as `\r\n`.
 */
export class TerminalText {
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  decode(n: Pick<OutputNotification, 'stream' | 'data'>): string {
    return toCrlf(this.decoders[n.stream].write(Buffer.from(n.data, 'base64')));
  }

  /** What the decoders still hold (an incomplete character at the very end). */
  flush(): string {
    return toCrlf(this.decoders.stdout.end() + this.decoders.stderr.end());
  }
}

export function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/** The last line of a run: how it ended, red unless it exited with 0. */
export function footerText(n: Pick<StateNotification, 'state' | 'exitCode' | 'signal' | 'limit' | 'message'>): string {
  const info = { state: n.state, exitCode: n.exitCode ?? null, signal: n.signal ?? null, limit: n.limit ?? null };
  const ok = n.state === 'exited' && info.exitCode === 0 && !info.limit;
  const why = n.message ? `: ${n.message}` : '';
  return `\r\n${ok ? DIM : RED}[sandbox ${outcomeText(info)}${why}]${RESET}\r\n`;
}
