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
/** An Idempotency-Key: 1 to 255 visible ASCII characters (the header's, and a batch item's). */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,255}$';
const KEY_PATTERN = new RegExp(IDEMPOTENCY_KEY_PATTERN);
/** How long a request waits for an in-flight one with the same key before answering 409. */
export const CLAIM_WAIT_MS = 5_000;

/** What a recorded response is bound to: its account, caller and key. */
export const idempotencyAad = (accountId: string, principal: string, key: string) => `idempotency:${accountId}:${principal}:${key}`;

/** Raised inside the work when the claim meets a committed record: the answer is its replay. */
class Replayed extends Error {}

/** What a record is bound to besides its key: the request line and body it answered. */
function requestHashOf(line: string, body: unknown): Buffer {
  return createHash('sha256')
    .update(`${line}\n${JSON.stringify(body ?? null)}`)
    .digest();
}

const callerOf = (principal: Principal) => `${principal.actor.type}:${principal.actor.id}`;
const isLive = (ctx: Pick<CoreContext, 'now'>, r: IdempotencyRecord) => ctx.now().getTime() - r.createdAt.getTime() <= TTL_MS;

/** A committed record's answer to a request with `requestHash`: its replay, or why there is none. */
function replayOf(ctx: Pick<CoreContext, 'keyring'>, r: IdempotencyRecord, requestHash: Buffer, aad: string): HttpResult {
  if (!r.requestHash.equals(requestHash)) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  // Committed while running: only a record left by an earlier version (see IdempotencyRecord).
  if (r.statusCode === 0) throw new AppError('IDEMPOTENCY_IN_PROGRESS');
  const body: unknown = JSON.parse(open(ctx.keyring, r.response, aad).toString('utf8'));
  return { status: r.statusCode, body, replayed: true };
}

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
  const who = callerOf(principal);
  const accountId = principal.accountId;
  const aad = idempotencyAad(accountId, who, header);
  const requestHash = requestHashOf(`${request.method} ${request.url}`, request.body);
  const live = (r: IdempotencyRecord) => isLive(ctx, r);
  const answer = (r: IdempotencyRecord): HttpResult => replayOf(ctx, r, requestHash, aad);

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
  return replyOnce(ctx, request, reply, 201, create);
}

/** replyCreated answering `status` (a batch create answers 200: each item has its own status). */
export async function replyOnce<C extends CoreContext>(ctx: C, request: FastifyRequest, reply: FastifyReply, status: number, create: (ctx: C) => Promise<unknown>): Promise<FastifyReply> {
  const result = await withIdempotency(ctx, request.principal, request, async (c) => ({ status, body: await create(c) }));
  if (result.replayed) reply.header('Idempotent-Replayed', 'true');
  return reply.code(result.status).send(result.body);
}

/** One item of a batch create's answer: its response (replayed, perhaps) or its error. */
export type ItemResult = { status: number; body: unknown; replayed?: boolean; error?: undefined } | { error: AppError; status?: undefined; body?: undefined; replayed?: undefined };

/** A batch item with its own Idempotency-Key. */
export interface BatchItem {
  body: unknown;
  /** Its Idempotency-Key (none: the item is simply created). */
  key?: string | null | undefined;
}

/** Raised inside the batch work when a key met a record committed meanwhile: the batch runs again. */
class Raced extends Error {}

/**
 * The items of a batch create, each with its own Idempotency-Key, created once per key exactly
 * as the single create `line` (e.g. `POST /v1/clients`) with that Idempotency-Key and the item
 * as its body would be: the record each writes is the record the other reads, so a batch item
 * replays a single create's response and the other way round, and an item whose key was used
 * with another request is answered IDEMPOTENCY_KEY_REUSED. Items with a live record are
 * answered from it (replayed); the others — and items without a key — go to `create`, which
 * answers each of the `items` it is given, in order (an empty list included: it still checks
 * the caller's permission).
 *
 * `create`'s store is one transaction (opened at its first call) that also records, under its
 * key, the response of every item created — inserted complete, once, after the work: errors
 * are not recorded (as for single creates), so a failed item can be corrected and sent again.
 * A concurrent batch with the same keys is waited for (at most CLAIM_WAIT_MS, then
 * IDEMPOTENCY_IN_PROGRESS): when it committed a record of a key this batch also created an
 * item for, this batch rolls back and runs again, answering that item from the record; an
 * item this batch could not create (its username taken meanwhile) is answered from such a
 * record too.
 */
