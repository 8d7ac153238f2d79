import type { LimitKind, WatchdogThresholds } from './limits';
import { CLOCK_TICKS_PER_SECOND, ProcessTableCache, systemPageSize, type ProcessSnapshot } from './procfs';
import { type Disposable } from './events';

/** One reading of a sandbox's process tree. */
export interface UsageSample {
  at: number;
  cpuPercent: number;
  memoryBytes: number;
  processes: number;
  cpuSeconds: number;
}

/** The resources a warning can be about: the ones the watchdog measures. */
export type WatchedResource = Extract<LimitKind, 'memory' | 'cpu' | 'processes' | 'output'>;

/**
 * Turns process tables into samples for one tree. CPU seconds only grow: a tree's total is its live
 * processes' own time plus what they reaped, and the maximum seen is kept when a reaper exits.
 * `infrastructure` (bwrap's own processes) is left out of the process count.
 */
export class TreeMeter {
  private last: UsageSample | undefined;
  peakMemoryBytes = 0;

  constructor(private readonly root: number, private pageSize?: number) {}

  measure(snapshot: ProcessSnapshot, now: number, infrastructure: ReadonlySet<number>): UsageSample {
    const tree = snapshot.tree(this.root);
    let ticks = 0;
    let pages = 0;
    let processes = 0;
    for (const p of tree) {
      ticks += p.ticks + p.childTicks;
      pages += p.rssPages;
      if (!infrastructure.has(p.pid)) processes++;
    }
    const cpuSeconds = Math.max(ticks / CLOCK_TICKS_PER_SECOND, this.last?.cpuSeconds ?? 0);
    const elapsed = this.last ? (now - this.last.at) / 1000 : 0;
    const cpuPercent = elapsed > 0 ? Math.max(0, ((cpuSeconds - this.last!.cpuSeconds) / elapsed) * 100) : 0;
    this.pageSize ??= systemPageSize();
    const sample: UsageSample = { at: now, cpuPercent, memoryBytes: pages * this.pageSize, processes, cpuSeconds };
    this.peakMemoryBytes = Math.max(this.peakMemoryBytes, sample.memoryBytes);
    this.last = sample;
    return sample;
  }

  get latest(): UsageSample | undefined {
    return this.last;
  }
}

export interface Verdict {
  exceeded: WatchedResource | null;
  /** Resources that crossed the warning fraction for the first time. */
  warnings: { resource: WatchedResource; percent: number }[];
}

/** Compares a sample (and the output so far) with the thresholds. `warned` is updated in place. */
export function judge(sample: UsageSample, outputBytes: number, t: WatchdogThresholds, warned: Set<WatchedResource>): Verdict {
  const readings: [WatchedResource, number, number | null][] = [
    ['memory', sample.memoryBytes, t.memoryBytes],
    ['cpu', sample.cpuSeconds, t.cpuSeconds],
    ['processes', sample.processes, t.processes],
    ['output', outputBytes, t.outputBytes],
  ];
  let exceeded: WatchedResource | null = null;
  const warnings: Verdict['warnings'] = [];
  for (const [resource, value, limit] of readings) {
    if (limit === null) continue;
    if (value > limit && exceeded === null) exceeded = resource;
    if (value >= limit * t.warnAt && !warned.has(resource)) {
      warned.add(resource);
      warnings.push({ resource, percent: Math.round((value / limit) * 100) });
    }
  }
  return { exceeded, warnings };
}

/** Something that wants a process table every tick, fresh for the tree under `rootPid`. */
export interface TableConsumer {
  readonly rootPid: number | undefined;
  onTable(snapshot: ProcessSnapshot, now: number): void;
}

function cachedReader(): (roots: number[]) => ProcessSnapshot {
  const cache = new ProcessTableCache();
  return (roots) => cache.read(roots);
}

/**
 * One timer and one pass over /proc per tick for every sandbox of the process; runs only while someone
 * is subscribed, so an idle supervisor or a finished `wsb run` costs nothing.
 */
export class UsageTicker {
  private consumers = new Set<TableConsumer>();
  private timer: NodeJS.Timeout | undefined;
  private readonly afterTick = new Set<(now: number) => void>();

  constructor(
    private readonly intervalMs: number,
    private readonly readTable: (roots: number[]) => ProcessSnapshot = cachedReader(),
    private readonly now: () => number = Date.now,
  ) {}

  subscribe(consumer: TableConsumer): Disposable {
    this.consumers.add(consumer);
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    return {
      dispose: () => {
        this.consumers.delete(consumer);
        if (this.consumers.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
      },
    };
  }

  /** Called after every consumer has seen the tick's table (the supervisor batches usage here). */
  onDidTick(listener: (now: number) => void): Disposable {
    this.afterTick.add(listener);
    return { dispose: () => this.afterTick.delete(listener) };
  }

  tick(): void {
    const roots = [...this.consumers].flatMap((c) => (c.rootPid === undefined ? [] : [c.rootPid]));
    const table = this.readTable(roots);
    const now = this.now();
    for (const c of [...this.consumers]) c.onTable(table, now);
    for (const l of [...this.afterTick]) l(now);
  }
}
