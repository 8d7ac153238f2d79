import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { skipReason, tree, who, wsbAsync } from './helpers';

const skip = skipReason;
const connect = (target: string) =>
  `const net=require('net');const t=${target};const s=typeof t==='number'?net.connect(t,'127.0.0.1'):net.connect(t);` +
  `s.on('connect',()=>{console.log('CONNECTED');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(1)})`;

let tcp: net.Server;
let abstract: net.Server;
let ipc: net.Server;
let port = 0;
const abstractName = `\0wsb-test-${process.pid}`;
const ipcDir = tree();
const ipcPath = path.join(ipcDir, 'vscode-ipc.sock');

before(async () => {
  const listen = (s: net.Server, ...args: unknown[]) => new Promise<void>((r) => (s.listen as (...a: unknown[]) => void)(...args, r));
  tcp = net.createServer((c) => c.end());
  await listen(tcp, 0, '127.0.0.1');
  port = (tcp.address() as net.AddressInfo).port;
  abstract = net.createServer((c) => c.end());
  await listen(abstract, abstractName);
  ipc = net.createServer((c) => c.end());
  await listen(ipc, ipcPath);
});

after(() => {
  tcp?.close();
  abstract?.close();
  ipc?.close();
  fs.rmSync(ipcDir, { recursive: true, force: true });
});

test(`host loopback is unreachable without net; reachable with --allow-net (${who})`, { skip }, async () => {
  const attack = await wsbAsync(['run', '--', 'node', '-e', connect(String(port))], { cwd: tree() });
  assert.equal(attack.stdout.trim(), 'ECONNREFUSED');
  const control = await wsbAsync(['run', '--allow-net', '--', 'node', '-e', connect(String(port))], { cwd: tree() });
  assert.equal(control.stdout.trim(), 'CONNECTED');
});

test(`abstract unix sockets of the host are unreachable without net (${who})`, { skip }, async () => {
  const target = JSON.stringify(abstractName);
  const attack = await wsbAsync(['run', '--', 'node', '-e', connect(target)], { cwd: tree() });
  assert.equal(attack.stdout.trim(), 'ECONNREFUSED');
  const control = await wsbAsync(['run', '--allow-net', '--', 'node', '-e', connect(target)], { cwd: tree() });
  assert.equal(control.stdout.trim(), 'CONNECTED');
});

test(`the editor's IPC socket (VSCODE_IPC_HOOK_CLI) is neither named nor reachable (${who})`, { skip }, async () => {
  const env = { ...process.env, VSCODE_IPC_HOOK_CLI: ipcPath };
  const unnamed = await wsbAsync(['run', '--', 'sh', '-c', 'echo ${VSCODE_IPC_HOOK_CLI:-unset}'], { cwd: tree(), env });
  assert.equal(unnamed.stdout.trim(), 'unset');
  const named = await wsbAsync(['run', '--allow-env', 'VSCODE_IPC_HOOK_CLI', '--', 'node', '-e', connect('process.env.VSCODE_IPC_HOOK_CLI')], { cwd: tree(), env });
  assert.equal(named.stdout.trim(), 'ENOENT');
  const control = await wsbAsync(['run', '--allow-env', 'VSCODE_IPC_HOOK_CLI', '--allow-read', ipcDir, '--', 'node', '-e', connect('process.env.VSCODE_IPC_HOOK_CLI')], { cwd: tree(), env });
  assert.equal(control.stdout.trim(), 'CONNECTED');
});
