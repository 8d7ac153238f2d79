import * as path from 'node:path';
import { isDefaultEnvName } from '../policy';

/**
 * What a tool needs from the host environment for anything to run on Windows. Linux gets by with PATH;
 * Windows does not:
 * - `PATH`, `PATHEXT`: finding programs (and npm's `.cmd` shims).
 * - `SystemRoot`, `windir`, `SystemDrive`: DLLs and Winsock fail to initialise without `SystemRoot`
 *   (even `node -e` cannot open a socket); many installers and scripts read `windir`/`SystemDrive`.
 * - `ComSpec`: where cmd.exe is; Node's `shell: true`, npm scripts and `system()` use it.
 * - `OS`, `NUMBER_OF_PROCESSORS`, `PROCESSOR_ARCHITECTURE`, `PROCESSOR_IDENTIFIER`: build tools pick
 *   their target and parallelism from them.
 * - `ProgramFiles`, `ProgramFiles(x86)`, `ProgramW6432`, `CommonProgramFiles*`, `ProgramData`: locating
 *   installed toolchains (node-gyp finds Visual Studio this way).
 * None of these is a secret. Left out on purpose: identity and network names (`USERNAME`, `USERDOMAIN`,
 * `COMPUTERNAME`, `LOGONSERVER`, `USERDNSDOMAIN`), the real profile (`USERPROFILE`, `APPDATA`,
 * `LOCALAPPDATA`, `HOMEDRIVE`, `HOMEPATH`, `OneDrive`), `TEMP`/`TMP` (redirected, below) and anything with
 * a token in it. The Linux defaults (`LANG`, `LC_*`, `TERM`, `TZ`, colour switches) are kept too.
 */
export const WINDOWS_DEFAULT_ENV_NAMES = [
  'PATH',
  'PATHEXT',
  'SystemRoot',
  'windir',
  'SystemDrive',
  'ComSpec',
  'OS',
  'NUMBER_OF_PROCESSORS',
  'PROCESSOR_ARCHITECTURE',
  'PROCESSOR_IDENTIFIER',
  'ProgramFiles',
  'ProgramFiles(x86)',
  'ProgramW6432',
  'CommonProgramFiles',
  'CommonProgramFiles(x86)',
  'CommonProgramW6432',
  'ProgramData',
] as const;

const WINDOWS_DEFAULTS = new Set(WINDOWS_DEFAULT_ENV_NAMES.map((n) => n.toUpperCase()));

/** Windows environment names are case-insensitive (`Path` is `PATH`). */
export function isWindowsDefaultEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  return WINDOWS_DEFAULTS.has(upper) || isDefaultEnvName(upper);
}

/**
 * The sandbox's private profile, inside `home` (a fresh directory the engine creates and removes): the
 * tool's caches and settings land there rather than in the user's profile, and it does not find the
 * user's configuration (`.npmrc` tokens, `.gitconfig`) through these variables. The job backend does not
 * isolate the filesystem, so this keeps honest tools honest; it stops no one who looks for the files.
 * The engine must create every directory of `windowsProfileDirs(home)` before the run.
 */
export function windowsProfileEnv(home: string): Record<string, string> {
  const temp = path.win32.join(home, 'Temp');
  const { root } = path.win32.parse(home);
  return {
    USERPROFILE: home,
    HOME: home,
    HOMEDRIVE: root.replace(/\\$/, ''),
    HOMEPATH: home.slice(root.length - 1),
    APPDATA: path.win32.join(home, 'AppData', 'Roaming'),
    LOCALAPPDATA: path.win32.join(home, 'AppData', 'Local'),
    TEMP: temp,
    TMP: temp,
  };
}

/** The directories `windowsProfileEnv(home)` points at, parents first. */
export function windowsProfileDirs(home: string): string[] {
  const j = path.win32.join;
  return [home, j(home, 'AppData'), j(home, 'AppData', 'Roaming'), j(home, 'AppData', 'Local'), j(home, 'Temp')];
}

/**
 * The Windows counterpart of `sandboxEnv`: the default names above plus the granted ones, matched without
 * regard to case and kept under the host's spelling (one `Path`, never `Path` and `PATH` side by side,
 * which would leave the child with whichever Windows sorts first); the profile variables pointing into
 * `home`; the sandbox id. Variables whose name starts with `=` (cmd's per-drive directories) are dropped.
 */
export function windowsEnv(hostEnv: NodeJS.ProcessEnv, granted: readonly string[], home: string, sandboxId: string): Record<string, string> {
  const grantedUpper = new Set(granted.map((n) => n.toUpperCase()));
  const env: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(hostEnv)) {
    const upper = name.toUpperCase();
    if (value === undefined || name.startsWith('=') || seen.has(upper)) continue;
    if (isWindowsDefaultEnvName(name) || grantedUpper.has(upper)) {
      env[name] = value;
      seen.add(upper);
    }
  }
  const own: Record<string, string> = { ...windowsProfileEnv(home), WSB_SANDBOX_ID: sandboxId };
  for (const name of Object.keys(env)) {
    // Our own values win over any spelling of the same name, granted or not.
    if (Object.keys(own).some((o) => o.toUpperCase() === name.toUpperCase())) delete env[name];
  }
  return { ...env, ...own };
}
