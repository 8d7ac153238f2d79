import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Event } from 'vscode-jsonrpc';
import { SupervisorErrorCodes } from '../../src/protocol/errors';
import type { StateNotification } from '../../src/protocol/sandbox';
import { readAuditLog } from '../../src/sandbox/audit';
import { SupervisorClient } from '../../src/extension/supervisorClient';
import { hostProcessesWith, REPO, skipReason, tree, who } from './helpers';

const skip = skipReason;
const SUPERVISOR = path.join(REPO, 'dist', 'supervisor.js');
const clients: SupervisorClient[] = [];
after(async () => {
  for (const c of clients) await c.shutdown();
});

const seen = new WeakMap<SupervisorClient, StateNotification[]>();

/** A client whose sandbox states are all recorded from the start, so no wait can miss an early one. */
function client(options: Partial<ConstructorParameters<typeof SupervisorClient>[0]> = {}): SupervisorClient {
  const c = new SupervisorClient({ supervisorPath: SUPERVISOR, clientName: 'tests', sampleIntervalMs: 200, ...options });
  const log: StateNotification[] = [];
  c.onState((s) => log.push(s));
  seen.set(c, log);
  clients.push(c);
  return c;
}

/** The first state of `id` matching `match`, already seen or still to come. */
function stateOf(c: SupervisorClient, id: string, match: (s: StateNotification) => boolean, timeoutMs = 30_000): Promise<StateNotification> {
  const hit = seen.get(c)!.find((s) => s.id === id && match(s));
  return hit ? Promise.resolve(hit) : next(c.onState, (s) => s.id === id && match(s), timeoutMs);
}

function next<T>(event: Event<T>, match: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sub.dispose(), reject(new Error('timed out waiting for an event'))), timeoutMs);
    const sub = event((v) => {
      if (!match(v)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(v);
    });
  });
}

const describe = (pid: number) => {
  try {
    return `${pid} ${fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ').slice(1, 5).join(' ')} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 80)}`;
  } catch {
    return `${pid} gone`;
  }
};
const final = (c: SupervisorClient, id: string) => stateOf(c, id, (s) => ['exited', 'failed', 'killed'].includes(s.state));
const policy = { read: [], write: [], net: 'none' as const, env: [] };

function collectOutput(c: SupervisorClient): Map<string, Buffer[]> {
  const out = new Map<string, Buffer[]>();
  c.onOutput((n) => {
    const list = out.get(n.id) ?? [];
    list.push(Buffer.from(n.data, 'base64'));
    out.set(n.id, list);
  });
  return out;
}

test(`protocol round trip: initialize, start, states in order, output, list, stats (${who})`, { skip }, async () => {
  const c = client();
  const init = await c.start();
  assert.equal(init.protocolVersion, 1);
  assert.ok(init.backends.some((b) => b.backend === 'bwrap' && b.works));
  const states: string[] = [];
  c.onState((s) => states.push(s.state));
  const out = collectOutput(c);
  const ws = tree();
  const id = await c.startSandbox({ tool: 'echo', command: ['sh', '-c', 'printf "hello\\000world"; exit 3'], workspace: ws, policy });
  const end = await final(c, id);
  assert.equal(end.state, 'exited');
  assert.equal(end.exitCode, 3);
  assert.deepEqual(states, ['created', 'starting', 'running', 'exited']);
  assert.deepEqual(Buffer.concat(out.get(id) ?? []), Buffer.from('hello\0world'));
  const [info] = (await c.list()).filter((s) => s.id === id);
  assert.equal(info.tool, 'echo');
  assert.equal(info.exitCode, 3);
  const stats = await c.stats();
  assert.ok(stats.created >= 1 && stats.avgStartMs > 0);
});

test(`bad requests get JSON-RPC errors naming the problem; the supervisor keeps serving (${who})`, { skip }, async () => {
  const c = client();
  await c.start();
  await assert.rejects(c.startSandbox({ tool: 't', command: [], workspace: tree(), policy } as never), /command: must name a program|command/);
  await assert.rejects(c.kill('no-such-id'), (e: { code?: number }) => e.code === SupervisorErrorCodes.UnknownSandbox);
  await assert.rejects(c.startSandbox({ tool: 't', command: ['no-such-command-wsb'], workspace: tree(), policy }), (e: { code?: number }) => e.code === SupervisorErrorCodes.CommandNotFound);
  assert.equal((await c.stats()).active, 0, 'still answering');
});

