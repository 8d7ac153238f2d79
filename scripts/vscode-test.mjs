// Integration tests in a VS Code that @vscode/test-electron downloads. Where it cannot be downloaded (this
// project's CI machines reach only the npm and Debian registries) they are skipped, visibly; the e2e suite
// in test/e2e covers a real VS Code (code-server) there.
import { lookup } from 'node:dns/promises';
import { build } from 'esbuild';

const HOST = 'update.code.visualstudio.com';
const reachable = await Promise.race([lookup(HOST).then(() => true, () => false), new Promise((r) => setTimeout(() => r(false), 3000))]);
if (!reachable) {
  console.log(`SKIPPED: VS Code integration tests (@vscode/test-electron) need to download VS Code from ${HOST}, which this machine cannot reach.`);
  process.exit(0);
}
await build({ entryPoints: ['test/vscode/index.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: 'out/test-vscode/index.js', external: ['vscode'], logLevel: 'warning' });
const { runTests } = await import('@vscode/test-electron');
await runTests({
  extensionDevelopmentPath: new URL('..', import.meta.url).pathname,
  extensionTestsPath: new URL('../out/test-vscode/index.js', import.meta.url).pathname,
  launchArgs: ['--disable-extensions', new URL('../test/fixtures/tools', import.meta.url).pathname],
});
