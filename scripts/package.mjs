// npm run package: build, then a .vsix holding dist/, media/, resources/, README, CHANGELOG, LICENSE and
// nothing else (no sources, tests or node_modules: every bundle is self-contained). Prints its size.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const out = `${pkg.name}-${pkg.version}.vsix`;
execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
execFileSync(process.execPath, ['node_modules/@vscode/vsce/vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], { stdio: ['ignore', 'inherit', 'inherit'] });
const listing = execFileSync('unzip', ['-Z1', out], { encoding: 'utf8' }).trim().split('\n');
const files = listing.filter((f) => f.startsWith('extension/')).map((f) => f.slice('extension/'.length));
const stray = files.filter((f) => !/^(dist|media|resources)\/|^(readme\.md|changelog\.md|license\.txt|license|package\.json)$/i.test(f));
if (stray.length) throw new Error(`unexpected files in ${out}: ${stray.join(', ')}`);
// A .vsix without the Windows launcher would leave Windows users with no backend at all.
if (!files.includes('dist/winjob.exe')) throw new Error(`${out} lacks dist/winjob.exe: install mingw-w64 (apt-get install gcc-mingw-w64-x86-64) and build again`);
console.log(`${out}: ${(statSync(out).size / 1024).toFixed(0)} KiB, ${files.length} files:\n  ${files.join('\n  ')}`);
