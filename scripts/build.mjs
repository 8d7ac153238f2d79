// Bundles each entry point with esbuild and writes the manifest's JSON Schema next to them.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url)));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  define: { WSB_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

/**
 * `wsb run` starts in well under 100 ms only if it does not compile zod: the CLI's dynamic import of the
 * manifest module becomes a require of dist/manifest.js, a bundle of its own.
 */
const manifestApart = {
  name: 'manifest-apart',
  setup(b) {
    b.onResolve({ filter: /\/sandbox\/manifest$/ }, (args) => (args.kind === 'dynamic-import' ? { path: './manifest.js', external: true } : undefined));
  },
};

await Promise.all([
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [manifestApart] }),
  build({ ...common, entryPoints: ['src/sandbox/manifest.ts'], outfile: 'dist/manifest.js' }),
  build({ ...common, entryPoints: ['src/supervisor/main.ts'], outfile: 'dist/supervisor.js' }),
  // The extension host provides `vscode`; everything else is bundled so the .vsix needs no node_modules.
  ...(existsSync('src/extension/extension.ts') ? [build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] })] : []),
]);

// The Windows backend's job-object launcher, cross-compiled with mingw-w64 where it is installed.
if (process.platform !== 'win32') execFileSync('sh', ['scripts/winjob/build.sh'], { stdio: 'inherit' });

// The schema comes from the zod schema itself, so the editor and the CLI can never disagree.
const { manifestJsonSchema } = await import(new URL('../dist/manifest.js', import.meta.url));
writeFileSync('dist/sandbox.schema.json', JSON.stringify(manifestJsonSchema(), null, 2) + '\n');
