import * as path from 'node:path';
import { describeCapability, type Capability } from '../sandbox/policy';

/**
 * Capabilities in the words a prompt uses. Paths are shown as the user wrote them in the manifest —
 * relative to the workspace folder, or under `~` — because a long absolute path hides what matters
 * (`write to .eslintcache` vs `write to /home/me/src/app/.eslintcache`).
 */
export function displayPath(p: string, folder: string, home: string): string {
  const dirSuffix = p.endsWith('/') && p !== '/' ? '/' : '';
  const abs = dirSuffix ? p.slice(0, -1) : p;
  if (abs === folder) return 'the workspace folder';
  const inFolder = path.relative(folder, abs);
  if (inFolder && !inFolder.startsWith('..') && !path.isAbsolute(inFolder)) return inFolder + dirSuffix;
  if (abs === home) return '~';
  const inHome = path.relative(home, abs);
  if (inHome && !inHome.startsWith('..') && !path.isAbsolute(inHome)) return `~/${inHome}${dirSuffix}`;
  return p;
}

export function describeCapabilityIn(cap: Capability, folder: string, home: string): string {
  switch (cap.kind) {
    case 'read':
    case 'write':
      return describeCapability({ ...cap, path: displayPath(cap.path, folder, home) });
    case 'net':
    case 'env':
      return describeCapability(cap);
  }
}

/** The modal prompt's text: who asks, then one capability per line. */
export function grantPromptText(tool: string, caps: readonly Capability[], folder: string, home: string): { message: string; detail: string } {
  return {
    message: `"${tool}" asks to run in the sandbox with more than the default policy`,
    detail: `It requests permission to:\n${caps.map((c) => `• ${describeCapabilityIn(c, folder, home)}`).join('\n')}\n\nWithout these it cannot run as declared. "Allow once" grants them for this run only.`,
  };
}

/** The same request in Restricted Mode, where nothing beyond the default policy can be granted. */
export function untrustedPromptText(tool: string, caps: readonly Capability[], folder: string, home: string): { message: string; detail: string } {
  return {
    message: `"${tool}" needs a trusted workspace for what it requests`,
    detail: `It requests permission to:\n${caps.map((c) => `• ${describeCapabilityIn(c, folder, home)}`).join('\n')}\n\nIn Restricted Mode tools run only with the default policy: no writes, no network, no environment variables. Trust the workspace to grant more, or run it with the default policy.`,
  };
}
