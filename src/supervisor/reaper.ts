import { spawn } from 'node:child_process';

/**
 * A companion process that outlives the supervisor by a moment: it waits for the supervisor's end of a
 * pipe to close (a crash or kill -9 included), then SIGKILLs every process whose environment carries
 * `marker`. bwrap's --die-with-parent alone leaves a window: a sandbox started just before the supervisor
 * died can finish setting up with no parent-death signal armed (its init arms it late), and survives.
 * Every sandbox process inherits the marker (bwrap's own init included, and killing that init ends the
 * whole pid namespace), so this catches them all. One grep over /proc, three rounds for stragglers.
 */
export function startReaper(marker: string): void {
  const script = [
    'cat >/dev/null',
    'for round in 1 2 3; do',
    '  for f in $(grep -laF "$1" /proc/[0-9]*/environ 2>/dev/null); do p=${f#/proc/}; kill -9 "${p%/environ}" 2>/dev/null; done',
    'done',
  ].join('\n');
  const reaper = spawn('/bin/sh', ['-c', script, 'wsb-reaper', marker], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  // Only our end of stdin keeps it waiting; it must not keep us alive.
  reaper.unref();
  (reaper.stdin as unknown as { unref?: () => void }).unref?.();
  reaper.stdin!.on('error', () => undefined);
}

/** A marker no other supervisor's can contain as a prefix: every id ends with a dot. */
export function supervisorMarker(): string {
  return `WSB_SUPERVISOR=${process.pid}.${Date.now()}.`;
}
