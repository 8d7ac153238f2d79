import { ErrorCodes, ResponseError, type MessageConnection, type NotificationType, type RequestType } from 'vscode-jsonrpc';
import type { z } from 'zod';

export interface RequestSpec<P, R> {
  method: string;
  type: RequestType<P, R, void>;
  params: z.ZodType<P> | z.ZodType<unknown>;
}

/** Formats zod issues as `field: message` lines, as the CLI does for the manifest. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(params)'}: ${i.message}`).join('; ');
}

/**
 * Registers a request handler whose params are parsed by the spec's zod schema first: bad params are
 * answered with InvalidParams naming the field, never thrown into the connection.
 */
export function onRequest<P, R>(connection: MessageConnection, spec: RequestSpec<P, R>, handler: (params: P) => R | ResponseError<void> | Promise<R>): void {
  connection.onRequest(spec.type, (raw: unknown) => {
    const parsed = spec.params.safeParse(raw);
    if (!parsed.success) return new ResponseError(ErrorCodes.InvalidParams, `${spec.method}: ${describeIssues(parsed.error)}`);
    return handler(parsed.data as P);
  });
}

export interface NotificationSpec<P> {
  method: string;
  type: NotificationType<P>;
  params: z.ZodType<P> | z.ZodType<unknown>;
}

/** Registers a notification handler that drops (and reports) what does not parse. */
export function onNotification<P>(connection: MessageConnection, spec: NotificationSpec<P>, handler: (params: P) => void, onInvalid: (why: string) => void): void {
  connection.onNotification(spec.type, (raw: unknown) => {
    const parsed = spec.params.safeParse(raw);
    if (parsed.success) handler(parsed.data as P);
    else onInvalid(`${spec.method}: ${describeIssues(parsed.error)}`);
  });
}
