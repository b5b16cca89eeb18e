/** Clients (SQL): keyset and numbered pages, lookups, the unique username. */
import { sql, type Kysely } from 'kysely';
import type { Store } from '../core/ports.js';
import type { PageAnchors } from './page-anchors.js';
import { CLIENT_COLUMNS, clientPatchColumns, toClient } from './rows.js';
import type { DB } from './schema.js';
import { clientById, type HotReads } from './sql-hot-reads.js';
import { escapeLike, mapUniqueViolation } from './sql-shared.js';

export function clientsRepo(db: Kysely<DB>, hot: HotReads | undefined, anchors: PageAnchors): Store['clients'] {
  return {
    async insert(c) {
      await db
        .insertInto('clients')
        .values({
          id: c.id,
          account_id: c.accountId,
          name: c.name,
          description: c.description,
          siret: c.siret,
          username: c.username,
          email_address: c.emailAddress,
          first_name: c.firstName,
          last_name: c.lastName,
          company: c.company,
          password_hash: c.passwordHash,
          is_active: c.isActive,
          features: JSON.stringify(c.features),
          limits: JSON.stringify(c.limits),
          metadata: JSON.stringify(c.metadata),
          ratelimits: JSON.stringify(c.ratelimits),
          data_key: c.dataKey,
          created_at: c.createdAt,
          updated_at: c.updatedAt,
        })
        .execute()
        .catch(mapUniqueViolation);
    },
    async insertMany(cs) {
      if (cs.length === 0) return [];
      // One statement whatever the count (one array per column: 19 parameters). ON CONFLICT DO
      // NOTHING skips a row whose username is taken (the only unique index a new row can meet:
      // ids are fresh), waiting for a concurrent insert of it as a plain insert would. Rows go
      // in username order (then input order, so the first of two equal usernames wins): two
      // batches sharing usernames lock them in the same order and cannot deadlock.
      const col = <T>(f: (c: (typeof cs)[number]) => T) => cs.map(f);
      const r = await sql<{ id: string }>`
        INSERT INTO clients (id, account_id, name, description, siret, username, email_address, first_name, last_name, company,
                             password_hash, is_active, features, limits, metadata, ratelimits, data_key, created_at, updated_at)
        SELECT id, account_id, name, description, siret, username, email_address, first_name, last_name, company,
               password_hash, is_active, features, limits, metadata, ratelimits, data_key, created_at, updated_at
          FROM unnest(${col((c) => c.id)}::uuid[], ${col((c) => c.accountId)}::uuid[], ${col((c) => c.name)}::text[],
                      ${col((c) => c.description)}::text[], ${col((c) => c.siret)}::text[], ${col((c) => c.username)}::text[],
                      ${col((c) => c.emailAddress)}::text[], ${col((c) => c.firstName)}::text[], ${col((c) => c.lastName)}::text[],
                      ${col((c) => c.company)}::text[], ${col((c) => c.passwordHash)}::text[], ${col((c) => c.isActive)}::bool[],
                      ${col((c) => JSON.stringify(c.features))}::jsonb[], ${col((c) => JSON.stringify(c.limits))}::jsonb[],
                      ${col((c) => JSON.stringify(c.metadata))}::jsonb[], ${col((c) => JSON.stringify(c.ratelimits))}::jsonb[],
                      ${col((c) => c.dataKey)}::bytea[], ${col((c) => c.createdAt)}::timestamptz[], ${col((c) => c.updatedAt)}::timestamptz[])
               WITH ORDINALITY AS t(id, account_id, name, description, siret, username, email_address, first_name, last_name, company,
                                    password_hash, is_active, features, limits, metadata, ratelimits, data_key, created_at, updated_at, n)
         ORDER BY lower(username), n
        ON CONFLICT DO NOTHING
        RETURNING id`.execute(db);
      const inserted = new Set(r.rows.map((row) => row.id));
      return cs.filter((c) => inserted.has(c.id)).map((c) => c.id);
    },
    async get(accountId, id) {
      const r = await (hot ? hot.client(accountId, id) : clientById(db, accountId, id).executeTakeFirst());
      return r ? toClient(r) : null;
    },
    async getById(id) {
      const r = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toClient(r) : null;
    },
    async getForUpdate(accountId, id) {
      const r = await db.selectFrom('clients').selectAll().where('account_id', '=', accountId).where('id', '=', id).forUpdate().executeTakeFirst();
      return r ? toClient(r) : null;
    },
    async findByUsername(accountId, username) {
      const r = await db
        .selectFrom('clients')
        .selectAll()
        .where('account_id', '=', accountId)
        .where(sql`lower(username)`, '=', sql`lower(${username})`)
        .where('username', 'is not', null)
        .executeTakeFirst();
      return r ? toClient(r) : null;
    },
    async update(accountId, id, patch, at) {
      const r = await db
        .updateTable('clients')
        .set({ ...clientPatchColumns(patch), updated_at: at })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst()
        .catch(mapUniqueViolation);
      return r ? toClient(r) : null;
    },
    async delete(accountId, id) {
      const r = await db.deleteFrom('clients').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async list(accountId, f) {
      let q = db.selectFrom('clients').selectAll().where('account_id', '=', accountId);
      if (f.afterId) q = q.where('id', '>', f.afterId);
      if (f.isActive !== undefined) q = q.where('is_active', '=', f.isActive);
      if (f.username !== undefined) q = q.where(sql`lower(username)`, '=', sql`lower(${f.username})`);
      if (f.emailAddress !== undefined) q = q.where(sql`lower(email_address)`, '=', sql`lower(${f.emailAddress})`);
      if (f.q) {
        // The expression of the trigram index of migration 0016, word for word.
        const pattern = `%${escapeLike(f.q.toLowerCase())}%`;
        q = q.where(sql`lower(coalesce(name, '') || E'\\x1f' || coalesce(username, '') || E'\\x1f' || coalesce(email_address, '') || E'\\x1f' || coalesce(company, ''))`, 'like', pattern);
      }
      const rows = await q.orderBy('id').limit(f.limit).execute();
      return rows.map(toClient);
    },
    async listPage(accountId, offset, limit) {
      // The total and the version of the account's id order are kept by the triggers of
      // migration 0007. A deep page starts from a page anchor (storage/page-anchors.ts), so
      // it skips fewer than a thousand ids whatever its depth. Deferred join: the skipping is
      // an index-only scan of (account_id, id), and only the page's rows are read from the
      // table (reading every skipped row was 4× slower at offset 150,000).
      const counts = await db.selectFrom('client_counts').select(['clients', 'version']).where('account_id', '=', accountId).executeTakeFirst();
      const total = Number(counts?.clients ?? 0);
      if (!counts || offset >= total) return { rows: [], total };
      const start = await anchors.seek(db, accountId, Number(counts.version), offset);
      let ids = db.selectFrom('clients').select('id').where('account_id', '=', accountId);
      if (start) ids = ids.where('id', '>=', start.from);
      ids = ids
        .orderBy('id')
        .offset(start ? start.skip : offset)
        .limit(limit);
      const rows = await db.selectFrom('clients').select(CLIENT_COLUMNS).where('account_id', '=', accountId).where('id', 'in', ids).orderBy('id').execute();
      return { rows: rows.map(toClient), total };
    },
  };
}
