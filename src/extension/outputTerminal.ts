import * as vscode from 'vscode';
import type { OutputNotification, StateNotification } from '../protocol/sandbox';
import { exitStatusForLimit } from '../sandbox/limits';
import { footerText, TerminalText, toCrlf } from './terminalText';

export interface OutputTerminalOptions {
  /** Tasks close their terminal at the end so VS Code sees the exit code; runs keep theirs open to be read. */
  closeOnEnd: boolean;
  /** Ctrl+C in the terminal. */
  onInterrupt(): void;
  /** The user closed the terminal (or terminated the task) while the sandbox may still run. */
  onClose(): void;
}

/**
 * A pseudoterminal showing one sandbox's output live and, at the end, how it ended. What arrives before
 * VS Code opens the terminal is held and written on open.
 */
export class OutputTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private pending: string[] | undefined = [];
  private readonly text = new TerminalText();
  private ended = false;
  private closed = false;
  private readonly opened: Promise<void>;
  private markOpened!: () => void;

  constructor(private readonly options: OutputTerminalOptions) {
    this.opened = new Promise((resolve) => (this.markOpened = resolve));
  }

  /** Resolves once VS Code has opened the terminal: tasks start their sandbox only then. */
  whenOpened(): Promise<void> {
    return this.opened;
  }

  open(): void {
    for (const chunk of this.pending ?? []) this.writeEmitter.fire(chunk);
    this.pending = undefined;
    this.markOpened();
  }

  close(): void {
    this.closed = true;
    if (!this.ended) this.options.onClose();
    this.dispose();
  }

  handleInput(data: string): void {
    if (data.includes('\x03') && !this.ended) this.options.onInterrupt();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A line of our own (dimmed), e.g. the command being run. */
  note(line: string): void {
    this.write(`\x1b[2m${toCrlf(line)}\x1b[0m\r\n`);
  }

  output(n: Pick<OutputNotification, 'stream' | 'data'>): void {
    this.write(this.text.decode(n));
  }

  /** The sandbox ended: how, and for tasks the exit status VS Code reports. */
  end(n: StateNotification): void {
    if (this.ended) return;
    this.ended = true;
    this.write(this.text.flush() + footerText(n));
    if (this.options.closeOnEnd) this.closeEmitter.fire(n.exitCode ?? (n.limit ? exitStatusForLimit(n.limit) : 1));
  }

  /** The run never started (denied, or the supervisor refused it). */
  fail(message: string): void {
    this.ended = true;
    this.write(`\x1b[31m${toCrlf(message)}\x1b[0m\r\n`);
    if (this.options.closeOnEnd) this.closeEmitter.fire(1);
  }

  private write(chunk: string): void {
    if (!chunk || this.closed) return;
    if (this.pending) this.pending.push(chunk);
    else this.writeEmitter.fire(chunk);
  }

  private dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
