// The documented single-page application: a public client that signs in with the
// authorization code flow + PKCE (S256) and calls /token and /userinfo from its own origin
// with fetch, which steer-authd allows through CORS for the client's registered web origin.
// No library, no build step: plain browser APIs.
const status = (text) => { document.getElementById('status').textContent = text; };
const show = (value) => {
  document.getElementById('result').textContent = JSON.stringify(value, null, 2);
};
const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_')
    .replace(/=+$/, '');
const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
const sha256 = async (text) => b64url(await crypto.subtle.digest('SHA-256',
                                                                new TextEncoder().encode(text)));
const claims = (jwt) => JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));

async function signIn(config, discovery) {
  const verifier = random(), state = random(), nonce = random();
  sessionStorage.setItem('login', JSON.stringify({ verifier, state, nonce }));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: config.client_id, redirect_uri: config.redirect_uri,
    scope: 'openid profile email', state, nonce,
    code_challenge: await sha256(verifier), code_challenge_method: 'S256',
  });
  status('redirecting to ' + url.origin);
  location.assign(url.href);
}

async function finish(config, discovery, params) {
  const login = JSON.parse(sessionStorage.getItem('login') || '{}');
  sessionStorage.removeItem('login');
  if (params.get('state') !== login.state) throw new Error('state mismatch');
  if (params.get('iss') !== config.issuer) throw new Error('iss mismatch');
  if (params.get('error')) throw new Error('authorization error ' + params.get('error'));
  const tokenResponse = await fetch(discovery.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: params.get('code'),
      redirect_uri: config.redirect_uri, client_id: config.client_id,
      code_verifier: login.verifier,
    }),
  });
  const tokens = await tokenResponse.json();
  if (!tokenResponse.ok) throw new Error('token endpoint: ' + JSON.stringify(tokens));
  const id = claims(tokens.id_token);
  if (id.nonce !== login.nonce || id.aud !== config.client_id || id.iss !== config.issuer) {
    throw new Error('ID token does not match the request');
  }
  const userinfoResponse = await fetch(discovery.userinfo_endpoint, {
    headers: { authorization: 'Bearer ' + tokens.access_token },
  });
  const userinfo = await userinfoResponse.json();
  if (!userinfoResponse.ok) throw new Error('userinfo: ' + JSON.stringify(userinfo));
  // The refresh token (kept in memory only) is rotated on use: one refresh, cross-origin too.
  const refreshResponse = await fetch(discovery.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token,
                                client_id: config.client_id }),
  });
  const refreshed = await refreshResponse.json();
  if (!refreshResponse.ok) throw new Error('refresh: ' + JSON.stringify(refreshed));
  history.replaceState(null, '', config.redirect_uri);  // the code leaves the address bar
  return { id_token_sub: id.sub, userinfo, access_token: refreshed.access_token,
           rotated: refreshed.refresh_token !== tokens.refresh_token };
}

async function main() {
  const config = await (await fetch('/config.json')).json();
  const discovery = await (await fetch(config.issuer + '/.well-known/openid-configuration')).json();
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return signIn(config, discovery);
  const result = await finish(config, discovery, params);
  show(result);
  status('signed in');
}

main().catch((e) => { show({ error: String(e) }); status('failed'); });
