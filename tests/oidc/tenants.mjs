// Tenants with real clients (openid-client + jose), in two regions; run by tenants.sh.
// Env: STEER_ISSUER (= STEER_A, region A, plain HTTP), STEER_B (region B, HTTPS; same keys and
// tenants, own store), STEER_HOOK (tenants.sh, called as `tenants.sh hook STEP` for the admin
// steps done while the servers run) and what the hook needs (AUTHD, TMP, PID_A, PID_B).
// One path-aware Browser (lib.mjs CookieJar) holds the cookies of every tenant, as a real
// browser would; cookies are copied by hand where a test presents one to the wrong tenant.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as client from 'openid-client';
import * as jose from 'jose';
import { Browser, login, expectOAuthError, formPost } from './lib.mjs';

const A = process.env.STEER_A, B = process.env.STEER_B, ISS = process.env.STEER_ISSUER;
const REDIRECT = 'http://127.0.0.1:9/cb';
const insecure = { execute: [client.allowInsecureRequests] };
const PASSWORD = { acme: 'alice-acme-password', globex: 'alice-globex-password', top: 'alice-top-password' };
const SECRET = (t) => `web-${t}-secret-0123456789abcdef0123`;
const iss = (t) => `${ISS}/t/${t}`;
const at = (base, t) => `${base}/t/${t}`;
let failures = 0;

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n     ${e.stack ?? e}`, e.cause);
  }
}

function hook(name) {
  execFileSync('bash', [process.env.STEER_HOOK, 'hook', name], { stdio: 'inherit' });
}

// Client `web` of tenant `t` at region `base`. Region B answers with the same issuer as A (one
// hostname in production, moved by DNS); its endpoints are re-pointed at its own port.
async function webAt(base, t) {
  const auth = client.ClientSecretBasic(SECRET(t));
  if (base === A) return client.discovery(new URL(at(A, t)), 'web', SECRET(t), auth, insecure);
  const meta = await (await fetch(`${at(base, t)}/.well-known/openid-configuration`)).json();
  assert.equal(meta.issuer, iss(t), 'same tenant issuer in every region');
  for (const [k, v] of Object.entries(meta)) {
    if (k !== 'issuer' && typeof v === 'string' && v.startsWith(ISS + '/')) meta[k] = base + v.slice(ISS.length);
  }
  const cfg = new client.Configuration(meta, 'web', SECRET(t), auth);
  client.allowInsecureRequests(cfg);
  return cfg;
}

function authUrl(cfg, verifierChallenge, extra = {}) {
  return client.buildAuthorizationUrl(cfg, {
    redirect_uri: REDIRECT, scope: 'openid profile email offline_access', state: 'st', nonce: 'nn',
    code_challenge: verifierChallenge, code_challenge_method: 'S256', ...extra,
  });
}

// Code + PKCE: silently with the tenant's SSO cookie if the browser has one, else through the
// login form as `user`. Returns the callback URL and the verifier.
async function codeFlow(cfg, browser, base, t, user = 'alice', password = PASSWORD[t], extra = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const url = authUrl(cfg, await client.calculatePKCECodeChallenge(verifier), extra);
  const top = t === 'top';  // the top-level issuer
  let res = browser.jar.has('steer_session', top ? '/' : `/t/${t}/`) ? await browser.get(url) : null;
  if (!res || res.status !== 302) res = await login(browser, url, top ? base : at(base, t), user, password);
  assert.equal(res.status, 302, `login at ${t} redirects back`);
  const callback = new URL(res.headers.get('location'));
  assert.equal(callback.origin + callback.pathname, REDIRECT, `callback ${callback}`);
  return { callback, verifier };
}

async function redeem(cfg, f) {
  return client.authorizationCodeGrant(cfg, f.callback, {
    pkceCodeVerifier: f.verifier, expectedState: 'st', expectedNonce: 'nn',
  });
}

async function bearer(url, token) {
  return (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status;
}

const web = { A: {}, B: {} };
for (const t of ['acme', 'globex']) {
  web.A[t] = await webAt(A, t);
  web.B[t] = await webAt(B, t);
}
const jwksB = (t) => jose.createRemoteJWKSet(new URL(`${at(B, t)}/jwks`));
const browser = new Browser();
const tokens = {};

await step('discovery of acme at region A (openid-client): issuer and endpoints below /t/acme', async () => {
  const m = web.A.acme.serverMetadata();
  assert.equal(m.issuer, iss('acme'));
  for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint']) {
    assert.ok(m[k].startsWith(iss('acme') + '/'), `${k} ${m[k]}`);
  }
});

await step('acme: code + PKCE through the login form at A; tokens verify with acme JWKS of B', async () => {
  const f = await codeFlow(web.A.acme, browser, A, 'acme');
  tokens.acme = await redeem(web.A.acme, f);
  assert.ok(tokens.acme.refresh_token);
  await jose.jwtVerify(tokens.acme.id_token, jwksB('acme'), { issuer: iss('acme'), audience: 'web' });
  const a = await jose.jwtVerify(tokens.acme.access_token, jwksB('acme'), { issuer: iss('acme'), typ: 'at+jwt' });
  assert.equal(a.payload.client_id, 'web');
  assert.ok(browser.jar.has('steer_session', '/t/acme/'), 'SSO cookie scoped to /t/acme/');
  assert.ok(!browser.jar.has('steer_session', '/'), 'no SSO cookie for the whole host');
});

await step('globex: alice of globex (another person) logs in at A', async () => {
  const f = await codeFlow(web.A.globex, browser, A, 'globex');
  tokens.globex = await redeem(web.A.globex, f);
  assert.equal(tokens.globex.claims().iss, iss('globex'));
  assert.notEqual(tokens.globex.claims().sub, tokens.acme.claims().sub, 'two different people');
  const info = await client.fetchUserInfo(web.B.globex, tokens.globex.access_token, tokens.globex.claims().sub);
  assert.equal(info.email, 'alice@globex.example');
});

await step('JWKS: acme, globex and the top-level issuer share no kid; acme tokens fail globex JWKS', async () => {
  const kids = {};
  for (const [name, url] of [['acme', `${at(B, 'acme')}/jwks`], ['globex', `${at(B, 'globex')}/jwks`], ['top', `${B}/jwks`]]) {
    kids[name] = new Set((await (await fetch(url)).json()).keys.map((k) => k.kid));
    assert.ok(kids[name].size > 0, `${name} publishes keys`);
  }
  for (const [x, y] of [['acme', 'globex'], ['acme', 'top'], ['globex', 'top']]) {
    assert.deepEqual([...kids[x]].filter((k) => kids[y].has(k)), [], `${x} and ${y} share a kid`);
  }
  await assert.rejects(jose.jwtVerify(tokens.acme.id_token, jwksB('globex')), /no applicable key|JWKSNoMatchingKey/i);
});

await step('isolation: acme access token refused by globex /userinfo and /introspect in A and B', async () => {
  for (const base of [A, B]) {
    assert.equal(await bearer(`${at(base, 'acme')}/userinfo`, tokens.acme.access_token), 200, `acme userinfo at ${base}`);
    assert.equal(await bearer(`${at(base, 'globex')}/userinfo`, tokens.acme.access_token), 401, `globex userinfo at ${base}`);
    assert.equal(await bearer(`${base}/userinfo`, tokens.acme.access_token), 401, `top-level userinfo at ${base}`);
    const region = base === A ? 'A' : 'B';
    assert.equal((await client.tokenIntrospection(web[region].acme, tokens.acme.access_token)).active, true);
    assert.equal((await client.tokenIntrospection(web[region].globex, tokens.acme.access_token)).active, false);
    assert.equal((await client.tokenIntrospection(web[region].globex, tokens.acme.refresh_token)).active, false);
    const cross = await formPost(`${at(base, 'acme')}/introspect`, { token: tokens.acme.access_token }, `web:${SECRET('globex')}`);
    assert.equal(cross.status, 401, "globex's web secret does not authenticate acme's web");
  }
});

await step("isolation: acme's code refused at globex /token (and still good at acme)", async () => {
  const f = await codeFlow(web.A.acme, browser, A, 'acme');
  const code = f.callback.searchParams.get('code');
  for (const base of [A, B]) {
    const r = await formPost(`${at(base, 'globex')}/token`, {
      grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: f.verifier,
    }, `web:${SECRET('globex')}`);
    assert.equal(r.status, 400, `globex /token at ${base}`);
    assert.equal(r.body.error, 'invalid_grant');
  }
  const t = await redeem(web.B.acme, f);
  assert.equal(t.claims().iss, iss('acme'));
});

await step("isolation: acme's refresh token refused at globex in A and B", async () => {
  for (const region of ['A', 'B']) {
    await expectOAuthError(client.refreshTokenGrant(web[region].globex, tokens.acme.refresh_token),
      'invalid_grant', `acme refresh at globex ${region}`);
  }
});

await step("isolation: acme's SSO cookie gives no silent login at globex (login_required)", async () => {
  const session = browser.jar.get('steer_session', '/t/acme/');
  const probe = async (t, base) => {
    const b = new Browser();
    b.jar.set('steer_session', session, `/t/${t}/`);  // presented where it was not issued
    const res = await b.get(authUrl(web[base === A ? 'A' : 'B'][t], 'x'.repeat(43), { prompt: 'none' }));
    assert.equal(res.status, 302);
    return new URL(res.headers.get('location')).searchParams;
  };
  for (const base of [A, B]) {
    assert.ok((await probe('acme', base)).get('code'), `acme's own cookie works at acme (${base})`);
    assert.equal((await probe('globex', base)).get('error'), 'login_required', `globex at ${base}`);
  }
});

