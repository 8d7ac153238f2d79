import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exposedProtectedPaths, protectedCandidates, refuseWriteRoot } from '../../src/sandbox/protectedPaths';

const ws = '/w/repo';
const home = '/home/u';

function exposed(writeRoots: string[], manifest: string | null = null): string[] {
  return exposedProtectedPaths(protectedCandidates(ws, home, writeRoots, manifest), writeRoots).map((c) => c.path).sort();
}

test('a write grant of the workspace leaves hooks, git config and editor settings read-only', () => {
  assert.deepEqual(exposed([ws]), ['/w/repo/.devcontainer', '/w/repo/.git/config', '/w/repo/.git/hooks', '/w/repo/.husky', '/w/repo/.idea', '/w/repo/.vscode']);
});

test('a grant below the workspace root covers the same names inside it (a nested repository), not the root ones', () => {
  const got = exposed(['/w/repo/packages/lib']);
  assert.ok(got.includes('/w/repo/packages/lib/.git/hooks'));
  assert.ok(got.every((p) => p.startsWith('/w/repo/packages/lib/')));
});

test('a grant naming a protected path exactly, or a path inside it, makes it writable', () => {
  assert.ok(!exposed([ws, '/w/repo/.vscode']).includes('/w/repo/.vscode'));
  assert.ok(!exposed([ws, '/w/repo/.vscode/settings.json']).includes('/w/repo/.vscode'));
  assert.ok(exposed([ws, '/w/repo/.vscode']).includes('/w/repo/.git/hooks'));
});

test('shell start-up files and ssh keys under a grant inside HOME stay protected', () => {
  const got = exposed(['/home/u/.config']).filter((p) => !p.includes('/.config/.'));
  assert.deepEqual(got, ['/home/u/.config/Code', '/home/u/.config/autostart', '/home/u/.config/fish', '/home/u/.config/git', '/home/u/.config/systemd']);
});

test('a custom manifest file inside a write grant is protected', () => {
  assert.ok(exposed(['/w/other'], '/w/other/tools.json').includes('/w/other/tools.json'));
});

test('HOME and its ancestors are never writable as a whole', () => {
  assert.match(refuseWriteRoot('/home/u', home) ?? '', /home directory/);
  assert.match(refuseWriteRoot('/', home) ?? '', /home directory/);
  assert.equal(refuseWriteRoot('/home/u/project', home), null);
});
