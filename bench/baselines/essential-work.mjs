// Reference (not a target baseline): a bare node:http handler doing only the essential work
// of a cached X-API-Key request, and nothing else — read the X-API-Key header, one
// HMAC-SHA-256 of the secret under a 32-byte pepper compared in constant time (two for
// POST /v1/keys/verify: the caller's key and the verified one, after reading and parsing the
// JSON body), then serialise a client-shaped object (GET) or a verification answer (POST).
// It shows how close to the hello-world any server can get on this machine. PORT from the env.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const pepper = Buffer.alloc(32, 7);
const hmac = (s) => createHmac('sha256', pepper).update(s, 'utf8').digest();
const expected = hmac('x'.repeat(43));
const check = (secret) => timingSafeEqual(hmac(secret), expected);
const client = {
  id: '0193a0f4-6f0b-7c3e-9d7a-2b1f0e9c8d7a',
  name: 'Client 123456',
  description: null,
  siret: null,
  username: 'seed-123456',
  emailAddress: 'client-123456@example.test',
  firstName: null,
  lastName: null,
  company: 'Seed Co',
  hasPassword: false,
  isActive: true,
  features: {},
  limits: {},
  metadata: {},
  createdAt: new Date(),
  updatedAt: new Date(),
};

function send(res, body) {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  res.end(body);
}

http
  .createServer((req, res) => {
    const token = String(req.headers['x-api-key'] ?? '');
    check(token.slice(27, 70));
    if (req.method !== 'POST') return send(res, JSON.stringify({ ...client, createdAt: client.createdAt.toISOString(), updatedAt: client.updatedAt.toISOString() }));
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      check(String(body.token ?? '').slice(27, 70));
      send(res, JSON.stringify({ valid: true, code: 'VALID', keyId: 'ck_' + String(body.token).slice(4, 26), accountId: client.id, clientId: client.id, expiresAt: null, scopes: [] }));
    });
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
