/**
 * JWT signing keys shared by every instance: stored in the database, private halves
 * sealed by the master key. The newest unretired key signs; every published key verifies,
 * so a rotated key keeps verifying until the last token it signed has expired. An instance
 * that meets an unknown `kid` (another instance rotated) reloads the set.
 */
import type { JWK } from 'jose';
import { open, seal, type Keyring } from '../crypto/envelope.js';
import { createTokenSigner, createTokenVerifier, generateSigningKey, type TokenClaims, type VerifiedClaims } from '../crypto/jwt.js';
import type { Store } from './ports.js';

export interface TokenService {
  sign(claims: TokenClaims, ttlSeconds: number): Promise<{ token: string; jti: string; expiresAt: Date }>;
  /** Verified claims, or null for any invalid token. */
  verify(token: string): Promise<VerifiedClaims | null>;
  /** The public keys (JWKS `keys`). */
  publicKeys(): JWK[];
  /** Retires the signing key (kept published for `publishForSeconds`) and starts a new one. */
  rotate(publishForSeconds: number): Promise<void>;
}

/** What a sealed signing key is bound to. */
export const signingKeyAad = (kid: string) => `signing-key:${kid}`;
const RELOAD_INTERVAL_MS = 2000;

export async function createTokenService(opts: { store: Store; keyring: Keyring; issuer: string; now: () => Date }): Promise<TokenService> {
  const { store, keyring, issuer, now } = opts;
  let signer!: Awaited<ReturnType<typeof createTokenSigner>>;
  let verifier!: Awaited<ReturnType<typeof createTokenVerifier>>;
  let jwks: JWK[] = [];
  let kids = new Set<string>();
  let signingKid = '';
  let lastReload = 0;

  async function insertNewKey(): Promise<void> {
    const material = await generateSigningKey();
    await store.signingKeys.insert({
      kid: material.kid,
      algorithm: 'EdDSA',
      publicJwk: material.publicJwk as Record<string, unknown>,
      privateKey: seal(keyring, Buffer.from(material.privatePkcs8, 'utf8'), signingKeyAad(material.kid)),
      createdAt: now(),
      retiredAt: null,
      publishUntil: null,
    });
  }

  async function load(): Promise<void> {
    let keys = await store.signingKeys.listPublished(now());
    if (!keys.some((k) => k.retiredAt === null)) {
      await insertNewKey();
      keys = await store.signingKeys.listPublished(now());
    }
    const active = keys.find((k) => k.retiredAt === null)!;
    if (active.kid !== signingKid) {
      const pkcs8 = open(keyring, active.privateKey, signingKeyAad(active.kid)).toString('utf8');
      signer = await createTokenSigner({ kid: active.kid, privatePkcs8: pkcs8, publicJwk: active.publicJwk as JWK }, issuer);
      signingKid = active.kid;
    }
    jwks = keys.map((k) => k.publicJwk as JWK);
    kids = new Set(keys.map((k) => k.kid));
    verifier = await createTokenVerifier(jwks, issuer);
    lastReload = Date.now();
  }

  await load();

  return {
    sign: (claims, ttl) => signer(claims, ttl),
    async verify(token) {
      const kid = kidOf(token);
      if (kid && !kids.has(kid) && Date.now() - lastReload > RELOAD_INTERVAL_MS) await load();
      return verifier(token);
    },
    publicKeys: () => jwks,
    async rotate(publishForSeconds) {
      const at = now();
      await store.signingKeys.retire(signingKid, at, new Date(at.getTime() + publishForSeconds * 1000));
      await insertNewKey();
      await load();
    },
  };
}

function kidOf(token: string): string | undefined {
  const head = token.split('.', 1)[0];
  if (!head) return undefined;
  try {
    const h = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof h.kid === 'string' ? h.kid : undefined;
  } catch {
    return undefined;
  }
}
