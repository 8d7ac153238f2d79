import { z } from 'zod';
import { TOOL_NAME_PATTERN } from '../sandbox/manifest';

/**
 * A first `.vscode/sandbox.json` from what the folder already runs: its npm scripts and Makefile targets.
 * Capabilities are left out on purpose — the manifest only requests, and a guessed grant would be
 * prompted for as if the author had asked for it — except the one any reviewer would expect:
 * ESLint's cache file when a script runs `eslint --cache`.
 */

export interface ScaffoldInput {
  packageJson?: string;
  makefile?: string;
  /** File names at the folder's root, to pick the package manager from its lockfile. */
  rootFiles: readonly string[];
}

interface ScaffoldTool {
  command: string[];
  description: string;
  capabilities?: { write: string[] };
}

/** npm runs these itself around install and publish; they are not tools a user runs. */
const LIFECYCLE_SCRIPTS = new Set(['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'prepublishOnly', 'prepack', 'postpack', 'preuninstall', 'postuninstall']);

const packageJsonSchema = z.object({ scripts: z.record(z.string(), z.string()).optional() });

function packageManager(rootFiles: readonly string[]): string {
  if (rootFiles.includes('pnpm-lock.yaml')) return 'pnpm';
  if (rootFiles.includes('yarn.lock')) return 'yarn';
  if (rootFiles.includes('bun.lockb') || rootFiles.includes('bun.lock')) return 'bun';
  return 'npm';
}

function toolName(raw: string): string {
  const name = raw.replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return TOOL_NAME_PATTERN.test(name) ? name : 'tool';
}

export function npmScriptTools(packageJson: string, rootFiles: readonly string[]): Record<string, ScaffoldTool> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(packageJson);
  } catch {
    return {};
  }
  const scripts = packageJsonSchema.safeParse(parsed).data?.scripts ?? {};
  const pm = packageManager(rootFiles);
  const tools: Record<string, ScaffoldTool> = {};
  for (const [script, body] of Object.entries(scripts)) {
    // `prebuild`/`postbuild` run as part of `build`; listing them apart would only duplicate it.
    const hook = /^(pre|post)(.+)$/.exec(script);
    if (LIFECYCLE_SCRIPTS.has(script) || (hook && hook[2]! in scripts)) continue;
    const tool: ScaffoldTool = { command: [pm, 'run', script], description: body.length > 80 ? `${body.slice(0, 77)}...` : body };
    if (/\beslint\b/.test(body) && /--cache\b/.test(body)) tool.capabilities = { write: ['.eslintcache'] };
    tools[toolName(script)] = tool;
  }
  return tools;
}

/** Explicit targets of a Makefile: not special (`.PHONY`), pattern (`%.o`) or variable-named targets, nor assignments. */
export function makefileTargets(makefile: string): string[] {
  const targets = new Set<string>();
  for (const line of makefile.split('\n')) {
    const m = /^([^\s:=#][^:=#]*?)\s*::?(?![:=])/.exec(line);
    if (!m) continue;
    for (const target of m[1]!.split(/\s+/)) {
      if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target)) targets.add(target);
    }
  }
  return [...targets];
}

/** The manifest to write: npm scripts under their own names, Makefile targets as `make:TARGET`. */
export function scaffoldManifest(input: ScaffoldInput): { tools: Record<string, ScaffoldTool> } {
  const tools = input.packageJson ? npmScriptTools(input.packageJson, input.rootFiles) : {};
  for (const target of input.makefile ? makefileTargets(input.makefile) : []) {
    tools[toolName(`make:${target}`)] = { command: ['make', target], description: `make ${target}` };
  }
  return { tools };
}
