import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BwrapPlan } from './bwrap';
import { SandboxError } from './errors';
import type { Policy } from './policy';
import type { HostFacts } from './probe';
import { findGitMetadata, gitMetadataCandidates, type GitMetadata } from './gitMetadata';
import { exposedProtectedPaths, protectedCandidates, refuseWriteRoot } from './protectedPaths';
import { isWithin, realpathOr, toolchainMounts, whichCommand } from './toolchain';

export interface PrepareRequest {
  command: string[];
  cwd: string;
  workspace: string;
  policy: Policy;
  /** The manifest the tool came from; protected like `.vscode/`. */
  manifestFile: string | null;
  hostPath: string | undefined;
  /** Cap of the private /tmp and HOME, from the memory limit. */
  tmpfsBytes: number | null;
  /** False for a dry run: report what would be mounted, create nothing. */
  create: boolean;
}

/** What preparing a run found and did on the host, for the user and the audit log. */
export interface Preparation {
  plan: BwrapPlan;
  /** The program as found on the host PATH. */
  program: string;
  /** Read grants that do not exist and were left out. */
  skippedReads: string[];
  /** Write-grant paths and protected placeholders created so they could be mounted. */
  created: string[];
  toolchain: string[];
  /** The write grants that are directories, and the git metadata in them before the run (see gitMetadata.ts). */
  writeDirs: string[];
  git: GitMetadata;
}

export const STATUS_FD = 3;

/**
 * Resolves a request against the host: canonical paths, grants checked for symlinks out of the workspace,
 * missing write targets created (a directory, or an empty file when the last component has an extension
 * such as `out.json`; a trailing `/` forces a directory), protected paths found. Throws SandboxError
 * before anything runs; the only host changes are the documented creations.
 */
export function prepare(req: PrepareRequest, facts: HostFacts): Preparation {
  const workspace = existingRealpath(req.workspace, 'workspace');
  const cwd = existingRealpath(req.cwd, 'cwd');
  const home = realpathOr(facts.home);
  const program = whichCommand(req.command[0], req.hostPath, cwd);
  if (!program) throw new SandboxError('not-found', `command not found: ${req.command[0]}`);

  const skippedReads: string[] = [];
  const readGrants: string[] = [];
  req.policy.read.forEach((p, i) => {
    const abs = path.resolve(workspace, p);
    if (!fs.existsSync(abs)) skippedReads.push(abs);
    else readGrants.push(checkedGrant(abs, workspace, `policy.read[${i}]`));
  });

  const created: string[] = [];
  const writeGrants = req.policy.write.map((p, i) => {
    const field = `policy.write[${i}]`;
    const abs = path.resolve(workspace, p);
    const refusal = refuseWriteRoot(realpathOr(abs), home);
    if (refusal) throw new SandboxError('usage', `${field}: ${refusal}`);
    if (!fs.existsSync(abs)) {
      checkedGrant(nearestExisting(abs), workspace, field);
      if (req.create) createWriteTarget(abs, p.endsWith('/'));
      created.push(abs);
    }
    return checkedGrant(abs, workspace, field);
  });

  const writeDirs = writeGrants.filter(isDirectory);
  const git = findGitMetadata(writeDirs);
  const candidates = new Map([...protectedCandidates(workspace, home, writeDirs, req.manifestFile), ...gitMetadataCandidates(git)].map((c) => [c.path, c]));
  const exposed = exposedProtectedPaths([...candidates.values()], writeGrants);
  const protectedPaths: string[] = [];
  for (const c of exposed) {
    if (fs.existsSync(c.path)) protectedPaths.push(c.path);
    else if (c.kind === 'dir' && isDirectory(path.dirname(c.path))) {
      if (req.create) fs.mkdirSync(c.path);
      created.push(c.path);
      protectedPaths.push(c.path);
    }
  }

  const systemRoots = facts.system.map((e) => e.path);
  const visible = [...systemRoots, workspace, ...readGrants, ...writeGrants];
  const toolchain = toolchainMounts(req.command[0], req.hostPath, cwd, home, visible);
  if (![...visible, ...toolchain].some((root) => isWithin(cwd, root))) {
    throw new SandboxError('usage', `cwd: ${cwd} is outside the workspace and every grant, so the tool could not start there`);
  }
  const extraReads = req.policy.net === 'all' && facts.resolvConfTarget ? [facts.resolvConfTarget] : [];

  return {
    program,
    skippedReads,
    created,
    toolchain,
    writeDirs,
    git,
    plan: {
      system: facts.system,
      masked: facts.etcSecrets,
      home,
      readOnly: [...toolchain, ...extraReads, ...readGrants, workspace],
      readWrite: writeGrants,
      protectedPaths,
      cwd,
      net: req.policy.net,
      tmpfsBytes: facts.bwrapTmpfsSize ? req.tmpfsBytes : null,
      statusFd: STATUS_FD,
    },
  };
}

function existingRealpath(p: string, field: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    throw new SandboxError('usage', `${field}: ${p} does not exist`);
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function nearestExisting(p: string): string {
  let cur = p;
  while (!fs.existsSync(cur)) cur = path.dirname(cur);
  return cur;
}

/**
 * The canonical path of a grant. A grant written inside the workspace that resolves outside it (through a
 * symlink the repository planted) is refused: the user agreed to a workspace path, not to its target.
 */
function checkedGrant(abs: string, workspace: string, field: string): string {
  const real = realpathOr(abs);
  if (isWithin(abs, workspace) && !isWithin(real, workspace)) {
    throw new SandboxError('usage', `${field}: ${abs} is a symlink to ${real}, outside the workspace; grant ${real} itself if that is meant`);
  }
  return real;
}

function createWriteTarget(abs: string, forceDir: boolean): void {
  const base = path.basename(abs);
  const looksLikeFile = !forceDir && base.lastIndexOf('.') > 0;
  fs.mkdirSync(looksLikeFile ? path.dirname(abs) : abs, { recursive: true });
  if (looksLikeFile) fs.closeSync(fs.openSync(abs, 'a'));
}
