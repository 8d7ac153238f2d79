import { capabilitiesOf, describeCapability, EMPTY_POLICY, type Capability, type Policy } from '../sandbox/policy';
import { missingCapabilities, policyOf, toolKey, type GrantStore, type ToolIdentity } from './grants';

/**
 * The gate every tool passes before it runs — manifest tools, tasks and other extensions' requests alike:
 * it runs with what it requests only when the user granted all of it. No `vscode` here: the prompts come in
 * as functions, so the decisions are unit-tested.
 */

/** The answer to the modal grant prompt. Dismissing the prompt counts as `deny`. */
export type GrantAnswer = 'once' | 'workspace' | 'deny';
/** The answer in Restricted Mode, where only the default policy is available. */
export type UntrustedAnswer = 'default' | 'cancel';

export interface GatePrompts {
  askGrant(tool: string, missing: readonly Capability[]): Promise<GrantAnswer>;
  askUntrusted(tool: string, requested: readonly Capability[]): Promise<UntrustedAnswer>;
}

/** One grant decision as the audit log records it (the engine's `grant` record). */
export interface GrantAuditRecord {
  event: 'grant';
  tool: string;
  capability: string;
  decision: 'allow' | 'deny' | 'revoke';
  scope: 'once' | 'workspace' | 'restricted';
}

export interface GateRequest {
  tool: ToolIdentity;
  /** Requested capabilities, paths absolute. */
  requested: Policy;
  trusted: boolean;
}

export interface GateDeps {
  store: GrantStore;
  prompts: GatePrompts;
  audit(record: GrantAuditRecord): void;
}

/**
 * The policy to run with, or `undefined` when the tool must not run. Deny means "do not run": a tool run
 * without what it declared tends to fail in confusing ways, and a silent partial grant would hide that the
 * user said no. Nothing is stored on deny, so the next run asks again.
 */
export async function authorize(req: GateRequest, deps: GateDeps): Promise<Policy | undefined> {
  const requested = capabilitiesOf(req.requested);
  if (requested.length === 0) return EMPTY_POLICY;
  const record = (cap: Capability, decision: GrantAuditRecord['decision'], scope: GrantAuditRecord['scope']): void =>
    deps.audit({ event: 'grant', tool: req.tool.name, capability: describeCapability(cap), decision, scope });

  if (!req.trusted) {
    const answer = await deps.prompts.askUntrusted(req.tool.name, requested);
    for (const cap of requested) record(cap, 'deny', 'restricted');
    return answer === 'default' ? EMPTY_POLICY : undefined;
  }

  const key = toolKey(req.tool);
  const missing = missingCapabilities(requested, deps.store.granted(key));
  if (missing.length === 0) return policyOf(requested);

  const answer = await deps.prompts.askGrant(req.tool.name, missing);
  switch (answer) {
    case 'deny':
      for (const cap of missing) record(cap, 'deny', 'once');
      return undefined;
    case 'once':
      for (const cap of missing) record(cap, 'allow', 'once');
      return policyOf(requested);
    case 'workspace':
      await deps.store.grant(key, req.tool, missing);
      for (const cap of missing) record(cap, 'allow', 'workspace');
      return policyOf(requested);
  }
}
