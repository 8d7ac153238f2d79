import { z } from 'zod';
import { limitsSchema } from '../sandbox/manifest';

/**
 * The `workspaceSandbox.*` settings, checked with zod when read: settings.json is hand-edited, and a bad value
 * must fall back to its default with a message rather than reach the supervisor. No `vscode` import here, so the
 * checks are unit-tested; the caller passes `WorkspaceConfiguration` (anything with `get`).
 */

const fields = {
  /** `none` isolates nothing; the setting is machine-scoped so a cloned repository cannot choose it. */
  defaultBackend: z.enum(['auto', 'bwrap', 'job', 'none']).default('auto'),
  defaultLimits: limitsSchema.default({}),
  sampleIntervalMs: z.number().int().min(100).max(60_000).default(1000),
  warningThreshold: z.number().gt(0).max(1).default(0.8),
  /** Empty: bwrap is looked up on PATH. Machine-scoped for the same reason as the backend. */
  bwrapPath: z.string().default(''),
  maxSandboxes: z.number().int().min(1).max(1000).default(32),
};

type Fields = typeof fields;
export type Settings = { [K in keyof Fields]: z.infer<Fields[K]> };
export const SETTINGS_SECTION = 'workspaceSandbox';

export interface SettingsSource {
  get(key: string): unknown;
}

/** Every setting, each one valid; `problems` names the settings that were not and fell back to their default. */
export function readSettings(source: SettingsSource): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const settings = Object.fromEntries(
    Object.entries(fields).map(([key, schema]) => {
      const parsed = schema.safeParse(source.get(key));
      if (parsed.success) return [key, parsed.data];
      problems.push(`${SETTINGS_SECTION}.${key}: ${parsed.error.issues.map((i) => i.message).join('; ')} (using the default)`);
      return [key, schema.parse(undefined)];
    }),
  ) as Settings;
  return { settings, problems };
}

/** The settings the supervisor reads at start: a change to one of them needs a new supervisor. */
export const SUPERVISOR_SETTINGS: readonly (keyof Settings)[] = ['sampleIntervalMs', 'warningThreshold', 'bwrapPath', 'maxSandboxes'];
