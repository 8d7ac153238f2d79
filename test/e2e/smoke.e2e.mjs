// Smoke test of the end-to-end setup: a real code-server on a temp workspace, driven by headless
// Chromium. Run `bash scripts/e2e/setup.sh` once, then `node test/e2e/smoke.e2e.mjs`.
// Set WSB_E2E_VSIX=path/to/extension.vsix to have it installed into the instance first.
// node:test runs the top-level tests of this file in order, and sets exit code 1 on any failure.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SEL, isRestrictedMode, openBrowser, runCommand, screenshot, screenshotOnFailure, startCodeServer, waitForText } from './codeServer.mjs';

let workspace, server, browser, page;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'wsb-e2e-workspace-'));
  writeFileSync(join(workspace, 'hello.txt'), 'hello from the e2e smoke test\n');
  server = await startCodeServer({ workspace, vsix: process.env.WSB_E2E_VSIX });
  ({ browser, page } = await openBrowser(server.url));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

// Every step saves a screenshot when it fails, named after the step, so CI logs point at a picture.
function step(name, fn) {
  test(name, { timeout: 60_000 }, async () => {
    try {
      await fn();
    } catch (err) {
      if (page) await screenshotOnFailure(page, `smoke-failed-${name.replace(/\W+/g, '-')}`);
      throw err;
    }
  });
}

step('workbench renders with its status bar', async () => {
  assert.ok(await page.locator(SEL.statusbar).isVisible(), 'status bar #workbench.parts.statusbar is not visible');
});

step('workspace opens in Restricted Mode', async () => {
  assert.ok(await isRestrictedMode(page), 'the Restricted Mode status bar item did not appear: is workspace trust off?');
  await waitForText(page, 'Restricted Mode is intended for safe code browsing');
});

step('Explorer lists hello.txt', async () => {
  await runCommand(page, 'View: Show Explorer');
  await page.locator(SEL.explorerRow, { hasText: 'hello.txt' }).waitFor({ state: 'visible', timeout: 15_000 });
});

step('command palette runs "View: Toggle Terminal"', async () => {
  await runCommand(page, 'View: Toggle Terminal');
  await page.locator('[id="workbench.parts.panel"] .xterm').first().waitFor({ state: 'visible', timeout: 20_000 });
});

step('screenshot saved', async () => {
  console.log(`screenshot: ${await screenshot(page, 'smoke')}`);
});