await step("isolation: alice@acme's password does not log in alice@globex (nor the reverse)", async () => {
  for (const [t, other] of [['globex', 'acme'], ['acme', 'globex']]) {
    const b = new Browser();
    const url = authUrl(web.A[t], 'x'.repeat(43));
    const res = await login(b, url, at(A, t), 'alice', PASSWORD[other]);
    assert.equal(res.status, 401, `alice@${t} with alice@${other}'s password`);
  }
});

await step("isolation: the top-level issuer's SSO cookie (Path=/, sent to every tenant) logs in no tenant", async () => {
  const top = await client.discovery(new URL(ISS), 'web', SECRET('top'), client.ClientSecretBasic(SECRET('top')), insecure);
  const f = await codeFlow(top, browser, A, 'top');
  const t = await redeem(top, f);
  assert.equal(t.claims().iss, ISS);
  assert.notEqual(t.claims().sub, tokens.acme.claims().sub);
  assert.equal(await bearer(`${at(A, 'acme')}/userinfo`, t.access_token), 401, 'top token at acme');
  const b = new Browser();
  b.jar.set('steer_session', browser.jar.get('steer_session', '/'), '/');
  for (const tn of ['acme', 'globex']) {
    const res = await b.get(authUrl(web.A[tn], 'x'.repeat(43), { prompt: 'none' }));
    assert.equal(new URL(res.headers.get('location')).searchParams.get('error'), 'login_required', tn);
  }
  // With both cookies (the tenant's sent first, as browsers order longer paths first) acme's SSO
  // still works.
  const g = await codeFlow(web.A.acme, browser, A, 'acme', 'alice', 'not-used-sso-expected');
  assert.equal((await redeem(web.A.acme, g)).claims().sid, tokens.acme.claims().sid);
});

