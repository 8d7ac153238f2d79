import * as vscode from 'vscode';
import { z } from 'zod';
import { manifestRequest } from './manifestRequests';
import type { ManifestWatcher } from './manifestWatcher';
import type { ToolRunner } from './toolRunner';

export const TASK_TYPE = 'sandbox';

/** The task definition as package.json's `taskDefinitions` declares it; tasks.json is user-edited, so checked. */
const sandboxTaskDefinition = z.object({ type: z.literal(TASK_TYPE), tool: z.string().min(1), folder: z.string().optional() });

/**
 * `sandbox` tasks: each manifest tool as a task, and tasks.json entries `{ "type": "sandbox", "tool": "lint" }`
 * resolved to the same. They run through the runner with the same grant prompts, in a pseudoterminal, so
 * problem matchers see the tool's output.
 */
export class SandboxTaskProvider implements vscode.TaskProvider {
  constructor(private readonly manifests: ManifestWatcher, private readonly runner: ToolRunner) {}

  provideTasks(): vscode.Task[] {
    return this.manifests.tools().map((t) => this.task({ type: TASK_TYPE, tool: t.name, folder: t.folder.name }, t.folder));
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const scope = task.scope && typeof task.scope === 'object' ? task.scope : undefined;
    const parsed = sandboxTaskDefinition.safeParse(task.definition);
    if (!parsed.success) return undefined;
    // Keep the caller's definition object: VS Code matches the resolved task to tasks.json by it.
    const resolved = this.task(parsed.data, scope, task.definition);
    resolved.problemMatchers = task.problemMatchers;
    return resolved;
  }

  private task(def: z.infer<typeof sandboxTaskDefinition>, scope: vscode.WorkspaceFolder | undefined, definition: vscode.TaskDefinition = def): vscode.Task {
    const execution = new vscode.CustomExecution(async () => {
      let id: string | undefined;
      const pty = this.runner.newTerminal(def.tool, () => id, true);
      void pty.whenOpened().then(async () => {
        const tool = this.manifests
          .tools()
          .find((t) => t.name === def.tool && (def.folder ? t.folder.name === def.folder : !scope || t.folder.uri.toString() === scope.uri.toString()));
        if (!tool) return pty.fail(`No tool "${def.tool}" in ${def.folder ?? scope?.name ?? 'the workspace'}'s .vscode/sandbox.json (or the manifest has problems).`);
        const request = manifestRequest(tool, this.manifests);
        const policy = await this.runner.authorize(request);
        if (!policy) return pty.fail(`"${def.tool}" did not run: its capabilities were not granted.`);
        id = (await this.runner.start(request, policy, pty).catch(() => undefined))?.id;
      });
      return pty;
    });
    const task = new vscode.Task(definition, scope ?? vscode.TaskScope.Workspace, def.tool, TASK_TYPE, execution);
    task.detail = this.manifests.tools().find((t) => t.name === def.tool)?.resolved.description;
    return task;
  }
}
