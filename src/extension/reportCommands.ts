import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { formatAuditLog } from './auditFormat';
import { doctorSummary, formatDoctorReport } from './doctorReport';
import { registerCommand, type Services } from './services';

export function registerReportCommands(s: Services): void {
  registerCommand(s, 'workspaceSandbox.showAuditLog', async () => {
    const text = await fs.readFile(s.auditFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    await s.reports.show('Sandbox Audit Log', `# ${s.auditFile}\n${formatAuditLog(text)}`, 'log');
  });

  registerCommand(s, 'workspaceSandbox.runDoctor', async () => {
    const [init, doctor] = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Checking the sandbox backends…' }, () =>
      Promise.all([s.client.start(), s.client.doctor()]),
    );
    await s.reports.show('Sandbox Doctor', formatDoctorReport(doctor, init), 'plaintext');
    const summary = doctorSummary(doctor);
    if (summary.ok) void vscode.window.showInformationMessage(summary.text);
    else void vscode.window.showWarningMessage(summary.text);
  });
}
