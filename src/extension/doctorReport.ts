import type { DoctorResult, InitializeResult } from '../protocol/supervisor';

/** The supervisor's doctor result as a readable report, fixes included (they can be many lines). */
export function formatDoctorReport(doctor: DoctorResult, supervisor: Pick<InitializeResult, 'supervisorVersion'>): string {
  const lines = [`Workspace Sandbox doctor (supervisor ${supervisor.supervisorVersion})`, ''];
  for (const b of doctor.backends) {
    lines.push(`${b.works ? '✓' : '✗'} ${b.backend}: ${b.works ? `works — isolates ${b.isolation}` : 'does not work here'}`);
    if (b.reason) lines.push(`  why: ${b.reason}`);
    if (b.fix) lines.push(`  fix: ${b.fix.split('\n').join('\n       ')}`);
  }
  const e = doctor.enforcement;
  lines.push('', 'Limits are enforced by:');
  lines.push(`  cgroup v2: ${e.cgroup === null ? 'not available (the watchdog enforces memory and processes)' : 'yes'}`);
  lines.push(`  rlimits: ${e.rlimits ? 'yes' : 'no'}`, `  watchdog: ${e.watchdog ? 'yes' : 'no'}`);
  if (e.note) lines.push(`  ${e.note}`);
  return lines.join('\n') + '\n';
}

/** One sentence for the notification that accompanies the report. */
export function doctorSummary(doctor: DoctorResult): { ok: boolean; text: string } {
  const isolating = doctor.backends.find((b) => b.backend === 'bwrap');
  if (isolating?.works) return { ok: true, text: 'Sandbox doctor: bubblewrap works here; tools run isolated.' };
  return { ok: false, text: `Sandbox doctor: bubblewrap does not work here${isolating?.reason ? ` (${isolating.reason})` : ''}. The report says how to fix it.` };
}
