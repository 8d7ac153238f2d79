import { z } from 'zod';
import { joinCommandLine } from './commandLine';

/**
 * The audit log (JSONL, written by the supervisor's engine and by the extension's grant decisions) as a
 * readable document: one line per record — time, event, tool, details. Each line is checked with zod; lines
 * that are not records (a crash mid-write) are counted, and events this version does not know are shown raw.
 */

const str = z.string();
const num = z.number();
const strs = z.array(z.string());
const eventSchemas = {
  start: z.looseObject({ id: str, tool: str.nullable(), command: strs, backend: str, grants: strs.optional(), limits: z.unknown() }),
  denied: z.looseObject({ id: str.nullable(), tool: str.nullable(), reason: str, capability: str.optional() }),
  grant: z.looseObject({ tool: str, capability: str, decision: str, scope: str }),
  limit: z.looseObject({ id: str, limit: str, value: num.nullable() }),
  signal: z.looseObject({ id: str, action: str }),
  exit: z.looseObject({ id: str, exitCode: num.nullable(), signal: str.nullable(), limit: str.nullable(), durationMs: num, peakMemoryBytes: num, cpuSeconds: num }),
};
const recordSchema = z.looseObject({ ts: str, event: str });

function limitsText(limits: unknown): string {
  if (!limits || typeof limits !== 'object') return '';
  const set = Object.entries(limits).filter(([, v]) => v !== null && v !== undefined);
  return set.length ? ` · limits ${set.map(([k, v]) => `${k}=${String(v)}`).join(' ')}` : '';
}

/** The tool and details of one record; `tools` maps sandbox ids to tool names from earlier `start` records. */
function describe(record: z.infer<typeof recordSchema>, tools: Map<string, string>): { tool: string; details: string } {
  const { ts: _ts, event: _event, ...rest } = record;
  const raw = { tool: '', details: JSON.stringify(rest) };
  switch (record.event) {
    case 'start': {
      const r = eventSchemas.start.safeParse(record);
      if (!r.success) return raw;
      const tool = r.data.tool ?? r.data.command[0] ?? '';
      tools.set(r.data.id, tool);
      const grants = r.data.grants?.length ? r.data.grants.join(', ') : 'default policy';
      return { tool, details: `${joinCommandLine(r.data.command)} · ${r.data.backend} · ${grants}${limitsText(r.data.limits)}` };
    }
    case 'denied': {
      const r = eventSchemas.denied.safeParse(record);
      if (!r.success) return raw;
      return { tool: r.data.tool ?? (r.data.id ? (tools.get(r.data.id) ?? '') : ''), details: `${r.data.capability ? `${r.data.capability}: ` : ''}${r.data.reason}` };
    }
    case 'grant': {
      const r = eventSchemas.grant.safeParse(record);
      return r.success ? { tool: r.data.tool, details: `${r.data.decision} "${r.data.capability}" (${r.data.scope})` } : raw;
    }
    case 'limit': {
      const r = eventSchemas.limit.safeParse(record);
      return r.success ? { tool: tools.get(r.data.id) ?? '', details: `${r.data.limit} limit${r.data.value === null ? '' : ` at ${r.data.value}`}` } : raw;
    }
    case 'signal': {
      const r = eventSchemas.signal.safeParse(record);
      return r.success ? { tool: tools.get(r.data.id) ?? '', details: r.data.action } : raw;
    }
    case 'exit': {
      const r = eventSchemas.exit.safeParse(record);
      if (!r.success) return raw;
      const d = r.data;
      const how = d.limit ? `${d.limit} limit` : d.exitCode !== null ? `exit ${d.exitCode}` : `signal ${d.signal ?? '?'}`;
      const peak = `${Math.round(d.peakMemoryBytes / (1024 * 1024))} MB peak`;
      return { tool: tools.get(d.id) ?? '', details: `${how} · ${(d.durationMs / 1000).toFixed(1)} s · ${d.cpuSeconds.toFixed(1)} s CPU · ${peak}` };
    }
    default:
      return raw;
  }
}

/** `2025-11-24T23:04:05.123Z` → `2025-11-24 23:04:05Z`: second precision is enough to read, UTC stays explicit. */
function timeText(ts: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(ts);
  return m ? `${m[1]} ${m[2]}Z` : ts;
}

export function formatAuditLog(jsonl: string): string {
  const tools = new Map<string, string>();
  const rows: [string, string, string, string][] = [];
  let unreadable = 0;
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      unreadable++;
      continue;
    }
    const record = recordSchema.safeParse(parsed);
    if (!record.success) {
      unreadable++;
      continue;
    }
    const { tool, details } = describe(record.data, tools);
    rows.push([timeText(record.data.ts), record.data.event, tool, details]);
  }
  if (!rows.length && !unreadable) return 'The audit log is empty: nothing has run in a sandbox yet.\n';
  const width = (col: 1 | 2): number => Math.min(24, Math.max(0, ...rows.map((r) => r[col].length)));
  const [we, wt] = [width(1), width(2)];
  const lines = rows.map(([time, event, tool, details]) => `${time}  ${event.padEnd(we)}  ${tool.padEnd(wt)}  ${details}`);
  if (unreadable) lines.push(`(${unreadable} unreadable line${unreadable === 1 ? '' : 's'} skipped)`);
  return lines.join('\n') + '\n';
}
