import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManifestError } from '../../src/sandbox/errors';
import { expandVariables, manifestJsonSchema, parseManifest, resolveTool } from '../../src/sandbox/manifest';

const ctx = { workspaceFolder: '/w/repo', home: '/home/u' };

function problems(text: string): string[] {
  try {
    parseManifest(text, 'sandbox.json');
  } catch (err) {
    assert.ok(err instanceof ManifestError);
    return err.problems;
  }
  assert.fail('expected a ManifestError');
}

test('a full tool entry parses and resolves with variables expanded and paths absolute', () => {
  const m = parseManifest(
    JSON.stringify({
      tools: {
        lint: {
          command: ['npx', 'eslint', '${workspaceFolder}/src'],
          cwd: 'packages/app',
          description: 'ESLint',
          capabilities: { read: ['~/.npmrc'], write: ['.eslintcache'], net: 'none', env: ['GITHUB_TOKEN'] },
          limits: { memoryMb: 512, timeoutSeconds: 60 },
        },
      },
    }),
    'sandbox.json',
  );
  assert.deepEqual(resolveTool(m, 'lint', ctx, 'sandbox.json'), {
    name: 'lint',
    description: 'ESLint',
    command: ['npx', 'eslint', '/w/repo/src'],
    cwd: '/w/repo/packages/app',
    policy: { read: ['/home/u/.npmrc'], write: ['/w/repo/.eslintcache'], net: 'none', env: ['GITHUB_TOKEN'] },
    limits: { memoryMb: 512, timeoutSeconds: 60 },
  });
});

test('malformed JSON is one line', () => {
  const [p] = problems('{ "tools": ');
  assert.match(p, /^malformed JSON: /);
});

test('an unknown capability names its field', () => {
  assert.deepEqual(problems('{"tools":{"t":{"command":["x"],"capabilities":{"network":"all"}}}}'), ['tools.t.capabilities.network: unknown field']);
});

test('bad values name their field', () => {
  assert.match(problems('{"tools":{"t":{"command":["x"],"limits":{"memoryMb":-1}}}}')[0], /^tools\.t\.limits\.memoryMb: /);
  assert.match(problems('{"tools":{"t":{"command":["x"],"limits":{"maxProcesses":1.5}}}}')[0], /^tools\.t\.limits\.maxProcesses: /);
  assert.match(problems('{"tools":{"t":{"command":[]}}}')[0], /^tools\.t\.command: must name a program/);
  assert.match(problems('{"tools":{"t":{"command":["x"],"capabilities":{"write":[""]}}}}')[0], /^tools\.t\.capabilities\.write\[0\]: must not be empty/);
  assert.match(problems('{"tools":{"t":{"command":["x"],"capabilities":{"net":"some"}}}}')[0], /^tools\.t\.capabilities\.net: /);
  assert.match(problems('{"tools":{"t":{"command":["x"],"capabilities":{"env":["A-B"]}}}}')[0], /^tools\.t\.capabilities\.env\[0\]: must be an environment variable name/);
  assert.match(problems('{"tools":{"bad name":{"command":["x"]}}}')[0], /^tools\.bad name: /);
  assert.deepEqual(problems('{"tools":{},"extra":1}'), ['extra: unknown field']);
});

test('an unknown variable in a path is refused, naming the field', () => {
  const m = parseManifest('{"tools":{"t":{"command":["x"],"capabilities":{"read":["${env:HOME}/x"]}}}}', 'f');
  assert.throws(() => resolveTool(m, 't', ctx, 'f'), /tools\.t\.capabilities\.read\[0\]: unknown variable \$\{env:HOME\}/);
});

test('an undeclared tool lists the declared ones', () => {
  const m = parseManifest('{"tools":{"a":{"command":["x"]},"b":{"command":["y"]}}}', 'f');
  assert.throws(() => resolveTool(m, 'c', ctx, 'f'), /tools\.c: no such tool \(declared: a, b\)/);
});

test('~ expands only at the start', () => {
  assert.equal(expandVariables('~', ctx), '/home/u');
  assert.equal(expandVariables('~/x', ctx), '/home/u/x');
  assert.equal(expandVariables('a~/x', ctx), 'a~/x');
});

test('the JSON Schema is generated from the zod schema and describes the fields', () => {
  const schema = manifestJsonSchema() as { properties: { tools: { additionalProperties: { properties: Record<string, unknown> } } } };
  const tool = schema.properties.tools.additionalProperties.properties;
  assert.deepEqual(Object.keys(tool).sort(), ['capabilities', 'command', 'cwd', 'description', 'limits']);
  assert.match(JSON.stringify(tool.limits), /memoryMb/);
});
