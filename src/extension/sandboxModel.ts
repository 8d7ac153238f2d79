import type { SandboxInfo, SandboxStateName, StateNotification } from '../protocol/sandbox';
import type { UsageNotification, WarningNotification } from '../protocol/usage';

/**
 * What this window knows about its sandboxes, built from `sandbox/list` and kept current by notifications.
 * The tree and the status bar read it. Pure: time arrives with the calls, and a notification about an id
 * the model has not seen asks the caller to list again (it carries no tool name or policy).
 */

export interface LimitEvent {
  at: number;
  /** A warning at `percent` of a limit, or the limit that ended the sandbox. */
  kind: 'warning' | 'limit';
  resource: string;
  percent: number | null;
}

export interface SandboxEntry {
  info: SandboxInfo;
  events: LimitEvent[];
  /** Why it failed, when it did. */
  message: string | null;
}

const ENDED: ReadonlySet<SandboxStateName> = new Set(['exited', 'failed', 'killed']);
export const isEnded = (state: SandboxStateName): boolean => ENDED.has(state);
export const isActive = (state: SandboxStateName): boolean => !ENDED.has(state);

/** Ended sandboxes shown besides the active ones; the supervisor keeps more, the views need only the latest. */
const SHOWN_ENDED = 10;
const KEPT_EVENTS = 5;

export class SandboxModel {
  private readonly entries = new Map<string, SandboxEntry>();
  /** Limit kills the user has looked at (Show Resources): they no longer colour the status bar. */
  private readonly acknowledged = new Set<string>();

  /** Replaces what the model holds with the supervisor's list, keeping the events it recorded. */
  applyList(infos: readonly SandboxInfo[]): void {
    const previous = new Map(this.entries);
    this.entries.clear();
    for (const info of infos) {
      const before = previous.get(info.id);
      this.entries.set(info.id, { info, events: before?.events ?? [], message: before?.message ?? null });
    }
  }

  /** Applies a state change; false when the id is unknown and the caller should list again. */
  applyState(n: StateNotification, at: number): boolean {
    const entry = this.entries.get(n.id);
    if (!entry) return false;
    const info = { ...entry.info, state: n.state };
    if (n.exitCode !== undefined) info.exitCode = n.exitCode;
    if (n.signal !== undefined) info.signal = n.signal;
    if (n.limit !== undefined) info.limit = n.limit;
    if (isEnded(n.state)) info.usage = null;
    entry.info = info;
    if (n.message) entry.message = n.message;
    if (n.limit) this.record(entry, { at, kind: 'limit', resource: n.limit, percent: null });
    return true;
  }

  applyUsage(n: UsageNotification): void {
    for (const { id, ...usage } of n.samples) {
      const entry = this.entries.get(id);
      if (entry && isActive(entry.info.state)) entry.info = { ...entry.info, usage };
    }
  }

  applyWarning(n: WarningNotification, at: number): boolean {
    const entry = this.entries.get(n.id);
    if (!entry) return false;
    this.record(entry, { at, kind: 'warning', resource: n.resource, percent: n.percent });
    return true;
  }

  get(id: string): SandboxEntry | undefined {
    return this.entries.get(id);
  }

  /** Active sandboxes, newest first, then the most recently started ended ones. */
  all(): SandboxEntry[] {
    const byStart = [...this.entries.values()].sort((a, b) => b.info.startedAt - a.info.startedAt);
    return [...byStart.filter((e) => isActive(e.info.state)), ...byStart.filter((e) => isEnded(e.info.state)).slice(0, SHOWN_ENDED)];
  }

  acknowledgeLimitKills(): void {
    for (const e of this.entries.values()) if (e.info.limit) this.acknowledged.add(e.info.id);
  }

  isAcknowledged(id: string): boolean {
    return this.acknowledged.has(id);
  }

  private record(entry: SandboxEntry, event: LimitEvent): void {
    entry.events = [...entry.events, event].slice(-KEPT_EVENTS);
  }
}
