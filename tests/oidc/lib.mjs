// Helpers for driving steer-authd like a browser would: a cookie jar, manual redirects and
// the server-rendered login form. No framework, so failures point at the exact step.
import assert from 'node:assert/strict';

// A cookie jar that honours Path (RFC 6265 5.1.4), as a browser does: a tenant's cookies
// (Path=/t/<name>/) are only sent below that path. Domain and port are ignored (browsers
// ignore the port too), so the session cookie of region A is sent to region B.
export class CookieJar {
  constructor() { this.cookies = []; }  // {name, value, path}
  static pathMatches(cookiePath, reqPath) {
    return reqPath === cookiePath ||
      (reqPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || reqPath[cookiePath.length] === '/'));
  }
  set(name, value, path = '/') {
    this.delete(name, path);
    this.cookies.push({ name, value, path });
  }
  delete(name, path) { this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path)); }
  // Any cookie called `name` (with `path`: only the one set for that path).
  get(name, path) { return this.cookies.find((c) => c.name === name && (path === undefined || c.path === path))?.value; }
  has(name, path) { return this.get(name, path) !== undefined; }
  header(url) {
    const reqPath = new URL(url).pathname;
    return this.cookies.filter((c) => CookieJar.pathMatches(c.path, reqPath))
      .sort((a, b) => b.path.length - a.path.length).map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

export class Browser {
  constructor() { this.jar = new CookieJar(); }
  cookieHeader(url) { return this.jar.header(url); }
  absorb(res, url) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim(), value = pair.slice(i + 1);
      const pathAttr = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='));
      let path = pathAttr ? pathAttr.slice(5) : '';
      if (!path.startsWith('/')) {  // default-path: the request path up to its last '/'
        const p = new URL(url).pathname;
        path = p.lastIndexOf('/') > 0 ? p.slice(0, p.lastIndexOf('/')) : '/';
      }
      if (attrs.some((a) => a.trim().toLowerCase() === 'max-age=0')) this.jar.delete(name, path);
      else this.jar.set(name, value, path);
    }
  }
  async get(url) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: this.cookieHeader(url) } });
    this.absorb(res, url);
    return res;
  }
  async postForm(url, fields) {
    const res = await fetch(url, {
      method: 'POST', redirect: 'manual', body: new URLSearchParams(fields),
      headers: { cookie: this.cookieHeader(url), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.absorb(res, url);
    return res;
  }
}

export function hiddenField(html, name) {
  const m = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
  assert.ok(m, `login page has no ${name} field`);
  return m[1].replaceAll('&amp;', '&');
}

// Opens the authorization URL, fills the login form, returns the callback URL.
export async function login(browser, authUrl, issuer, username, password) {
  const page = await browser.get(authUrl);
  assert.equal(page.status, 200, 'login page');
  const csp = page.headers.get('content-security-policy');
  assert.match(csp, /frame-ancestors 'none'/);
  const html = await page.text();
  const res = await browser.postForm(`${issuer}/login`, {
    req: hiddenField(html, 'req'), csrf: hiddenField(html, 'csrf'), username, password,
  });
  return res;
}

export async function expectOAuthError(promise, code, what) {
  try {
    await promise;
  } catch (e) {
    const got = e.error ?? e.cause?.error ?? e.code;
    assert.equal(got, code, `${what}: expected ${code}, got ${got} (${e.message})`);
    return;
  }
  assert.fail(`${what}: expected ${code}, but it succeeded`);
}

export async function formPost(url, fields, basic) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(fields) });
  return { status: res.status, body: await res.json().catch(() => null) };
}