export async function withItemIdempotency<C extends CoreContext>(
  ctx: C,
  principal: Principal,
  line: string,
  items: readonly BatchItem[],
  create: (ctx: C, items: readonly BatchItem[]) => Promise<ItemResult[]>,
): Promise<ItemResult[]> {
  const who = callerOf(principal);
  const accountId = principal.accountId;
  const aad = (key: string) => idempotencyAad(accountId, who, key);
  const answers: ItemResult[] = new Array(items.length);
  const hashes = items.map((item) => (item.key ? requestHashOf(line, item.body) : undefined));
  const firstWith = new Map<string, number>();
  for (const [i, item] of items.entries()) {
    if (!item.key) continue;
    const first = firstWith.get(item.key);
    if (first === undefined) firstWith.set(item.key, i);
    else answers[i] = { error: new AppError('IDEMPOTENCY_KEY_REUSED', `The Idempotency-Key of this item is also item ${first}'s`) };
  }
  /** The answer of a live record of item i's key, or undefined. */
  const recorded = (i: number, record: IdempotencyRecord | undefined): ItemResult | undefined => {
    if (!record || !isLive(ctx, record)) return undefined;
    try {
      return replayOf(ctx, record, hashes[i]!, aad(items[i]!.key!));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { error: err };
    }
  };
  // No call without keys: with an Idempotency-Key header too, the store is the request's deferred
  // transaction, which a call would open before the create's preparation (password hashing).
  const recordsOf = async (store: CoreContext['store'], indexes: number[]): Promise<Map<string, IdempotencyRecord>> =>
    indexes.length === 0
      ? new Map()
      : new Map(
          (
            await store.idempotency.getMany(
              accountId,
              who,
              indexes.map((i) => items[i]!.key!),
            )
          ).map((r) => [r.key, r]),
        );

  for (let attempt = 0; attempt < 3; attempt++) {
    const pending = items.flatMap((_, i) => (answers[i] ? [] : [i]));
    const records = await recordsOf(
      ctx.store,
      pending.filter((i) => items[i]!.key),
    );
    const fresh: number[] = [];
    const expired: string[] = [];
    for (const i of pending) {
      const key = items[i]!.key;
      const record = key ? records.get(key) : undefined;
      const answer = recorded(i, record);
      if (answer) answers[i] = answer;
      else {
        if (record) expired.push(key!);
        fresh.push(i);
      }
    }
    const work = (store: CoreContext['store']) =>
      create(
        { ...ctx, store },
        fresh.map((i) => items[i]!),
      );
    if (!fresh.some((i) => items[i]!.key)) {
      // Nothing to record: the create's own transaction is the whole work.
      const results = await work(ctx.store);
      for (const [n, i] of fresh.entries()) answers[i] = results[n]!;
      return answers;
    }
    const tx = deferTransaction(ctx.store, (store) => store.idempotency.releaseMany(accountId, who, expired));
    try {
      const results = await work(tx.store);
      if (results.length !== fresh.length) throw new Error('a batch create must answer every item');
      const created = fresh.flatMap((i, n) => (items[i]!.key && !results[n]!.error ? [{ i, result: results[n]! }] : []));
      const records = created.map(
        ({ i, result }): IdempotencyRecord => ({
          accountId,
          principal: who,
          key: items[i]!.key!,
          requestHash: hashes[i]!,
          statusCode: result.status!,
          response: seal(ctx.keyring, Buffer.from(JSON.stringify(result.body), 'utf8'), aad(items[i]!.key!)),
          createdAt: ctx.now(),
        }),
      );
      if (records.length && (await tx.store.idempotency.claimMany(records, { waitMs: CLAIM_WAIT_MS })).length < records.length) throw new Raced();
      // An item not created may have been, by a concurrent batch with its key (its username then taken).
      const failed = fresh.flatMap((i, n) => (items[i]!.key && results[n]!.error ? [i] : []));
      const later = await recordsOf(tx.store, failed);
      for (const [n, i] of fresh.entries()) {
        const key = items[i]!.key;
        answers[i] = (results[n]!.error && key && recorded(i, later.get(key))) || results[n]!;
      }
    } catch (err) {
      await tx.rollback();
      if (err instanceof Raced) continue;
      throw err;
    }
    await tx.commit();
    return answers;
  }
  throw new AppError('IDEMPOTENCY_IN_PROGRESS');
}
