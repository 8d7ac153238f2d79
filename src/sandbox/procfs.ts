import * as fs from 'node:fs';

/** One line of /proc/PID/stat, the fields the watchdog needs. Times are in clock ticks. */
export interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  state: string;
  /** user + system time of the process itself. */
  ticks: number;
  /** user + system time of its reaped children: a tree's CPU includes descendants that already exited. */
  childTicks: number;
  rssPages: number;
}

/** USER_HZ: fixed at 100 on every Linux architecture Node supports. */
export const CLOCK_TICKS_PER_SECOND = 100;

export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state); field N of proc(5) is f[N - 3].
  if (f.length < 22) return null;
  return {
    pid: Number(text.slice(0, open)),
    ppid: Number(f[1]),
    comm: text.slice(open + 1, close),
    state: f[0],
    ticks: Number(f[11]) + Number(f[12]),
    childTicks: Number(f[13]) + Number(f[14]),
    rssPages: Number(f[21]),
  };
}

export type ProcessTable = Map<number, ProcStat>;

/**
 * Every process this user can see, read afresh (for stop, kill and suspend, which must not miss a child).
 * The kernels here do not offer /proc/PID/task/TID/children, so parent links need the whole table.
 */
export function readProcessTable(): ProcessTable {
  const table: ProcessTable = new Map();
  for (const name of fs.readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const stat = readStat(Number(name));
    if (stat) table.set(stat.pid, stat);
  }
  return table;
}

function childrenOf(table: ProcessTable): Map<number, ProcStat[]> {
  const children = new Map<number, ProcStat[]>();
  for (const p of table.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  return children;
}

function walk(table: ProcessTable, children: Map<number, ProcStat[]>, root: number): ProcStat[] {
  const first = table.get(root);
  if (!first) return [];
  const out: ProcStat[] = [first];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i].pid) ?? []));
  return out;
}

/** `root` and all its descendants present in `table`. */
export function descendants(table: ProcessTable, root: number): ProcStat[] {
  return walk(table, childrenOf(table), root);
}

/** One tick's table, with the parent → children index built once for every tree asked of it. */
export class ProcessSnapshot {
  private children: Map<number, ProcStat[]> | undefined;

  constructor(readonly table: ProcessTable) {}

  tree(root: number): ProcStat[] {
    this.children ??= childrenOf(this.table);
    return walk(this.table, this.children, root);
  }
}

/** One buffer for every read: readFileSync would allocate 64 KiB per /proc file (their size reads as 0). */
const statBuffer = Buffer.alloc(4096);

function readStat(pid: number): ProcStat | null {
  let fd: number;
  try {
    fd = fs.openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return null; // exited while we looked
  }
  try {
    return parseStat(statBuffer.toString('latin1', 0, fs.readSync(fd, statBuffer, 0, statBuffer.length, 0)));
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The process table across ticks, re-reading only what can have changed: a process's parent link is
 * fixed at fork (re-parenting only moves it up, out of a sandbox's tree), so a process seen before and
 * outside every watched tree needs no new read. New processes and the members of the watched trees are
 * read every tick; everything is re-read every `fullEvery` ticks, which bounds what a recycled pid could
 * hide. With 50 idle sandboxes this reads ~150 files a tick instead of every process on the machine.
 */
export class ProcessTableCache {
  private readonly table: ProcessTable = new Map();
  /** Open /proc/PID/stat descriptors of watched processes: a re-read is then one pread. Bounded. */
  private readonly fds = new Map<number, number>();
  private ticks = 0;

  constructor(private readonly fullEvery = 10, private readonly maxFds = 256) {}

  read(roots: readonly number[]): ProcessSnapshot {
    const full = this.ticks++ % this.fullEvery === 0;
    const present = new Set<number>();
    const fresh = new Set<number>();
    for (const name of fs.readdirSync('/proc')) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      present.add(pid);
      if (full || !this.table.has(pid)) this.refresh(pid, fresh);
    }
    for (const pid of this.table.keys()) if (!present.has(pid)) this.table.delete(pid);
    for (const [pid, fd] of this.fds) if (!present.has(pid)) this.closeFd(pid, fd);
    const snapshot = new ProcessSnapshot(this.table);
    if (!full) {
      // A root is bwrap's outer process (or the tool under `none`, whose own time then lags by a full
      // re-read at most): its own time is its start-up, and what it reaps is counted in its children.
      const rootSet = new Set(roots);
      for (const root of roots) for (const p of snapshot.tree(root)) if (!fresh.has(p.pid) && !rootSet.has(p.pid)) this.rereadWatched(p.pid, fresh);
    }
    return snapshot;
  }

  private refresh(pid: number, fresh: Set<number>): void {
    const stat = readStat(pid);
    if (stat) this.table.set(pid, stat);
    else this.table.delete(pid);
    fresh.add(pid);
  }

  private rereadWatched(pid: number, fresh: Set<number>): void {
    let fd = this.fds.get(pid);
    if (fd === undefined && this.fds.size < this.maxFds) {
      try {
        fd = fs.openSync(`/proc/${pid}/stat`, 'r');
        this.fds.set(pid, fd);
      } catch {
        // gone: refresh() below drops it
      }
    }
    if (fd === undefined) return this.refresh(pid, fresh);
    fresh.add(pid);
    let stat: ProcStat | null = null;
    try {
      stat = parseStat(statBuffer.toString('latin1', 0, fs.readSync(fd, statBuffer, 0, statBuffer.length, 0)));
    } catch {
      // ESRCH: the process exited (its pid may come back as another process, which needs a new open)
    }
    if (stat && stat.pid === pid) this.table.set(pid, stat);
    else {
      this.table.delete(pid);
      this.closeFd(pid, fd);
    }
  }

  private closeFd(pid: number, fd: number): void {
    this.fds.delete(pid);
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
  }
}

let pageSize: number | undefined;

/** The page size, from this process's own RSS in pages (stat) against in kB (status). */
export function systemPageSize(): number {
  if (pageSize !== undefined) return pageSize;
  pageSize = 4096;
  try {
    const pages = parseStat(fs.readFileSync('/proc/self/stat', 'latin1'))?.rssPages ?? 0;
    const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'latin1'))?.[1] ?? 0);
    if (pages > 0 && kb > 0) pageSize = 2 ** Math.round(Math.log2((kb * 1024) / pages));
  } catch {
    // keep the common default
  }
  return pageSize;
}

/** Pids whose environment carries `marker` (NAME=VALUE): processes that left the tree but not the run. */
export function pidsWithEnvMarker(marker: string): number[] {
  const needle = Buffer.from(`${marker}\0`);
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`);
      if (env.indexOf(needle) === 0 || env.indexOf(Buffer.concat([Buffer.from('\0'), needle])) >= 0) out.push(Number(name));
    } catch {
      // not ours to read, or gone
    }
  }
  return out;
}

export function signalPids(pids: Iterable<number>, signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
