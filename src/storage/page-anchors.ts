/**
 * Page anchors: numbered pages (FactPulse's `page`/`pageSize`) deep into a large account
 * without an OFFSET over everything before them.
 *
 * For an account, the anchors are the ids at positions 0, STEP, 2·STEP, … in id order,
 * found with one scan of its (account_id, id) index and kept in memory. A page at offset O
 * then starts from the anchor at or before O and skips fewer than STEP ids: at 1,000,000
 * clients, a page in the middle skipped 500,000 index entries (about 60 ms) before.
 *
 * Anchors belong to a version of the account's id order (client_counts.version, kept by the
 * triggers of migration 0007; it moves on every delete and on inserts that do not sort last),
 * which the caller reads with the total, so every instance notices changes made by any
 * other. Clients created since (UUIDv7 ids sort last) only lengthen the tail, which is
 * anchored on demand by scanning from the last anchor.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

/** Ids between two anchors: the most a page query skips. */
export const STEP = 1000;
/** Accounts whose anchors are kept (oldest dropped first); about 40 bytes per anchor. */
const MAX_ACCOUNTS = 1000;

interface Anchors {
  version: number;
  /** ids[k] is the id at position k·STEP. */
  ids: string[];
}

export interface PageAnchors {
  /**
   * The id at or before `offset` to start from, and how many ids to skip after it; undefined
   * for a shallow offset (< STEP), where a plain OFFSET is as cheap.
   */
  seek(db: Kysely<DB>, accountId: string, version: number, offset: number): Promise<{ from: string; skip: number } | undefined>;
}

export function createPageAnchors(): PageAnchors {
  const accounts = new Map<string, Anchors>();
  /** Scans under way, so concurrent deep pages of one account share one (account + version). */
  const building = new Map<string, Promise<Anchors>>();

  /** The ids at positions 0, STEP, 2·STEP… counted from `from` (inclusive), in id order. */
  async function scan(db: Kysely<DB>, accountId: string, from: string | undefined): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM (
        SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
          FROM clients
         WHERE account_id = ${accountId} ${from === undefined ? sql`` : sql`AND id >= ${from}`}
      ) AS positions
      WHERE n % ${STEP} = 0
      ORDER BY id`.execute(db);
    return rows.map((r) => r.id);
  }

  return {
    async seek(db, accountId, version, offset) {
      if (offset < STEP) return undefined;
      let anchors = accounts.get(accountId);
      if (!anchors || anchors.version !== version) {
        const flight = `${accountId}:${version}`;
        let pending = building.get(flight);
        if (!pending) {
          pending = scan(db, accountId, undefined).then((ids) => {
            const built = { version, ids };
            accounts.delete(accountId);
            accounts.set(accountId, built);
            if (accounts.size > MAX_ACCOUNTS) accounts.delete(accounts.keys().next().value as string);
            return built;
          });
          building.set(flight, pending);
          void pending.finally(() => building.delete(flight)).catch(() => undefined);
        }
        anchors = await pending;
      }
      if (anchors.ids.length === 0) return undefined;
      let k = Math.min(Math.floor(offset / STEP), anchors.ids.length - 1);
      if (offset - k * STEP >= STEP) {
        // Past the last anchor: clients were added since; anchor the tail.
        const tail = await scan(db, accountId, anchors.ids[anchors.ids.length - 1]);
        if (tail.length > 1 && tail[0] === anchors.ids[anchors.ids.length - 1]) anchors.ids.push(...tail.slice(1));
        k = Math.min(Math.floor(offset / STEP), anchors.ids.length - 1);
      }
      return { from: anchors.ids[k]!, skip: offset - k * STEP };
    },
  };
}
