import type { SandboxInfo } from '../protocol/sandbox';
import { isActive, type SandboxEntry } from './sandboxModel';

/** How sizes, usage and limits read in the tree, the status bar and the terminals. Pure, unit-tested. */

const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;

export function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GB`;
  if (bytes >= MIB) return `${Math.round(bytes / MIB)} MB`;
  if (bytes >= KIB) return `${Math.round(bytes / KIB)} KB`;
  return `${bytes} B`;
}

export function formatPercent(p: number): string {
  return `${Math.round(p)}%`;
}

/** The limit that ended a sandbox, as a sentence ends: "memory limit reached". */
export function limitWords(limit: string): string {
  switch (limit) {
    case 'memory':
      return 'memory limit reached';
    case 'cpu':
      return 'CPU time limit reached';
    case 'wall':
      return 'timed out';
    case 'processes':
      return 'process limit reached';
    case 'output':
      return 'output limit reached';
    case 'fileSize':
      return 'file size limit reached';
    default:
      return `${limit} limit reached`;
  }
}

/** How a sandbox ended, or its state while it runs. */
export function outcomeText(info: Pick<SandboxInfo, 'state' | 'exitCode' | 'signal' | 'limit'>): string {
  if (info.limit) return `stopped: ${limitWords(info.limit)}`;
  switch (info.state) {
    case 'exited':
      return info.exitCode !== null ? `exited with ${info.exitCode}` : `ended by ${info.signal ?? 'a signal'}`;
    case 'killed':
      return `killed${info.signal ? ` (${info.signal})` : ''}`;
    default:
      return info.state;
  }
}

/** The tree item's description: live usage while running ("12% · 80 MB"), the outcome after. */
export function usageDescription(info: SandboxInfo): string {
  if (!isActive(info.state)) return outcomeText(info);
  const memory = info.usage ? formatBytes(info.usage.memoryBytes) : null;
  if (info.state === 'suspended') return memory ? `suspended · ${memory}` : 'suspended';
  return info.usage ? `${formatPercent(info.usage.cpuPercent)} · ${memory}` : info.state;
}

/** One line per limit, with the current usage where the supervisor measures it. */
export function limitLines(info: SandboxInfo): string[] {
  const l = info.limits;
  const u = info.usage;
  const of = (used: string | null, limit: string): string => (used === null ? limit : `${used} of ${limit}`);
  const lines: string[] = [];
  const memoryMb = l['memoryMb'];
  if (memoryMb != null) lines.push(`memory: ${of(u ? formatBytes(u.memoryBytes) : null, formatBytes(memoryMb * MIB))}`);
  const cpu = l['cpuSeconds'];
  if (cpu != null) lines.push(`CPU time: ${of(u ? `${u.cpuSeconds.toFixed(1)} s` : null, `${cpu} s`)}`);
  const procs = l['maxProcesses'];
  if (procs != null) lines.push(`processes: ${of(u ? String(u.processes) : null, String(procs))}`);
  const timeout = l['timeoutSeconds'];
  if (timeout != null) lines.push(`timeout: ${timeout} s`);
  const fileSize = l['maxFileSizeMb'];
  if (fileSize != null) lines.push(`file size: ${formatBytes(fileSize * MIB)}`);
  const output = l['maxOutputMb'];
  if (output != null) lines.push(`output: ${formatBytes(output * MIB)}`);
  return lines;
}

export type StatusSeverity = 'normal' | 'warning' | 'error';

export interface StatusSummary {
  text: string;
  tooltip: string[];
  severity: StatusSeverity;
}

/**
 * `$(shield) N` with the running sandboxes' total CPU and memory. Error after a limit kill the user has not
 * looked at yet, warning while a running sandbox is past the warning fraction of a limit.
 */
export function statusSummary(entries: readonly SandboxEntry[], acknowledged: (id: string) => boolean): StatusSummary {
  const active = entries.filter((e) => isActive(e.info.state));
  const cpu = active.reduce((s, e) => s + (e.info.usage?.cpuPercent ?? 0), 0);
  const memory = active.reduce((s, e) => s + (e.info.usage?.memoryBytes ?? 0), 0);
  const text = active.length ? `$(shield) ${active.length} · ${formatPercent(cpu)} · ${formatBytes(memory)}` : '$(shield) 0';
  const killed = entries.some((e) => e.info.limit && !acknowledged(e.info.id));
  const warned = active.some((e) => e.events.some((ev) => ev.kind === 'warning'));
  const tooltip = entries.length
    ? entries.map((e) => `${e.info.tool}: ${usageDescription(e.info)}`)
    : ['No sandboxes yet'];
  return { text, tooltip, severity: killed ? 'error' : warned ? 'warning' : 'normal' };
}
