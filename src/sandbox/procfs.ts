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
 * Every process this user can see. One pass over /proc serves every sandbox of a tick: this kernel family
 * does not reliably offer /proc/PID/task/TID/children, and the parent links need the whole table anyway.
 */
export function readProcessTable(): ProcessTable {
  const table: ProcessTable = new Map();
  for (const name of fs.readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    const stat = parseStat(text);
    if (stat) table.set(stat.pid, stat);
  }
  return table;
}

/** `root` and all its descendants present in `table`. */
export function descendants(table: ProcessTable, root: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of table.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const first = table.get(root);
  if (!first) return [];
  const out: ProcStat[] = [first];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i].pid) ?? []));
  return out;
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
