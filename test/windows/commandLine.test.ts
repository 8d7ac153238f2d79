import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quoteWindowsArg, quoteWindowsProgram, windowsCommandLine } from '../../src/sandbox/windows/commandLine';

/**
 * A reference parser following Microsoft's documented rules for the arguments after the program name
 * (learn.microsoft.com, "Parsing C command-line arguments"): 2n backslashes before a quote give n and the
 * quote toggles quoting; 2n+1 give n and a literal quote; other backslashes are literal; `""` inside quotes
 * is a literal quote.
 */
function parseArgs(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    for (; i < line.length; i++) {
      const ch = line[i];
      if (!quoted && (ch === ' ' || ch === '\t')) break;
      if (ch === '\\') {
        let n = 0;
        while (line[i] === '\\') {
          n++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else i--; // the quote is processed next round
        } else {
          arg += '\\'.repeat(n);
          i--;
        }
        continue;
      }
      if (ch === '"') {
        if (quoted && line[i + 1] === '"') {
          arg += '"';
          i++;
        } else quoted = !quoted;
        continue;
      }
      arg += ch;
    }
    args.push(arg);
  }
  return args;
}

test('quoting: the documented examples', () => {
  const cases: [string, string][] = [
    ['abc', 'abc'],
    ['', '""'],
    ['a b', '"a b"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', 'a\\b'],
    ['a\\\\b', 'a\\\\b'],
    ['a\\"b', '"a\\\\\\"b"'],
    ['a b\\', '"a b\\\\"'],
    ['C:\\Program Files\\x\\', '"C:\\Program Files\\x\\\\"'],
    ['\\\\server\\share\\', '\\\\server\\share\\'],
    ['tab\there', '"tab\there"'],
    ['new\nline', '"new\nline"'],
    ['"', '"\\""'],
    ['%PATH%&|<>^', '%PATH%&|<>^'],
    ['ünïcödé ✓', '"ünïcödé ✓"'],
  ];
  for (const [arg, want] of cases) assert.equal(quoteWindowsArg(arg), want, JSON.stringify(arg));
});

test('quoting round-trips through the documented parsing rules', () => {
  const tricky = ['', ' ', 'a', 'a b', '"', '""', '\\', '\\\\', '\\"', 'a\\', 'a\\\\', 'a b\\', 'a b\\\\', 'a\\"b', '"a b"', '\\\\"\\', 'x\ty', 'x\vy', 'x\ny', '*?', '-e', '--'];
  for (const a of tricky) {
    for (const b of tricky) assert.deepEqual(parseArgs(`${quoteWindowsArg(a)} ${quoteWindowsArg(b)}`), [a, b], JSON.stringify([a, b]));
  }
});

test('the program name is quoted whole and may not hold a quote', () => {
  assert.equal(quoteWindowsProgram('node'), 'node');
  assert.equal(quoteWindowsProgram('C:\\Program Files\\nodejs\\node.exe'), '"C:\\Program Files\\nodejs\\node.exe"');
  assert.equal(quoteWindowsProgram('C:\\tools\\'), 'C:\\tools\\'); // no escaping in the program name
  assert.equal(quoteWindowsProgram(''), '""');
  assert.throws(() => quoteWindowsProgram('a"b'), /cannot contain a quote/);
});

test('command line: program, then each argument quoted, separated by one space', () => {
  assert.equal(windowsCommandLine(['C:\\Program Files\\n.exe', '-e', 'console.log("hi")', '']), '"C:\\Program Files\\n.exe" -e "console.log(\\"hi\\")" ""');
  assert.throws(() => windowsCommandLine([]), /empty command/);
});