test(`malformed and oversized frames on the wire are answered, not fatal (${who})`, { skip }, async () => {
  const child = spawn(process.execPath, [SUPERVISOR, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let got = '';
  child.stdout.on('data', (d) => (got += d));
  const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  child.stdin.write(frame('{oops'));
  child.stdin.write(`Content-Length: ${64 * 1024 * 1024}\r\n\r\n`);
  child.stdin.write(Buffer.alloc(64 * 1024 * 1024, 0x61));
  child.stdin.write(frame('{"jsonrpc":"2.0","id":5,"method":"no/such/method"}'));
  child.stdin.write(frame('{"jsonrpc":"2.0","id":6,"method":"initialize","params":{"protocolVersion":1,"clientName":"raw"}}'));
  await new Promise<void>((resolve) => {
    const check = () => (got.includes('"id":6') ? resolve() : setTimeout(check, 20));
    check();
  });
  child.kill();
  assert.match(got, /"code":-32700/);
  assert.match(got, /"code":-32007/);
  assert.match(got, /"id":5,"error":\{"code":-32601/);
  assert.match(got, /"id":6,"result":\{"protocolVersion":1/);
});

test(`50 concurrent sandboxes lose no output and no event (${who})`, { skip }, async () => {
  const c = client();
  await c.start();
  const out = collectOutput(c);
  const ws = tree();
  const ids = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      c.startSandbox({ tool: `t${i}`, command: ['sh', '-c', `i=0; while [ $i -lt 200 ]; do echo "sandbox ${i} line $i"; i=$((i+1)); done`], workspace: ws, policy }),
    ),
  );
  const ends = await Promise.all(ids.map((id) => final(c, id)));
  assert.ok(ends.every((e) => e.state === 'exited' && e.exitCode === 0));
  ids.forEach((id, i) => {
    const lines = Buffer.concat(out.get(id) ?? []).toString().trim().split('\n');
    assert.equal(lines.length, 200);
    assert.equal(lines[199], `sandbox ${i} line 199`);
  });
  const stats = await c.stats();
  assert.ok(stats.peakActive >= 2, `peak ${stats.peakActive}`);
});

test(`the cap on sandboxes is a clear error (${who})`, { skip }, async () => {
  const c = client({ maxSandboxes: 2 });
  await c.start();
  const ws = tree();
  const a = await c.startSandbox({ tool: 'a', command: ['sleep', '30'], workspace: ws, policy });
  const b = await c.startSandbox({ tool: 'b', command: ['sleep', '30'], workspace: ws, policy });
  await assert.rejects(c.startSandbox({ tool: 'c', command: ['true'], workspace: ws, policy }), /2 sandboxes are running/);
  await Promise.all([c.kill(a), c.kill(b)]);
});

test(`kill -9 of the supervisor leaves no tool process; the client restarts it and fails the lost sandboxes (${who})`, { skip }, async () => {
  const c = client();
  await c.start();
  const token = `987.${process.pid}5`;
  const ws = tree();
  const ids = await Promise.all([1, 2, 3].map((i) => c.startSandbox({ tool: `s${i}`, command: ['sh', '-c', `sleep ${token}${i} & sleep ${token}${i}`], workspace: ws, policy })));
  await Promise.all(ids.map((id) => stateOf(c, id, (s) => s.state === 'running')));
  assert.equal(hostProcessesWith(token).length >= 3, true, 'positive control: the tools run');
  const failed = Promise.all(ids.map((id) => stateOf(c, id, (s) => s.state === 'failed')));
  const oldPid = c.pid!;
  process.kill(oldPid, 'SIGKILL');
  await failed;
  await next(c.onDidChangeState, (s) => s === 'running');
  assert.notEqual(c.pid, oldPid);
  const deadline = Date.now() + 5000;
  while (hostProcessesWith(token).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(hostProcessesWith(token).map(describe), []);
});

test(`when the client process dies, the supervisor and its sandboxes die too (${who})`, { skip }, async () => {
  const token = `987.${process.pid}6`;
  const script = `
    const { SupervisorClient } = require(${JSON.stringify(path.join(REPO, 'out/src/extension/supervisorClient.js'))});
    const c = new SupervisorClient({ supervisorPath: ${JSON.stringify(SUPERVISOR)}, clientName: 'doomed' });
    c.onState((s) => s.state === 'running' && console.log('RUNNING ' + c.pid));
    c.startSandbox({ tool: 'x', command: ['sleep', '${token}'], workspace: ${JSON.stringify(tree())}, policy: { read: [], write: [], net: 'none', env: [] } });`;
  const host = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const supervisorPid = await new Promise<number>((resolve) => host.stdout.on('data', (d) => /RUNNING (\d+)/.test(String(d)) && resolve(Number(/RUNNING (\d+)/.exec(String(d))![1]))));
  assert.equal(hostProcessesWith(token).length > 0, true, 'positive control: the tool runs');
  host.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  const alive = () => fs.existsSync(`/proc/${supervisorPid}`) && !fs.readFileSync(`/proc/${supervisorPid}/stat`, 'utf8').includes(') Z ');
  while ((alive() || hostProcessesWith(token).length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(), false, 'the supervisor exited');
  assert.deepEqual(hostProcessesWith(token), []);
});

test(`a 1 GB output flood keeps the supervisor under 150 MB and arrives whole (${who})`, { skip }, async () => {
  const c = client();
  await c.start();
  let bytes = 0;
  c.onOutput((n) => (bytes += Buffer.byteLength(n.data, 'base64')));
  const id = await c.startSandbox({ tool: 'flood', command: ['head', '-c', String(1 << 30), '/dev/zero'], workspace: tree(), policy });
  let peak = 0;
  const timer = setInterval(() => {
    const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${c.pid}/status`, 'utf8'));
    peak = Math.max(peak, Number(hwm?.[1] ?? 0) * 1024);
  }, 100);
  const end = await final(c, id);
  clearInterval(timer);
  const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${c.pid}/status`, 'utf8'));
  peak = Math.max(peak, Number(hwm?.[1] ?? 0) * 1024);
  assert.equal(end.exitCode, 0);
  assert.equal(bytes, 1 << 30);
  assert.ok(peak < 150 * 1024 * 1024, `supervisor peak RSS ${Math.round(peak / 1048576)} MB`);
});

test(`past maxOutputMb the tool is killed with limit "output" (${who})`, { skip }, async () => {
  const c = client();
  await c.start();
  const id = await c.startSandbox({ tool: 'flood', command: ['sh', '-c', 'while :; do head -c 65536 /dev/zero; done'], workspace: tree(), policy, limits: { maxOutputMb: 2 } });
  const end = await final(c, id);
  assert.equal(end.state, 'killed');
  assert.equal(end.limit, 'output');
});

test(`suspend stops CPU use, resume continues it (${who})`, { skip }, async () => {
  const c = client();
  await c.start();
  const id = await c.startSandbox({ tool: 'spin', command: ['sh', '-c', 'while :; do :; done'], workspace: tree(), policy });
  await stateOf(c, id, (s) => s.state === 'running');
  const cpuOf = async () => (await c.list()).find((s) => s.id === id)?.usage?.cpuSeconds ?? 0;
  const usageTick = () => next(c.onUsage, (u) => u.samples.some((s) => s.id === id));
  await usageTick();
  await usageTick();
  assert.ok((await cpuOf()) > 0, 'positive control: it spins');
  await c.suspend(id);
  await stateOf(c, id, (s) => s.state === 'suspended', 5000);
  const frozenAt = await cpuOf();
  await new Promise((r) => setTimeout(r, 1000));
  const frozenStat = (await c.list()).find((s) => s.id === id)!;
  assert.equal(frozenStat.state, 'suspended');
  await c.resume(id);
  await usageTick();
  await usageTick();
  await usageTick();
  const after = await cpuOf();
  assert.ok(after > frozenAt + 0.1, `CPU resumed: ${frozenAt} → ${after}`);
  // The stopped tree used no CPU: read it from the kernel, not from the sampler (which pauses while suspended).
  await c.kill(id);
});

test(`a sandbox crossing 80% of its memory limit raises one warning (${who})`, { skip }, async () => {
  const c = client();
  await c.start();
  const warning = next(c.onWarning, (w) => w.resource === 'memory');
  const id = await c.startSandbox({
    tool: 'hog',
    command: ['node', '-e', 'const a=[];for(let i=0;i<200;i++)a.push(Buffer.alloc(1<<20,1));setInterval(()=>{},1000)'],
    workspace: tree(),
    policy,
    limits: { memoryMb: 256 },
  });
  const w = await warning;
  assert.equal(w.id, id);
  assert.ok(w.percent >= 80 && w.percent <= 100, `${w.percent}%`);
  await c.kill(id);
  const end = await final(c, id);
  assert.equal(end.state, 'killed');
  assert.equal(end.limit, null, 'killed on request, not by the limit');
});

test(`the supervisor appends every decision to the audit log (${who})`, { skip }, async () => {
  const audit = path.join(tree(), 'audit.jsonl');
  const c = client({ auditLog: audit });
  await c.start();
  const id = await c.startSandbox({ tool: 'short', command: ['true'], workspace: tree(), policy });
  await final(c, id);
  const { records, unreadable } = readAuditLog(audit);
  assert.equal(unreadable, 0);
  assert.deepEqual(records.map((r) => r.event), ['start', 'exit']);
});

test(`a refused write is named: sandbox/denied and an audit record, not a silent EROFS (${who})`, { skip }, async () => {
  const audit = path.join(tree(), 'audit.jsonl');
  const c = client({ auditLog: audit });
  await c.start();
  const denied: { id: string; kind: string; path: string | null; message: string }[] = [];
  c.onDenied((d) => denied.push(d));
  const ws = tree();
  const id = await c.startSandbox({ tool: 'writer', command: ['sh', '-c', 'echo x > out.txt'], workspace: ws, policy });
  await final(c, id);
  assert.deepEqual(denied.map((d) => [d.id, d.kind, d.path]), [[id, 'write', 'out.txt']]);
  assert.match(denied[0].message, /write to out\.txt \(read-only in the sandbox: not granted\)/);
  assert.ok(readAuditLog(audit).records.some((r) => r.event === 'denied' && r.id === id && /out\.txt/.test(r.reason)));
  const granted = await c.startSandbox({ tool: 'writer', command: ['sh', '-c', 'echo x > out.txt'], workspace: ws, policy: { ...policy, write: ['.'] } });
  const end = await final(c, granted);
  assert.equal(end.exitCode, 0, 'positive control: with the grant the write works');
  assert.equal(denied.length, 1, 'and nothing is reported refused');
});

test(`a client that stops reading does not freeze the watchdog: a memory hog is still killed (${who})`, { skip }, async () => {
  const token = `987.${process.pid}7`;
  const child = spawn(process.execPath, [SUPERVISOR, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const rpc = await import('vscode-jsonrpc/node');
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  conn.listen();
  try {
    await conn.sendRequest('initialize', { protocolVersion: 1, clientName: 'stalled', sampleIntervalMs: 200 });
    const ws = tree();
    await conn.sendRequest('sandbox/start', { tool: 'flood', command: ['sh', '-c', 'while :; do head -c 1048576 /dev/zero; done'], workspace: ws, policy });
    // From here on nothing is read: the supervisor's stdout pipe fills within a moment.
    child.stdout.pause();
    child.stdout.removeAllListeners('data');
    child.stdin.write(frame({ jsonrpc: '2.0', id: 99, method: 'sandbox/start', params: { tool: 'hog', command: ['node', '-e', 'const a=[];setInterval(()=>a.push(Buffer.alloc(16<<20,1)),100)', token], workspace: ws, policy, limits: { memoryMb: 64 } } }));
    const started = Date.now() + 10_000;
    while (!hostProcessesWith(token).length && Date.now() < started) await new Promise((r) => setTimeout(r, 50));
    assert.ok(hostProcessesWith(token).length > 0, 'positive control: the hog started while nobody read');
    const deadline = Date.now() + 15_000;
    while (hostProcessesWith(token).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(hostProcessesWith(token).map(describe), [], 'the hog was killed at its memory limit');
  } finally {
    // The paused stdout would never end on its own and keep this test file alive: close every handle.
    conn.dispose();
    child.stdout.destroy();
    child.stdin.destroy();
    child.kill('SIGKILL');
  }
});

function frame(msg: object): string {
  const body = JSON.stringify(msg);
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
