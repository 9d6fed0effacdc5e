// The benchmark peer: npm oidc-provider set up like steer-authd for the same requests.
// client_credentials with a resource indicator so access tokens are JWTs (RS256 or ES256, chosen
// by the resource), plus an opaque-token resource because oidc-provider refuses to introspect
// JWT access tokens ("Structured JWT Tokens cannot be introspected", reject_structured_tokens.js).
//
// Runs on every core: Node's cluster module, one worker per core (WORKERS overrides), the way
// oidc-provider's docs say to scale it. Its default in-memory adapter is per process, so the
// workers share one adapter instead: each keeps an in-memory copy and every write is relayed
// through the primary to the others (finds stay in-process, as cheap as the default adapter's).
// The signing keys are made once in the primary and handed to the workers.
// Usage: NODE_ENV=production node peer.mjs PORT
import cluster from 'node:cluster';
import { generateKeyPairSync } from 'node:crypto';
import { availableParallelism } from 'node:os';

const port = Number(process.argv[2] ?? 3999);
const workers = Number(process.env.WORKERS ?? availableParallelism());

if (cluster.isPrimary) {
  const jwk = (type, opts, alg) => ({
    ...generateKeyPairSync(type, opts).privateKey.export({ format: 'jwk' }), alg, use: 'sig',
  });
  const keys = [jwk('rsa', { modulusLength: 2048 }, 'RS256'), jwk('ec', { namedCurve: 'P-256' }, 'ES256')];
  let listening = 0;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === workers) console.log(`ready: ${workers} workers`);
  });
  for (let i = 0; i < workers; i += 1) {
    cluster.fork({ PEER_KEYS: JSON.stringify(keys) }).on('message', (msg) => {
      for (const w of Object.values(cluster.workers)) if (w.process.pid !== msg.from) w.send(msg);
    });
  }
} else {
  await worker();
}

async function worker() {
  const store = new Map();  // key -> { payload, expiresAt } (ms)
  const key = (model, id) => `${model}:${id}`;
  const put = (k, payload, expiresIn) => {
    store.set(k, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
  };
  process.on('message', (m) => (m.op === 'put' ? put(m.k, m.payload, m.expiresIn) : store.delete(m.k)));
  const relay = (m) => process.send({ ...m, from: process.pid });
  const { default: Provider } = await import('oidc-provider');  // after the handler: no write lost
  class SharedAdapter {
    constructor(model) { this.model = model; }
    async upsert(id, payload, expiresIn) {
      put(key(this.model, id), payload, expiresIn);
      relay({ op: 'put', k: key(this.model, id), payload, expiresIn });
    }
    async find(id) {
      const e = store.get(key(this.model, id));
      if (!e) return undefined;
      if (e.expiresAt <= Date.now()) { store.delete(key(this.model, id)); return undefined; }
      return e.payload;
    }
    async findByUserCode() { return undefined; }
    async findByUid() { return undefined; }
    async consume(id) {
      const e = store.get(key(this.model, id));
      if (e) await this.upsert(id, { ...e.payload, consumed: Math.floor(Date.now() / 1000) });
    }
    async destroy(id) {
      store.delete(key(this.model, id));
      relay({ op: 'del', k: key(this.model, id) });
    }
    async revokeByGrantId() {}
  }
  const resources = {
    'urn:bench:rs': { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
    'urn:bench:es': { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } },
    'urn:bench:opaque': { accessTokenFormat: 'opaque' },
  };
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    adapter: SharedAdapter,
    jwks: { keys: JSON.parse(process.env.PEER_KEYS) },
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
}
