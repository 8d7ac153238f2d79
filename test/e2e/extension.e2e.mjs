// End-to-end test of the extension in a real VS Code (code-server) driven by headless Chromium:
// Restricted Mode, the grant prompt, a real bwrap run writing to the workspace, the Sandboxes tree,
// the status bar, the Resources webview, kill/stop, the audit log, Revoke, Suspend/Resume, Deny and Allow
// Once, manifest diagnostics, the doctor report, a sandbox task, planted git metadata moved aside, and the
// manifest scaffold.
// Run `bash scripts/e2e/setup.sh` and `npm run package` first, then `node test/e2e/extension.e2e.mjs`
// (WSB_E2E_VSIX overrides the .vsix). node:test runs the top-level tests in order and exits 1 on any failure;
// a step after a failed one is skipped rather than failing in a confusing way.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SEL, descendants, isRestrictedMode, openBrowser, runCommand, screenshot, screenshotOnFailure, startCodeServer, trustWorkspace } from './codeServer.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const VSIX = process.env.WSB_E2E_VSIX || join(REPO, `workspace-sandbox-${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}.vsix`);
const EXTENSION_ID = 'workspace-sandbox.workspace-sandbox';

const MANIFEST = {
  tools: {
    gen: {
      command: ['sh', '-c', 'echo generated > out/gen.txt; echo done; sleep 30'],
      description: 'writes out/gen.txt',
      capabilities: { write: ['out/'] },
    },
    spin: {
      command: ['sh', '-c', 'while :; do :; done'],
      description: 'burns one core',
    },
    hello: {
      command: ['sh', '-c', 'echo "hello from uid $(id -u) in the sandbox"'],
      description: 'prints one line',
    },
    plant: {
      command: ['sh', '-c', 'git init -q vendor/plain && git init -q vendor/evil && git -C vendor/evil config core.fsmonitor "touch /tmp/wsb-e2e-pwned"; echo planted'],
      description: 'initialises two repositories, one with a config that runs a program',
      capabilities: { write: ['vendor/'] },
    },
  },
};

// Settings for a quiet, predictable workbench. The DOM terminal renderer makes terminal text readable.
const SETTINGS = {
  'terminal.integrated.gpuAcceleration': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
};

const SANDBOX = {
  dialog: '.monaco-dialog-box',
  dialogButton: '.monaco-dialog-box .dialog-buttons .monaco-button',
  shieldStatus: '[id="workbench.parts.statusbar"] [id="workspace-sandbox.workspace-sandbox.workspaceSandbox.status"]',
  activityItem: '[id="workbench.parts.activitybar"] .action-item:has(.action-label[aria-label^="Workspace Sandbox"])',
  treeRow: '[id="workbench.parts.sidebar"] .monaco-list-row',
  terminalRows: '[id="workbench.parts.panel"] .xterm-rows',
  outputLines: '[id="workbench.parts.panel"] .output-view .monaco-editor .view-lines',
  webviewCard: 'section.sandbox',
};

let workspace, server, browser, page;
const consoleProblems = [];
let failed = false;

