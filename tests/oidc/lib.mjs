// Helpers for driving steer-authd like a browser would: a cookie jar, manual redirects and
// the server-rendered login form. No framework, so failures point at the exact step.
import assert from 'node:assert/strict';

export class Browser {
  constructor() { this.jar = new Map(); }
  cookieHeader() { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  absorb(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim(), value = pair.slice(i + 1);
      if (attrs.some((a) => a.trim().toLowerCase() === 'max-age=0')) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
  async get(url) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: this.cookieHeader() } });
    this.absorb(res);
    return res;
  }
  async postForm(url, fields) {
    const res = await fetch(url, {
      method: 'POST', redirect: 'manual', body: new URLSearchParams(fields),
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.absorb(res);
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
