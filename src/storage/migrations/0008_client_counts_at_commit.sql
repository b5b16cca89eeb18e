-- client_counts (migration 0007) is one row per account that every client insert and delete
-- of the account updates. Its triggers updated it at the end of the INSERT/DELETE statement,
-- so the row stayed locked until COMMIT: across every later round trip of the transaction
-- (the event, the webhook outbox, COMMIT itself). Concurrent creates in one account queued
-- on that lock *holding their pool connections*, and each round trip of the holder waited
-- for a busy event loop: under a verification load, creates fell from 440/s to 13/s and the
-- pool was mostly transactions asleep on this row (bench/mixed-load.ts).
--
-- Now the statement triggers only append the statement's change to client_count_deltas (a
-- plain insert: no shared row), and a deferred constraint trigger folds it into
-- client_counts at COMMIT, inside the server: the row is locked from there to the end of
-- the commit, with no client round trip in between. Readers see the same thing as before
-- (the count changes when the transaction commits); only the inserting transaction itself
-- no longer sees its own change in client_counts before it commits.
CREATE TABLE client_count_deltas (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id  uuid NOT NULL,
  clients     bigint NOT NULL,
  -- lowest and highest id inserted (NULL for deletes)
  lo          uuid,
  hi          uuid,
  -- a delete: positions after it shift
  reorders    boolean NOT NULL
);

CREATE OR REPLACE FUNCTION client_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO client_count_deltas (account_id, clients, lo, hi, reorders)
    SELECT account_id, count(*), (array_agg(id ORDER BY id))[1], (array_agg(id ORDER BY id DESC))[1], false
      FROM inserted_clients GROUP BY account_id;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION client_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO client_count_deltas (account_id, clients, reorders)
    SELECT account_id, -count(*), true FROM deleted_clients GROUP BY account_id;
  RETURN NULL;
END $$;

-- At COMMIT, once per delta row. "Below max_id" is judged against the committed max_id at
-- that moment. When the account was deleted meanwhile (ON DELETE CASCADE) there is no row
-- left to update, as before; a delta a TRUNCATE voided is gone already.
CREATE FUNCTION client_counts_fold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM client_count_deltas WHERE id = NEW.id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE client_counts AS c
     SET clients = c.clients + NEW.clients,
         max_id = CASE WHEN NEW.hi IS NOT NULL AND (c.max_id IS NULL OR NEW.hi > c.max_id) THEN NEW.hi ELSE c.max_id END,
         version = c.version + CASE WHEN NEW.reorders OR (c.max_id IS NOT NULL AND NEW.lo <= c.max_id) THEN 1 ELSE 0 END
   WHERE c.account_id = NEW.account_id;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER client_count_deltas_fold AFTER INSERT ON client_count_deltas
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION client_counts_fold();

-- TRUNCATE clients: the deltas of the same transaction are void too.
CREATE OR REPLACE FUNCTION client_counts_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM client_count_deltas;
  UPDATE client_counts SET clients = 0, max_id = NULL, version = version + 1;
  RETURN NULL;
END $$;
