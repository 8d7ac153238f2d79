// npm run bench: every figure is measured side by side in one run, interleaved round-robin so that the
// machine's noise hits each variant alike; targets are judged on medians and ratios, never on one sample.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const REPO = new URL('..', import.meta.url).pathname;
const ROUNDS = Number(process.env.WSB_BENCH_ROUNDS ?? 30);
const TOOL_ROUNDS = Number(process.env.WSB_BENCH_TOOL_ROUNDS ?? 7);

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(argv, opts) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'ignore', ...opts });
  const elapsed = ms(t0);
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited with ${r.status}`);
  return elapsed;
}

/** Runs each variant once per round, in turn, and returns the samples per variant. */
function interleave(variants, rounds) {
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++) for (const [k, run] of Object.entries(variants)) samples[k].push(run());
  return samples;
}

const ws = realpathSync(mkdtempSync(join(tmpdir(), 'wsb-bench-')));
const wsbTrue = [process.execPath, CLI, 'run', '--', '/bin/true'];
// The exact bwrap command line wsb would run, minus its rlimit wrapper: "raw bwrap with the same flags".
const planned = JSON.parse(spawnSync(process.execPath, [CLI, 'run', '--dry-run', '--', '/bin/true'], { cwd: ws, encoding: 'utf8' }).stdout);
const rawBwrap = planned.slice(planned.findIndex((a) => a.endsWith('/bwrap'))).filter((a, i, all) => !(a === '--json-status-fd' || all[i - 1] === '--json-status-fd'));

const start = interleave(
  {
    bare: () => timed(['/bin/true'], { cwd: ws }),
    bwrap: () => timed(rawBwrap, { cwd: ws }),
    wsb: () => timed(wsbTrue, { cwd: ws }),
  },
  ROUNDS,
);

const fixture = join(REPO, 'test', 'fixtures', 'bench-tsc');
const tsc = [process.execPath, join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', fixture];
const tool = interleave(
  {
    bare: () => timed(tsc, { cwd: fixture }),
    inside: () => timed([process.execPath, CLI, 'run', '--workspace', REPO, '--', ...tsc], { cwd: fixture }),
  },
  TOOL_ROUNDS,
);

const m = (xs) => median(xs).toFixed(1);
const rows = [
  ['cold start: bare /bin/true', m(start.bare), ''],
  ['cold start: raw bwrap, same flags', m(start.bwrap), ''],
  ['cold start: wsb run -- /bin/true', m(start.wsb), `target <= 100 ms: ${median(start.wsb) <= 100 ? 'met' : 'MISSED'}`],
  ['  wsb / raw bwrap', (median(start.wsb) / median(start.bwrap)).toFixed(1) + 'x', ''],
  ['real tool: tsc --noEmit bare', m(tool.bare), ''],
  ['real tool: tsc --noEmit in wsb', m(tool.inside), ''],
  ['  inside / bare', (median(tool.inside) / median(tool.bare)).toFixed(3) + 'x', `target <= 1.05x: ${median(tool.inside) / median(tool.bare) <= 1.05 ? 'met' : 'MISSED'}`],
];
console.log(`medians over ${ROUNDS} rounds (start-up) and ${TOOL_ROUNDS} rounds (tsc), interleaved, in ms`);
for (const [label, value, note] of rows) console.log(`${label.padEnd(38)} ${value.padStart(9)}  ${note}`);
console.log('peers, as measured for the issue on this machine class: srt ~370 ms, codex sandbox ~180 ms, raw bwrap ~13 ms');
console.log(JSON.stringify({ start: Object.fromEntries(Object.entries(start).map(([k, v]) => [k, median(v)])), tool: Object.fromEntries(Object.entries(tool).map(([k, v]) => [k, median(v)])) }));
