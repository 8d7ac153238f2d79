import { z } from 'zod';
import { RequestType } from 'vscode-jsonrpc';

export const PROTOCOL_VERSION = 1;

export const initializeParams = z
  .object({
    protocolVersion: z.number().int(),
    clientName: z.string().max(200),
    /** Where to append the audit log (JSONL); typically the workspace's extension storage. */
    auditLog: z.string().min(1).optional(),
    /** Tick of the usage sampler and watchdog. */
    sampleIntervalMs: z.number().int().min(100).max(60_000).optional(),
    /** Fraction of a limit at which `sandbox/warning` fires. */
    warnAt: z.number().gt(0).max(1).optional(),
    /** Cap on concurrent sandboxes. */
    maxSandboxes: z.number().int().min(1).max(1000).optional(),
  })
  .strict();
export type InitializeParams = z.infer<typeof initializeParams>;

export const backendReport = z.object({
  backend: z.enum(['bwrap', 'job', 'none']),
  works: z.boolean(),
  isolation: z.string(),
  reason: z.string().nullable(),
  fix: z.string().nullable(),
});

export const initializeResult = z.object({
  protocolVersion: z.number(),
  supervisorVersion: z.string(),
  backends: z.array(backendReport),
});
export type InitializeResult = z.infer<typeof initializeResult>;

export const statsResult = z.object({
  created: z.number(),
  active: z.number(),
  peakActive: z.number(),
  limitKills: z.number(),
  avgStartMs: z.number(),
  rssBytes: z.number(),
  cpuSeconds: z.number(),
  uptimeSeconds: z.number(),
});
export type StatsResult = z.infer<typeof statsResult>;

export const doctorResult = z.object({
  backends: z.array(backendReport),
  enforcement: z.object({ cgroup: z.number().nullable(), rlimits: z.boolean().nullable(), watchdog: z.boolean(), note: z.string() }),
});
export type DoctorResult = z.infer<typeof doctorResult>;

const noParams = z.union([z.null(), z.undefined(), z.object({}).strict()]);

export const Initialize = { method: 'initialize', type: new RequestType<InitializeParams, InitializeResult, void>('initialize'), params: initializeParams } as const;
export const Stats = { method: 'supervisor/stats', type: new RequestType<null | undefined, StatsResult, void>('supervisor/stats'), params: noParams } as const;
export const Doctor = { method: 'supervisor/doctor', type: new RequestType<null | undefined, DoctorResult, void>('supervisor/doctor'), params: noParams } as const;
/** Kills every sandbox, then the supervisor exits on its own: a deliberate exit, not a crash. */
export const Shutdown = { method: 'shutdown', type: new RequestType<null | undefined, null, void>('shutdown'), params: noParams } as const;
