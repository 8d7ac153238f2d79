import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorize, type GatePrompts, type GrantAuditRecord, type GrantAnswer } from '../../src/extension/capabilityGate';
import { canonicalJson, GRANTS_STATE_KEY, GrantStore, toolKey, type GrantMemento } from '../../src/extension/grants';
import { EMPTY_POLICY, type Capability, type Policy } from '../../src/sandbox/policy';

class FakeMemento implements GrantMemento {
  constructor(public value: unknown = undefined) {}
  get(): unknown {
    return this.value;
  }
  async update(_key: string, value: unknown): Promise<void> {
    this.value = JSON.parse(JSON.stringify(value));
  }
}

const lint = { folder: '/w/app', name: 'lint', definition: { command: ['eslint', '--cache', '.'], capabilities: { write: ['.eslintcache'] } } };
const requested: Policy = { read: [], write: ['/w/app/.eslintcache'], net: 'all', env: ['NODE_OPTIONS'] };
const cacheWrite: Capability = { kind: 'write', path: '/w/app/.eslintcache' };

function gate(answers: GrantAnswer[], store = new GrantStore(new FakeMemento(), () => undefined)) {
  const asked: (readonly Capability[])[] = [];
  const audit: GrantAuditRecord[] = [];
  const prompts: GatePrompts = {
    askGrant: async (_tool, missing) => {
      asked.push(missing);
      return answers.shift() ?? assert.fail('asked once too often');
    },
    askUntrusted: async () => 'default',
  };
  const run = (tool = lint, trusted = true) => authorize({ tool, requested, trusted }, { store, prompts, audit: (r) => audit.push(r) });
  return { run, asked, audit, store };
}

test('the grant key ignores key order but not content', () => {
  const reordered = { ...lint, definition: { capabilities: { write: ['.eslintcache'] }, command: ['eslint', '--cache', '.'] } };
  assert.equal(toolKey(reordered), toolKey(lint));
  assert.notEqual(toolKey({ ...lint, definition: { ...lint.definition, command: ['eslint', '.'] } }), toolKey(lint));
  assert.notEqual(toolKey({ ...lint, folder: '/w/other' }), toolKey(lint));
  assert.notEqual(toolKey({ ...lint, name: 'lint2' }), toolKey(lint));
  assert.equal(canonicalJson({ b: [{ d: 1, c: 2 }], a: null }), '{"a":null,"b":[{"c":2,"d":1}]}');
});

test('a tool that requests nothing runs with the default policy and asks nothing', async () => {
  const g = gate([]);
  const policy = await authorize({ tool: lint, requested: EMPTY_POLICY, trusted: true }, { store: g.store, prompts: { askGrant: () => assert.fail(), askUntrusted: () => assert.fail() }, audit: () => assert.fail() });
  assert.deepEqual(policy, EMPTY_POLICY);
});

test('allow once runs with everything requested and asks again next time', async () => {
  const g = gate(['once', 'once']);
  assert.deepEqual(await g.run(), requested);
  assert.deepEqual(await g.run(), requested);
  assert.equal(g.asked.length, 2);
  assert.deepEqual(g.audit[0], { event: 'grant', tool: 'lint', capability: 'write to /w/app/.eslintcache', decision: 'allow', scope: 'once' });
});

test('allow for this workspace is remembered until the definition changes', async () => {
  const g = gate(['workspace', 'workspace']);
  assert.deepEqual(await g.run(), requested);
  assert.deepEqual(await g.run(), requested);
  assert.equal(g.asked.length, 1, 'the second run is not prompted');
  const changed = { ...lint, definition: { ...lint.definition, command: ['eslint', '--fix', '.'] } };
  await g.run(changed);
  assert.equal(g.asked.length, 2, 'a changed entry asks again');
  assert.equal(g.store.all().size, 1, 'the older definition’s grant is dropped');
  assert.deepEqual(g.audit.map((r) => r.scope), ['workspace', 'workspace', 'workspace', 'workspace', 'workspace', 'workspace']);
});

test('only what is missing is asked for', async () => {
  const g = gate(['once']);
  await g.store.grant(toolKey(lint), lint, [cacheWrite]);
  await g.run();
  assert.deepEqual(g.asked[0], [{ kind: 'env', name: 'NODE_OPTIONS' }, { kind: 'net', access: 'all' }]);
});

test('deny means the tool does not run, and nothing is stored', async () => {
  const g = gate(['deny']);
  assert.equal(await g.run(), undefined);
  assert.equal(g.store.all().size, 0);
  assert.ok(g.audit.every((r) => r.decision === 'deny' && r.scope === 'once'));
});

test('in Restricted Mode stored grants do not apply and only the default policy is offered', async () => {
  const g = gate([]);
  await g.store.grant(toolKey(lint), lint, [cacheWrite]);
  assert.deepEqual(await g.run(lint, false), EMPTY_POLICY);
  assert.equal(g.asked.length, 0);
  assert.ok(g.audit.every((r) => r.decision === 'deny' && r.scope === 'restricted'));
});

test('revoking removes capabilities, and the last one removes the entry', async () => {
  const memento = new FakeMemento();
  const counts: number[] = [];
  const store = new GrantStore(memento, () => undefined, (n) => counts.push(n));
  const key = toolKey(lint);
  await store.grant(key, lint, [cacheWrite, { kind: 'net', access: 'all' }]);
  await store.revoke(key, [cacheWrite]);
  assert.deepEqual(store.granted(key), [{ kind: 'net', access: 'all' }]);
  await store.revoke(key, [{ kind: 'net', access: 'all' }]);
  assert.deepEqual(memento.value, {});
  assert.deepEqual(counts, [1, 1, 0]);
});

test('unreadable stored grants are dropped with a warning, readable ones kept', () => {
  const warnings: string[] = [];
  const memento = new FakeMemento({ good: { tool: 'a', folder: '/w', capabilities: [{ kind: 'env', name: 'X' }] }, bad: { tool: 'b', capabilities: 'all' } });
  const store = new GrantStore(memento, (w) => warnings.push(w));
  assert.deepEqual([...store.all().keys()], ['good']);
  assert.equal(warnings.length, 1);
  assert.equal(new GrantStore(new FakeMemento('nonsense'), (w) => warnings.push(w)).all().size, 0);
  assert.equal(GRANTS_STATE_KEY, 'workspaceSandbox.grants');
});
