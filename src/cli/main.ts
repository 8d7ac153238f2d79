import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import * as path from 'node:path';
import { AuditLog, type AuditSink } from '../sandbox/audit';
import { runDoctor, formatDoctor } from '../sandbox/doctor';
import { describeDenial } from '../sandbox/denials';
import { exitStatusForError, isManifestError, MANIFEST_RELATIVE_PATH, SandboxError } from '../sandbox/errors';
import { effectiveLimits, exitStatusForLimit } from '../sandbox/limits';
import { UsageTicker } from '../sandbox/monitor';
import { capabilitiesOf, describeCapability, resolveGrantPath, type Policy } from '../sandbox/policy';
import { probeHost } from '../sandbox/probe';
import { CLOCK_TICKS_PER_SECOND, parseStat } from '../sandbox/procfs';
import { dryRun, Sandbox, type SandboxResult, type SandboxSpec } from '../sandbox/sandbox';
import { parseArgs, UsageError, USAGE, type RunArgs } from './args';

declare const WSB_VERSION: string;

/** zod costs tens of milliseconds to load: only commands that read a manifest pay for it. */
const manifestModule = () => import('../sandbox/manifest');

/** How often `wsb run` samples the tree: fine enough to stop a memory bomb early, light on a 2-core machine. */
const SAMPLE_INTERVAL_MS = 200;
const STOP_GRACE_MS = 2000;

function say(message: string): void {
  process.stderr.write(`wsb: ${message}\n`);
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  switch (args.kind) {
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    case 'version':
      process.stdout.write(`${WSB_VERSION}\n`);
      return 0;
    case 'schema':
      process.stdout.write(JSON.stringify((await manifestModule()).manifestJsonSchema(), null, 2) + '\n');
      return 0;
    case 'doctor': {
      const report = runDoctor(probeHost());
      process.stdout.write((args.json ? JSON.stringify(report) : formatDoctor(report)) + '\n');
      return report.backends.some((b) => b.works && b.backend !== 'none') ? 0 : 1;
    }
    case 'tools':
      return listTools(args.workspace, args.manifest, args.json);
    case 'run':
      return run(args);
  }
}

async function listTools(workspaceArg: string | undefined, manifestArg: string | undefined, json: boolean): Promise<number> {
  const { loadManifest, resolveTool } = await manifestModule();
  const workspace = path.resolve(workspaceArg ?? process.cwd());
  const file = path.resolve(manifestArg ?? path.join(workspace, MANIFEST_RELATIVE_PATH));
  const manifest = loadManifest(file);
  const ctx = { workspaceFolder: workspace, home: probeHost().home };
  const tools = Object.keys(manifest.tools).map((name) => {
    const t = resolveTool(manifest, name, ctx, file);
    return { name, description: t.description ?? null, command: t.command, cwd: t.cwd, requests: capabilitiesOf(t.policy).map(describeCapability), limits: t.limits };
  });
  if (json) process.stdout.write(JSON.stringify({ manifest: file, tools }) + '\n');
  else {
    if (tools.length === 0) process.stdout.write(`${file}: no tools declared\n`);
    for (const t of tools) {
      process.stdout.write(`${t.name}${t.description ? ` - ${t.description}` : ''}\n  command: ${t.command.join(' ')}\n`);
      process.stdout.write(`  requests: ${t.requests.length ? t.requests.join('; ') : 'nothing beyond the defaults'}\n`);
      const limits = Object.entries(t.limits);
      if (limits.length) process.stdout.write(`  limits: ${limits.map(([k, v]) => `${k}=${v}`).join(', ')}\n`);
    }
  }
  return 0;
}

/** The CPU time of our reaped children: exact for `wsb run`, whose only child is the sandbox (Linux only). */
function childCpuSeconds(): number {
  if (process.platform !== 'linux') return 0;
  return (parseStat(fs.readFileSync('/proc/self/stat', 'latin1'))?.childTicks ?? 0) / CLOCK_TICKS_PER_SECOND;
}

