/**
 * Maps the manifest's problem lines (`tools.lint.limits.memoryMb: Too small ...`, as `parseManifest` and
 * `resolveTool` word them) to ranges in the file's text, so each diagnostic sits on the field it names. Pure:
 * a small JSON scanner that records where each key and value is; the manifest is plain JSON, no comments.
 */

interface Span {
  start: number;
  end: number;
}
type JsonNode =
  | (Span & { kind: 'object'; props: { key: string; keySpan: Span; value: JsonNode }[] })
  | (Span & { kind: 'array'; items: JsonNode[] })
  | (Span & { kind: 'scalar' });

class ScanError extends Error {
  constructor(readonly offset: number) {
    super(`JSON error at ${offset}`);
  }
}

/** The syntax tree of `text`, or the offset where it stops being JSON. */
export function scanJson(text: string): { root: JsonNode } | { errorAt: number } {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): Span & { value: string } => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) throw new ScanError(start);
    i++;
    try {
      return { start, end: i, value: JSON.parse(text.slice(start, i)) as string };
    } catch {
      throw new ScanError(start);
    }
  };
  const value = (): JsonNode => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const props: { key: string; keySpan: Span; value: JsonNode }[] = [];
      ws();
      if (text[i] === '}') return { kind: 'object', start, end: ++i, props };
      for (;;) {
        ws();
        if (text[i] !== '"') throw new ScanError(i);
        const key = str();
        ws();
        if (text[i] !== ':') throw new ScanError(i);
        i++;
        props.push({ key: key.value, keySpan: { start: key.start, end: key.end }, value: value() });
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return { kind: 'object', start, end: ++i, props };
        else throw new ScanError(i);
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') return { kind: 'array', start, end: ++i, items };
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return { kind: 'array', start, end: ++i, items };
        else throw new ScanError(i);
      }
    }
    if (c === '"') return { kind: 'scalar', ...str() };
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) throw new ScanError(i);
    i += m[0].length;
    return { kind: 'scalar', start, end: i };
  };
  try {
    const root = value();
    ws();
    if (i < text.length) throw new ScanError(i);
    return { root };
  } catch (err) {
    if (err instanceof ScanError) return { errorAt: Math.min(err.offset, text.length) };
    throw err;
  }
}

/**
 * The node a problem path (`tools.lint.command[0]`) leads to, as deep as it resolves. Tool names may contain
 * dots (`build.prod`), so at each object the longest key that fits the rest of the path wins.
 */
function locate(root: JsonNode, issuePath: string): { node: JsonNode; keySpan: Span | null; complete: boolean } {
  let rest = issuePath === '(root)' ? '' : issuePath.startsWith('[') ? issuePath : `.${issuePath}`;
  let node = root;
  let keySpan: Span | null = null;
  while (rest) {
    if (node.kind === 'object' && rest.startsWith('.')) {
      const after = rest.slice(1);
      const fits = node.props.filter((p) => after.startsWith(p.key) && ['', '.', '['].includes(after.charAt(p.key.length)));
      const prop = fits.sort((a, b) => b.key.length - a.key.length)[0];
      if (!prop) break;
      ({ keySpan, value: node } = prop);
      rest = after.slice(prop.key.length);
      continue;
    }
    const index = /^\[(\d+)\]/.exec(rest);
    const item = index && node.kind === 'array' ? node.items[Number(index[1])] : undefined;
    if (!index || !item) break;
    node = item;
    keySpan = null;
    rest = rest.slice(index[0].length);
  }
  return { node, keySpan, complete: rest === '' };
}

export interface Position {
  line: number;
  character: number;
}
export interface ManifestDiagnostic {
  message: string;
  start: Position;
  end: Position;
}

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Where to put the squiggle for one problem line. */
export function problemSpan(text: string, problem: string, scanned = scanJson(text)): Span {
  if ('errorAt' in scanned) return { start: scanned.errorAt, end: Math.min(scanned.errorAt + 1, text.length) };
  const sep = problem.indexOf(': ');
  if (sep < 0) return { start: 0, end: 0 };
  const { node, keySpan, complete } = locate(scanned.root, problem.slice(0, sep));
  // On the key when the key is the problem (an unknown field, a missing child, a bad tool name) or when the
  // value is a whole object or array, which would underline half the file; on the value otherwise.
  const onKey = !complete || problem.endsWith(': unknown field') || node.kind !== 'scalar';
  if (onKey && keySpan) return keySpan;
  return { start: node.start, end: node.kind === 'scalar' ? node.end : node.start + 1 };
}

export function manifestDiagnostics(text: string, problems: readonly string[]): ManifestDiagnostic[] {
  const scanned = scanJson(text);
  return problems.map((message) => {
    const span = problemSpan(text, message, scanned);
    return { message, start: positionAt(text, span.start), end: positionAt(text, span.end) };
  });
}
