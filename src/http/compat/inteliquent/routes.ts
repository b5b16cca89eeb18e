/**
 * Inteliquent Client Key Management (Services 2.0.0): five POST operations on the
 * account's own API keys, served under `/Services/2.0.0/` and `/ClientMgmt/1.0.0/`.
 * `privateKey` is a key id, `apiSecret` its secret (shown on register and reset only —
 * secrets are stored as hashes, DESIGN §9). Documented failures are answered with the flat
 * `{statusCode, status}` bodies and the contract's exact messages.
 */
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { createKey, deleteKey, listKeys, resetKey, updateKey } from '../../../core/api-keys.js';
import type { AuthContext } from '../../../core/auth.js';
import { AppError } from '../../../core/errors.js';
import type { ApiKey, Principal } from '../../../core/types.js';
import type { App } from '../../app.js';
import type { ErrorWriter } from '../../errors.js';

const PREFIXES = ['/Services/2.0.0', '/ClientMgmt/1.0.0'];
const config = { surface: 'inteliquent' } as const;

const MSG = {
  primaryRequired: 'Primary private key is required',
  requiredFields: 'Required fields not sent',
  privateRequired: 'Private key is required',
  invalidPrimary: 'Invalid Primary private key',
  invalidKeys: 'Invalid private keys sent',
  invalidKey: 'Invalid private key',
  cannotDeletePrimary: 'Can not delete primary key. Make another key as primary first',
  makeAnotherPrimary: 'Make another key as primary first',
} as const;

/** An expected Inteliquent failure: HTTP status and the `status` text. */
class Refusal extends Error {
  constructor(
    readonly code: 409 | 410,
    message: string,
  ) {
    super(message);
  }
}

const refuse = (code: 409 | 410, message: string): never => {
  throw new Refusal(code, message);
};