before(async () => {
  assert.ok(existsSync(VSIX), `${VSIX} is missing: run npm run package first`);
  workspace = mkdtempSync(join(tmpdir(), 'wsb-e2e-ext-'));
  mkdirSync(join(workspace, '.vscode'));
  writeFileSync(join(workspace, '.vscode', 'sandbox.json'), JSON.stringify(MANIFEST, null, 2));
  writeFileSync(join(workspace, 'README.txt'), 'workspace of the extension e2e test\n');
  // Written before the workbench opens: a tasks.json written later is picked up by "Run Task" only eventually.
  writeFileSync(join(workspace, '.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [{ type: 'sandbox', tool: 'hello', label: 'hello in the sandbox', problemMatcher: [] }] }, null, 2));
  server = await startCodeServer({ workspace, vsix: VSIX, settings: SETTINGS });
  ({ browser, page } = await openBrowser(server.url));
  // Content-Security-Policy violations show up as console errors ("Refused to load ..."), from any frame.
  page.on('console', (msg) => {
    const text = msg.text();
    if (process.env.WSB_E2E_CONSOLE) console.log(`[console.${msg.type()}] ${msg.location()?.url ?? ''}: ${text.slice(0, 300)}`);
    if (/Content[- ]Security[- ]Policy|Refused to (load|execute|apply|connect|frame)/i.test(text)) {
      consoleProblems.push({ type: msg.type(), text, url: msg.location()?.url ?? '' });
    }
  });
  page.on('pageerror', (err) => consoleProblems.push({ type: 'pageerror', text: String(err), url: '' }));
});

after(async () => {
  // A safety net for a failed run; the last test does the same and checks what is left.
  await browser?.close().catch(() => undefined);
  await server?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

// Every step saves a screenshot when it fails; once one failed, the rest are skipped.
function step(name, fn, timeout = 60_000) {
  test(name, { timeout }, async (t) => {
    if (failed) return t.skip('an earlier step failed');
    const started = Date.now();
    try {
      await fn(t);
    } catch (err) {
      failed = true;
      if (page) await screenshotOnFailure(page, `extension-failed-${name.replace(/\W+/g, '-').slice(0, 60)}`);
      if (server) console.error(`--- code-server log (tail) ---\n${server.log().slice(-3000)}`);
      throw err;
    } finally {
      t.diagnostic(`${Date.now() - started} ms`);
    }
  });
}

// ---- helpers ----

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Polls `probe` (sync or async) until it returns a truthy value; throws `what` after timeoutMs. */
async function until(what, probe, timeoutMs = 15_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Runs a palette command that opens a quick pick of its own, then picks the row labelled `item`.
 * (runCommand waits for the palette to close, which never happens when the next quick pick reuses it.)
 */
async function runCommandAndPick(title, item, placeholder, timeoutMs = 10_000) {
  const input = page.locator(SEL.quickInputBox);
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  const exact = (label) => page.locator(SEL.quickInputRow).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(label)}$`) }) }).first();
  await exact(title).click({ timeout: timeoutMs });
  // The tool pick replaces the palette in the same widget: wait for its placeholder, then its row.
  await page.locator(`${SEL.quickInputBox}[placeholder="${placeholder}"]`).waitFor({ state: 'visible', timeout: timeoutMs });
  await exact(item).click({ timeout: timeoutMs });
  await page.locator(SEL.quickInput).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Waits for the modal dialog, returns its text, and presses the button labelled `button`. */
async function answerDialog(button, timeoutMs = 10_000) {
  const dialog = page.locator(SANDBOX.dialog);
  await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
  const text = await dialog.innerText();
  const buttons = await page.locator(SANDBOX.dialogButton).allInnerTexts();
  await page.locator(SANDBOX.dialogButton, { hasText: new RegExp(`^${escapeRe(button)}$`) }).click({ timeout: timeoutMs });
  await dialog.waitFor({ state: 'hidden', timeout: timeoutMs });
  return { text, buttons: buttons.map((b) => b.trim()) };
}

/** The audit log in the extension's workspace storage (storageUri), parsed; [] while it does not exist. */
function auditFile() {
  const storage = join(server.userDataDir, 'User', 'workspaceStorage');
  if (!existsSync(storage)) return undefined;
  for (const dir of readdirSync(storage)) {
    const file = join(storage, dir, EXTENSION_ID, 'audit.jsonl');
    if (existsSync(file)) return file;
  }
  return undefined;
}
function auditRecords() {
  const file = auditFile();
  if (!file) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return []; // a partial line left by a crash: readers skip it
      }
    });
}
const startsOf = (tool) => auditRecords().filter((r) => r.event === 'start' && r.tool === tool);
const exitOf = (id) => auditRecords().find((r) => r.event === 'exit' && r.id === id);

/** The visible terminal's text (DOM renderer); empty when no terminal is shown. */
async function terminalText() {
  const rows = page.locator(SANDBOX.terminalRows).filter({ visible: true });
  return (await rows.count()) ? (await rows.allInnerTexts()).join('\n') : '';
}
/** The visible output channel's text, from the Output view in the panel. */
async function waitForOutputChannel(pattern, timeoutMs = 15_000) {
  return until(`the output channel to show ${pattern}`, async () => {
    const lines = page.locator(SANDBOX.outputLines).filter({ visible: true });
    const text = (await lines.count()) ? (await lines.first().innerText()).replace(/\u00a0/g, ' ') : '';
    return pattern.test(text) && text;
  }, timeoutMs, 200);
}
async function waitForTerminal(pattern, timeoutMs = 15_000) {
  return until(`the terminal to show ${pattern}`, async () => {
    const text = await terminalText();
    return pattern.test(text) && text;
  }, timeoutMs, 200);
}

/** Opens the Workspace Sandbox container from the activity bar (a click on an open one would close it). */
async function showSandboxesView() {
  const item = page.locator(SANDBOX.activityItem);
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  if (!(await item.evaluate((e) => e.classList.contains('checked')))) await item.locator('.action-label').click();
  // The container has one view, so its pane header is hidden and the side bar's title names both.
  await page.locator('[id="workbench.parts.sidebar"] .composite.title', { hasText: 'Workspace Sandbox' }).waitFor({ state: 'visible', timeout: 10_000 });
}
/** The tree row of the newest sandbox of `tool` (the tree lists active ones newest first). */
const treeRow = (tool) => page.locator(SANDBOX.treeRow).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(tool)}$`) }) }).first();
async function waitForTreeDescription(tool, pattern, timeoutMs = 15_000) {
  return until(`the tree row "${tool}" to read ${pattern}`, async () => {
    const row = treeRow(tool);
    if (!(await row.count())) return false;
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    return pattern.test(text) && text;
  }, timeoutMs, 200);
}

