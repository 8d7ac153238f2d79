import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWindowsDefaultEnvName, windowsEnv, windowsProfileDirs, windowsProfileEnv } from '../../src/sandbox/windows/env';

const HOST = {
  Path: 'C:\\Windows\\system32;C:\\Program Files\\nodejs',
  PATHEXT: '.COM;.EXE;.BAT;.CMD',
  SystemRoot: 'C:\\Windows',
  windir: 'C:\\Windows',
  ComSpec: 'C:\\Windows\\system32\\cmd.exe',
  'ProgramFiles(x86)': 'C:\\Program Files (x86)',
  TEMP: 'C:\\Users\\me\\AppData\\Local\\Temp',
  TMP: 'C:\\Users\\me\\AppData\\Local\\Temp',
  USERPROFILE: 'C:\\Users\\me',
  APPDATA: 'C:\\Users\\me\\AppData\\Roaming',
  USERNAME: 'me',
  GITHUB_TOKEN: 'ghp_secret',
  npm_config_registry: 'https://r.example',
  LANG: 'en_US.UTF-8',
  lc_all: 'C',
  '=C:': 'C:\\work',
  UNSET: undefined,
};
const HOME = 'C:\\Users\\me\\AppData\\Local\\Temp\\wsb-home-abc';

test('Windows defaults pass under the host spelling; secrets, identity and the real profile do not', () => {
  const env = windowsEnv(HOST, [], HOME, 'id1');
  assert.equal(env.Path, HOST.Path);
  assert.equal(env.PATH, undefined, 'one spelling only');
  for (const name of ['PATHEXT', 'SystemRoot', 'windir', 'ComSpec', 'ProgramFiles(x86)', 'LANG', 'lc_all'] as const) assert.equal(env[name], HOST[name], name);
  for (const name of ['GITHUB_TOKEN', 'USERNAME', 'npm_config_registry', '=C:', 'UNSET']) assert.equal(name in env, false, name);
  assert.equal(env.WSB_SANDBOX_ID, 'id1');
});

test('the profile and TEMP point into the private home', () => {
  const env = windowsEnv(HOST, [], HOME, 'id1');
  assert.equal(env.USERPROFILE, HOME);
  assert.equal(env.HOME, HOME);
  assert.equal(env.APPDATA, `${HOME}\\AppData\\Roaming`);
  assert.equal(env.LOCALAPPDATA, `${HOME}\\AppData\\Local`);
  assert.equal(env.TEMP, `${HOME}\\Temp`);
  assert.equal(env.TMP, `${HOME}\\Temp`);
  assert.equal(env.HOMEDRIVE, 'C:');
  assert.equal(env.HOMEPATH, '\\Users\\me\\AppData\\Local\\Temp\\wsb-home-abc');
  assert.deepEqual(windowsProfileDirs(HOME), [HOME, `${HOME}\\AppData`, `${HOME}\\AppData\\Roaming`, `${HOME}\\AppData\\Local`, `${HOME}\\Temp`]);
  for (const value of Object.values(windowsProfileEnv(HOME))) assert.ok(value === 'C:' || value.startsWith('\\Users') || value.startsWith(HOME), value);
});

test('grants match without regard to case; our own variables win over a grant of the same name', () => {
  const env = windowsEnv({ ...HOST, Temp: 'C:\\elsewhere' }, ['github_token', 'Npm_Config_Registry', 'temp', 'userprofile'], HOME, 'id1');
  assert.equal(env.GITHUB_TOKEN, 'ghp_secret');
  assert.equal(env.npm_config_registry, 'https://r.example');
  assert.equal(env.TEMP, `${HOME}\\Temp`);
  assert.equal(env.USERPROFILE, HOME);
  assert.deepEqual(Object.keys(env).filter((k) => k.toUpperCase() === 'TEMP'), ['TEMP']);
});

test('a host environment with two spellings of a name keeps the first', () => {
  const env = windowsEnv({ Path: 'first', PATH: 'second' }, [], HOME, 'id1');
  assert.deepEqual(Object.keys(env).filter((k) => k.toUpperCase() === 'PATH'), ['Path']);
  assert.equal(env.Path, 'first');
});

test('default names are case-insensitive', () => {
  for (const n of ['path', 'SYSTEMROOT', 'comspec', 'Lc_Ctype', 'term']) assert.equal(isWindowsDefaultEnvName(n), true, n);
  for (const n of ['USERNAME', 'APPDATA', 'GITHUB_TOKEN']) assert.equal(isWindowsDefaultEnvName(n), false, n);
});
