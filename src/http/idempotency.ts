/**
 * `Idempotency-Key` on creates: the first request with a key runs; a retry with the same
 * key and the same request gets the first response again (marked `Idempotent-Replayed`);
 * the same key with a different request is refused. Stored responses may hold a freshly
 * issued secret, so they are sealed with the master key. Records live 24 hours.
 *
 * The claim of the key, the work and the sealed response commit in ONE transaction, so a
 * process that dies anywhere in between leaves nothing behind: no claim without its response
 * (which would answer IDEMPOTENCY_IN_PROGRESS for a day), no change without its recorded
 * response (whose id the caller could never learn). A retry after a crash replays or runs.
 * A concurrent request with the same key waits on the unique index until the first one
 * commits (then replays it) or rolls back (then runs) — at most CLAIM_WAIT_MS, after which it
 * answers IDEMPOTENCY_IN_PROGRESS (on the embedded engine, which runs one transaction at a
 * time, it simply waits its turn). A failed request rolls its claim back with its work, so a
 * corrected retry may reuse the key; error responses are not stored.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CoreContext } from '../core/context.js';
import { AppError, invalidField } from '../core/errors.js';
import type { IdempotencyRecord } from '../core/ports.js';
import type { Principal } from '../core/types.js';
import { open, seal } from '../crypto/envelope.js';
import { deferTransaction } from './deferred-transaction.js';

export interface HttpResult {
  status: number;
  body: unknown;
  replayed?: boolean;
}

const TTL_MS = 24 * 3600 * 1000;
/** How often a server deletes the records that are past their 24 hours. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/** Deletes the records past their 24 hours (they answer nothing any more); returns how many. */
export function sweepIdempotencyRecords(ctx: Pick<CoreContext, 'store' | 'now'>): Promise<number> {
  return ctx.store.idempotency.deleteOlderThan(new Date(ctx.now().getTime() - TTL_MS));
}

/**
 * Sweeps expired records now and every `intervalMs` (not keeping the process alive); a failed
 * sweep is reported and the next one tries again. Any number of instances may sweep.
 */
export function startIdempotencySweeper(ctx: Pick<CoreContext, 'store' | 'now'>, onError: (err: unknown) => void, intervalMs = SWEEP_INTERVAL_MS): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = sweepIdempotencyRecords(ctx).catch(onError);
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long a request waits for an in-flight one with the same key before answering 409. */
export const CLAIM_WAIT_MS = 5_000;

/** What a recorded response is bound to: its account, caller and key. */
export const idempotencyAad = (accountId: string, principal: string, key: string) => `idempotency:${accountId}:${principal}:${key}`;

/** Raised inside the work when the claim meets a committed record: the answer is its replay. */
class Replayed extends Error {}

/**
 * Runs `run` once per Idempotency-Key (when the request carries one) and replays its result.
 * `run` must do all its storage through the context it receives: with a key, that context's
 * store is the one transaction that also holds the claim and the recorded response (its first
 * call opens it), and a core function's `store.transaction(fn)` nests in it.
 */
export async function withIdempotency<C extends CoreContext>(ctx: C, principal: Principal, request: FastifyRequest, run: (ctx: C) => Promise<HttpResult>): Promise<HttpResult> {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return run(ctx);
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) throw invalidField('header.idempotency-key', 'must be 1 to 255 visible ASCII characters');
  const who = `${principal.actor.type}:${principal.actor.id}`;
  const accountId = principal.accountId;
  const aad = idempotencyAad(accountId, who, header);
  const requestHash = createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest();
  const live = (r: IdempotencyRecord) => ctx.now().getTime() - r.createdAt.getTime() <= TTL_MS;
  const answer = (r: IdempotencyRecord): HttpResult => {
    if (!r.requestHash.equals(requestHash)) throw new AppError('IDEMPOTENCY_KEY_REUSED');
    // Committed while running: only a record left by an earlier version (see IdempotencyRecord).
    if (r.statusCode === 0) throw new AppError('IDEMPOTENCY_IN_PROGRESS');
    const body: unknown = JSON.parse(open(ctx.keyring, r.response, aad).toString('utf8'));
    return { status: r.statusCode, body, replayed: true };
  };

  // A committed record answers at once, without a transaction.
  const existing = await ctx.store.idempotency.get(accountId, who, header);
  if (existing && live(existing)) return answer(existing);

  let replay: HttpResult | undefined;
  const record: IdempotencyRecord = { accountId, principal: who, key: header, requestHash, statusCode: 0, response: Buffer.alloc(0), createdAt: ctx.now() };
  const work = deferTransaction(ctx.store, async (tx) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await tx.idempotency.claim(record, { waitMs: CLAIM_WAIT_MS })) return;
      const current = await tx.idempotency.get(accountId, who, header);
      if (current && !live(current)) await tx.idempotency.release(accountId, who, header);
      else if (current) {
        replay = answer(current);
        throw new Replayed();
      }
    }
    throw new AppError('IDEMPOTENCY_IN_PROGRESS');
  });
  let result: HttpResult;
  try {
    result = await run({ ...ctx, store: work.store });
    const tx = await work.open();
    const sealed = seal(ctx.keyring, Buffer.from(JSON.stringify(result.body), 'utf8'), aad);
    await tx.idempotency.complete(accountId, who, header, result.status, sealed);
  } catch (err) {
    await work.rollback();
    // The work may have wrapped the signal; the replay is the answer whatever came out.
    if (replay) return replay;
    throw err;
  }
  await work.commit();
  return result;
}

/**
 * A create route's reply: runs `create` once per Idempotency-Key and replays its response.
 * `create` gets the context to work with (with a key, bound to the idempotency transaction):
 * routes name that parameter `ctx`, so the route's own context cannot be reached by mistake.
 */
export async function replyCreated<C extends CoreContext>(ctx: C, request: FastifyRequest, reply: FastifyReply, create: (ctx: C) => Promise<unknown>): Promise<FastifyReply> {
  const result = await withIdempotency(ctx, request.principal, request, async (c) => ({ status: 201, body: await create(c) }));
  if (result.replayed) reply.header('Idempotent-Replayed', 'true');
  return reply.code(result.status).send(result.body);
}
