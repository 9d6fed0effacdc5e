// The benchmark peer: npm oidc-provider set up like steer-authd for the same requests.
// In-memory adapter (the library's default), client_credentials with a resource indicator so
// access tokens are JWTs (RS256 or ES256, chosen by the resource), plus an opaque-token
// resource because oidc-provider refuses to introspect JWT access tokens.
// Usage: NODE_ENV=production node peer.mjs PORT
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 3999);
const jwk = (type, opts, alg) => ({
  ...generateKeyPairSync(type, opts).privateKey.export({ format: 'jwk' }), alg, use: 'sig',
});
const keys = [jwk('rsa', { modulusLength: 2048 }, 'RS256'), jwk('ec', { namedCurve: 'P-256' }, 'ES256')];
const resources = {
  'urn:bench:rs': { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
  'urn:bench:es': { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } },
  'urn:bench:opaque': { accessTokenFormat: 'opaque' },
};
const provider = new Provider(`http://127.0.0.1:${port}`, {
  jwks: { keys },
  clients: [{
    client_id: 'svc', client_secret: 'svc-secret-0123456789abcdef0123456789',
    grant_types: ['client_credentials'], redirect_uris: [], response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => 'urn:bench:es',
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, indicator) => {
        if (!resources[indicator]) throw new Error('unknown resource');
        return { scope: 'api', audience: indicator, accessTokenTTL: 3600, ...resources[indicator] };
      },
    },
  },
});
provider.listen(port, '127.0.0.1');
