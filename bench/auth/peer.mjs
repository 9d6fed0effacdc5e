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
// PEER_REDIS=redis://HOST:PORT: the adapter is Redis instead (ioredis), the store oidc-provider's
// own example adapter uses and its answer to its warning that the in-memory adapter is
// development-only and cannot be shared between processes. Every worker reads and writes Redis.
// PEER_REFRESH=N: the first worker also mints N refresh tokens for client `cli` (as a code flow
// with offline_access would have: a grant, then the token, saved through the adapter, so every
// worker knows them) and prints each as "refresh TOKEN" before "ready". Rotation is on.
// ID_TOKEN_ALG: `cli`'s id_token_signed_response_alg (RS256, the OIDC default, or ES256).
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
  let listening = 0, minted = Number(process.env.PEER_REFRESH ?? 0) === 0;
  let said = false;
  const ready = () => {
    if (listening === workers && minted && !said) console.log(`ready: ${workers} workers`);
    said = said || (listening === workers && minted);
  };
  cluster.on('listening', () => { listening += 1; ready(); });
  for (let i = 0; i < workers; i += 1) {
    cluster.fork({ PEER_KEYS: JSON.stringify(keys), PEER_MINT: i === 0 ? '1' : '0' }).on('message', (msg) => {
      if (msg.op === 'minted') { minted = true; setTimeout(ready, 500); return; }  // relayed by then
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
  const adapter = process.env.PEER_REDIS
    ? await redisAdapter(process.env.PEER_REDIS) : SharedAdapter;
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    adapter,
    jwks: { keys: JSON.parse(process.env.PEER_KEYS) },
    clients: [{
      client_id: 'svc', client_secret: 'svc-secret-0123456789abcdef0123456789',
      grant_types: ['client_credentials'], redirect_uris: [], response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    }, {
      client_id: 'cli', client_secret: 'svc-secret-0123456789abcdef0123456789',
      grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['http://127.0.0.1/cb'],
      response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: process.env.ID_TOKEN_ALG ?? 'RS256',
    }],
    rotateRefreshToken: true,
    ttl: { RefreshToken: 86400, Grant: 86400, AccessToken: 3600, IdToken: 3600 },
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
  if (process.env.PEER_MINT === '1') await mint(provider, Number(process.env.PEER_REFRESH ?? 0));
}

async function mint(provider, n) {
  if (n === 0) return;
  const client = await provider.Client.find('cli');
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < n; i += 1) {
    const grant = new provider.Grant({ accountId: 'bench', clientId: 'cli' });
    grant.addOIDCScope('openid offline_access');
    grant.addResourceScope('urn:bench:es', 'api');  // JWT (ES256) access tokens, as steer-authd's
    const grantId = await grant.save();
    const token = new provider.RefreshToken({
      client, accountId: 'bench', grantId, scope: 'openid offline_access', gty: 'authorization_code',
      authTime: now, iiat: now, rotations: 0, expiresWithSession: false, resource: 'urn:bench:es',
    });
    console.log(`refresh ${await token.save()}`);
  }
  process.send({ op: 'minted', from: process.pid });
}

// The adapter contract of oidc-provider (find, upsert, consume, destroy, revokeByGrantId, ...)
// on Redis. Tokens that can be consumed (codes, refresh tokens) are hashes so that consume() sets
// one field; a grant's list of token keys lets revokeByGrantId() delete them all.
async function redisAdapter(url) {
  const { default: Redis } = await import('ioredis');
  const client = new Redis(url, { keyPrefix: 'oidc:' });
  const consumable = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode',
    'BackchannelAuthenticationRequest']);
  const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
    'BackchannelAuthenticationRequest']);
  return class RedisAdapter {
    constructor(model) { this.model = model; }
    key(id) { return `${this.model}:${id}`; }
    async upsert(id, payload, expiresIn) {
      const k = this.key(id);
      const multi = client.multi();
      if (consumable.has(this.model)) multi.hset(k, { payload: JSON.stringify(payload) });
      else multi.set(k, JSON.stringify(payload));
      if (expiresIn) multi.expire(k, expiresIn);
      if (grantable.has(this.model) && payload.grantId) {
        const g = `grant:${payload.grantId}`;
        multi.rpush(g, k);
        if (expiresIn) multi.expire(g, expiresIn, 'NX').expire(g, expiresIn, 'GT');  // only longer
      }
      for (const [index, value] of [['userCode', payload.userCode], ['uid', payload.uid]]) {
        if (!value) continue;
        if (expiresIn) multi.set(`${index}:${value}`, id, 'EX', expiresIn);
        else multi.set(`${index}:${value}`, id);
      }
      await multi.exec();
    }
    async find(id) {
      if (consumable.has(this.model)) {
        const h = await client.hgetall(this.key(id));
        if (!h || !h.payload) return undefined;
        const { payload, consumed } = h;
        return { ...JSON.parse(payload), ...(consumed ? { consumed: Number(consumed) } : {}) };
      }
      const v = await client.get(this.key(id));
      return v ? JSON.parse(v) : undefined;
    }
    async findByUid(uid) {
      const id = await client.get(`uid:${uid}`);
      return id ? this.find(id) : undefined;
    }
    async findByUserCode(code) {
      const id = await client.get(`userCode:${code}`);
      return id ? this.find(id) : undefined;
    }
    async consume(id) { await client.hset(this.key(id), 'consumed', Math.floor(Date.now() / 1000)); }
    async destroy(id) { await client.del(this.key(id)); }
    async revokeByGrantId(grantId) {
      const g = `grant:${grantId}`;
      const keys = await client.lrange(g, 0, -1);  // unprefixed, as del() wants them
      const multi = client.multi();
      for (const k of keys) multi.del(k);
      multi.del(g);
      await multi.exec();
    }
  };
}
