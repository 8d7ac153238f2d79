import { z } from 'zod';
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import { limitsSchema, netAccessSchema } from '../sandbox/manifest';
import { ENV_NAME_PATTERN } from '../sandbox/policy';

/** Request parameters and results of the `sandbox/*` family; the client sends requests, the supervisor notifications. */

const path = z.string().min(1).refine((p) => !p.includes('\0'), 'must not contain NUL');

/** The policy as granted (the engine's `Policy`); paths absolute or relative to the workspace. */
export const policySchema = z
  .object({
    read: z.array(path),
    write: z.array(path),
    net: netAccessSchema,
    env: z.array(z.string().regex(ENV_NAME_PATTERN)),
  })
  .strict();

export const startParams = z
  .object({
    tool: z.string().min(1).max(200),
    command: z.array(z.string()).min(1),
    cwd: path.optional(),
    workspace: path,
    policy: policySchema,
    limits: limitsSchema.optional(),
    backend: z.enum(['auto', 'bwrap', 'job', 'none']).optional(),
    /** The user confirmed running where the backend cannot give the isolation asked for (Windows `job`). */
    allowUnisolated: z.boolean().optional(),
    /** Keep stdin open for `sandbox/write`; otherwise the tool reads end-of-file. */
    interactive: z.boolean().optional(),
  })
  .strict();
export type StartParams = z.infer<typeof startParams>;
export const startResult = z.object({ id: z.string() });
export type StartResult = z.infer<typeof startResult>;

export const idParams = z.object({ id: z.string().min(1) }).strict();
export type IdParams = z.infer<typeof idParams>;
export const stopParams = z.object({ id: z.string().min(1), graceMs: z.number().int().min(0).max(600_000).optional() }).strict();
export type StopParams = z.infer<typeof stopParams>;
export const writeParams = z.object({ id: z.string().min(1), data: z.string().max(1 << 20) }).strict();
export type WriteParams = z.infer<typeof writeParams>;

export const sandboxStates = ['created', 'starting', 'running', 'suspended', 'stopping', 'exited', 'failed', 'killed'] as const;
export type SandboxStateName = (typeof sandboxStates)[number];
export const limitKinds = ['memory', 'cpu', 'wall', 'processes', 'output', 'fileSize'] as const;

export const usageSampleSchema = z.object({
  id: z.string(),
  cpuPercent: z.number(),
  memoryBytes: z.number(),
  processes: z.number(),
  cpuSeconds: z.number(),
});
export type UsageSampleMessage = z.infer<typeof usageSampleSchema>;

export const sandboxInfo = z.object({
  id: z.string(),
  tool: z.string(),
  command: z.array(z.string()),
  workspace: z.string(),
  cwd: z.string(),
  state: z.enum(sandboxStates),
  backend: z.enum(['bwrap', 'job', 'none']),
  policy: policySchema,
  limits: z.record(z.string(), z.number().nullable()),
  startedAt: z.number(),
  usage: usageSampleSchema.omit({ id: true }).nullable(),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  limit: z.enum(limitKinds).nullable(),
});
export type SandboxInfo = z.infer<typeof sandboxInfo>;
export const listResult = z.object({ sandboxes: z.array(sandboxInfo) });
export type ListResult = z.infer<typeof listResult>;

export const recentOutputResult = z.object({ data: z.string().describe('base64 of the last bytes of stdout and stderr, interleaved') });
export type RecentOutputResult = z.infer<typeof recentOutputResult>;

export const stateNotification = z.object({
  id: z.string(),
  state: z.enum(sandboxStates),
  exitCode: z.number().nullable().optional(),
  signal: z.string().nullable().optional(),
  limit: z.enum(limitKinds).nullable().optional(),
  /** Why a sandbox failed, in words. */
  message: z.string().optional(),
});
export type StateNotification = z.infer<typeof stateNotification>;

export const outputNotification = z.object({
  id: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  /** The bytes, base64: tools write binary too, and output must arrive byte for byte. */
  data: z.string(),
});
export type OutputNotification = z.infer<typeof outputNotification>;

export const deniedNotification = z.object({
  id: z.string(),
  /** write and net: refused while running; git: planted git metadata moved aside after the run. */
  kind: z.enum(['write', 'net', 'git']),
  path: z.string().nullable(),
  /** In plain words: "write to out/x (read-only in the sandbox: not granted)". */
  message: z.string(),
});
export type DeniedNotification = z.infer<typeof deniedNotification>;

export const Start = { method: 'sandbox/start', type: new RequestType<StartParams, StartResult, void>('sandbox/start'), params: startParams } as const;
export const Stop = { method: 'sandbox/stop', type: new RequestType<StopParams, null, void>('sandbox/stop'), params: stopParams } as const;
export const Kill = { method: 'sandbox/kill', type: new RequestType<IdParams, null, void>('sandbox/kill'), params: idParams } as const;
export const Suspend = { method: 'sandbox/suspend', type: new RequestType<IdParams, null, void>('sandbox/suspend'), params: idParams } as const;
export const Resume = { method: 'sandbox/resume', type: new RequestType<IdParams, null, void>('sandbox/resume'), params: idParams } as const;
export const Write = { method: 'sandbox/write', type: new RequestType<WriteParams, null, void>('sandbox/write'), params: writeParams } as const;
export const List = { method: 'sandbox/list', type: new RequestType<null | undefined, ListResult, void>('sandbox/list'), params: z.union([z.null(), z.undefined(), z.object({}).strict()]) } as const;
export const RecentOutput = { method: 'sandbox/recentOutput', type: new RequestType<IdParams, RecentOutputResult, void>('sandbox/recentOutput'), params: idParams } as const;

/** supervisor → client: every state change, with the exit details on the last one. */
export const State = { method: 'sandbox/state', type: new NotificationType<StateNotification>('sandbox/state'), params: stateNotification } as const;
/** supervisor → client: an access the sandbox refused, as the tool's error output reported it; once per path. */
export const Denied = { method: 'sandbox/denied', type: new NotificationType<DeniedNotification>('sandbox/denied'), params: deniedNotification } as const;
/** supervisor → client: output as it comes, coalesced per sandbox and stream. */
export const Output = { method: 'sandbox/output', type: new NotificationType<OutputNotification>('sandbox/output'), params: outputNotification } as const;
