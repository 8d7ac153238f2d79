import { z } from 'zod';
import { NotificationType } from 'vscode-jsonrpc';
import { usageSampleSchema } from './sandbox';

export const usageNotification = z.object({ at: z.number(), samples: z.array(usageSampleSchema) });
export type UsageNotification = z.infer<typeof usageNotification>;

export const warningNotification = z.object({
  id: z.string(),
  resource: z.enum(['memory', 'cpu', 'processes', 'output']),
  percent: z.number(),
});
export type WarningNotification = z.infer<typeof warningNotification>;

/** supervisor → client: one batch per tick for all running sandboxes. */
export const Usage = { method: 'sandbox/usage', type: new NotificationType<UsageNotification>('sandbox/usage'), params: usageNotification } as const;
/** supervisor → client: a sandbox crossed the warning fraction (80% by default) of a limit, once per resource. */
export const Warning = { method: 'sandbox/warning', type: new NotificationType<WarningNotification>('sandbox/warning'), params: warningNotification } as const;
