/**
 * `Idempotency-Key` on creates: the first request with a key runs; a retry with the same
 * key and the same request gets the first response again (marked `Idempotent-Replayed`);
 * the same key with a different request is refused. Stored responses may hold a freshly
 * issued secret, so they are sealed with the master key. Records live 24 hours.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CoreContext } from '../core/context.js';
import { AppError, invalidField } from '../core/errors.js';
import type { Principal } from '../core/types.js';
import { open, seal } from '../crypto/envelope.js';

export interface HttpResult {
  status: number;
  body: unknown;
  replayed?: boolean;
}

const TTL_MS = 24 * 3600 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export async function withIdempotency(
  ctx: CoreContext,
  principal: Principal,
  request: FastifyRequest,
  run: () => Promise<HttpResult>,
): Promise<HttpResult> {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return run();
  if (typeof header !== 'string' || !KEY_PATTERN.test(header))
    throw invalidField('header.idempotency-key', 'must be 1 to 255 visible ASCII characters');
  const who = `${principal.actor.type}:${principal.actor.id}`;
  const accountId = principal.accountId;
  const aad = `idempotency:${accountId}:${who}:${header}`;
  const requestHash = createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest();

  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await ctx.store.idempotency.get(accountId, who, header);
    if (existing && ctx.now().getTime() - existing.createdAt.getTime() > TTL_MS) {
      await ctx.store.idempotency.release(accountId, who, header);
    } else if (existing) {
      if (!existing.requestHash.equals(requestHash)) throw new AppError('IDEMPOTENCY_KEY_REUSED');
      if (existing.statusCode === 0) throw new AppError('IDEMPOTENCY_IN_PROGRESS');
      const body: unknown = JSON.parse(open(ctx.keyring, existing.response, aad).toString('utf8'));
      return { status: existing.statusCode, body, replayed: true };
    }
    const claimed = await ctx.store.idempotency.claim({
      accountId,
      principal: who,
      key: header,
      requestHash,
      statusCode: 0,
      response: Buffer.alloc(0),
      createdAt: ctx.now(),
    });
    if (!claimed) continue;
    let result: HttpResult;
    try {
      result = await run();
    } catch (err) {
      await ctx.store.idempotency.release(accountId, who, header);
      throw err;
    }
    const sealed = seal(ctx.keyring, Buffer.from(JSON.stringify(result.body), 'utf8'), aad);
    await ctx.store.idempotency.complete(accountId, who, header, result.status, sealed);
    return result;
  }
  throw new AppError('IDEMPOTENCY_IN_PROGRESS');
}

/** A create route's reply: runs `create` once per Idempotency-Key and replays its response. */
export async function replyCreated(ctx: CoreContext, request: FastifyRequest, reply: FastifyReply, create: () => Promise<unknown>): Promise<FastifyReply> {
  const result = await withIdempotency(ctx, request.principal, request, async () => ({ status: 201, body: await create() }));
  if (result.replayed) reply.header('Idempotent-Replayed', 'true');
  return reply.code(result.status).send(result.body);
}
