import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { isDefaultEnvName } from '../../src/sandbox/policy';
import { CLI, REPO, skipReason, tree, who } from './helpers';

const fixture = path.join(REPO, 'test', 'fixtures', 'tools');
const bin = (name: string) => path.join(REPO, 'node_modules', '.bin', name);
const skip = skipReason || (!fs.existsSync(bin('prettier')) && 'dev dependencies are not installed');

/** A small repository with one commit, made here so the test does not depend on the checkout's history. */
function gitRepo(): string {
  const repo = tree({ 'a.txt': 'one\n' });
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  return repo;
}

/**
 * The bare run gets the environment the sandbox passes by default, so that the comparison is about the
 * sandbox and not about variables it scrubs on purpose (CI=true, for one, turns colours on in chalk).
 */
function bareAndInside(command: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const scrubbed = Object.fromEntries(Object.entries(env).filter(([k]) => isDefaultEnvName(k) || k === 'HOME'));
  const bare = spawnSync(command[0], command.slice(1), { cwd, env: scrubbed, encoding: 'utf8' });
  const workspace = cwd.startsWith(REPO) ? REPO : cwd;
  const inside = spawnSync(process.execPath, [CLI, 'run', '--workspace', workspace, '--', ...command], { cwd, env, encoding: 'utf8' });
  return { bare, inside };
}

for (const [name, command] of [
  ['prettier', [bin('prettier'), '--check', 'src']],
  ['tsc', [bin('tsc'), '--noEmit', '-p', 'tsconfig.json']],
  ['eslint', [bin('eslint'), 'src']],
  ['git', ['git', 'log', '--stat', '--format=%H %an %s']],
] as const) {
  test(`${name} prints inside exactly what it prints bare (${who})`, { skip }, () => {
    const { bare, inside } = bareAndInside([...command], name === 'git' ? gitRepo() : fixture);
    assert.ok(bare.stdout.length + bare.stderr.length > 0, `${name} printed something bare`);
    assert.equal(inside.stdout, bare.stdout, `stderr inside: ${inside.stderr}`);
    assert.equal(inside.stderr, bare.stderr);
    assert.equal(inside.status, bare.status);
  });
}

test(`a node installed under HOME (nvm layout) is the same node inside (${who})`, { skip }, () => {
  const home = tree();
  const prefix = path.join(home, '.nvm', 'versions', 'node', process.version);
  fs.mkdirSync(path.join(prefix, 'bin'), { recursive: true });
  fs.copyFileSync(process.execPath, path.join(prefix, 'bin', 'node'));
  fs.chmodSync(path.join(prefix, 'bin', 'node'), 0o755);
  fs.writeFileSync(path.join(home, 'secret'), 'HOME SECRET');
  const env = { ...process.env, HOME: home, PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` };
  const script = "console.log(process.execPath, process.version); try { require('fs').readFileSync(require('os').homedir() + '/secret'); console.log('leak') } catch { console.log('no secret') }";
  const bare = spawnSync('node', ['-e', script], { env, encoding: 'utf8' });
  const ws = tree();
  const inside = spawnSync(process.execPath, [CLI, 'run', '--', 'node', '-e', script], { cwd: ws, env, encoding: 'utf8' });
  assert.equal(bare.stdout, `${path.join(prefix, 'bin', 'node')} ${process.version}\nleak\n`);
  assert.equal(inside.stdout, `${path.join(prefix, 'bin', 'node')} ${process.version}\nno secret\n`, inside.stderr);
  fs.rmSync(home, { recursive: true, force: true });
});
