// Real-browser test of CORS (docs/auth-core.md, "Browser applications (CORS)"): headless
// Debian Chromium, driven by playwright-core (never a downloaded browser), runs the SPA of
// spa/ from its own origin against steer-authd: authorization code + PKCE, the test fills the
// login form, the page calls /token and /userinfo with fetch. A page on an origin no client
// registered proves that the same calls are blocked.
// Env: STEER_ISSUER, SPA_PORT, OTHER_PORT (both free loopback ports), CHROMIUM (default
// /usr/bin/chromium). Started by tests/oidc/browser.sh.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from './static_server.mjs';

const issuer = process.env.STEER_ISSUER;
const spaOrigin = `http://127.0.0.1:${process.env.SPA_PORT}`;
const otherOrigin = `http://127.0.0.1:${process.env.OTHER_PORT}`;
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), 'spa');
const config = { issuer, client_id: 'spa', redirect_uri: `${spaOrigin}/index.html` };

// The flags Chromium needs as root on a machine without outside network: no sandbox (root),
// no GPU, and none of its background connections (QUIC, component updates, sync, ...).
// `headless: true` adds --headless; the profile is a fresh --user-data-dir.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function signInThroughTheSpa(context) {
  const page = await context.newPage();
  page.on('console', (m) => console.log(`[spa console] ${m.text()}`));
  const failed = () => document.getElementById('status')?.textContent === 'failed';
  await page.goto(`${spaOrigin}/index.html`);
  // The SPA read the discovery document (CORS) and sent the browser to the provider.
  await Promise.race([page.waitForURL(`${issuer}/authorize?**`),
    page.waitForFunction(failed).catch(() => {})]);
  if (!page.url().startsWith(`${issuer}/authorize?`)) {
    throw new Error(`the SPA failed before sign-in: ${await page.textContent('#result')}`);
  }
  await page.fill('input[name=username]', 'alice');
  await page.fill('input[name=password]', 'alice-password-1');
  await page.click('button[type=submit]');
  await page.waitForFunction(() => ['signed in', 'failed'].includes(
    document.getElementById('status')?.textContent));
  const result = JSON.parse(await page.textContent('#result'));
  assert.equal(result.error, undefined, `the SPA failed: ${result.error}`);
  assert.equal(page.url(), config.redirect_uri);
  return result;
}

async function attackFromAnotherOrigin(context, accessToken) {
  const page = await context.newPage();
  await page.goto(`${otherOrigin}/other.html`);
  await page.waitForFunction(() => document.title === 'ready');
  return page.evaluate((t) => window.attack(t), accessToken);
}

const servers = [await serveStatic(root, Number(process.env.SPA_PORT), config),
  await serveStatic(root, Number(process.env.OTHER_PORT), config)];
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'steer-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
  });
  context.setDefaultTimeout(20000);
  const result = await signInThroughTheSpa(context);
  assert.equal(result.userinfo.preferred_username, 'alice');
  assert.equal(result.userinfo.email, 'alice@example.com');
  assert.equal(result.userinfo.sub, result.id_token_sub);
  assert.equal(result.rotated, true);
  console.log('ok   SPA: code + PKCE in the browser; /token, /userinfo and a refresh by fetch');

  // Same calls from an unregistered origin: the browser must not let the page read them.
  const attack = await attackFromAnotherOrigin(context, result.access_token);
  for (const [call, outcome] of Object.entries(attack)) {
    assert.match(outcome, /^blocked TypeError$/, `${call} from ${otherOrigin}: ${outcome}`);
  }
  // ... and it is CORS that blocks them: the token is valid, the server answers without CORS.
  const direct = await fetch(`${issuer}/userinfo`, {
    headers: { authorization: `Bearer ${result.access_token}`, origin: otherOrigin } });
  assert.equal(direct.status, 200);
  assert.equal(direct.headers.get('access-control-allow-origin'), null);
  assert.equal(direct.headers.get('vary'), 'Origin');
  console.log('ok   unregistered origin: discovery, /token and /userinfo blocked by the browser');
} finally {
  if (context) await context.close();
  for (const s of servers) s.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
