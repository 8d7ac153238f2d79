import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostProcessesWith, skipReason, tree, who, wsb } from './helpers';

const skip = skipReason;
const run = (args: string[], command: string[]) => wsb(['run', '--json', ...args, '--', ...command], { cwd: tree() });

test(`memory bomb is killed with limit "memory"; an allocation under the limit is fine (${who})`, { skip }, () => {
  const grow = (mb: number) => `const a=[];for(let i=0;i<${mb};i++)a.push(Buffer.alloc(1<<20,1));console.log('done')`;
  const bomb = run(['--memory-mb', '128'], ['node', '-e', grow(4096)]);
  assert.equal(bomb.status, 137);
  assert.equal(bomb.result?.limit, 'memory');
  assert.ok((bomb.result?.peakMemoryBytes as number) > 128 * 1024 * 1024);
  const control = run(['--memory-mb', '256'], ['node', '-e', grow(16)]);
  assert.equal(control.status, 0, control.stderr);
  assert.equal(control.stdout, 'done\n');
  assert.equal(control.result?.limit, null);
});

test(`CPU bomb across two processes is killed with limit "cpu" (${who})`, { skip }, () => {
  const bomb = run(['--cpu-seconds', '1'], ['sh', '-c', '(while :; do :; done) & (while :; do :; done) & wait']);
  assert.equal(bomb.status, 137);
  assert.equal(bomb.result?.limit, 'cpu');
  assert.ok((bomb.result?.cpuSeconds as number) >= 1);
  const control = run(['--cpu-seconds', '5'], ['sh', '-c', 'i=0; while [ $i -lt 1000 ]; do i=$((i+1)); done; echo $i']);
  assert.equal(control.stdout, '1000\n');
  assert.equal(control.result?.limit, null);
});

test(`process bomb is killed with limit "processes"; a few processes are fine (${who})`, { skip }, () => {
  const bomb = run(['--max-processes', '20'], ['sh', '-c', 'i=0; while [ $i -lt 400 ]; do sleep 987.88 & i=$((i+1)); done; wait']);
  assert.equal(bomb.status, 137);
  assert.equal(bomb.result?.limit, 'processes');
  assert.deepEqual(hostProcessesWith('987.88'), []);
  const control = run(['--max-processes', '20'], ['sh', '-c', 'for i in 1 2 3 4 5; do sleep 0.01 & done; wait; echo ok']);
  assert.equal(control.stdout, 'ok\n');
});

test(`wall timeout stops the tree with 124, even a tool that ignores SIGTERM (${who})`, { skip }, () => {
  const t0 = Date.now();
  const polite = run(['--timeout-seconds', '1'], ['sleep', '30']);
  assert.equal(polite.status, 124);
  assert.equal(polite.result?.limit, 'wall');
  const stubborn = run(['--timeout-seconds', '1'], ['sh', '-c', 'trap "" TERM; sleep 987.99; sleep 987.99']);
  assert.equal(stubborn.status, 124);
  assert.ok(Date.now() - t0 < 15_000, 'SIGKILL followed the grace period');
  assert.deepEqual(hostProcessesWith('987.99'), []);
  const control = run(['--timeout-seconds', '10'], ['sh', '-c', 'sleep 0.1; echo ok']);
  assert.equal(control.status, 0);
  assert.equal(control.stdout, 'ok\n');
});

test(`writing past the file-size limit ends with limit "fileSize" (${who})`, { skip }, () => {
  const big = run(['--max-file-size-mb', '1'], ['sh', '-c', 'head -c 5000000 /dev/zero > /tmp/big']);
  assert.equal(big.status, 137);
  assert.equal(big.result?.limit, 'fileSize');
  const control = run(['--max-file-size-mb', '1'], ['sh', '-c', 'head -c 100000 /dev/zero > /tmp/small && wc -c < /tmp/small']);
  assert.equal(control.stdout.trim(), '100000');
});

test(`output past --max-output-mb is cut with limit "output" (${who})`, { skip }, () => {
  const flood = run(['--max-output-mb', '1'], ['sh', '-c', 'while :; do head -c 65536 /dev/zero; done']);
  assert.equal(flood.status, 137);
  assert.equal(flood.result?.limit, 'output');
  assert.ok(flood.stdout.length <= 2 * 1024 * 1024);
  const control = run(['--max-output-mb', '1'], ['sh', '-c', 'head -c 1000 /dev/zero | tr "\\0" x']);
  assert.equal(control.stdout, 'x'.repeat(1000));
});

test(`filling the private /tmp (which lives in memory) stops at its cap (${who})`, { skip }, () => {
  const fill = run(['--memory-mb', '64'], ['sh', '-c', 'head -c 100000000 /dev/zero > /tmp/fill; echo "status $?"; wc -c < /tmp/fill']);
  const [status, size] = fill.stdout.trim().split('\n');
  assert.notEqual(status, 'status 0');
  assert.ok(Number(size) <= 32 * 1024 * 1024, `wrote ${size} bytes`);
  assert.match(fill.stderr, /No space left on device/);
  const control = run(['--memory-mb', '64'], ['sh', '-c', 'head -c 1000000 /dev/zero > /tmp/small && wc -c < /tmp/small']);
  assert.equal(control.stdout.trim(), '1000000');
});
