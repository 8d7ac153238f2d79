/**
 * Splits what the user typed into "Run Command in Sandbox" into an argv: words separated by blanks, with
 * single quotes, double quotes and backslash escapes as a shell reads them, and nothing else — no variables,
 * globs or pipes. The sandbox is given an argv, never a shell string; whoever wants a shell types `sh -c '...'`.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (c === '\\' && i + 1 < line.length && (quote === null || '"\\$`'.includes(line[i + 1]!))) {
      word = (word ?? '') + line[++i];
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (word !== null) words.push(word);
  return words;
}

/** The inverse of {@link splitCommandLine}: an argv as a line that splits back into the same words. */
export function joinCommandLine(argv: readonly string[]): string {
  return argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
