/**
 * Why a sandbox did not run. `usage`: the request is wrong (a bad grant, a missing workspace), nothing
 * ran. `not-found`: the command does not exist. `start`: the sandbox itself could not be set up.
 */
export type SandboxErrorKind = 'usage' | 'not-found' | 'start';

export class SandboxError extends Error {
  constructor(readonly kind: SandboxErrorKind, message: string) {
    super(message);
  }
}

/** `wsb run` exit statuses for errors that stop a run before the tool starts. */
export function exitStatusForError(kind: SandboxErrorKind): number {
  switch (kind) {
    case 'usage':
      return 2;
    case 'not-found':
      return 127;
    case 'start':
      return 125;
  }
}

/** Where a workspace declares its tools, relative to the workspace root. */
export const MANIFEST_RELATIVE_PATH = '.vscode/sandbox.json';

/** A manifest that cannot be used; `message` is one line per problem, each naming the field. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';

  constructor(readonly file: string, readonly problems: string[]) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
  }
}

/**
 * The manifest module is a bundle of its own (it carries zod), so its ManifestError is not the CLI's
 * class: recognise it by name.
 */
export function isManifestError(err: unknown): err is ManifestError {
  return err instanceof Error && err.name === 'ManifestError';
}
