import * as fs from 'node:fs';
import { z } from 'zod';
import { LIMIT_FIELDS, type LimitField, type Limits } from './limits';
import { ManifestError } from './errors';
import { ENV_NAME_PATTERN, NET_ACCESS, resolveGrantPath, type Policy } from './policy';

function limitSchema(field: LimitField) {
  const n = z.number();
  return (LIMIT_FIELDS[field].integer ? n.int() : n).positive().describe(LIMIT_FIELDS[field].description);
}

export const limitsSchema = z
  .object(Object.fromEntries(Object.keys(LIMIT_FIELDS).map((f) => [f, limitSchema(f as LimitField)])) as Record<LimitField, z.ZodNumber>)
  .partial()
  .strict();

export const netAccessSchema = z.enum(NET_ACCESS);

const pathString = z
  .string()
  .min(1, 'must not be empty')
  .refine((p) => !p.includes('\0'), 'must not contain a NUL character')
  .describe('A path: absolute, relative to the workspace folder, or starting with ~ or ${workspaceFolder}.');

export const capabilitiesSchema = z
  .object({
    read: z.array(pathString).describe('Paths readable beyond the system and the workspace.'),
    write: z.array(pathString).describe('Paths writable. Protected paths inside (.git/hooks, .vscode, ...) stay read-only.'),
    net: netAccessSchema.describe('"none" (default): no network. "all": full network access.'),
    env: z
      .array(z.string().regex(ENV_NAME_PATTERN, 'must be an environment variable name'))
      .describe('Host environment variables passed through (beyond PATH, LANG, LC_*, TERM, TZ, colour settings).'),
  })
  .partial()
  .strict()
  .describe('Capabilities the tool requests; the user grants or denies each.');

export const toolSchema = z
  .object({
    command: z.array(z.string()).min(1, 'must name a program').describe('The program and its arguments (argv, no shell).'),
    cwd: pathString.optional().describe('Working directory (default: the workspace folder).'),
    description: z.string().optional().describe('What the tool does, shown in prompts and lists.'),
    capabilities: capabilitiesSchema.optional(),
    limits: limitsSchema.optional().describe('Resource limits; absent fields take their defaults.'),
  })
  .strict();

export const TOOL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export const manifestSchema = z
  .object({
    $schema: z.string().optional(),
    tools: z
      .record(z.string().regex(TOOL_NAME_PATTERN, 'tool names use letters, digits, ".", "_", ":" and "-"'), toolSchema)
      .describe('Tools keyed by name.'),
  })
  .strict()
  .describe('Workspace Sandbox manifest: the tools this workspace runs and what each may do.');

export type Manifest = z.infer<typeof manifestSchema>;
export type ToolEntry = z.infer<typeof toolSchema>;

/** The manifest's JSON Schema, for the editor's validation and completion. */
export function manifestJsonSchema(): object {
  return z.toJSONSchema(manifestSchema, { io: 'input' });
}

export function formatIssuePath(segments: readonly PropertyKey[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join('') || '(root)';
}

function issueLines(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatIssuePath([...issue.path, key])}: unknown field`);
    }
    return [`${formatIssuePath(issue.path)}: ${issue.message}`];
  });
}

export function parseManifest(text: string, file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(file, [`malformed JSON: ${(err as Error).message}`]);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new ManifestError(file, issueLines(parsed.error.issues));
  return parsed.data;
}

export function loadManifest(file: string): Manifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ManifestError(file, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  return parseManifest(text, file);
}

export interface ExpansionContext {
  workspaceFolder: string;
  home: string;
}

/** Expands `${workspaceFolder}` anywhere and `~` at the start; any other `${...}` is an error. */
export function expandVariables(value: string, ctx: ExpansionContext): string {
  let out = value.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
    if (name === 'workspaceFolder') return ctx.workspaceFolder;
    throw new Error(`unknown variable \${${name}} (only \${workspaceFolder} is supported)`);
  });
  if (out === '~' || out.startsWith('~/')) out = ctx.home + out.slice(1);
  return out;
}

/** A manifest tool with variables expanded and paths made absolute. */
export interface ResolvedTool {
  name: string;
  description: string | undefined;
  command: string[];
  cwd: string;
  policy: Policy;
  limits: Limits;
}

export function resolveTool(manifest: Manifest, name: string, ctx: ExpansionContext, file: string): ResolvedTool {
  const entry = manifest.tools[name];
  if (!entry) {
    const known = Object.keys(manifest.tools);
    throw new ManifestError(file, [`tools.${name}: no such tool (declared: ${known.length ? known.join(', ') : 'none'})`]);
  }
  const problems: string[] = [];
  const expand = (value: string, field: string, asPath: boolean): string => {
    try {
      const v = expandVariables(value, ctx);
      return asPath ? resolveGrantPath(ctx.workspaceFolder, v) : v;
    } catch (err) {
      problems.push(`tools.${name}.${field}: ${(err as Error).message}`);
      return value;
    }
  };
  const caps = entry.capabilities ?? {};
  const tool: ResolvedTool = {
    name,
    description: entry.description,
    command: entry.command.map((arg, i) => expand(arg, `command[${i}]`, false)),
    cwd: expand(entry.cwd ?? '${workspaceFolder}', 'cwd', true),
    policy: {
      read: (caps.read ?? []).map((p, i) => expand(p, `capabilities.read[${i}]`, true)),
      write: (caps.write ?? []).map((p, i) => expand(p, `capabilities.write[${i}]`, true)),
      net: caps.net ?? 'none',
      env: caps.env ?? [],
    },
    limits: entry.limits ?? {},
  };
  if (problems.length) throw new ManifestError(file, problems);
  return tool;
}
