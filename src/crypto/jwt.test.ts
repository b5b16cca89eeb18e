import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SignJWT, base64url, importPKCS8 } from 'jose';
import { createTokenSigner, createTokenVerifier, generateSigningKey } from './jwt.js';
import type { SigningKeyMaterial, TokenClaims } from './jwt.js';

const ISS = 'https://clientele.test';
const claims: TokenClaims = { sub: 'user-1', acc: 'acct-1', typ: 'access', client_uid: 'c-1', scope: 'read write' };

const key = await generateSigningKey();
const sign = await createTokenSigner(key, ISS);
const verify = await createTokenVerifier([key.publicJwk], ISS);

/** Signs an arbitrary payload with `k` (bypassing the signer's guard rails). */
async function rawSign(k: SigningKeyMaterial, payload: Record<string, unknown>, kid = k.kid): Promise<string> {
  const pk = await importPKCS8(k.privatePkcs8, 'EdDSA');
  return new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' }).sign(pk);
}
const now = () => Math.floor(Date.now() / 1000);
const b64json = (o: unknown) => base64url.encode(JSON.stringify(o));

test('generateSigningKey produces an Ed25519 key with kid/alg/use on the JWK', () => {
  assert.match(key.kid, /^[0-9A-Za-z]{16}$/);
  assert.equal(key.publicJwk.kid, key.kid);
  assert.equal(key.publicJwk.alg, 'EdDSA');
  assert.equal(key.publicJwk.use, 'sig');
  assert.equal(key.publicJwk.kty, 'OKP');
  assert.equal(key.publicJwk.crv, 'Ed25519');
  assert.equal(key.publicJwk.d, undefined, 'no private part in the public JWK');
  assert.match(key.privatePkcs8, /^-----BEGIN PRIVATE KEY-----/);
});

test('sign/verify round trip', async () => {
  const { token, jti, expiresAt } = await sign(claims, 600);
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
  assert.deepEqual(header, { alg: 'EdDSA', kid: key.kid, typ: 'JWT' });
  const v = await verify(token);
  assert.ok(v);
  assert.equal(v.sub, 'user-1');
  assert.equal(v.acc, 'acct-1');
  assert.equal(v.typ, 'access');
  assert.equal(v.client_uid, 'c-1');
  assert.equal(v.scope, 'read write');
  assert.equal(v.iss, ISS);
  assert.equal(v.jti, jti);
  assert.equal(v.exp, expiresAt.getTime() / 1000);
  assert.equal(v.exp - v.iat, 600);
  assert.notEqual((await sign(claims, 600)).jti, jti);
  const minimal = await verify((await sign({ sub: 's', acc: 'a', typ: 'refresh' }, 60)).token);
  assert.ok(minimal && minimal.typ === 'refresh' && !('scope' in minimal) && !('client_uid' in minimal));
});

test('signer rejects non-positive ttl', async () => {
  await assert.rejects(sign(claims, 0), RangeError);
  await assert.rejects(sign(claims, -5), RangeError);
});

test('expired token is rejected', async () => {
  const t = await rawSign(key, { ...claims, iss: ISS, jti: 'j', iat: now() - 120, exp: now() - 60 });
  assert.equal(await verify(t), null);
});

test('wrong issuer is rejected', async () => {
  const other = await createTokenSigner(key, 'https://evil.test');
  assert.equal(await verify((await other(claims, 60)).token), null);
});

test('token signed by another key with the same kid is rejected', async () => {
  const attacker = await generateSigningKey();
  const forged = await createTokenSigner({ ...attacker, kid: key.kid }, ISS);
  assert.equal(await verify((await forged(claims, 60)).token), null);
});

test('unknown kid is rejected, known kid among several accepted', async () => {
  const second = await generateSigningKey();
  const sign2 = await createTokenSigner(second, ISS);
  const t2 = (await sign2(claims, 60)).token;
  assert.equal(await verify(t2), null);
  const both = await createTokenVerifier([key.publicJwk, second.publicJwk], ISS);
  assert.ok(await both(t2));
  assert.ok(await both((await sign(claims, 60)).token));
});

test('alg confusion: HS256 signed with the public key bytes, and alg none, are rejected', async () => {
  const payload = b64json({ ...claims, iss: ISS, jti: 'j', iat: now(), exp: now() + 600 });
  const pubBytes = Buffer.from(key.publicJwk.x!, 'base64url');
  for (const secret of [pubBytes, Buffer.from(JSON.stringify(key.publicJwk))]) {
    const head = b64json({ alg: 'HS256', kid: key.kid, typ: 'JWT' });
    const sig = createHmac('sha256', secret).update(`${head}.${payload}`).digest('base64url');
    assert.equal(await verify(`${head}.${payload}.${sig}`), null);
  }
  const none = b64json({ alg: 'none', kid: key.kid, typ: 'JWT' });
  assert.equal(await verify(`${none}.${payload}.`), null);
  // EdDSA header but signature stripped.
  const valid = (await sign(claims, 60)).token;
  assert.equal(await verify(valid.slice(0, valid.lastIndexOf('.') + 1)), null);
});

test('missing or ill-typed required claims are rejected', async () => {
  const base = { ...claims, iss: ISS, jti: 'j', iat: now(), exp: now() + 600 };
  for (const drop of ['sub', 'acc', 'typ', 'jti', 'iat', 'exp'] as const) {
    const p: Record<string, unknown> = { ...base };
    delete p[drop];
    assert.equal(await verify(await rawSign(key, p)), null, `missing ${drop}`);
  }
  assert.equal(await verify(await rawSign(key, { ...base, typ: 'id' })), null);
  assert.equal(await verify(await rawSign(key, { ...base, acc: 42 })), null);
  assert.equal(await verify(await rawSign(key, { ...base, scope: ['a'] })), null);
  assert.ok(await verify(await rawSign(key, base)), 'control: complete claims verify');
});

test('tampered payload and junk are rejected without throwing', async () => {
  const [h, , s] = (await sign(claims, 60)).token.split('.');
  const evil = b64json({ ...claims, sub: 'admin', iss: ISS, jti: 'j', iat: now(), exp: now() + 600 });
  assert.equal(await verify(`${h}.${evil}.${s}`), null);
  for (const junk of ['', 'a.b.c', 'not a jwt', '...', null as unknown as string]) {
    assert.equal(await verify(junk), null);
  }
});
