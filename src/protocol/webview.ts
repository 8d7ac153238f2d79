import { z } from 'zod';
import { limitKinds, sandboxStates, type SandboxInfo } from './sandbox';
import { warningNotification } from './usage';

/**
 * Messages between the extension host and the Resources webview (`media/resources.js`), both ways.
 * Sent with `webview.postMessage` / `acquireVsCodeApi().postMessage`, not JSON-RPC. The webview only ever sees
 * the view models below, never a raw policy: it needs names, states and limits to draw charts, nothing more.
 * `media/resources.js` checks the host → webview shapes by hand (zod is not loaded there); keep the two in step.
 */

const id = z.string().min(1);
/** Milliseconds since the epoch, on the supervisor's clock (the same machine as the host). */
const timestamp = z.number().finite();
const nonNegative = z.number().finite().min(0);

/** What the panel shows of one sandbox. `null` limits mean unlimited. */
export const sandboxViewSchema = z
  .object({
    id,
    tool: z.string(),
    state: z.enum(sandboxStates),
    startedAt: timestamp,
    memoryLimitBytes: nonNegative.nullable(),
    cpuSecondsLimit: nonNegative.nullable(),
    /** The limit that ended the sandbox, if one did. */
    limit: z.enum(limitKinds).nullable(),
    exitCode: z.number().nullable(),
    signal: z.string().nullable(),
  })
  .strict();
export type SandboxView = z.infer<typeof sandboxViewSchema>;

/** One usage point. `cpuPercent` is of one core (a busy 4-thread build reads 400). */
export const usagePointSchema = z
  .object({ at: timestamp, cpuPercent: nonNegative, memoryBytes: nonNegative, cpuSeconds: nonNegative })
  .strict();
export type UsagePoint = z.infer<typeof usagePointSchema>;

export const warningResourceSchema = warningNotification.shape.resource;
export type WarningResource = z.infer<typeof warningResourceSchema>;

/** A warning as it arrived: the host stamps `at`, the supervisor's notification carries no time. */
export const warningMarkSchema = z.object({ at: timestamp, resource: warningResourceSchema, percent: nonNegative }).strict();
export type WarningMark = z.infer<typeof warningMarkSchema>;

/** The recent past of one sandbox, oldest first. */
export const sandboxHistorySchema = z
  .object({ id, points: z.array(usagePointSchema), warnings: z.array(warningMarkSchema) })
  .strict();
export type SandboxHistory = z.infer<typeof sandboxHistorySchema>;

/** host → webview. */
export const hostMessageSchema = z.discriminatedUnion('type', [
  /** Everything, after `ready` and when a sandbox the panel has not seen appears. Replaces what the webview holds. */
  z
    .object({
      type: z.literal('snapshot'),
      /** The host's clock when the snapshot was taken: the right edge of the charts until the next usage. */
      at: timestamp,
      /** How much history the charts span, in milliseconds. */
      windowMs: z.number().int().positive(),
      sandboxes: z.array(sandboxViewSchema),
      history: z.array(sandboxHistorySchema),
    })
    .strict(),
  /** One usage tick for all running sandboxes. */
  z
    .object({
      type: z.literal('usage'),
      at: timestamp,
      samples: z.array(usagePointSchema.omit({ at: true }).extend({ id }).strict()),
    })
    .strict(),
  /** A state change of a sandbox the webview already knows. */
  z
    .object({
      type: z.literal('state'),
      id,
      state: z.enum(sandboxStates),
      limit: z.enum(limitKinds).nullable().optional(),
      exitCode: z.number().nullable().optional(),
      signal: z.string().nullable().optional(),
      /** Why a sandbox failed, in words. */
      message: z.string().optional(),
    })
    .strict(),
  /** A sandbox crossed the warning fraction of a limit. */
  z.object({ type: z.literal('warning'), id, at: timestamp, resource: warningResourceSchema, percent: nonNegative }).strict(),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

/** webview → host. */
export const webviewMessageSchema = z.discriminatedUnion('type', [
  /** The script has loaded (first time, or again after the panel was hidden and shown): send a snapshot. */
  z.object({ type: z.literal('ready') }).strict(),
  /** Stop a sandbox gracefully (SIGTERM, then SIGKILL after the grace period). */
  z.object({ type: z.literal('stop'), id }).strict(),
  /** Kill a sandbox's whole process tree now. */
  z.object({ type: z.literal('kill'), id }).strict(),
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;

const MIB = 1024 * 1024;

/** The view model of a sandbox as the supervisor lists it. `limits` carries the effective limits (`memoryMb`, ...). */
export function toSandboxView(info: SandboxInfo): SandboxView {
  const memoryMb = info.limits['memoryMb'] ?? null;
  return {
    id: info.id,
    tool: info.tool,
    state: info.state,
    startedAt: info.startedAt,
    memoryLimitBytes: memoryMb === null ? null : memoryMb * MIB,
    cpuSecondsLimit: info.limits['cpuSeconds'] ?? null,
    limit: info.limit,
    exitCode: info.exitCode,
    signal: info.signal,
  };
}
