/**
 * Clientele-issued access/refresh JWTs: Ed25519 ("EdDSA") only.
 *
 * The algorithm is pinned at verification and keys are pre-imported as
 * Ed25519 keys, so "alg":"none" and HS256-with-the-public-key confusion
 * tokens can never verify. Keys are looked up by the header kid, which lets
 * several signing keys coexist during rotation.
 */
import { createHmac, createPrivateKey, sign } from 'node:crypto';
import { decodeProtectedHeader, exportJWK, exportPKCS8, generateKeyPair, importJWK, jwtVerify } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { encodeBase62, randomBytes } from './random.js';

const ALG = 'EdDSA';

/** A signing key as stored: PEM private key plus the public JWK published in JWKS. */
export interface SigningKeyMaterial {
  kid: string;
  privatePkcs8: string;
  publicJwk: JWK;
}

/** Application claims; registered claims (iss, iat, exp, jti) are added by the signer. */
export interface TokenClaims {
  sub: string;
  acc: string;
  client_uid?: string;
  typ: 'access' | 'refresh';
  scope?: string;
  /** On tokens minted from an API key: the binding of the key secret used (see keySecretBinding). */
  key_fp?: string;
}

/** Claims returned by a successful verification. */
export type VerifiedClaims = TokenClaims & { iat: number; exp: number; jti: string; iss: string };

/**
 * Binds a token to the exact API-key secret it was minted from: HMAC-SHA-256 under the
 * server pepper of the secret's stored hash, domain-separated, 128 bits in base64url. A
 * reset replaces the hash, so the binding of every token minted from the old secret stops
 * matching (at once, or when the grace period of the previous secret ends) — exactly,
 * whatever the second. Without the pepper it reveals nothing about the hash or the secret.
 */
export function keySecretBinding(pepper: Buffer, secretHash: Buffer): string {
  return createHmac('sha256', pepper).update('clientele/jwt-key-binding/v1\0').update(secretHash).digest().subarray(0, 16).toString('base64url');
}

/** Generates an Ed25519 key with a random 16-char base62 kid (88 bits). */
export async function generateSigningKey(): Promise<SigningKeyMaterial> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const kid = encodeBase62(randomBytes(11), 16);
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  return { kid, privatePkcs8: await exportPKCS8(privateKey), publicJwk };
}

/**
 * Imports the private key once and returns a signing function. Only known
 * claim fields are copied, so a caller can't smuggle in exp/iss overrides.
 * The JWS compact form is assembled here and signed with node:crypto's one-shot
 * Ed25519 `sign` (synchronous, no WebCrypto round trip): about twice as fast as
 * going through jose, which a token grant pays on every call. Tokens are
 * verified with jose (createTokenVerifier); the tests check one against the other.
 */
export async function createTokenSigner(key: SigningKeyMaterial, issuer: string): Promise<(claims: TokenClaims, ttlSeconds: number) => Promise<{ token: string; jti: string; expiresAt: Date }>> {
  const privateKey = createPrivateKey(key.privatePkcs8);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('expected an Ed25519 private key');
  const header = Buffer.from(JSON.stringify({ alg: ALG, kid: key.kid, typ: 'JWT' })).toString('base64url');
  return async (claims, ttlSeconds) => {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be a positive integer');
    const payload: JWTPayload = { sub: claims.sub, acc: claims.acc, typ: claims.typ };
    if (claims.client_uid !== undefined) payload.client_uid = claims.client_uid;
    if (claims.scope !== undefined) payload.scope = claims.scope;
    if (claims.key_fp !== undefined) payload.key_fp = claims.key_fp;
    const jti = encodeBase62(randomBytes(16), 22);
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + ttlSeconds;
    Object.assign(payload, { iss: issuer, iat, exp, jti });
    const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const token = `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
    return { token, jti, expiresAt: new Date(exp * 1000) };
  };
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * Pre-imports the public keys (by kid) and returns a verifier that resolves
 * to the claims, or null for any invalid token (bad signature, expired,
 * wrong issuer, unknown kid, other algorithm, missing/ill-typed claims).
 */
export async function createTokenVerifier(publicJwks: JWK[], issuer: string): Promise<(token: string) => Promise<VerifiedClaims | null>> {
  const keys = new Map<string, CryptoKey>();
  for (const jwk of publicJwks) {
    if (!jwk.kid) throw new TypeError('public JWK without kid');
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || jwk.d !== undefined) throw new TypeError('expected Ed25519 public JWK');
    keys.set(jwk.kid, (await importJWK({ ...jwk, alg: ALG }, ALG)) as CryptoKey);
  }
  return async (token) => {
    try {
      if (typeof token !== 'string') return null;
      const header = decodeProtectedHeader(token);
      const key = header.alg === ALG && typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
      if (!key) return null;
      const { payload: p } = await jwtVerify(token, key, {
        algorithms: [ALG],
        issuer,
        typ: 'JWT',
        requiredClaims: ['sub', 'acc', 'typ', 'jti', 'iat', 'exp'],
      });
      if (!isStr(p.sub) || !isStr(p.acc) || !isStr(p.jti) || !isStr(p.iss)) return null;
      if (p.typ !== 'access' && p.typ !== 'refresh') return null;
      if (typeof p.iat !== 'number' || typeof p.exp !== 'number') return null;
      if (p.client_uid !== undefined && typeof p.client_uid !== 'string') return null;
      if (p.scope !== undefined && typeof p.scope !== 'string') return null;
      if (p.key_fp !== undefined && !isStr(p.key_fp)) return null;
      const out: VerifiedClaims = { sub: p.sub, acc: p.acc, typ: p.typ, jti: p.jti, iss: p.iss, iat: p.iat, exp: p.exp };
      if (p.client_uid !== undefined) out.client_uid = p.client_uid;
      if (p.scope !== undefined) out.scope = p.scope;
      if (p.key_fp !== undefined) out.key_fp = p.key_fp;
      return out;
    } catch {
      return null;
    }
  };
}
