import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { hostProcessesWith, skipReason, tree, who, wsb } from './helpers';

const skip = skipReason;

test(`host processes can be neither seen nor signalled, even by kill -9 -1 (${who})`, { skip }, () => {
  const victim = spawn('sleep', ['300'], { stdio: 'ignore' });
  try {
    const pid = victim.pid!;
    // `kill -9 -1` runs only where the shell is a low pid, i.e. inside a fresh pid namespace.
    const attack = wsb(['run', '--', 'sh', '-c', `ls /proc/${pid} 2>&1 | head -1; kill -9 ${pid} 2>&1; ls /proc | grep -c '^[0-9]'; [ $$ -lt 10 ] && kill -9 -1`], { cwd: tree() });
    assert.match(attack.stdout, /No such file or directory/);
    const visible = Number(attack.stdout.trim().split('\n').at(-1));
    assert.ok(visible < 10, `the sandbox sees ${visible} processes`);
    assert.equal(victim.exitCode, null);
    assert.doesNotThrow(() => process.kill(pid, 0), 'the host process survived');
    const control = wsb(['run', '--', 'sh', '-c', 'sleep 60 & kill -9 $! && wait $!; echo "status $?"'], { cwd: tree() });
    assert.equal(control.stdout.trim(), 'status 137', 'a tool may signal its own processes');
  } finally {
    victim.kill('SIGKILL');
  }
});

for (const backend of ['bwrap', 'none'] as const) {
  test(`no process of the tool survives: double fork, setsid, nohup (--backend ${backend}, ${who})`, { skip }, () => {
    const token = `987.${process.pid}${backend.length}`;
    const r = wsb(
      ['run', '--backend', backend, '--', 'sh', '-c', [
        `setsid -w sh -c 'nohup sleep ${token}1 >/dev/null 2>&1 & echo $! > $HOME/daemon.pid'`,
        `(sleep ${token}2 &)`,
        `sh -c 'sleep ${token}3 &' &`,
        'kill -0 $(cat $HOME/daemon.pid) && echo daemon-alive',
      ].join('\n')],
      { cwd: tree() },
    );
    assert.match(r.stdout, /daemon-alive/, 'positive control: the daemon ran');
    assert.deepEqual(hostProcessesWith(token), []);
  });
}

test(`stop on SIGTERM to wsb: the tool gets SIGTERM, then SIGKILL after the grace period (${who})`, { skip }, async () => {
  const ws = tree();
  const child = spawn(process.execPath, [require('./helpers').CLI, 'run', '--json', '--', 'sh', '-c', 'trap "" TERM; echo ready; sleep 987.77; echo never'], { cwd: ws });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
    if (out.includes('ready')) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d) => (err += d));
  const status = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(out, 'ready\n');
  assert.notEqual(status, 0);
  assert.deepEqual(hostProcessesWith('987.77'), []);
  assert.match(err, /"exitCode"/);
});
