import { limitValueProblem, type LimitField, type Limits } from '../sandbox/limits';
import { ENV_NAME_PATTERN } from '../sandbox/policy';
import type { BackendChoice } from '../sandbox/sandbox';

export class UsageError extends Error {}

export interface RunArgs {
  kind: 'run';
  workspace: string | undefined;
  read: string[];
  write: string[];
  net: boolean;
  env: string[];
  limits: Limits;
  backend: BackendChoice;
  tool: string | undefined;
  manifest: string | undefined;
  grantRequested: boolean;
  allowUnisolated: boolean;
  json: boolean;
  dryRun: boolean;
  auditLog: string | undefined;
  command: string[];
}

export type CliArgs =
  | RunArgs
  | { kind: 'doctor'; json: boolean }
  | { kind: 'tools'; workspace: string | undefined; manifest: string | undefined; json: boolean }
  | { kind: 'schema' }
  | { kind: 'help' }
  | { kind: 'version' };

export const USAGE = `usage:
  wsb run [options] -- COMMAND [ARGS...]
      --workspace DIR          workspace root (default: the current directory)
      --allow-read PATH        also readable (repeatable)
      --allow-write PATH       writable (repeatable); protected paths inside stay read-only
      --allow-net              full network access
      --allow-env NAME         pass this environment variable through (repeatable)
      --memory-mb N  --cpu-seconds N  --timeout-seconds N  --max-processes N
      --max-file-size-mb N  --max-output-mb N
      --backend auto|bwrap|job|none   bwrap on Linux, job (Windows job objects, limits only) on Windows
      --allow-unisolated       run under job although it cannot isolate files, network or processes
      --tool NAME [--manifest FILE]   run a tool declared in .vscode/sandbox.json
      --grant-requested        grant what the manifest tool requests (otherwise only the flags grant)
      --audit-log FILE         append every decision as a JSON line
      --json                   one JSON line on stderr at the end
      --dry-run                print the full command line (JSON) instead of running; changes nothing
  wsb doctor [--json]          which backends work here, why not, how to fix it
  wsb tools [--workspace DIR] [--manifest FILE] [--json]   the declared tools and what each requests
  wsb schema                   the manifest's JSON Schema
exit status: the tool's own; 124 wall timeout; 137 killed for another limit; 127 command not found;
             125 the sandbox could not start; 2 bad usage or manifest`;

const LIMIT_FLAGS: Record<string, LimitField> = {
  '--memory-mb': 'memoryMb',
  '--cpu-seconds': 'cpuSeconds',
  '--timeout-seconds': 'timeoutSeconds',
  '--max-processes': 'maxProcesses',
  '--max-file-size-mb': 'maxFileSizeMb',
  '--max-output-mb': 'maxOutputMb',
};

export function parseArgs(argv: readonly string[]): CliArgs {
  const [sub, ...rest] = argv;
  switch (sub) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { kind: 'help' };
    case '--version':
    case 'version':
      return { kind: 'version' };
    case 'run':
      return parseRun(rest);
    case 'doctor': {
      const flags = parseFlags(rest, ['--json'], []);
      return { kind: 'doctor', json: flags.has('--json') };
    }
    case 'tools': {
      const flags = parseFlags(rest, ['--json'], ['--workspace', '--manifest']);
      return { kind: 'tools', json: flags.has('--json'), workspace: flags.value('--workspace'), manifest: flags.value('--manifest') };
    }
    case 'schema':
      parseFlags(rest, [], []);
      return { kind: 'schema' };
    default:
      throw new UsageError(`unknown command: ${sub}`);
  }
}

function parseFlags(args: readonly string[], booleans: string[], valued: string[]) {
  const seen = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (booleans.includes(a)) seen.set(a, '');
    else if (valued.includes(a)) {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      seen.set(a, args[++i]);
    } else throw new UsageError(`unknown option: ${a}`);
  }
  return { has: (f: string) => seen.has(f), value: (f: string) => seen.get(f) };
}

function parseRun(args: readonly string[]): RunArgs {
  const run: RunArgs = {
    kind: 'run',
    workspace: undefined,
    read: [],
    write: [],
    net: false,
    env: [],
    limits: {},
    backend: 'auto',
    tool: undefined,
    manifest: undefined,
    grantRequested: false,
    allowUnisolated: false,
    json: false,
    dryRun: false,
    auditLog: undefined,
    command: [],
  };
  let i = 0;
  const value = (flag: string): string => {
    if (i + 1 >= args.length) throw new UsageError(`${flag} needs a value`);
    return args[++i];
  };
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      run.command = args.slice(i + 1);
      break;
    }
    if (a in LIMIT_FLAGS) {
      const raw = value(a);
      const n = raw.trim() === '' ? NaN : Number(raw);
      const field = LIMIT_FLAGS[a];
      const problem = limitValueProblem(field, n);
      if (problem) throw new UsageError(`${a}: ${JSON.stringify(raw)} ${problem}`);
      run.limits[field] = n;
      continue;
    }
    switch (a) {
      case '--workspace':
        run.workspace = value(a);
        break;
      case '--allow-read':
        run.read.push(nonEmpty(a, value(a)));
        break;
      case '--allow-write':
        run.write.push(nonEmpty(a, value(a)));
        break;
      case '--allow-net':
        run.net = true;
        break;
      case '--allow-env': {
        const name = value(a);
        if (!ENV_NAME_PATTERN.test(name)) throw new UsageError(`--allow-env: ${JSON.stringify(name)} is not an environment variable name`);
        run.env.push(name);
        break;
      }
      case '--backend': {
        const b = value(a);
        if (b !== 'auto' && b !== 'bwrap' && b !== 'job' && b !== 'none') throw new UsageError(`--backend: ${b} is not one of auto, bwrap, job, none`);
        run.backend = b;
        break;
      }
      case '--tool':
        run.tool = value(a);
        break;
      case '--manifest':
        run.manifest = value(a);
        break;
      case '--grant-requested':
        run.grantRequested = true;
        break;
      case '--allow-unisolated':
        run.allowUnisolated = true;
        break;
      case '--json':
        run.json = true;
        break;
      case '--dry-run':
        run.dryRun = true;
        break;
      case '--audit-log':
        run.auditLog = nonEmpty(a, value(a));
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option: ${a}`);
        throw new UsageError(`unexpected argument ${JSON.stringify(a)}: put the command after --`);
    }
  }
  if (run.command.length === 0 && !run.tool) throw new UsageError('no command: wsb run [options] -- COMMAND [ARGS...]');
  if (run.manifest && !run.tool) throw new UsageError('--manifest needs --tool');
  return run;
}

function nonEmpty(flag: string, v: string): string {
  if (v === '' || v.includes('\0')) throw new UsageError(`${flag}: the path must not be empty`);
  return v;
}
