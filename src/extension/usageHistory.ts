import type { UsageNotification, WarningNotification } from '../protocol/usage';
import type { SandboxHistory, UsagePoint, WarningMark } from '../protocol/webview';

/**
 * The last few minutes of usage per sandbox, kept by the host so the Resources panel draws complete charts when
 * it is opened or shown again. Pure: time comes in with the notifications, nothing here reads a clock or `vscode`.
 */

/** A fixed-capacity FIFO: pushing onto a full ring drops the oldest item. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    this.items[(this.start + this.count) % this.capacity] = item;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The oldest item, or undefined when empty. */
  first(): T | undefined {
    return this.count ? this.items[this.start] : undefined;
  }

  last(): T | undefined {
    return this.count ? this.items[(this.start + this.count - 1) % this.capacity] : undefined;
  }

  /** Drops items from the oldest end while `pred` holds (items are in time order, so this is a cut-off). */
  dropWhile(pred: (item: T) => boolean): void {
    while (this.count && pred(this.items[this.start] as T)) {
      this.items[this.start] = undefined; // let the GC have it
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }
}

export interface UsageHistoryOptions {
  /** How far back to keep, in milliseconds. */
  windowMs: number;
  /** Points kept per sandbox: 300 covers the window at the supervisor's 1 Hz tick; a faster tick shortens it. */
  maxPoints: number;
  /** Warning marks kept per sandbox; the supervisor warns once per resource, so a few suffice. */
  maxWarnings: number;
}

export const DEFAULT_HISTORY_OPTIONS: UsageHistoryOptions = { windowMs: 5 * 60_000, maxPoints: 300, maxWarnings: 16 };

interface Entry {
  points: Ring<UsagePoint>;
  warnings: Ring<WarningMark>;
}

export class UsageHistory {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly options: UsageHistoryOptions = DEFAULT_HISTORY_OPTIONS) {}

  /** Records one tick. A point not newer than the sandbox's last one is dropped, so each ring stays in time order. */
  addUsage(n: UsageNotification): void {
    for (const s of n.samples) {
      const points = this.entry(s.id).points;
      const last = points.last();
      if (last && n.at <= last.at) continue;
      points.push({ at: n.at, cpuPercent: s.cpuPercent, memoryBytes: s.memoryBytes, cpuSeconds: s.cpuSeconds });
    }
    this.prune(n.at);
  }

  /** Records a warning that arrived at `at` (the notification has no time of its own) and returns its mark. */
  addWarning(w: WarningNotification, at: number): WarningMark {
    const mark: WarningMark = { at, resource: w.resource, percent: w.percent };
    this.entry(w.id).warnings.push(mark);
    return mark;
  }

  /**
   * Forgets what is older than the window before `now`, and sandboxes with nothing left: an exited sandbox's
   * history lives on for one window (its chart scrolls out), then it is gone, so the map cannot grow without bound.
   */
  prune(now: number): void {
    const cutoff = now - this.options.windowMs;
    for (const [id, e] of this.entries) {
      e.points.dropWhile((p) => p.at < cutoff);
      e.warnings.dropWhile((w) => w.at < cutoff);
      if (!e.points.length && !e.warnings.length) this.entries.delete(id);
    }
  }

  get(id: string): SandboxHistory | undefined {
    const e = this.entries.get(id);
    return e && { id, points: e.points.toArray(), warnings: e.warnings.toArray() };
  }

  all(): SandboxHistory[] {
    return [...this.entries.keys()].map((id) => this.get(id) as SandboxHistory);
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = { points: new Ring(this.options.maxPoints), warnings: new Ring(this.options.maxWarnings) };
      this.entries.set(id, e);
    }
    return e;
  }
}