async function shieldText() {
  const item = page.locator(SANDBOX.shieldStatus);
  return (await item.count()) ? (await item.first().innerText()).replace(/\s+/g, ' ').trim() : '';
}

const webview = () => page.frameLocator('iframe.webview').frameLocator('#active-frame');
/** The Resources card of one sandbox (ended runs keep a card while their charts have points). */
const card = (id) => webview().locator(`${SANDBOX.webviewCard}[data-id="${id}"]`);

/** Every live process whose working directory is inside the workspace: sandboxed tools run there. */
function processesInWorkspace() {
  const real = resolve(workspace);
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === real || cwd.startsWith(`${real}/`)) found.push(`${entry}: ${readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
    } catch {
      // Gone, or a kernel thread.
    }
  }
  return found;
}
const alive = (pid) => {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

// ---- the steps ----

let restrictedGenId, genId, spinId;

step('the extension activates in Restricted Mode and shows its status bar item', async () => {
  assert.ok(await isRestrictedMode(page), 'the workspace did not open in Restricted Mode');
  await page.locator(SANDBOX.shieldStatus).waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await shieldText(), /^0$/, 'no sandbox runs yet');
});

step('Restricted Mode: "Run Tool…" → gen asks for trust; the default policy writes nothing', async () => {
  await runCommandAndPick('Sandbox: Run Tool…', 'gen', 'Tool to run in the sandbox');
  const { text, buttons } = await answerDialog('Run with Default Policy');
  assert.match(text, /"gen" needs a trusted workspace/);
  assert.match(text, /write to out\//);
  assert.ok(buttons.includes('Manage Workspace Trust'), `buttons: ${buttons}`);

  // VS Code asks for trust before opening any terminal, so in Restricted Mode the output goes to an output channel.
  const shown = await waitForOutputChannel(/\bdone\b/);
  assert.match(shown, /cannot create out\/gen\.txt/, 'the write should fail inside the sandbox');
  assert.equal(await page.locator(SANDBOX.dialog).count(), 0, 'no trust prompt after choosing the default policy');
  assert.ok(await isRestrictedMode(page, 1000), 'still in Restricted Mode');
  assert.ok(!existsSync(join(workspace, 'out', 'gen.txt')), 'out/gen.txt must not exist after a default-policy run');

  const [start] = await until('the audit start record of gen', () => startsOf('gen').length && startsOf('gen'));
  restrictedGenId = start.id;
  assert.deepEqual(start.policy.write, [], 'the default policy grants no write');
  const refusals = auditRecords().filter((r) => r.event === 'grant' && r.tool === 'gen' && r.decision === 'deny');
  assert.equal(refusals.length, 1, `one refused grant: ${JSON.stringify(refusals)}`);
  assert.equal(refusals[0].scope, 'restricted');
  assert.match(refusals[0].capability, /write/);

  // It would sleep 30 s: kill it (the only active sandbox, so no pick) and see the exit recorded.
  await runCommand(page, 'Sandbox: Kill');
  const exit = await until('the exit record of the restricted gen run', () => exitOf(restrictedGenId));
  assert.equal(exit.exitCode, null, `killed, so no exit code: ${JSON.stringify(exit)}`);
  await until('the status bar to count 0 running', async () => (await shieldText()) === '0', 10_000, 200);
});

step('trusted: gen prompts, "Allow for This Workspace" grants write to out/, and it runs', async () => {
  assert.ok(await trustWorkspace(page), 'the workspace was already trusted');
  await runCommandAndPick('Sandbox: Run Tool…', 'gen', 'Tool to run in the sandbox');
  const { text, buttons } = await answerDialog('Allow for This Workspace');
  assert.match(text, /"gen" asks to run in the sandbox/);
  assert.match(text, /write to out\//);
  for (const b of ['Allow Once', 'Deny']) assert.ok(buttons.includes(b), `button ${b} missing: ${buttons}`);

  const written = await until('out/gen.txt on disk', () => existsSync(join(workspace, 'out', 'gen.txt')) && readFileSync(join(workspace, 'out', 'gen.txt'), 'utf8'));
  assert.equal(written, 'generated\n');
  const shown = await waitForTerminal(/\bdone\b/);
  assert.doesNotMatch(shown, /cannot create/, 'the granted run must not fail to write');

  const starts = await until('a second start record of gen', () => startsOf('gen').length >= 2 && startsOf('gen'));
  genId = starts.at(-1).id;
  assert.ok(starts.at(-1).policy.write.some((p) => p === join(workspace, 'out') || p === join(workspace, 'out') + '/'), `write policy: ${JSON.stringify(starts.at(-1).policy.write)}`);

  await showSandboxesView();
  await waitForTreeDescription('gen', /running|\d+%/);
  await until('the status bar to count 1 running', async () => /^1 ·/.test(await shieldText()), 10_000, 200);
});

step('Resources webview shows a card per running tool; Kill on spin\'s card kills it', async () => {
  await runCommandAndPick('Sandbox: Run Tool…', 'spin', 'Tool to run in the sandbox'); // requests nothing: no prompt
  await until('the status bar to count 2 running', async () => /^2 ·/.test(await shieldText()), 15_000, 200);
  spinId = await until('the start record of spin', () => startsOf('spin')[0]?.id);

  await runCommand(page, 'Sandbox: Show Resources');
  const spin = card(spinId);
  await spin.waitFor({ state: 'visible', timeout: 20_000 });
  await card(genId).waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await spin.locator('.tool').innerText(), 'spin');
  assert.equal(await card(genId).locator('.tool').innerText(), 'gen');
  // Usage arrives once per sample tick: the card's figures turn from "No usage yet" to CPU and memory.
  await until('usage figures on spin\'s card', async () => /^CPU \d+%/.test(await spin.locator('.figures').innerText()), 15_000, 200);

  await screenshot(page, 'extension-resources');
  await spin.locator('button.kill').click({ timeout: 10_000 });
  await until('spin\'s card to say killed', async () => /killed/.test(await spin.locator('.badge').innerText()), 10_000, 200);
  await showSandboxesView();
  await waitForTreeDescription('spin', /killed/);
  const exit = await until('the exit record of spin', () => exitOf(spinId));
  assert.equal(exit.exitCode, null);

  const csp = consoleProblems.filter((p) => /Content[- ]Security[- ]Policy|Refused to/i.test(p.text));
  assert.deepEqual(csp, [], 'no Content-Security-Policy violations');
  // Positive control: a violation inside our webview's frame does reach the listener above.
  await webview().locator('body').evaluate((body) => {
    const img = document.createElement('img');
    img.src = 'https://csp-probe.invalid/probe.png';
    body.append(img);
  });
  await until('the injected CSP violation to be reported', () => consoleProblems.some((p) => /csp-probe\.invalid/.test(p.text)), 5_000);
  consoleProblems.length = 0;
});

step('gen is stopped from its tree item\'s inline Stop action', async () => {
  const row = treeRow('gen');
  await row.hover();
  await row.locator('.actions .action-label[aria-label^="Stop"]').click({ timeout: 10_000 });
  await waitForTreeDescription('gen', /exited|killed|ended/, 15_000);
  await until('the exit record of gen', () => exitOf(genId), 10_000);
  await until('the status bar to count 0 running', async () => (await shieldText()) === '0', 10_000, 200);
});

step('"Show Audit Log" opens the log; the file records the grant, start and exit of gen', async () => {
  await runCommand(page, 'Sandbox: Show Audit Log');
  await page.locator('.tabs-container .tab', { hasText: 'Sandbox Audit Log' }).waitFor({ state: 'visible', timeout: 10_000 });
  const editor = page.locator('.editor-instance .monaco-editor .view-lines').filter({ visible: true }).first();
  // Monaco renders spaces as U+00A0.
  const shown = await until('the audit document to list the grant', async () => {
    const text = (await editor.innerText()).replace(/\u00a0/g, ' ');
    return /\bgrant\s+gen\s+allow "write to /.test(text) && text;
  }, 10_000, 200);
  assert.match(shown, /\bgrant\s+gen\s+deny "write to .*\(restricted\)/);
  assert.match(shown, /\bexit\s+spin\s+signal SIGKILL/);

  const records = auditRecords();
  const allow = records.filter((r) => r.event === 'grant' && r.tool === 'gen' && r.decision === 'allow');
  assert.equal(allow.length, 1, `one allow grant: ${JSON.stringify(allow)}`);
  assert.equal(allow[0].scope, 'workspace');
  assert.match(allow[0].capability, /write/);
  for (const id of [restrictedGenId, genId]) {
    assert.ok(records.some((r) => r.event === 'start' && r.id === id && r.tool === 'gen'), `start of ${id}`);
    assert.ok(records.some((r) => r.event === 'exit' && r.id === id), `exit of ${id}`);
  }
  const order = records.map((r) => r.event);
  assert.ok(order.indexOf('grant') < order.indexOf('start'), 'the grant decision precedes the run');
});

step('the workspace grant is remembered: gen runs again with no prompt', async () => {
  await runCommandAndPick('Sandbox: Run Tool…', 'gen', 'Tool to run in the sandbox');
  // A prompt would hold the run back: no third start record would appear.
  const starts = await until('a third start record of gen', () => startsOf('gen').length >= 3 && startsOf('gen'));
  assert.equal(await page.locator(SANDBOX.dialog).count(), 0, 'no prompt');
  assert.ok(starts.at(-1).policy.write.length > 0, 'it runs with its granted write');
  await until('gen\'s sleep 30 to run in the workspace', () => processesInWorkspace().some((p) => /\bsleep 30\b/.test(p)), 10_000);
});

step('Revoke from the tree: the capability row\'s inline action takes the grant back; gen\'s next run asks again', async () => {
  await showSandboxesView();
  const row = treeRow('gen');
  await row.locator('.monaco-tl-twistie').click({ timeout: 10_000 });
  const capability = page.locator(SANDBOX.treeRow, { hasText: /write to out\// }).first();
  await capability.waitFor({ state: 'visible', timeout: 10_000 });
  await capability.hover();
  await capability.locator('.actions .action-label[aria-label^="Revoke"]').click({ timeout: 10_000 });
  const toast = page.locator('.notification-list-item-message', { hasText: /Revoked for "gen"/ });
  await toast.first().waitFor({ state: 'visible', timeout: 10_000 });
  await until('the audit record of the revocation', () => auditRecords().some((r) => r.event === 'grant' && r.tool === 'gen' && r.decision === 'revoke'));
  await runCommandAndPick('Sandbox: Run Tool…', 'gen', 'Tool to run in the sandbox');
  const { text } = await answerDialog('Deny');
  assert.match(text, /"gen" asks to run in the sandbox/, 'revoked: the prompt is back');
});

step('Suspend and Resume from the tree: the tool\'s processes stop (no CPU) and go on', async () => {
  await runCommandAndPick('Sandbox: Run Tool…', 'spin', 'Tool to run in the sandbox');
  await waitForTreeDescription('spin', /running|\d+%/);
  const spinning = () => processesInWorkspace().filter((p) => /while :; do :; done/.test(p)).map((p) => Number(p.split(':')[0]));
  const pids = await until('spin\'s loop to run in the workspace', () => spinning().length && spinning(), 10_000);
  const stat = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  const ticks = () => pids.reduce((n, pid) => n + Number(stat(pid)[11]) + Number(stat(pid)[12]), 0);
  const row = treeRow('spin');
  await row.hover();
  await row.locator('.actions .action-label[aria-label^="Suspend"]').click({ timeout: 10_000 });
  await waitForTreeDescription('spin', /suspended/);
  await until('spin\'s processes to be stopped', () => pids.every((pid) => stat(pid)[0] === 'T'), 10_000);
  const stopped = ticks();
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(ticks(), stopped, 'a suspended tool uses no CPU');
  await row.hover();
  await row.locator('.actions .action-label[aria-label^="Resume"]').click({ timeout: 10_000 });
  await until('spin\'s processes to run again', () => pids.every((pid) => stat(pid)[0] !== 'T'), 10_000);
  await until('spin to use CPU again', () => ticks() > stopped + 20, 10_000, 200);
  await row.hover();
  await row.locator('.actions .action-label[aria-label^="Stop"]').click({ timeout: 10_000 });
  await waitForTreeDescription('spin', /exited|killed|ended|stopped/, 15_000);
});

step('Deny: plant does not run, the refusal is audited, and nothing is remembered', async () => {
  await runCommandAndPick('Sandbox: Run Tool…', 'plant', 'Tool to run in the sandbox');
  const { text } = await answerDialog('Deny');
  assert.match(text, /"plant" asks to run in the sandbox/);
  assert.match(text, /write to vendor\//);
  await until('the audit record of the refused grant', () => auditRecords().some((r) => r.event === 'grant' && r.tool === 'plant' && r.decision === 'deny' && r.scope === 'once'));
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(startsOf('plant'), [], 'a denied tool never starts');
  assert.ok(!existsSync(join(workspace, 'vendor')), 'nothing was written');
});

step('Allow Once: plant runs; the repository it planted with a program in its config is moved aside and named', async () => {
  await runCommandAndPick('Sandbox: Run Tool…', 'plant', 'Tool to run in the sandbox');
  await answerDialog('Allow Once');
  const [start] = await until('the start record of plant', () => startsOf('plant').length && startsOf('plant'));
  await until('the exit record of plant', () => exitOf(start.id), 20_000);
  assert.ok(existsSync(join(workspace, 'vendor/plain/.git/HEAD')), 'positive control: the plain repository stays');
  assert.ok(!existsSync(join(workspace, 'vendor/evil/.git')), 'the planted repository is no longer a repository');
  assert.ok(existsSync(join(workspace, 'vendor/evil/.git.wsb-quarantine/config')), 'it is kept aside for review');
  const toast = page.locator('.notification-list-item-message', { hasText: /"plant" was refused git metadata it created at/ });
  await toast.first().waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await toast.first().innerText(), /vendor\/evil\/\.git/);
  const denied = auditRecords().filter((r) => r.event === 'denied' && r.id === start.id);
  assert.ok(denied.some((r) => /config core\.fsmonitor/.test(r.reason)), `audit: ${JSON.stringify(denied)}`);
  assert.ok(!existsSync('/tmp/wsb-e2e-pwned'), 'nothing ran the planted program');
});

step('Allow Once is not remembered: plant asks again', async () => {
  await runCommandAndPick('Sandbox: Run Tool…', 'plant', 'Tool to run in the sandbox');
  const { text } = await answerDialog('Deny');
  assert.match(text, /"plant" asks to run in the sandbox/);
});

step('a broken manifest is marked in Problems, naming the field; fixing it clears the mark', async () => {
  const file = join(workspace, '.vscode', 'sandbox.json');
  const good = readFileSync(file, 'utf8');
  writeFileSync(file, JSON.stringify({ tools: { ...MANIFEST.tools, gen: { ...MANIFEST.tools.gen, command: 'echo not-an-array' } } }, null, 2));
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const problems = page.locator('.markers-panel .monaco-list-row');
  const marked = await until('a problem naming tools.gen.command', async () => {
    const texts = (await problems.allInnerTexts()).join('\n');
    return /tools\.gen\.command/.test(texts) && texts;
  }, 15_000, 200);
  assert.match(marked, /Workspace Sandbox/);
  writeFileSync(file, good);
  await until('the problem to clear', async () => !/tools\.gen\.command/.test((await problems.allInnerTexts()).join('\n')), 15_000, 200);
});

step('"Run Doctor" reports the backends in a document: bwrap works here', async () => {
  await runCommand(page, 'Sandbox: Run Doctor');
  const report = await until('the doctor report', async () => {
    const texts = (await page.locator('.editor-instance .monaco-editor .view-lines').filter({ visible: true }).allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
    return /Workspace Sandbox doctor \(supervisor/.test(texts) && texts;
  }, 20_000, 200);
  assert.match(report, /✓ bwrap: works/);
  assert.match(report, /Limits are enforced by:/);
});

step('a `sandbox` task from tasks.json runs its tool in the sandbox, in the task terminal', async () => {
  const before = startsOf('hello').length;
  // The task list can open before the workspace's tasks are read: then it offers only "Configure a Task".
  await until('"hello in the sandbox" in the task list', async () => {
    try {
      await runCommandAndPick('Tasks: Run Task', 'hello in the sandbox', 'Select the task to run', 5_000);
      return true;
    } catch {
      await page.keyboard.press('Escape');
      return false;
    }
  }, 30_000, 1000);
  await until('a start record of hello', () => startsOf('hello').length > before, 20_000);
  await waitForTerminal(/hello from uid \d+ in the sandbox/, 20_000);
});

step('"Create Sandbox Manifest" declares the npm scripts and Makefile targets of a folder without one', async () => {
  writeFileSync(join(workspace, 'package.json'), JSON.stringify({ name: 'e2e', scripts: { lint: 'eslint .', build: 'tsc -p .' } }, null, 2));
  writeFileSync(join(workspace, 'Makefile'), 'gen:\n\techo gen\n');
  const file = join(workspace, '.vscode', 'sandbox.json');
  rmSync(file);
  // The watcher must see the manifest gone before the command offers the folder.
  await until('the scaffolded manifest', async () => {
    await runCommand(page, 'Sandbox: Create Sandbox Manifest');
    await new Promise((r) => setTimeout(r, 500));
    return existsSync(file);
  }, 20_000, 1000);
  const tools = JSON.parse(readFileSync(file, 'utf8')).tools;
  assert.deepEqual(Object.keys(tools).sort(), ['build', 'lint', 'make:gen']);
  assert.deepEqual(tools['make:gen'].command, ['make', 'gen']);
  assert.equal(tools.lint.command.at(-1), 'lint');
  await page.locator('.notification-list-item-message', { hasText: /Declared 3 tools/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
});

step('final screenshot', async () => {
  console.log(`screenshot: ${await screenshot(page, 'extension-final')}`);
});

step('cleanup: stopping code-server leaves no process behind (gen\'s sleep 30 included)', async () => {
  const tree = descendants(server.pid);
  await browser.close();
  browser = undefined;
  await server.stop();
  await until('the server\'s processes to end', () => tree.every((pid) => !alive(pid)), 10_000, 100).catch(() => {
    throw new Error(`still alive: ${tree.filter(alive).join(', ')}`);
  });
  assert.deepEqual(processesInWorkspace(), [], 'no process left in the workspace (e.g. gen\'s sleep 30)');
}, 30_000);
