import * as fs from 'node:fs';
import * as path from 'node:path';

/** One decision, as one JSON line. `event` says which; the rest depends on it. */
export type AuditRecord =
  | { event: 'start'; id: string; tool: string | null; command: string[]; cwd: string; workspace: string; backend: string; policy: unknown; limits: unknown; grants: string[]; created: string[]; skippedReads: string[]; toolchain: string[]; cgroup: 2 | null }
  | { event: 'denied'; id: string | null; tool: string | null; reason: string; capability?: string; /** planted git metadata: where it was moved, null if it could not be */ movedTo?: string | null }
  | { event: 'grant'; tool: string; capability: string; decision: string; scope: string }
  | { event: 'limit'; id: string; limit: string; value: number | null }
  | { event: 'signal'; id: string; action: string }
  | { event: 'exit'; id: string; exitCode: number | null; signal: string | null; limit: string | null; durationMs: number; peakMemoryBytes: number; cpuSeconds: number };

export interface AuditSink {
  append(record: AuditRecord): void;
}

/**
 * Appends records to a JSONL file. Each record is one write(2) on an O_APPEND descriptor, so concurrent
 * writers interleave whole lines. If a crash left a partial last line, the next write starts on a fresh
 * line, so only that one line is unreadable and `readAuditLog` skips it.
 */
export class AuditLog implements AuditSink {
  private fd: number | undefined;

  constructor(readonly file: string) {}

  append(record: AuditRecord): void {
    const line = JSON.stringify({ ts: new Date().toISOString(), ...record }) + '\n';
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a', 0o600);
      fs.writeSync(this.fd, endsWithPartialLine(this.file) ? '\n' + line : line);
      return;
    }
    fs.writeSync(this.fd, line);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function endsWithPartialLine(file: string): boolean {
  const size = fs.statSync(file).size;
  if (size === 0) return false;
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, size - 1);
    return b[0] !== 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

/** The records of an audit log; lines that do not parse (a crash mid-write) are counted, not fatal. */
export function readAuditLog(file: string): { records: Array<AuditRecord & { ts: string }>; unreadable: number } {
  const records: Array<AuditRecord & { ts: string }> = [];
  let unreadable = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      unreadable++;
    }
  }
  return { records, unreadable };
}