/** Inteliquent timestamps look like `2019-12-10T14:07:32.310-0600`; we answer in UTC. */
function inteliquentTimestamp(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

const writeInteliquentError: ErrorWriter = (err, _request, reply) => {
  if (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN')
    return reply.code(401).send({ message: 'Invalid authentication information provided', status: 'Invalid credentials', statusCode: '401001', timestamp: inteliquentTimestamp(new Date()) });
  if (err.status >= 500) return reply.code(500).send({ statusCode: '500', status: 'Internal error' });
  return reply.code(410).send({ statusCode: '410', status: MSG.requiredFields });
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

/** All account-level keys of the caller (no pagination on this surface). */
async function accountKeys(ctx: AuthContext, principal: Principal): Promise<ApiKey[]> {
  const keys: ApiKey[] = [];
  let cursor: string | undefined;
  do {
    const page = await listKeys(ctx, principal, { limit: 100, owner: 'account', ...(cursor ? { cursor } : {}) });
    keys.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return keys;
}

/** `primaryPrivateKey` must be the calling account's primary key id. */
async function checkPrimary(ctx: AuthContext, principal: Principal, value: unknown): Promise<ApiKey[]> {
  if (principal.kind !== 'account') throw new AppError('FORBIDDEN');
  const keys = await accountKeys(ctx, principal);
  if (!keys.some((k) => k.isPrimary && k.keyId === value)) refuse(409, MSG.invalidPrimary);
  return keys;
}

const Body = Type.Object({
  primaryPrivateKey: Type.Optional(Type.Unknown()),
  privateKey: Type.Optional(Type.Unknown()),
  keyName: Type.Optional(Type.Unknown()),
  isPrimary: Type.Optional(Type.Unknown()),
});
type BodyT = { primaryPrivateKey?: unknown; privateKey?: unknown; keyName?: unknown; isPrimary?: unknown } | undefined;

/** `keyName` and `isPrimary`, when sent, must be a string (or null) and a boolean. */
function checkKeyFields(b: NonNullable<BodyT>): void {
  if (b.keyName !== undefined && b.keyName !== null && typeof b.keyName !== 'string') refuse(410, MSG.requiredFields);
  if (b.isPrimary !== undefined && typeof b.isPrimary !== 'boolean') refuse(410, MSG.requiredFields);
}

function ok(reply: FastifyReply, companyDetails?: unknown) {
  return reply.code(200).send({ statusCode: '200', status: 'Success', ...(companyDetails !== undefined ? { companyDetails } : {}) });
}

export function registerInteliquentRoutes(app: App, ctx: AuthContext, writers: Map<string, ErrorWriter>): void {
  writers.set('inteliquent', writeInteliquentError);

  const handle = (op: (b: NonNullable<BodyT>, principal: Principal, reply: FastifyReply) => Promise<unknown>) => async (request: { body: unknown; principal: Principal }, reply: FastifyReply) => {
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as NonNullable<BodyT>;
    try {
      return await op(body, request.principal, reply);
    } catch (err) {
      if (err instanceof Refusal) return reply.code(err.code).send({ statusCode: String(err.code), status: err.message });
      throw err;
    }
  };

  /** `primaryPrivateKey` + `privateKey` operations: both present, the primary valid, the target one of the account's keys. */
  async function targetKey(principal: Principal, b: NonNullable<BodyT>): Promise<{ target: ApiKey }> {
    const primary = text(b.primaryPrivateKey);
    const wanted = text(b.privateKey);
    if (!primary && !wanted) refuse(410, MSG.requiredFields);
    if (!primary) refuse(410, MSG.primaryRequired);
    if (!wanted) refuse(410, MSG.privateRequired);
    const keys = await checkPrimary(ctx, principal, primary);
    const target = keys.find((k) => k.keyId === wanted);
    if (!target) return refuse(409, MSG.invalidKeys);
    return { target };
  }

  for (const prefix of PREFIXES) {
    // A bodyless POST is an empty request (its missing fields get their own messages), not a schema failure.
    const opts = { config: { ...config, optionalBody: true }, schema: { hide: true, body: Type.Optional(Body) } };

    app.post(
      `${prefix}/registerClient`,
      opts,
      handle(async (b, principal, reply) => {
        if (!text(b.primaryPrivateKey)) refuse(410, MSG.primaryRequired);
        checkKeyFields(b);
        await checkPrimary(ctx, principal, b.primaryPrivateKey);
        const issued = await createKey(ctx, principal, { clientId: null, ...(typeof b.keyName === 'string' ? { name: b.keyName } : {}), ...(b.isPrimary === true ? { isPrimary: true } : {}) });
        return ok(reply, companyDetails(issued.key, issued.secret));
      }),
    );

    app.post(
      `${prefix}/resetClient`,
      opts,
      handle(async (b, principal, reply) => {
        const { target } = await targetKey(principal, b);
        const issued = await resetKey(ctx, principal, target.keyId, 0);
        return ok(reply, companyDetails(issued.key, issued.secret));
      }),
    );

    app.post(
      `${prefix}/deleteClient`,
      opts,
      handle(async (b, principal, reply) => {
        const { target } = await targetKey(principal, b);
        if (target.isPrimary) refuse(410, MSG.cannotDeletePrimary);
        await deleteKey(ctx, principal, target.keyId);
        return ok(reply);
      }),
    );

    app.post(
      `${prefix}/updateClient`,
      opts,
      handle(async (b, principal, reply) => {
        checkKeyFields(b);
        const { target } = await targetKey(principal, b);
        if (target.isPrimary && b.isPrimary === false) refuse(410, MSG.makeAnotherPrimary);
        const updated = await updateKey(ctx, principal, target.keyId, {
          ...(b.keyName !== undefined ? { name: b.keyName as string | null } : {}),
          ...(b.isPrimary === true ? { isPrimary: true } : {}),
        });
        return ok(reply, companyDetails(updated));
      }),
    );

    app.post(
      `${prefix}/getClientList`,
      opts,
      handle(async (b, principal, reply) => {
        const key = text(b.privateKey);
        if (!key) refuse(410, MSG.privateRequired);
        if (principal.kind !== 'account') throw new AppError('FORBIDDEN');
        const keys = await accountKeys(ctx, principal);
        if (!keys.some((k) => k.keyId === key)) refuse(409, MSG.invalidKey);
        return ok(reply, { clientKeys: keys.map((k) => companyDetails(k)) });
      }),
    );
  }
}
