import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ENV_NAME_PATTERN, EMPTY_POLICY, type Capability, type Policy } from '../sandbox/policy';

/**
 * Grants the user gave "for this workspace", kept in `workspaceState`. Each is filed under a hash of the
 * tool's definition, so editing the entry (a new command, another capability) asks again instead of
 * inheriting a grant made for something else.
 */

/** What identifies a tool for its grants: where it lives, its name and its entry as written. */
export interface ToolIdentity {
  /** The workspace folder (its path): the same entry in two folders of a multi-root workspace resolves differently. */
  folder: string;
  name: string;
  /** The manifest entry, or what an extension passed to `runInSandbox`. */
  definition: unknown;
}

/** JSON with object keys sorted, so reordering fields in the manifest does not count as a change. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export function toolKey(tool: ToolIdentity): string {
  return createHash('sha256').update(canonicalJson([tool.folder, tool.name, tool.definition ?? null])).digest('hex');
}

export const capabilitySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('read'), path: z.string().min(1) }),
  z.object({ kind: z.literal('write'), path: z.string().min(1) }),
  z.object({ kind: z.literal('net'), access: z.literal('all') }),
  z.object({ kind: z.literal('env'), name: z.string().regex(ENV_NAME_PATTERN) }),
]);

/** One string per capability, for comparing and de-duplicating. */
export function capabilityId(cap: Capability): string {
  switch (cap.kind) {
    case 'read':
    case 'write':
      return `${cap.kind}:${cap.path}`;
    case 'net':
      return `net:${cap.access}`;
    case 'env':
      return `env:${cap.name}`;
  }
}

/** The requested capabilities that `granted` does not cover. */
export function missingCapabilities(requested: readonly Capability[], granted: readonly Capability[]): Capability[] {
  const have = new Set(granted.map(capabilityId));
  return requested.filter((c) => !have.has(capabilityId(c)));
}

/** The policy that grants exactly `caps`. */
export function policyOf(caps: readonly Capability[]): Policy {
  const policy: Policy = { ...EMPTY_POLICY, read: [], write: [], env: [] };
  for (const cap of caps) {
    switch (cap.kind) {
      case 'read':
        policy.read.push(cap.path);
        break;
      case 'write':
        policy.write.push(cap.path);
        break;
      case 'net':
        policy.net = cap.access;
        break;
      case 'env':
        policy.env.push(cap.name);
        break;
    }
  }
  return policy;
}

const storedGrantSchema = z.object({
  tool: z.string(),
  folder: z.string(),
  capabilities: z.array(capabilitySchema),
});
export type StoredGrant = z.infer<typeof storedGrantSchema>;
const storedGrantsSchema = z.record(z.string(), z.unknown());

/** The part of `vscode.Memento` the store needs. */
export interface GrantMemento {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

export const GRANTS_STATE_KEY = 'workspaceSandbox.grants';

/** Workspace grants by tool key. Entries that do not parse (an older format, a hand edit) are dropped, and said so. */
export class GrantStore {
  /** `saved` is told how many tools have grants after each change (for the revoke command's `when` clause). */
  constructor(
    private readonly memento: GrantMemento,
    private readonly warn: (message: string) => void,
    private readonly saved: (toolsWithGrants: number) => void = () => undefined,
  ) {}

  all(): Map<string, StoredGrant> {
    const raw = storedGrantsSchema.safeParse(this.memento.get(GRANTS_STATE_KEY) ?? {});
    if (!raw.success) {
      this.warn('stored grants are unreadable and were ignored');
      return new Map();
    }
    const out = new Map<string, StoredGrant>();
    for (const [key, value] of Object.entries(raw.data)) {
      const grant = storedGrantSchema.safeParse(value);
      if (grant.success) out.set(key, grant.data);
      else this.warn(`a stored grant (${key.slice(0, 12)}) is unreadable and was ignored`);
    }
    return out;
  }

  granted(key: string): Capability[] {
    return this.all().get(key)?.capabilities ?? [];
  }

  /**
   * Adds capabilities to a tool's grant. Grants of an earlier definition of the same tool in the same folder
   * are dropped: they can never apply again, and would only clutter the revoke list.
   */
  async grant(key: string, tool: Pick<ToolIdentity, 'folder' | 'name'>, caps: readonly Capability[]): Promise<void> {
    const all = this.all();
    for (const [k, g] of all) if (k !== key && g.tool === tool.name && g.folder === tool.folder) all.delete(k);
    const current = all.get(key)?.capabilities ?? [];
    all.set(key, { tool: tool.name, folder: tool.folder, capabilities: [...current, ...missingCapabilities(caps, current)] });
    await this.save(all);
  }

  async revoke(key: string, caps: readonly Capability[]): Promise<void> {
    const all = this.all();
    const grant = all.get(key);
    if (!grant) return;
    const remaining = missingCapabilities(grant.capabilities, caps);
    if (remaining.length) all.set(key, { ...grant, capabilities: remaining });
    else all.delete(key);
    await this.save(all);
  }

  private async save(all: Map<string, StoredGrant>): Promise<void> {
    await this.memento.update(GRANTS_STATE_KEY, Object.fromEntries(all));
    this.saved(all.size);
  }
}