async function run(args: RunArgs): Promise<number> {
  const cwd = process.cwd();
  const workspace = path.resolve(args.workspace ?? cwd);
  const audit: AuditSink | null = args.auditLog ? new AuditLog(path.resolve(args.auditLog)) : null;
  const flagged: Policy = {
    read: args.read.map((p) => resolveGrantPath(cwd, p)),
    write: args.write.map((p) => resolveGrantPath(cwd, p)),
    net: args.net ? 'all' : 'none',
    env: args.env,
  };
  let policy = flagged;
  let command = args.command;
  let toolCwd = cwd;
  let limits = args.limits;
  let manifestFile: string | null = null;
  if (args.tool) {
    const { loadManifest, resolveTool } = await manifestModule();
    manifestFile = path.resolve(args.manifest ?? path.join(workspace, MANIFEST_RELATIVE_PATH));
    const tool = resolveTool(loadManifest(manifestFile), args.tool, { workspaceFolder: workspace, home: probeHost().home }, manifestFile);
    command = [...tool.command, ...args.command];
    toolCwd = tool.cwd;
    limits = { ...tool.limits, ...args.limits };
    policy = args.grantRequested ? mergePolicies(flagged, tool.policy) : flagged;
    const missing = capabilitiesOf(tool.policy)
      .map(describeCapability)
      .filter((c) => !capabilitiesOf(policy).map(describeCapability).includes(c));
    if (missing.length) {
      say(`tool ${args.tool} requests ${missing.join('; ')}: not granted (pass --grant-requested, or the matching --allow-* flags)`);
      for (const capability of missing) audit?.append({ event: 'denied', id: null, tool: args.tool, reason: 'requested by the manifest, not granted', capability });
    }
  }
  const effective = effectiveLimits(limits);
  if (args.backend === 'none') say('warning: --backend none runs the tool WITHOUT isolation (limits and a scrubbed environment only)');

  const pipeOutput = effective.maxOutputMb !== null;
  const spec: SandboxSpec = {
    tool: args.tool ?? null,
    command,
    cwd: toolCwd,
    workspace,
    policy,
    limits: effective,
    backend: args.backend,
    stdin: 'inherit',
    output: pipeOutput ? 'pipe' : 'inherit',
    hostEnv: process.env,
    manifestFile,
    graceMs: STOP_GRACE_MS,
    warnAt: 0.8,
    allowUnisolated: args.allowUnisolated,
  };
  if (args.dryRun) {
    process.stdout.write(JSON.stringify(dryRun(spec)) + '\n');
    return 0;
  }
  const cpuBefore = childCpuSeconds();
  const sandbox = Sandbox.start(spec, { ticker: new UsageTicker(SAMPLE_INTERVAL_MS), audit });
  for (const skipped of sandbox.preparation?.skippedReads ?? []) say(`warning: ${skipped} does not exist; the read grant was skipped`);
  if (pipeOutput) relayOutput(sandbox);
  // The tool's own errors name what was refused while it ran; what was undone after it must be said here.
  sandbox.onDenial((d) => d.kind === 'git' && say(`warning: the tool was refused ${describeDenial(d)}`));
  let interrupts = 0;
  const onSignal = () => (interrupts++ === 0 ? sandbox.stop(STOP_GRACE_MS) : sandbox.kill());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);

  const result = await sandbox.done;
  result.cpuSeconds = Math.max(result.cpuSeconds, childCpuSeconds() - cpuBefore);
  if (result.limit) say(`stopped: ${result.limit} limit reached`);
  if (args.json) process.stderr.write(JSON.stringify(result) + '\n');
  return statusOf(result);
}

function relayOutput(sandbox: Sandbox): void {
  sandbox.onOutput(({ stream, data }) => {
    const out = stream === 'stdout' ? process.stdout : process.stderr;
    if (!out.write(data)) {
      sandbox.setOutputFlowing(false);
      out.once('drain', () => sandbox.setOutputFlowing(true));
    }
  });
}

function mergePolicies(a: Policy, b: Policy): Policy {
  const union = (x: string[], y: string[]) => [...new Set([...x, ...y])];
  return { read: union(a.read, b.read), write: union(a.write, b.write), net: a.net === 'all' || b.net === 'all' ? 'all' : 'none', env: union(a.env, b.env) };
}

function statusOf(result: SandboxResult): number {
  if (result.limit) return exitStatusForLimit(result.limit);
  if (result.exitCode !== null) return result.exitCode;
  return 128 + (result.signal ? osConstants.signals[result.signal] : 0);
}

function failureStatus(err: unknown, json: boolean): number {
  let status: number;
  if (err instanceof UsageError) {
    say(err.message);
    say('see `wsb --help`');
    status = 2;
  } else if (isManifestError(err)) {
    for (const line of err.message.split('\n')) say(line);
    status = 2;
  } else if (err instanceof SandboxError) {
    say(err.message);
    status = exitStatusForError(err.kind);
  } else {
    say(`internal error: ${(err as Error)?.stack ?? String(err)}`);
    status = 125;
  }
  if (json) process.stderr.write(JSON.stringify({ exitCode: status, error: (err as Error)?.message ?? String(err) }) + '\n');
  return status;
}

const argv = process.argv.slice(2);
main(argv).then(
  (status) => {
    process.exitCode = status;
  },
  (err) => {
    process.exitCode = failureStatus(err, argv.includes('--json'));
  },
);
