/**
 * `clientele rotate-master-key`: re-wraps every value sealed by the master key under the
 * keyring's primary key — each client's data key, the key-hash pepper, the JWT signing keys,
 * the account webhook secrets, the users' TOTP secrets and the recorded idempotent responses. The secrets sealed under
 * a client's data key (integration credentials, client webhook secrets) need nothing: their
 * data key is what moves.
 *
 * Online and resumable: it works in batches, each its own transaction, taking only rows whose
 * envelope names another key (`FOR UPDATE SKIP LOCKED`, so serving instances are never held
 * up for long and a row being changed is taken on the next pass). What is done is recorded in
 * the data itself — every envelope names its key — so an interrupted run is simply run again.
 * Every instance must already run with the new key as CLIENTELE_MASTER_KEY and the old one
 * in CLIENTELE_MASTER_KEY_PREVIOUS (they then read both); once this reports nothing left,
 * the old key can be dropped. The runbook: docs/operations.md.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { clientDataKeyAad } from '../core/clients.js';
import { signingKeyAad } from '../core/signing-keys.js';
import { totpSecretAad } from '../core/two-factor.js';
import { accountWebhookSecretAad } from '../core/webhook-secrets.js';
import { type Keyring, rewrap } from '../crypto/envelope.js';
import { idempotencyAad } from '../http/idempotency.js';
import { PEPPER_AAD, PEPPER_NAME } from '../services.js';
import type { DB } from '../storage/schema.js';

/** One sealed column: its table, the columns that name a row, and what each value is bound to. */
interface SealedColumn {
  label: string;
  table: keyof DB;
  column: string;
  keys: readonly string[];
  aad(row: Record<string, unknown>): string;
  /** Only these rows hold a sealed value (e.g. the pepper among the server secrets). */
  where?: ReturnType<typeof sql>;
}

const SEALED: readonly SealedColumn[] = [
  { label: 'client data keys', table: 'clients', column: 'data_key', keys: ['id', 'account_id'], aad: (r) => clientDataKeyAad(String(r.account_id), String(r.id)) },
  { label: 'key-hash pepper', table: 'server_secrets', column: 'value', keys: ['name'], aad: () => PEPPER_AAD, where: sql`name = ${PEPPER_NAME}` },
  { label: 'JWT signing keys', table: 'signing_keys', column: 'private_key', keys: ['kid'], aad: (r) => signingKeyAad(String(r.kid)) },
  { label: 'account webhook secrets', table: 'account_webhook_secrets', column: 'secret', keys: ['account_id'], aad: (r) => accountWebhookSecretAad(String(r.account_id)) },
  {
    label: 'previous account webhook secrets',
    table: 'account_webhook_secrets',
    column: 'previous_secret',
    keys: ['account_id'],
    aad: (r) => accountWebhookSecretAad(String(r.account_id)),
  },
  { label: 'user TOTP secrets', table: 'users', column: 'totp_secret', keys: ['id'], aad: (r) => totpSecretAad(String(r.id)) },
  {
    label: 'recorded idempotent responses',
    table: 'idempotency_records',
    column: 'response',
    keys: ['account_id', 'principal', 'idempotency_key'],
    aad: (r) => idempotencyAad(String(r.account_id), String(r.principal), String(r.idempotency_key)),
  },
];

interface RotationProgress {
  label: string;
  /** Re-wrapped so far in this run. */
  done: number;
  /** Left when the pass over this column started (rows changing meanwhile may add a few). */
  total: number;
}

export interface RotationOptions {
  /** Rows per transaction (default 500). */
  batchSize?: number;
  onProgress?: (p: RotationProgress) => void;
  /** Stops between batches when aborted (an interrupted run is resumed by running it again). */
  signal?: AbortSignal;
}

export interface RotationSummary {
  /** Per column: values re-wrapped in this run. */
  rewrapped: Array<{ label: string; count: number }>;
  /** Values still sealed under another key (0 when the run completed). */
  remaining: number;
  primaryKeyId: string;
}

/** Envelopes (version byte, key-id length byte, key id…) naming a key other than `kid`; empty values hold nothing sealed. */
function notUnder(column: string, kid: string) {
  const c = sql.ref(column);
  return sql<boolean>`(${c} IS NOT NULL AND length(${c}) > 2 AND substring(${c} from 3 for get_byte(${c}, 1)) <> ${Buffer.from(kid, 'ascii')})`;
}

async function countLeft(db: Kysely<DB>, s: SealedColumn, kid: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(s.table)} WHERE ${notUnder(s.column, kid)} ${s.where ? sql`AND ${s.where}` : sql``}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** How many sealed values are not under the keyring's primary key yet. */
export async function countNotRotated(db: Kysely<DB>, keyring: Keyring): Promise<number> {
  let n = 0;
  for (const s of SEALED) n += await countLeft(db, s, keyring.primaryId);
  return n;
}

/** One batch of one column: locks rows not yet under the primary key, re-wraps them, commits. Returns how many. */
async function rotateBatch(db: Kysely<DB>, keyring: Keyring, s: SealedColumn, batchSize: number): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const keyList = sql.join(s.keys.map((k) => sql.ref(k)));
    const { rows } = await sql<Record<string, unknown>>`
      SELECT ${keyList}, ${sql.ref(s.column)} AS sealed FROM ${sql.table(s.table)}
       WHERE ${notUnder(s.column, keyring.primaryId)} ${s.where ? sql`AND ${s.where}` : sql``}
       ORDER BY ${keyList} LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`.execute(tx);
    for (const row of rows) {
      const fresh = rewrap(keyring, row.sealed as Buffer, s.aad(row));
      const match = sql.join(
        s.keys.map((k) => sql`${sql.ref(k)} = ${row[k]}`),
        sql` AND `,
      );
      await sql`UPDATE ${sql.table(s.table)} SET ${sql.ref(s.column)} = ${fresh} WHERE ${match}`.execute(tx);
    }
    return rows.length;
  });
}

/**
 * Re-wraps every sealed value under the keyring's primary key. A value sealed under a key the
 * keyring does not hold stops the run with an error naming that key's public id (add the key
 * to CLIENTELE_MASTER_KEY_PREVIOUS).
 */
export async function rotateMasterKey(db: Kysely<DB>, keyring: Keyring, options: RotationOptions = {}): Promise<RotationSummary> {
  const batchSize = options.batchSize ?? 500;
  const rewrapped: RotationSummary['rewrapped'] = [];
  for (const s of SEALED) {
    const total = await countLeft(db, s, keyring.primaryId);
    let done = 0;
    options.onProgress?.({ label: s.label, done, total });
    while (!options.signal?.aborted) {
      const n = await rotateBatch(db, keyring, s, batchSize);
      if (n === 0) break;
      done += n;
      options.onProgress?.({ label: s.label, done, total: Math.max(total, done) });
    }
    rewrapped.push({ label: s.label, count: done });
    if (options.signal?.aborted) break;
  }
  // Rows a serving instance held locked were skipped: take them on later passes.
  let remaining = await countNotRotated(db, keyring);
  for (let pass = 0; remaining > 0 && pass < 50 && !options.signal?.aborted; pass++) {
    await sleep(100);
    for (const [i, s] of SEALED.entries()) {
      for (let n = await rotateBatch(db, keyring, s, batchSize); n > 0; n = await rotateBatch(db, keyring, s, batchSize)) rewrapped[i]!.count += n;
    }
    remaining = await countNotRotated(db, keyring);
  }
  return { rewrapped, remaining, primaryKeyId: keyring.primaryId };
}
