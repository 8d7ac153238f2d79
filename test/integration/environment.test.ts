import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipReason, tree, who, wsb } from './helpers';

const skip = skipReason;

test(`secrets in the environment do not pass unless named (${who})`, { skip }, () => {
  const env = { ...process.env, GITHUB_TOKEN: 'ghp_s3cret', AWS_SECRET_ACCESS_KEY: 'aws_s3cret', LC_ALL: 'C.UTF-8', TERM: 'xterm-test' };
  const attack = wsb(['run', '--', 'sh', '-c', 'env; cat /proc/1/environ | tr "\\0" "\\n"'], { cwd: tree(), env });
  assert.doesNotMatch(attack.stdout, /s3cret/);
  assert.match(attack.stdout, /^LC_ALL=C\.UTF-8$/m);
  assert.match(attack.stdout, /^TERM=xterm-test$/m);
  const control = wsb(['run', '--allow-env', 'GITHUB_TOKEN', '--', 'sh', '-c', 'echo $GITHUB_TOKEN; echo ${AWS_SECRET_ACCESS_KEY:-unset}'], { cwd: tree(), env });
  assert.equal(control.stdout, 'ghp_s3cret\nunset\n');
});

test(`HOME points at the sandbox's own home (${who})`, { skip }, () => {
  const home = tree();
  const r = wsb(['run', '--', 'sh', '-c', 'echo $HOME; ls -A $HOME | wc -l'], { cwd: tree(), env: { ...process.env, HOME: home } });
  assert.equal(r.stdout, `${home}\n0\n`);
});
