/**
 * Inteliquent Client Key Management (Services 2.0.0): five POST operations on the
 * account's own API keys, served under `/Services/2.0.0/` and `/ClientMgmt/1.0.0/`.
 * `privateKey` is a key id, `apiSecret` its secret (shown on register and reset only —
 * secrets are stored as hashes). Documented failures are answered with the flat
 * `{statusCode, status}` bodies and the vendor's exact messages: docs/inteliquent.md.
 */
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { createKey, deleteKey, getAccountKey, listAllAccountKeys, requirePrimaryKeyId, resetKey, updateKey } from '../../../core/api-keys.js';
import type { AuthContext } from '../../../core/auth.js';
import { invalidField } from '../../../core/errors.js';
import type { ApiKey, Principal } from '../../../core/types.js';
import type { Surface } from '../../surfaces.js';
import type { App } from '../../types.js';
import type { ErrorWriter } from '../../errors.js';

const PREFIXES = ['/Services/2.0.0', '/ClientMgmt/1.0.0'];

const MSG = {
  primaryRequired: 'Primary private key is required',
  requiredFields: 'Required fields not sent',
  privateRequired: 'Private key is required',
  invalidPrimary: 'Invalid Primary private key',
  invalidKeys: 'Invalid private keys sent',
  invalidKey: 'Invalid private key',
  cannotDeletePrimary: 'Can not delete primary key. Make another key as primary first',
  makeAnotherPrimary: 'Make another key as primary first',
  permissionDenied: 'Permission denied',
} as const;