await step('across regions within acme: token from A refreshed at B; SSO cookie from A works at B', async () => {
  const r = await client.refreshTokenGrant(web.B.acme, tokens.acme.refresh_token);
  assert.notEqual(r.refresh_token, tokens.acme.refresh_token);
  await jose.jwtVerify(r.id_token, jwksB('acme'), { issuer: iss('acme'), audience: 'web' });
  const f = await codeFlow(web.B.acme, browser, B, 'acme', 'alice', 'not-used-sso-expected');
  const t = await redeem(web.B.acme, f);
  assert.equal(t.claims().sid, tokens.acme.claims().sid, 'same SSO session');
});

await step("branding: acme's login page shows its name and colours, globex's does not", async () => {
  const get = (t) => new Browser().get(authUrl(web.A[t], 'x'.repeat(43)));
  const acmeRes = await get('acme');
  assert.match(acmeRes.headers.get('content-security-policy'), /img-src https:\/\/cdn\.example\.com\/acme\.svg;/);
  assert.doesNotMatch((await get('globex')).headers.get('content-security-policy'), /img-src/);
  const acme = await acmeRes.text(), globex = await (await get('globex')).text();
  assert.match(acme, /<img src="https:\/\/cdn\.example\.com\/acme\.svg"/);
  assert.match(acme, /<h1>Acme Corp<\/h1>/);
  assert.match(acme, /#ff6600/);
  assert.match(acme, /#fff8f0/);
  assert.match(acme, new RegExp(`action="/t/acme/login"`));
  assert.doesNotMatch(globex, /Acme|#ff6600/);
  assert.match(globex, /<h1>Globex<\/h1>/);
});

await step('lockout: alice@acme blocked (and acme blocks the IP), alice@globex still logs in', async () => {
  const b = new Browser();
  const tryLogin = async (t, user, password) =>
    (await login(b, authUrl(web.A[t], 'x'.repeat(43)), at(A, t), user, password)).status;
  let status = 0, n = 0;
  while (status !== 403 && n++ < 10) status = await tryLogin('acme', 'alice', `guess-${n}`);
  assert.equal(status, 403, 'acme blocks after its max_failures (3)');
  assert.ok(n <= 4, `blocked after ${n} attempts, tenant.yaml says 3`);
  assert.equal(await tryLogin('acme', 'alice', PASSWORD.acme), 403, 'alice@acme blocked');
  assert.equal(await tryLogin('acme', 'bob', 'bob-acme-password'), 403, 'IP blocked in acme');
  assert.equal(await tryLogin('globex', 'alice', PASSWORD.globex), 302, 'alice@globex not blocked');
});

await step('lockout: `admin --tenant acme user unlock` + `ip unlock` lets alice@acme in again', async () => {
  hook('unlock-acme');
  const res = await login(new Browser(), authUrl(web.A.acme, 'x'.repeat(43)), at(A, 'acme'), 'alice', PASSWORD.acme);
  assert.equal(res.status, 302);
});

await step('keys: `admin --tenant acme keys rotate` + SIGHUP: a new acme kid, globex unchanged, old tokens valid', async () => {
  const kids = async (base, t) => (await (await fetch(`${at(base, t)}/jwks`)).json()).keys.map((k) => k.kid).sort();
  const before = { acme: await kids(A, 'acme'), globex: await kids(A, 'globex') };
  hook('rotate-acme');
  for (const base of [A, B]) {
    const acme = await kids(base, 'acme');
    assert.ok(acme.some((k) => !before.acme.includes(k)), `new acme kid at ${base}`);
    assert.deepEqual(await kids(base, 'globex'), before.globex, `globex kids unchanged at ${base}`);
    assert.equal(await bearer(`${at(base, 'acme')}/userinfo`, tokens.acme.access_token), 200);
  }
  const f = await codeFlow(web.B.acme, browser, B, 'acme', 'alice', PASSWORD.acme);
  const t = await redeem(web.B.acme, f);
  const { protectedHeader } = await jose.jwtVerify(t.id_token, jose.createRemoteJWKSet(new URL(`${at(A, 'acme')}/jwks`)), { issuer: iss('acme') });
  assert.notEqual(protectedHeader.kid, jose.decodeProtectedHeader(tokens.acme.id_token).kid, '`next` now signs');
  assert.ok(before.acme.includes(protectedHeader.kid), 'the promoted key was published before');
  const r = await client.refreshTokenGrant(web.A.acme, t.refresh_token);  // sealed with the new AEAD key
  assert.ok(r.access_token);
});

await step("logout at acme: globex's id_token_hint refused; acme's ends acme's session only", async () => {
  const BYE = 'http://127.0.0.1:9/bye';
  const wrong = client.buildEndSessionUrl(web.A.acme, { id_token_hint: tokens.globex.id_token, post_logout_redirect_uri: BYE });
  assert.equal((await browser.get(wrong)).status, 400, "globex's ID token as hint at acme");
  const url = client.buildEndSessionUrl(web.A.acme, { id_token_hint: tokens.acme.id_token, post_logout_redirect_uri: BYE, state: 's' });
  const res = await browser.get(url);
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), `${BYE}?state=s`);
  assert.ok(!browser.jar.has('steer_session', '/t/acme/'), "acme's cookie cleared");
  const silent = async (t) => new URL((await browser.get(authUrl(web.B[t], 'x'.repeat(43), { prompt: 'none' }))).headers.get('location')).searchParams;
  assert.ok((await silent('globex')).get('code'), "globex's session survives acme's logout");
  assert.equal((await silent('acme')).get('error'), 'login_required');
  // Revocations stay in the region's store (docs/auth-core.md): region A here.
  assert.equal(await bearer(`${at(A, 'acme')}/userinfo`, tokens.acme.access_token), 401, "the session's tokens end with it");
  assert.equal(await bearer(`${at(B, 'globex')}/userinfo`, tokens.globex.access_token), 200);
  tokens.acme = await redeem(web.A.acme, await codeFlow(web.A.acme, browser, A, 'acme'));  // for the steps below
});

const unknownBody = async (base) => {
  const r = await fetch(`${base}/no/such/path`);
  assert.equal(r.status, 404);
  return r.text();
};

await step('bad input: unknown tenant and a bad tenant name give the unknown-path 404, no hint', async () => {
  for (const base of [A, B]) {
    const want = await unknownBody(base);
    for (const p of ['/t/nosuch/.well-known/openid-configuration', '/t/Bad_Name/.well-known/openid-configuration',
      '/t/nosuch/jwks', '/t/acme', '/t//jwks']) {
      const r = await fetch(`${base}${p}`);
      assert.equal(r.status, 404, `${p} at ${base}`);
      const body = await r.text();
      assert.equal(body, want, `${p}: same body as an unknown path`);
      assert.doesNotMatch(body, /nosuch|Bad_Name|tenant/i);
    }
  }
});

await step('runtime: tenant initech added + SIGHUP is served in both regions without restart', async () => {
  hook('add-initech');
  for (const base of [A, B]) {
    const r = await fetch(`${at(base, 'initech')}/.well-known/openid-configuration`);
    assert.equal(r.status, 200, `initech discovery at ${base}`);
    assert.equal((await r.json()).issuer, iss('initech'));
  }
});

await step('runtime: a broken tenant.yaml + SIGHUP is refused, every tenant still served', async () => {
  hook('break-initech');
  for (const base of [A, B]) {
    for (const t of ['acme', 'globex', 'initech']) {
      assert.equal((await fetch(`${at(base, t)}/.well-known/openid-configuration`)).status, 200, `${t} at ${base}`);
    }
    assert.equal(await bearer(`${at(base, 'acme')}/userinfo`, tokens.acme.access_token), 200);
  }
});

await step('runtime: tenant globex removed + SIGHUP: 404 like an unknown path, its tokens refused', async () => {
  hook('remove-globex');
  for (const base of [A, B]) {
    const r = await fetch(`${at(base, 'globex')}/.well-known/openid-configuration`);
    assert.equal(r.status, 404, `globex discovery at ${base}`);
    assert.equal(await r.text(), await unknownBody(base));
    for (const url of [`${at(base, 'globex')}/userinfo`, `${at(base, 'acme')}/userinfo`, `${base}/userinfo`]) {
      assert.notEqual(await bearer(url, tokens.globex.access_token), 200, url);
    }
    assert.equal((await fetch(`${base}/healthz/ready`)).status, 200, `healthy at ${base}`);
    assert.equal(await bearer(`${at(base, 'acme')}/userinfo`, tokens.acme.access_token), 200, 'acme unaffected');
    assert.equal((await fetch(`${at(base, 'initech')}/jwks`)).status, 200, 'initech (repaired) served');
  }
});

console.log(failures ? `${failures} step(s) FAILED` : 'all steps passed');
process.exit(failures ? 1 : 0);
