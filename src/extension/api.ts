import * as path from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { policySchema } from '../protocol/sandbox';
import { limitsSchema } from '../sandbox/manifest';
import type { Limits } from '../sandbox/limits';
import { EMPTY_POLICY, resolveGrantPath, type Policy } from '../sandbox/policy';
import type { RunExit, ToolRunner } from './toolRunner';

/** What `activate()` returns: other extensions run their tools sandboxed, under the user's grants. */
export interface WorkspaceSandboxApi {
  runInSandbox(options: RunInSandboxOptions): Promise<{ id: string; exit: Promise<RunExit> }>;
}

export interface RunInSandboxOptions {
  command: string[];
  /** Default: the first workspace folder. */
  cwd?: string;
  /** What the tool requests; prompted for like a manifest tool's capabilities. */
  policy?: Partial<Policy>;
  limits?: Limits;
  /** Shown in the prompt and the views; grants are kept under it, so a stable name keeps its grants. */
  name: string;
}

/** Another extension's call is a boundary like any other: checked before it reaches the gate. */
const optionsSchema = z
  .object({
    command: z.array(z.string()).min(1),
    cwd: z.string().min(1).optional(),
    policy: policySchema.partial().optional(),
    limits: limitsSchema.optional(),
    name: z.string().min(1).max(200),
  })
  .strict();

export function createApi(runner: ToolRunner): WorkspaceSandboxApi {
  return {
    async runInSandbox(raw) {
      const parsed = optionsSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`runInSandbox: ${z.prettifyError(parsed.error)}`);
      const options = parsed.data;
      const cwdFolder = options.cwd ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(options.cwd)) : undefined;
      const folder = cwdFolder ?? vscode.workspace.workspaceFolders?.[0];
      if (!folder) throw new Error('runInSandbox: no workspace folder is open');
      const workspace = folder.uri.fsPath;
      const requested = { ...EMPTY_POLICY, ...options.policy };
      const run = await runner.runInTerminal({
        tool: { folder: workspace, name: options.name, definition: { command: options.command, cwd: options.cwd, policy: requested, limits: options.limits } },
        workspace,
        command: options.command,
        cwd: options.cwd ? path.resolve(workspace, options.cwd) : workspace,
        requested: { ...requested, read: requested.read.map((p) => resolveGrantPath(workspace, p)), write: requested.write.map((p) => resolveGrantPath(workspace, p)) },
        limits: options.limits ?? {},
      });
      if (!run) throw new Error(`runInSandbox: the user did not grant "${options.name}" what it requests`);
      return { id: run.id, exit: run.exit };
    },
  };
}
