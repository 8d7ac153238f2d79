import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makefileTargets, scaffoldManifest } from '../../src/extension/scaffold';
import { parseManifest } from '../../src/sandbox/manifest';

const packageJson = JSON.stringify({
  scripts: {
    build: 'tsc -p .',
    prebuild: 'rimraf dist',
    lint: 'eslint --cache .',
    'test:unit': 'node --test',
    postinstall: 'node setup.js',
    'weird name!': 'echo',
  },
});

test('npm scripts become tools run by the lockfile’s package manager; hooks and lifecycle scripts are skipped', () => {
  const { tools } = scaffoldManifest({ packageJson, rootFiles: ['package.json', 'pnpm-lock.yaml'] });
  assert.deepEqual(Object.keys(tools), ['build', 'lint', 'test:unit', 'weird-name-']);
  assert.deepEqual(tools.build!.command, ['pnpm', 'run', 'build']);
  assert.deepEqual(tools.lint!.capabilities, { write: ['.eslintcache'] });
  assert.equal(tools.build!.capabilities, undefined, 'nothing is requested on a guess');
  assert.deepEqual(scaffoldManifest({ packageJson, rootFiles: [] }).tools.lint!.command, ['npm', 'run', 'lint']);
});

test('Makefile targets: explicit ones only', () => {
  const makefile = ['CC := gcc', 'X ::= y', '.PHONY: all test', 'all: build', 'build test: deps', '\tcc -o $@ main.c', '%.o: %.c', '$(OBJ): x', '# note: no', 'clean::', 'install:'].join('\n');
  assert.deepEqual(makefileTargets(makefile), ['all', 'build', 'test', 'clean', 'install']);
});

test('the scaffold is a valid manifest, also with nothing to declare', () => {
  const manifest = scaffoldManifest({ packageJson, makefile: 'build:\n\tmake -C src\n', rootFiles: [] });
  assert.deepEqual(manifest.tools['make:build']!.command, ['make', 'build']);
  parseManifest(JSON.stringify(manifest), 'sandbox.json');
  assert.deepEqual(scaffoldManifest({ packageJson: 'not json', rootFiles: [] }), { tools: {} });
});
