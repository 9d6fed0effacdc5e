// Two-region OpenID Connect test with real clients (openid-client + jose).
// Env: STEER_A, STEER_B (issuer URLs of two steer-authd processes with the same issuer keys
// but their own SQLite files; both answer as issuer STEER_ISSUER), STEER_KEYS (key dir),
// WEB_SECRET, SVC_SECRET, CLI_SECRET. STEER_SHARED_STORE=1: both regions use one PostgreSQL
// store, and the cross-region steps that only a shared store passes run too.
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import * as jose from 'jose';
import { execFileSync } from 'node:child_process';
import { Browser, login, expectOAuthError, formPost } from './lib.mjs';

const A = process.env.STEER_A, B = process.env.STEER_B, ISS = process.env.STEER_ISSUER;
const REDIRECT = 'http://127.0.0.1:9/cb', BYE = 'http://127.0.0.1:9/bye';
const insecure = { execute: [client.allowInsecureRequests] };
const USER = 'alice', PASSWORD = 'alice-password-1';
let failures = 0;

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n     ${e.stack ?? e}`);
  }
}

// Both regions publish the same issuer (in production one hostname, moved by a DNS swap).
// Here the regions listen on two loopback ports, so region B's endpoints are re-pointed at
// its own port, which is what the DNS swap does; the issuer stays the same.
async function configAt(base, id, secret, auth) {
  if (base === A) return client.discovery(new URL(ISS), id, secret, auth, insecure);
  const meta = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
  assert.equal(meta.issuer, ISS, 'same issuer in every region');
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v === 'string' && v.startsWith(ISS + '/')) meta[k] = base + v.slice(ISS.length);
  }
  const cfg = new client.Configuration(meta, id, secret, auth);
  client.allowInsecureRequests(cfg);
  return cfg;
}

async function codeFlow(cfg, browser, base, extra = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState(), nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(cfg, {
    redirect_uri: REDIRECT, scope: 'openid profile email offline_access', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256', ...extra,
  });
  let res = browser.jar.has('steer_session') ? await browser.get(url) : null;
  if (!res || res.status !== 302) res = await login(browser, url, base, USER, PASSWORD);
  assert.equal(res.status, 302, 'login redirects back');
  const callback = new URL(res.headers.get('location'));
  assert.equal(callback.origin + callback.pathname, REDIRECT);
  return { callback, verifier, state, nonce };
}

const jwksB = jose.createRemoteJWKSet(new URL(`${B}/jwks`));
const webA = await configAt(A, 'web', process.env.WEB_SECRET, client.ClientSecretBasic(process.env.WEB_SECRET));
const webB = await configAt(B, 'web', process.env.WEB_SECRET, client.ClientSecretPost(process.env.WEB_SECRET));
const browser = new Browser();
let tokens, refreshed;

await step('code + PKCE flow through the login form at region A', async () => {
  const f = await codeFlow(webA, browser, A);
  tokens = await client.authorizationCodeGrant(webA, f.callback, {
    pkceCodeVerifier: f.verifier, expectedState: f.state, expectedNonce: f.nonce,
  });
  const c = tokens.claims();
  for (const k of ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid']) assert.ok(c[k] !== undefined, k);
  assert.equal(c.nonce, f.nonce);
  assert.ok(tokens.refresh_token);
  assert.ok(browser.jar.get('steer_session'), 'SSO cookie set');
});

await step('ID and access tokens verify against region B JWKS (jose)', async () => {
  const id = await jose.jwtVerify(tokens.id_token, jwksB, { issuer: ISS, audience: 'web', algorithms: ['RS256'] });
  assert.equal(id.protectedHeader.typ, 'JWT');
  const at = await jose.jwtVerify(tokens.access_token, jwksB, { issuer: ISS, typ: 'at+jwt', algorithms: ['ES256'] });
  assert.equal(at.payload.client_id, 'web');
});

await step('refresh token from A redeemed at B (client_secret_post), rotated', async () => {
  refreshed = await client.refreshTokenGrant(webB, tokens.refresh_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
  await jose.jwtVerify(refreshed.id_token, jwksB, { issuer: ISS, audience: 'web' });
});

await step('userinfo at B: GET, POST header, POST body', async () => {
  const sub = tokens.claims().sub;
  const info = await client.fetchUserInfo(webB, refreshed.access_token, sub);
  assert.equal(info.email, 'alice@example.com');
  assert.equal(info.preferred_username, USER);
  const post = await fetch(`${B}/userinfo`, { method: 'POST', headers: { authorization: `Bearer ${refreshed.access_token}` } });
  assert.equal(post.status, 200);
  const body = await formPost(`${B}/userinfo`, { access_token: refreshed.access_token });
  assert.equal(body.status, 200);
  assert.equal(body.body.sub, sub);
});

await step('introspection at B (client-authenticated)', async () => {
  const at = await client.tokenIntrospection(webB, refreshed.access_token);
  assert.equal(at.active, true);
  assert.equal(at.client_id, 'web');
  const rt = await client.tokenIntrospection(webB, refreshed.refresh_token);
  assert.equal(rt.active, true);
  const old = await client.tokenIntrospection(webB, tokens.refresh_token);
  assert.equal(old.active, false, 'rotated-away refresh token is inactive');
  const anon = await formPost(`${B}/introspect`, { token: refreshed.access_token });
  assert.equal(anon.status, 401);
});

await step('SSO: the sealed session cookie from A is honoured at B without a login', async () => {
  const f = await codeFlow(webB, browser, B);
  const t = await client.authorizationCodeGrant(webB, f.callback, { pkceCodeVerifier: f.verifier, expectedState: f.state, expectedNonce: f.nonce });
  assert.equal(t.claims().sid, tokens.claims().sid);
});

await step('revocation (RFC 7009) at B', async () => {
  await client.tokenRevocation(webB, refreshed.access_token);
  assert.equal((await client.tokenIntrospection(webB, refreshed.access_token)).active, false);
  await client.tokenRevocation(webB, refreshed.refresh_token);
  await expectOAuthError(client.refreshTokenGrant(webB, refreshed.refresh_token), 'invalid_grant', 'revoked refresh');
});

await step('code replay within region A fails and revokes the tokens of that code', async () => {
  const f = await codeFlow(webA, browser, A);
  const checks = { pkceCodeVerifier: f.verifier, expectedState: f.state, expectedNonce: f.nonce };
  const t = await client.authorizationCodeGrant(webA, f.callback, checks);
  await expectOAuthError(client.authorizationCodeGrant(webA, f.callback, checks), 'invalid_grant', 'replay');
  assert.equal((await client.tokenIntrospection(webA, t.access_token)).active, false);
  await expectOAuthError(client.refreshTokenGrant(webA, t.refresh_token), 'invalid_grant', 'refresh after replay');
});

await step('wrong PKCE verifier is refused', async () => {
  const f = await codeFlow(webA, browser, A);
  await expectOAuthError(client.authorizationCodeGrant(webA, f.callback, {
    pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: f.state, expectedNonce: f.nonce,
  }), 'invalid_grant', 'wrong verifier');
});

await step('refresh reuse revokes the whole family', async () => {
  const f = await codeFlow(webA, browser, A);
  const t = await client.authorizationCodeGrant(webA, f.callback, { pkceCodeVerifier: f.verifier, expectedState: f.state, expectedNonce: f.nonce });
  const r2 = await client.refreshTokenGrant(webA, t.refresh_token);
  await expectOAuthError(client.refreshTokenGrant(webA, t.refresh_token), 'invalid_grant', 'reuse');
  await expectOAuthError(client.refreshTokenGrant(webA, r2.refresh_token), 'invalid_grant', 'family member after reuse');
  assert.equal((await client.tokenIntrospection(webA, r2.access_token)).active, false);
});

await step('public client must use PKCE S256', async () => {
  const spa = await configAt(A, 'spa', undefined, client.None());
  const url = client.buildAuthorizationUrl(spa, { redirect_uri: REDIRECT, scope: 'openid', state: 's1' });
  const res = await browser.get(url);
  assert.equal(res.status, 302);
  assert.equal(new URL(res.headers.get('location')).searchParams.get('error'), 'invalid_request');
  const plain = client.buildAuthorizationUrl(spa, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' });
  assert.equal(new URL((await browser.get(plain)).headers.get('location')).searchParams.get('error'), 'invalid_request');
});

await step('open redirect: an unregistered redirect_uri gets an error page, not a redirect', async () => {
  const url = client.buildAuthorizationUrl(webA, { redirect_uri: 'https://evil.example/cb', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
  const res = await browser.get(url);
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('location'), null);
});

await step('tampered session cookie is ignored (login page again)', async () => {
  const evil = new Browser();
  const v = browser.jar.get('steer_session');
  evil.jar.set('steer_session', v.slice(0, 10) + (v[10] === 'A' ? 'B' : 'A') + v.slice(11));
  const url = client.buildAuthorizationUrl(webA, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
  assert.equal((await evil.get(url)).status, 200);
});

await step('CSRF: login form post without the cookie is refused', async () => {
  const url = client.buildAuthorizationUrl(webA, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
  const html = await (await new Browser().get(url)).text();
  const req = html.match(/name="req" value="([^"]*)"/)[1];
  const res = await new Browser().postForm(`${A}/login`, { req, csrf: 'guess', username: USER, password: PASSWORD });
  assert.equal(res.status, 403);
});

await step('forged tokens are refused: alg none, HS256 with the public key, wrong aud/iss, expired', async () => {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: ISS, sub: 'x', aud: ISS, scope: 'openid', client_id: 'web', iat: now, exp: now + 300, jti: 'j' };
  const jwks = await (await fetch(`${B}/jwks`)).json();
  const rsa = jwks.keys.find((k) => k.kty === 'RSA');
  const forged = [new jose.UnsecuredJWT(claims).encode()];
  const spki = await jose.exportSPKI(await jose.importJWK(rsa, 'RS256', { extractable: true }));
  forged.push(await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: rsa.kid, typ: 'at+jwt' }).sign(new TextEncoder().encode(spki)));
  const fs = await import('node:fs');
  const key = await jose.importPKCS8(fs.readFileSync(`${process.env.STEER_KEYS}/current-rs256.pem`, 'utf8'), 'RS256');
  const sign = (c, typ = 'at+jwt') => new jose.SignJWT(c).setProtectedHeader({ alg: 'RS256', kid: rsa.kid, typ }).sign(key);
  const good = await sign(claims);
  assert.equal((await client.tokenIntrospection(webB, good)).active, true, 'control: a well-formed token is active');
  forged.push(await sign({ ...claims, iss: 'https://evil.example' }));
  forged.push(await sign({ ...claims, exp: now - 3600 }));
  forged.push(await sign({ ...claims, nbf: now + 3600 }));
  forged.push(await sign(claims, 'JWT'));
  for (const t of forged) assert.equal((await client.tokenIntrospection(webB, t)).active, false, t.slice(0, 40));
  const wrongAud = await sign({ ...claims, aud: 'someone-else' });
  const ui = await fetch(`${B}/userinfo`, { headers: { authorization: `Bearer ${wrongAud}` } });
  assert.equal(ui.status, 401);
});

await step('client_credentials (ES256 and RS256) verify with jose', async () => {
  for (const [id, alg] of [['svc', 'ES256'], ['svc-rs', 'RS256']]) {
    const cfg = await configAt(A, id, process.env.SVC_SECRET, client.ClientSecretBasic(process.env.SVC_SECRET));
    const t = await client.clientCredentialsGrant(cfg, { scope: 'api' });
    const v = await jose.jwtVerify(t.access_token, jwksB, { issuer: ISS, audience: 'urn:steer:api', typ: 'at+jwt', algorithms: [alg] });
    assert.equal(v.payload.scope, 'api');
    await expectOAuthError(client.clientCredentialsGrant(cfg, { scope: 'admin' }), 'invalid_scope', 'scope');
  }
});

await step('id_token_signed_response_alg ES256: openid-client accepts the ES256 ID tokens it registered for', async () => {
  const secret = process.env.WEB_SECRET;
  const es = await configAt(A, 'web-es', { client_secret: secret, id_token_signed_response_alg: 'ES256' }, client.ClientSecretBasic(secret));
  const f = await codeFlow(es, browser, A);
  const t = await client.authorizationCodeGrant(es, f.callback, { pkceCodeVerifier: f.verifier, expectedState: f.state, expectedNonce: f.nonce });
  const id = await jose.jwtVerify(t.id_token, jwksB, { issuer: ISS, audience: 'web-es', algorithms: ['ES256'] });
  assert.equal(id.payload.nonce, f.nonce);
  const esB = await configAt(B, 'web-es', { client_secret: secret, id_token_signed_response_alg: 'ES256' }, client.ClientSecretPost(secret));
  const r = await client.refreshTokenGrant(esB, t.refresh_token);
  assert.equal(jose.decodeProtectedHeader(r.id_token).alg, 'ES256');
  // An application configured for RS256 refuses them: openid-client checks the alg it was given.
  const rs = await configAt(A, 'web-es', { client_secret: secret, id_token_signed_response_alg: 'RS256' }, client.ClientSecretBasic(secret));
  const g = await codeFlow(rs, browser, A);
  await assert.rejects(client.authorizationCodeGrant(rs, g.callback, { pkceCodeVerifier: g.verifier, expectedState: g.state, expectedNonce: g.nonce }),
    (e) => { assert.match(`${e.cause?.message ?? ''} ${e.message}`, /alg/i); return true; });
});

await step('password grant for a first-party client', async () => {
  const cli = await configAt(B, 'cli', process.env.CLI_SECRET, client.ClientSecretBasic(process.env.CLI_SECRET));
  const t = await client.genericGrantRequest(cli, 'password', { username: USER, password: PASSWORD, scope: 'openid' });
  await jose.jwtVerify(t.id_token, jwksB, { issuer: ISS, audience: 'cli' });
  await expectOAuthError(client.genericGrantRequest(webB, 'password', { username: USER, password: PASSWORD }), 'unauthorized_client', 'not enabled');
});

await step('oversized and malformed requests get 413/400/431 and the server lives on', async () => {
  const big = await fetch(`${A}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a='.padEnd(200000, 'x') });
  assert.equal(big.status, 413);
  assert.equal((await formPost(`${A}/token`, { grant_type: 'x' })).status, 401);
  const bad = await fetch(`${A}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=%zz' });
  assert.equal(bad.status, 400);
  const hugeHeader = await fetch(`${A}/healthz`, { headers: { 'x-big': 'y'.repeat(20000) } }).catch((e) => e);
  assert.ok(hugeHeader instanceof Error || hugeHeader.status === 431);
  assert.equal((await fetch(`${A}/healthz/ready`)).status, 200);
});

await step('RP-initiated logout ends the SSO session', async () => {
  const url = client.buildEndSessionUrl(webA, { id_token_hint: tokens.id_token, post_logout_redirect_uri: BYE, state: 'bye-state' });
  const res = await browser.get(url);
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), `${BYE}?state=bye-state`);
  const evil = client.buildEndSessionUrl(webA, { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://evil.example/' });
  assert.equal((await browser.get(evil)).status, 400);
  const again = client.buildAuthorizationUrl(webA, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', prompt: 'none' });
  const r = await browser.get(again);
  assert.equal(new URL(r.headers.get('location')).searchParams.get('error'), 'login_required');
});

// ---- Re-authentication: max_age and prompt (openid-client checks auth_time against max_age).
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// No clock tolerance, so an auth_time older than max_age is refused by the client itself.
const webStrict = await client.discovery(new URL(ISS), 'web',
  { client_secret: process.env.WEB_SECRET, [client.clockTolerance]: 0 },
  client.ClientSecretBasic(process.env.WEB_SECRET), insecure);
const authUrl = (cfg, extra) => client.buildAuthorizationUrl(cfg, {
  redirect_uri: REDIRECT, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', ...extra });
const errorOf = (res) => new URL(res.headers.get('location')).searchParams;

await step('max_age: a session older than max_age shows the form; the new auth_time satisfies openid-client', async () => {
  const b = new Browser();
  await codeFlow(webStrict, b, A);  // session at t0
  await sleep(3000);
  const f = await codeFlow(webStrict, b, A, { max_age: '2' });
  const t = await client.authorizationCodeGrant(webStrict, f.callback, {
    pkceCodeVerifier: f.verifier, expectedState: f.state, expectedNonce: f.nonce, maxAge: 2 });
  assert.ok(Math.floor(Date.now() / 1000) - t.claims().auth_time <= 2, 'auth_time is the new login');
  assert.equal((await b.get(authUrl(webStrict, { max_age: '0' }))).status, 200, 'max_age=0 shows the form');
  assert.equal((await b.get(authUrl(webStrict, { prompt: 'login' }))).status, 200, 'prompt=login shows the form');
  await sleep(2000);
  const none = await b.get(authUrl(webStrict, { prompt: 'none', max_age: '1', state: 'st' }));
  assert.equal(errorOf(none).get('error'), 'login_required');
  assert.equal(errorOf(none).get('state'), 'st');
  for (const bad of ['-1', 'abc', '1.5']) {
    assert.equal(errorOf(await b.get(authUrl(webStrict, { max_age: bad }))).get('error'), 'invalid_request', bad);
  }
});

await step('state: 512 bytes complete the whole login; 513 are refused naming state', async () => {
  const b = new Browser();
  const state = 's'.repeat(512);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(webA, { redirect_uri: REDIRECT, scope: 'openid offline_access', state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const res = await login(b, url, A, USER, PASSWORD);
  assert.equal(res.status, 302, 'login with the longest state');
  const t = await client.authorizationCodeGrant(webA, new URL(res.headers.get('location')), { pkceCodeVerifier: verifier, expectedState: state });
  await client.refreshTokenGrant(webB, t.refresh_token);
  const over = await b.get(authUrl(webA, { state: 's'.repeat(513) }));
  assert.equal(over.status, 302);
  assert.equal(errorOf(over).get('error'), 'invalid_request');
  assert.match(errorOf(over).get('error_description'), /state/);
});

// ---- User lifecycle, applied to both regions' stores in one admin run.
const admin = (...args) => execFileSync(process.env.STEER_AUTHD,
  ['admin', ...process.env.STEER_CONFIGS.split(' ').flatMap((c) => ['--config', c]), ...args],
  { input: 'carol-password-2\n', encoding: 'utf8' });
const cliB = await configAt(B, 'cli', process.env.CLI_SECRET, client.ClientSecretBasic(process.env.CLI_SECRET));
const carolPassword = (pw) => client.genericGrantRequest(cliB, 'password', { username: 'carol', password: pw, scope: 'openid' });

// Everything carol holds: tokens from the form at A, an issued code from SSO at B, a password grant.
async function carolHolds() {
  const b = new Browser();
  const verifier = client.randomPKCECodeVerifier();
  const pkce = { code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
  const url = client.buildAuthorizationUrl(webA, { redirect_uri: REDIRECT, scope: 'openid offline_access', state: 'c', ...pkce });
  const res = await login(b, url, A, 'carol', 'carol-password-1');
  const t = await client.authorizationCodeGrant(webA, new URL(res.headers.get('location')), { pkceCodeVerifier: verifier, expectedState: 'c' });
  const sso = await b.get(client.buildAuthorizationUrl(webB, { redirect_uri: REDIRECT, scope: 'openid', state: 'd', prompt: 'none', ...pkce }));
  const code = new URL(sso.headers.get('location'));
  assert.ok(code.searchParams.get('code'), 'SSO at B issued a code');
  return { b, t, code, verifier, pw: await carolPassword('carol-password-1') };
}

async function expectAllDead(h, what) {
  for (const cfg of [webA, webB]) {
    await expectOAuthError(client.refreshTokenGrant(cfg, h.t.refresh_token), 'invalid_grant', `${what}: refresh`);
    assert.equal((await client.tokenIntrospection(cfg, h.t.access_token)).active, false, `${what}: introspection`);
    assert.equal((await client.tokenIntrospection(cfg, h.pw.access_token)).active, false, `${what}: introspection (password grant)`);
  }
  for (const base of [A, B]) {
    const ui = await fetch(`${base}/userinfo`, { headers: { authorization: `Bearer ${h.t.access_token}` } });
    assert.equal(ui.status, 401, `${what}: userinfo at ${base}`);
  }
  await expectOAuthError(client.refreshTokenGrant(cliB, h.pw.refresh_token), 'invalid_grant', `${what}: password-grant refresh`);
  for (const base of [A, B]) {
    const none = await h.b.get(authUrl(base === A ? webA : webB, { prompt: 'none', state: 'n' }));
    assert.equal(errorOf(none).get('error'), 'login_required', `${what}: SSO cookie at ${base}`);
  }
  await expectOAuthError(client.authorizationCodeGrant(webB, h.code, { pkceCodeVerifier: h.verifier, expectedState: 'd' }), 'invalid_grant', `${what}: issued code`);
}

let carol;
await step('disable ends every session, code and token of carol in both regions; she cannot log in', async () => {
  carol = await carolHolds();
  admin('user', 'disable', 'carol');
  await expectAllDead(carol, 'disabled');
  await expectOAuthError(carolPassword('carol-password-1'), 'invalid_grant', 'password grant while disabled');
  // Documented: a resource server verifying the JWT locally accepts it until it expires.
  await jose.jwtVerify(carol.t.access_token, jwksB, { issuer: ISS, typ: 'at+jwt' });
});

await step('enable lets carol log in again; the old sessions stay dead', async () => {
  admin('user', 'enable', 'carol');
  await expectAllDead(carol, 'enabled');
  const fresh = await carolPassword('carol-password-1');
  await client.refreshTokenGrant(cliB, fresh.refresh_token);
});

await step('remove + re-add: a new subject, and the old tokens and cookie do not act as the new carol', async () => {
  carol = await carolHolds();
  const oldSub = carol.t.claims().sub;
  admin('user', 'remove', 'carol');
  await expectAllDead(carol, 'removed');
  const added = admin('user', 'add', 'carol');
  const sub = added.match(/sub=(\S+)/)[1];
  assert.notEqual(sub, oldSub);
  await expectAllDead(carol, 're-added');
  const fresh = await carolPassword('carol-password-2');
  assert.equal(fresh.claims().sub, sub);
  assert.throws(() => admin('user', 'add', 'dave', '--subject', oldSub), /is or was used/);
});

async function codeTokens(cfg, base) {
  const f = await codeFlow(cfg, browser, base);
  return client.authorizationCodeGrant(cfg, f.callback, { pkceCodeVerifier: f.verifier, expectedState: f.state, expectedNonce: f.nonce });
}

if (process.env.STEER_SHARED_STORE === '1') {
  await step('shared store: a token revoked at A is inactive at B', async () => {
    const t = await codeTokens(webA, A);
    assert.equal((await client.tokenIntrospection(webB, t.access_token)).active, true);
    await client.tokenRevocation(webA, t.access_token);
    assert.equal((await client.tokenIntrospection(webB, t.access_token)).active, false);
    await client.tokenRevocation(webA, t.refresh_token);
    await expectOAuthError(client.refreshTokenGrant(webB, t.refresh_token), 'invalid_grant', 'refresh token revoked at A, used at B');
  });

  await step('shared store: a code redeemed at A is refused at B, and A\'s tokens of it die', async () => {
    const f = await codeFlow(webA, browser, A);
    const checks = { pkceCodeVerifier: f.verifier, expectedState: f.state, expectedNonce: f.nonce };
    const t = await client.authorizationCodeGrant(webA, f.callback, checks);
    await expectOAuthError(client.authorizationCodeGrant(webB, f.callback, checks), 'invalid_grant', 'code replayed at B');
    assert.equal((await client.tokenIntrospection(webA, t.access_token)).active, false);
  });

  await step('shared store: a refresh token rotated at A and replayed at B revokes the family', async () => {
    const t = await codeTokens(webA, A);
    const r2 = await client.refreshTokenGrant(webA, t.refresh_token);
    await expectOAuthError(client.refreshTokenGrant(webB, t.refresh_token), 'invalid_grant', 'stale token replayed at B');
    await expectOAuthError(client.refreshTokenGrant(webA, r2.refresh_token), 'invalid_grant', 'family member at A after the replay at B');
    assert.equal((await client.tokenIntrospection(webB, r2.access_token)).active, false);
  });

  // Last but one: it blocks 127.0.0.1 too (the per-IP key counts every user's failures).
  await step('shared store: 5 failures at A and 5 at B block the account in both regions', async () => {
    const auth = client.ClientSecretBasic(process.env.CLI_SECRET);
    const cli = [await configAt(A, 'cli', process.env.CLI_SECRET, auth), await configAt(B, 'cli', process.env.CLI_SECRET, auth)];
    for (let i = 0; i < 10; i++) {
      await expectOAuthError(client.genericGrantRequest(cli[i % 2], 'password', { username: 'erin', password: `guess-${i}` }), 'invalid_grant', `guess ${i}`);
    }
    for (const c of cli) {
      try {
        await client.genericGrantRequest(c, 'password', { username: 'erin', password: 'erin-password-1' });
        assert.fail('blocked account logged in');
      } catch (e) {
        assert.match(e.error_description ?? e.cause?.error_description ?? '', /temporarily blocked/);
      }
    }
  });
}

await step('brute force: 10 failures block the account (at B), even for the right password', async () => {
  const cli = await configAt(B, 'cli', process.env.CLI_SECRET, client.ClientSecretBasic(process.env.CLI_SECRET));
  for (let i = 0; i < 10; i++) {
    await expectOAuthError(client.genericGrantRequest(cli, 'password', { username: 'mallory', password: `guess-${i}` }), 'invalid_grant', `guess ${i}`);
  }
  try {
    await client.genericGrantRequest(cli, 'password', { username: 'mallory', password: 'mallory-password-1' });
    assert.fail('blocked account logged in');
  } catch (e) {
    assert.match(e.error_description ?? e.cause?.error_description ?? '', /temporarily blocked/);
  }
});

console.log(failures === 0 ? 'all steps passed' : `${failures} step(s) failed`);
process.exit(failures === 0 ? 0 : 1);
