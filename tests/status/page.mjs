// The demo's public status page in headless Chromium (tests/status/browser.sh starts the demo
// and passes its addresses in the environment). Fails with a message naming what differed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const { Statuspage } = require('statuspage.io');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const LIVE = process.env.STATUS_URL;
const STATIC = process.env.STATIC_URL;
const TITLE = process.env.STEER_DEMO_STATUS_TITLE;
const ART = process.env.ARTIFACTS;
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A page that records console errors and warnings, page errors, dialogs (an alert from
// injected markup) and every request to an origin other than `origin` (aborted).
async function openPage(context, origin) {
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') page.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { page.problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    page.problems.push(`request off the page's origin: ${url}`);
    return route.abort();
  });
  return page;
}

function noProblems(page, where) {
  assert.deepEqual(page.problems, [], `${where}: console errors, dialogs or foreign requests`);
}

// What a reader sees, from the DOM.
function readPage(page) {
  return page.evaluate(() => ({
    title: document.title,
    h1: document.querySelector('h1')?.textContent,
    banner: document.querySelector('.banner')?.textContent,
    services: [...document.querySelectorAll('section.svc')].map((s) => ({
      name: s.querySelector('.name')?.textContent,
      status: s.querySelector('.row .st')?.classList[1],
      bars: s.querySelectorAll('ul.bars li').length,
      titled: [...s.querySelectorAll('ul.bars li')].filter((li) => li.title && li.textContent).length,
      regions: [...s.querySelectorAll('ul.regions li')].map((li) => li.textContent),
    })),
    active: [...document.querySelectorAll('article.inc:not(.resolved)')].map((a) => ({
      name: a.querySelector('h3')?.textContent,
      updates: [...a.querySelectorAll('.upd')].map((u) => u.textContent),
    })),
    resolved: [...document.querySelectorAll('article.inc.resolved')].map((a) => ({
      name: a.querySelector('h3')?.textContent,
      updates: [...a.querySelectorAll('.upd')].map((u) => u.textContent),
    })),
    scripts: document.querySelectorAll('script').length,
    text: document.querySelector('main')?.innerText.replace(/Updated \S+ \S+ UTC\./, ''),
  }));
}

async function reloadUntil(page, url, want, what, seconds) {
  let last;
  for (const end = Date.now() + seconds * 1000; Date.now() < end; await sleep(250)) {
    const r = await page.goto(url);
    assert.equal(r.status(), 200, `${url}: HTTP ${r.status()}`);
    last = await readPage(page);
    if (want(last)) return last;
  }
  assert.fail(`${what} not shown within ${seconds} s; the page showed:\n${JSON.stringify(last, null, 1)}`);
}

async function axeClean(page, where, schemes = ['light', 'dark']) {
  for (const scheme of schemes) {
    await page.emulateMedia({ colorScheme: scheme });
    // Through the DevTools protocol: the page's CSP allows no script.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
    const started = Date.now();
    const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    log(`axe-core ${where} ${scheme}: ${r.violations.length} violations (${Date.now() - started} ms)`);
    const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes: ` +
      `${v.nodes.slice(0, 2).map((n) => n.html).join(' | ')})`), [], `axe-core, ${where}, ${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function mobileFits(page, where) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 740 });
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize(size);
  assert.ok(over <= 0, `${where}: ${over} px wider than a 360 px screen`);
}

// The Statuspage v2 API through the npm client, pointed at the demo; field names and value sets.
const COMPONENT = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
const INDICATOR = ['none', 'minor', 'major', 'critical'];
const INCIDENT = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'];
const IMPACT = ['none', 'minor', 'major', 'critical'];
const isTime = (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

function checkIncident(i) {
  for (const k of ['id', 'name', 'shortlink', 'page_id']) assert.equal(typeof i[k], 'string', `incident.${k}`);
  assert.ok(INCIDENT.includes(i.status), `incident.status ${i.status}`);
  assert.ok(IMPACT.includes(i.impact), `incident.impact ${i.impact}`);
  for (const k of ['created_at', 'updated_at', 'started_at']) assert.ok(isTime(i[k]), `incident.${k}`);
  assert.ok(i.resolved_at === null || isTime(i.resolved_at), 'incident.resolved_at');
  assert.ok('monitoring_at' in i && Array.isArray(i.components), 'incident.monitoring_at, components');
  assert.ok(i.incident_updates.length > 0, 'incident_updates');
  for (const u of i.incident_updates) {
    assert.ok(INCIDENT.includes(u.status), `incident_update.status ${u.status}`);
    assert.equal(u.incident_id, i.id);
    assert.equal(typeof u.body, 'string');
    for (const k of ['created_at', 'updated_at', 'display_at']) assert.ok(isTime(u[k]), `update.${k}`);
  }
}

async function readApi() {
  const client = new Statuspage('steer-demo');
  client.setApiUrl(LIVE);
  client.apiClient.defaults.proxy = false;  // loopback only, whatever the environment says
  const summary = await client.api.getSummary();
  const status = await client.api.getStatus();
  const { components } = await client.api.getComponents();
  const all = await client.api.incidents.getAll();
  const unresolved = await client.api.incidents.getUnresolved();
  const maintenances = await client.api.scheduledMaintenances.getAll();
  const upcoming = await client.api.scheduledMaintenances.getUpcoming();
  for (const doc of [summary, status, all, unresolved, maintenances, upcoming]) {
    assert.equal(doc.page.name, TITLE);
    assert.ok(typeof doc.page.id === 'string' && isTime(doc.page.updated_at), 'page.id, updated_at');
  }
  assert.ok(INDICATOR.includes(status.status.indicator), `indicator ${status.status.indicator}`);
  assert.equal(typeof status.status.description, 'string');
  assert.deepEqual(summary.status, status.status);
  assert.deepEqual(summary.components, components);
  for (const c of components) {
    assert.ok(COMPONENT.includes(c.status), `component ${c.id}: ${c.status}`);
    assert.ok(typeof c.id === 'string' && typeof c.name === 'string' && Number.isInteger(c.position));
    assert.ok(typeof c.group === 'boolean' && (c.group_id === null || typeof c.group_id === 'string'));
    assert.ok(isTime(c.created_at) && isTime(c.updated_at), `component ${c.id} times`);
  }
  for (const i of all.incidents) checkIncident(i);
  assert.deepEqual(unresolved.incidents, all.incidents.filter((i) => i.resolved_at === null));
  assert.deepEqual(summary.incidents, unresolved.incidents);
  assert.deepEqual(maintenances.scheduled_maintenances, []);
  assert.deepEqual(upcoming.scheduled_maintenances, []);
  const byId = Object.fromEntries(components.map((c) => [c.id, c.status]));
  return { indicator: status.status.indicator, byId, incidents: all.incidents };
}

// The Atom feed the page links to (<link rel="alternate">), parsed by the browser's XML parser.
async function readFeed(page, expectedUrl) {
  const url = await page.evaluate(() =>
    document.querySelector('link[rel="alternate"][type="application/atom+xml"]')?.href);
  assert.equal(url, expectedUrl, 'the page\'s feed link');
  const text = await (await fetch(url)).text();
  return page.evaluate((xml) => {
    const d = new DOMParser().parseFromString(xml, 'application/xml');
    const one = (n, tag) => n.getElementsByTagName(tag)[0]?.textContent;
    return {
      error: d.getElementsByTagName('parsererror').length > 0 ? xml : null,
      title: one(d.documentElement, 'title'),
      entries: [...d.getElementsByTagName('entry')].map((e) => ({
        id: one(e, 'id'), title: one(e, 'title'), content: one(e, 'content'),
      })),
    };
  }, text);
}

// `steerctl status-page export` of the live listener, served by python3 -m http.server: the
// same bytes and, in the browser, the same page.
async function sameAsExport(context, live, where) {
  let body = null, file;
  for (let i = 0; i < 3 && body !== file; ++i) {  // the listener re-renders every 5 s
    execFileSync(process.env.STEERCTL, ['status-page', 'export', '--from', LIVE, '--out',
      process.env.EXPORT_DIR], { stdio: 'pipe' });
    body = await (await fetch(`${LIVE}/`)).text();
    file = fs.readFileSync(path.join(process.env.EXPORT_DIR, 'index.html'), 'utf8');
  }
  assert.equal(file, body, `${where}: exported index.html differs from the live page`);
  const page = await openPage(context, STATIC);
  assert.equal((await page.goto(`${STATIC}/`)).status(), 200);
  const copy = await readPage(page);
  const now = await readPage(live);
  assert.deepEqual({ ...copy, text: undefined }, { ...now, text: undefined }, `${where}: static copy`);
  const feed = await readFeed(page, `${STATIC}/history.atom`);
  assert.equal(feed.error, null, 'exported history.atom does not parse');
  noProblems(page, `${where}, static copy`);
  await page.close();
  return feed;
}

function demo(...args) {
  log(`scripts/demo ${args.join(' ')}`);
  execFileSync(process.env.DEMO, args, { stdio: 'pipe' });
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true, args: FLAGS });
try {
  const context = await browser.newContext({ colorScheme: 'light', viewport: { width: 1000, height: 900 } });
  context.setDefaultTimeout(15000);
  const page = await openPage(context, LIVE);

  // 1. Every service operational, 90 bars each, the markup of the title kept as text.
  const ok = await reloadUntil(page, `${LIVE}/`, (s) => s.services.length > 0 &&
    s.banner === 'All Systems Operational' && s.services.every((v) => v.status === 'operational' &&
    v.regions.length === 2 && v.regions.every((r) => r.endsWith(': Operational'))),
  'every service operational', 30);
  log(`operational: ${JSON.stringify(ok.services)}`);
  for (const s of ok.services) {
    assert.equal(s.bars, 90, `${s.name}: bars`);
    assert.equal(s.titled, 90, `${s.name}: every bar has a title and screen-reader text`);
  }
  assert.equal(ok.title, TITLE);
  assert.equal(ok.h1, TITLE);
  assert.equal(ok.scripts, 0, 'a <script> element in the page');
  assert.deepEqual(ok.active, []);
  await page.screenshot({ path: path.join(ART, 'operational.png'), fullPage: true });
  await axeClean(page, 'operational');
  await mobileFits(page, 'operational');
  let api = await readApi();
  assert.equal(api.indicator, 'none');
  assert.deepEqual(api.byId, { login: 'operational', 'login/a': 'operational', 'login/b': 'operational' });
  await sameAsExport(context, page, 'operational');
  noProblems(page, 'operational');
  log('operational page checked');

  // 2. Region a cut: the incident with its timeline, login served from b.
  demo('cut', 'a');
  const down = await reloadUntil(page, `${LIVE}/`, (s) => s.active.length === 1 &&
    s.services[0].status === 'degraded_performance' &&
    s.services[0].regions.includes('login in a: Major outage'), 'the incident', 20);
  log(`incident: ${JSON.stringify(down.active)}`);
  assert.equal(down.active[0].name, 'login: failover away from a');
  assert.match(down.active[0].updates.at(-1), /^identified — a was judged down by \d+\/\d+ vantage points \(auth failed\); login now answers from b\./);
  assert.ok(down.banner !== 'All Systems Operational');
  await page.screenshot({ path: path.join(ART, 'incident.png'), fullPage: true });
  await axeClean(page, 'incident');
  await mobileFits(page, 'incident');
  api = await readApi();
  assert.equal(api.indicator, 'minor');
  assert.deepEqual(api.byId, { login: 'degraded_performance', 'login/a': 'major_outage', 'login/b': 'operational' });
  assert.equal(api.incidents.length, 1);
  assert.equal(api.incidents[0].impact, 'minor');
  assert.equal(api.incidents[0].resolved_at, null);
  const feed = await readFeed(page, `${LIVE}/history.atom`);
  assert.equal(feed.error, null, 'history.atom does not parse');
  assert.equal(feed.title, `${TITLE} - incident history`);
  assert.deepEqual(feed.entries.map((e) => e.title), ['login: failover away from a']);
  assert.match(feed.entries[0].content, /login now answers from b\./);
  const exported = await sameAsExport(context, page, 'incident');
  assert.deepEqual(exported, feed, 'exported history.atom');
  noProblems(page, 'incident');
  log('incident page checked');

  // 3. Region a back: login answers from a again; the incident is monitoring until a has been
  // healthy for status.resolve_after (browser.sh: 10 s).
  demo('restore', 'a');
  const back = await reloadUntil(page, `${LIVE}/`, (s) => s.services[0].status === 'operational' &&
    s.active.length === 1 && s.active[0].updates.some((u) => u.startsWith('monitoring — ')),
  'the failback and the monitoring update', 30);
  log(`back: ${JSON.stringify(back.active)}`);
  assert.match(back.active[0].updates.find((u) => u.startsWith('monitoring — login answers from a again')),
    /^monitoring — login answers from a again and it is healthy; monitoring\./);
  // The failover's DNS change verified on the demo's nameserver, with how long it took.
  assert.ok(back.active[0].updates.some((u) =>
    /^identified — login answers from b on every nameserver \(1\/1\), verified \d+\.\d\d s after the decision\./.test(u)),
  'the verified failover on the timeline');
  assert.deepEqual(back.services[0].regions, ['login in a: Operational', 'login in b: Operational']);
  await page.screenshot({ path: path.join(ART, 'restored.png'), fullPage: true });
  await axeClean(page, 'restored', ['light']);  // the incident's layout, checked dark above
  api = await readApi();
  assert.deepEqual(api.byId, { login: 'operational', 'login/a': 'operational', 'login/b': 'operational' });
  assert.equal(api.incidents[0].status, 'monitoring');
  assert.ok(api.incidents[0].incident_updates.length >= 2);
  await sameAsExport(context, page, 'restored');
  noProblems(page, 'restored');
  log('restored page checked');

  // 4. After resolve_after of health the incident resolves by itself: no active incident, the
  // failover listed under past incidents with its whole timeline, the API and feed agree.
  const done = await reloadUntil(page, `${LIVE}/`, (s) => s.active.length === 0 &&
    s.resolved.length === 1 && s.banner === 'All Systems Operational',
  'the resolved incident', 40);
  log(`resolved: ${JSON.stringify(done.resolved)}`);
  assert.equal(done.resolved[0].name, 'login: failover away from a');
  assert.match(done.resolved[0].updates[0], /^resolved — Resolved: login has answered from a, healthy, for 10 s\./);
  assert.ok(done.resolved[0].updates.some((u) => u.startsWith('monitoring — ')));
  assert.ok(done.resolved[0].updates.some((u) => u.startsWith('identified — ')));
  assert.ok(done.resolved[0].updates.some((u) =>
    /^monitoring — login answers from a on every nameserver \(1\/1\), verified/.test(u)),
  'the verified failback on the timeline');
  await page.screenshot({ path: path.join(ART, 'resolved.png'), fullPage: true });
  await axeClean(page, 'resolved', ['light']);
  api = await readApi();
  assert.equal(api.indicator, 'none');
  assert.equal(api.incidents[0].status, 'resolved');
  assert.ok(isTime(api.incidents[0].resolved_at), 'resolved_at');
  await sameAsExport(context, page, 'resolved');
  noProblems(page, 'resolved');
  log('resolved page checked');
} finally {
  await browser.close();
}
console.log('status page: ok');