/** Inteliquent timestamps look like `2019-12-10T14:07:32.310-0600`; we answer in UTC. */
function inteliquentTimestamp(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

/** A missing or malformed field of the body: the message names it, as Inteliquent's do. */
const FIELD_MESSAGES: Record<string, string> = {
  'body.primaryPrivateKey': MSG.primaryRequired,
  'body.privateKey': MSG.privateRequired,
};

/**
 * The one error path of this surface: core and validation errors mapped to Inteliquent's
 * documented statuses and messages. The message of a missing key and of a protected primary
 * key depends on the operation (the last path segment).
 */
const writeInteliquentError: ErrorWriter = (err, request, reply) => {
  const op = request.url.split('?')[0]!.split('/').pop();
  const refuse = (status: 403 | 409 | 410 | 429, message: string) => reply.code(status).send({ statusCode: String(status), status: message });
  switch (err.code) {
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
      return reply.code(401).send({ message: 'Invalid authentication information provided', status: 'Invalid credentials', statusCode: '401001', timestamp: inteliquentTimestamp(new Date()) });
    case 'VALIDATION_FAILED':
      return refuse(410, FIELD_MESSAGES[err.errors?.[0]?.field ?? ''] ?? MSG.requiredFields);
    case 'NOT_PRIMARY_KEY':
      return refuse(409, MSG.invalidPrimary);
    case 'KEY_NOT_FOUND':
      return refuse(409, op === 'getClientList' ? MSG.invalidKey : MSG.invalidKeys);
    case 'PRIMARY_KEY_PROTECTED':
      return refuse(410, op === 'deleteClient' ? MSG.cannotDeletePrimary : MSG.makeAnotherPrimary);
    // Not a vendor message (the vendor has no permissions): the flat body of its other refusals.
    case 'PERMISSION_DENIED':
      return refuse(403, MSG.permissionDenied);
    // Not a vendor message either: the vendor documents no rate limits (Retry-After says when).
    case 'RATE_LIMITED':
      return refuse(429, 'Too many requests');
  }
  if (err.status >= 500) return reply.code(500).send({ statusCode: '500', status: 'Internal error' });
  return refuse(410, MSG.requiredFields);
};

function companyDetails(k: ApiKey, secret?: string) {
  return {
    privateKey: k.keyId,
    ...(secret !== undefined ? { apiSecret: secret } : {}),
    ...(k.name !== null ? { keyName: k.name } : {}),
    isPrimary: k.isPrimary,
    createdDate: k.createdAt.toISOString(),
    updatedDate: k.updatedAt.toISOString(),
  };
}

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

const Body = Type.Object({
  primaryPrivateKey: Type.Optional(Type.Unknown()),
  privateKey: Type.Optional(Type.Unknown()),
  keyName: Type.Optional(Type.Unknown()),
  isPrimary: Type.Optional(Type.Unknown()),
});
type BodyT = { primaryPrivateKey?: unknown; privateKey?: unknown; keyName?: unknown; isPrimary?: unknown } | undefined;

/** `keyName` and `isPrimary`, when sent, must be a string (or null) and a boolean. */
function checkKeyFields(b: NonNullable<BodyT>): void {
  if (b.keyName !== undefined && b.keyName !== null && typeof b.keyName !== 'string') throw invalidField('body.keyName', 'must be a string or null');
  if (b.isPrimary !== undefined && typeof b.isPrimary !== 'boolean') throw invalidField('body.isPrimary', 'must be a boolean');
}

/** A required text field of the body. */
function required(b: NonNullable<BodyT>, field: 'primaryPrivateKey' | 'privateKey'): string {
  const value = text(b[field]);
  if (!value) throw invalidField(`body.${field}`, 'is required');
  return value;
}

function ok(reply: FastifyReply, companyDetails?: unknown) {
  return reply.code(200).send({ statusCode: '200', status: 'Success', ...(companyDetails !== undefined ? { companyDetails } : {}) });
}

function registerInteliquentRoutes(app: App, ctx: AuthContext): void {
  const handle = (op: (b: NonNullable<BodyT>, principal: Principal, reply: FastifyReply) => Promise<unknown>) => async (request: { body: unknown; principal: Principal }, reply: FastifyReply) =>
    op((request.body && typeof request.body === 'object' ? request.body : {}) as NonNullable<BodyT>, request.principal, reply);

  /** `primaryPrivateKey` + `privateKey` operations: both present (both missing is one message), the primary proven; the target key id (the core finds it among the account's own keys). */
  async function targetKey(principal: Principal, b: NonNullable<BodyT>): Promise<string> {
    if (!text(b.primaryPrivateKey) && !text(b.privateKey)) throw invalidField('body', 'primaryPrivateKey and privateKey are required');
    const primary = required(b, 'primaryPrivateKey');
    const wanted = required(b, 'privateKey');
    await requirePrimaryKeyId(ctx, principal, primary);
    return wanted;
  }

  for (const prefix of PREFIXES) {
    // A bodyless POST is an empty request (its missing fields get their own messages), not a schema failure.
    const opts = { config: { optionalBody: true }, schema: { hide: true, body: Type.Optional(Body) } };

    app.post(
      `${prefix}/registerClient`,
      opts,
      handle(async (b, principal, reply) => {
        const primary = required(b, 'primaryPrivateKey');
        checkKeyFields(b);
        await requirePrimaryKeyId(ctx, principal, primary);
        const issued = await createKey(ctx, principal, { clientId: null, ...(typeof b.keyName === 'string' ? { name: b.keyName } : {}), ...(b.isPrimary === true ? { isPrimary: true } : {}) });
        return ok(reply, companyDetails(issued.key, issued.secret));
      }),
    );

    app.post(
      `${prefix}/resetClient`,
      opts,
      handle(async (b, principal, reply) => {
        const issued = await resetKey(ctx, principal, await targetKey(principal, b), 0, 'account');
        return ok(reply, companyDetails(issued.key, issued.secret));
      }),
    );

    app.post(
      `${prefix}/deleteClient`,
      opts,
      handle(async (b, principal, reply) => {
        await deleteKey(ctx, principal, await targetKey(principal, b), 'account');
        return ok(reply);
      }),
    );

    app.post(
      `${prefix}/updateClient`,
      opts,
      handle(async (b, principal, reply) => {
        checkKeyFields(b);
        const updated = await updateKey(
          ctx,
          principal,
          await targetKey(principal, b),
          {
            ...(b.keyName !== undefined ? { name: b.keyName as string | null } : {}),
            ...(typeof b.isPrimary === 'boolean' ? { isPrimary: b.isPrimary } : {}),
          },
          'account',
        );
        return ok(reply, companyDetails(updated));
      }),
    );

    app.post(
      `${prefix}/getClientList`,
      opts,
      handle(async (b, principal, reply) => {
        await getAccountKey(ctx, principal, required(b, 'privateKey'));
        const keys = await listAllAccountKeys(ctx, principal);
        return ok(reply, { clientKeys: keys.map((k) => companyDetails(k)) });
      }),
    );
  }
}

export const inteliquentSurface: Surface = { name: 'inteliquent', prefixes: PREFIXES.map((p) => `${p}/`), writeError: writeInteliquentError, routes: registerInteliquentRoutes };
