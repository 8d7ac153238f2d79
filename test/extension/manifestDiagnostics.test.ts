import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manifestDiagnostics, problemSpan } from '../../src/extension/manifestDiagnostics';
import { ManifestError } from '../../src/sandbox/errors';
import { parseManifest } from '../../src/sandbox/manifest';

const text = `{
  "tools": {
    "build.prod": {
      "command": ["make", "prod"],
      "limits": { "memoryMb": -1 },
      "capabilities": { "network": "all" }
    },
    "lint": { "command": [] }
  }
}
`;

function problems(t: string): string[] {
  try {
    parseManifest(t, 'sandbox.json');
  } catch (err) {
    assert.ok(err instanceof ManifestError);
    return err.problems;
  }
  return assert.fail('expected problems');
}

const at = (problem: string): string => {
  const span = problemSpan(text, problem);
  return text.slice(span.start, span.end);
};

test('a value problem sits on the value, even under a tool name with dots', () => {
  assert.equal(at('tools.build.prod.limits.memoryMb: Too small'), '-1');
  assert.equal(at('tools.build.prod.command[1]: bad'), '"prod"');
});

test('an unknown field sits on its key; a problem with an object or array on the key', () => {
  assert.equal(at('tools.build.prod.capabilities.network: unknown field'), '"network"');
  assert.equal(at('tools.lint.command: must name a program'), '"command"');
});

test('a missing field sits on the nearest key that exists', () => {
  assert.equal(at('tools.lint.cwd: expected string'), '"lint"');
});

test('the real problems map to lines and columns', () => {
  const diagnostics = manifestDiagnostics(text, problems(text));
  const byMessage = new Map(diagnostics.map((d) => [d.message.split(':')[0], d]));
  assert.deepEqual(byMessage.get('tools.build.prod.limits.memoryMb')?.start, { line: 4, character: 30 });
  assert.deepEqual(byMessage.get('tools.build.prod.capabilities.network')?.start, { line: 5, character: 24 });
  assert.deepEqual(byMessage.get('tools.lint.command')?.start, { line: 7, character: 14 });
});

test('malformed JSON points at where it breaks; an unlocatable path at the start', () => {
  const broken = '{\n  "tools": {\n    "a": {"command": ["x",]}\n  }\n}';
  const [d] = manifestDiagnostics(broken, problems(broken));
  assert.deepEqual(d?.start, { line: 2, character: 26 });
  assert.deepEqual(problemSpan(text, 'no separator here'), { start: 0, end: 0 });
});
