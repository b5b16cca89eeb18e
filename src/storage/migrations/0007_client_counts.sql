-- What FactPulse's numbered pages need at 1,000,000 clients, kept exact by triggers:
--   clients  the account's number of clients (the list answers with the total: counting them
--            per page was an index-only scan of the whole account, ~90 ms and three
--            processes' worth of CPU per page);
--   max_id   the highest client id of the account (an upper bound after deletes);
--   version  bumped whenever a client's position in id order may have changed: a delete, or
--            an insert below max_id. Ids are UUIDv7, so new clients normally sort last, and
--            an instance's page anchors (storage/page-anchors.ts) stay valid until this moves.
-- Creating clients in one account serialises briefly on its row here (until commit).
CREATE TABLE client_counts (
  account_id  uuid PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  clients     bigint NOT NULL DEFAULT 0,
  max_id      uuid,
  version     bigint NOT NULL DEFAULT 0
);

INSERT INTO client_counts (account_id, clients, max_id)
  SELECT a.id,
         (SELECT count(*) FROM clients c WHERE c.account_id = a.id),
         (SELECT c.id FROM clients c WHERE c.account_id = a.id ORDER BY c.id DESC LIMIT 1)
    FROM accounts a;

CREATE FUNCTION client_counts_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO client_counts (account_id) SELECT id FROM new_accounts ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION client_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE client_counts AS c
     SET clients = c.clients + i.n,
         max_id = CASE WHEN c.max_id IS NULL OR i.hi > c.max_id THEN i.hi ELSE c.max_id END,
         version = c.version + CASE WHEN c.max_id IS NOT NULL AND i.lo <= c.max_id THEN 1 ELSE 0 END
    FROM (SELECT account_id, count(*) AS n, (array_agg(id ORDER BY id))[1] AS lo, (array_agg(id ORDER BY id DESC))[1] AS hi
            FROM inserted_clients GROUP BY account_id) AS i
   WHERE c.account_id = i.account_id;
  RETURN NULL;
END $$;

-- When the account itself is being deleted its row here is already gone (ON DELETE
-- CASCADE): nothing is left to update.
CREATE FUNCTION client_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE client_counts AS c SET clients = c.clients - d.n, version = c.version + 1
    FROM (SELECT account_id, count(*) AS n FROM deleted_clients GROUP BY account_id) AS d
   WHERE c.account_id = d.account_id;
  RETURN NULL;
END $$;

CREATE FUNCTION client_counts_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE client_counts SET clients = 0, max_id = NULL, version = version + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER client_counts_open AFTER INSERT ON accounts
  REFERENCING NEW TABLE AS new_accounts FOR EACH STATEMENT EXECUTE FUNCTION client_counts_open();
CREATE TRIGGER client_counts_add AFTER INSERT ON clients
  REFERENCING NEW TABLE AS inserted_clients FOR EACH STATEMENT EXECUTE FUNCTION client_counts_add();
CREATE TRIGGER client_counts_remove AFTER DELETE ON clients
  REFERENCING OLD TABLE AS deleted_clients FOR EACH STATEMENT EXECUTE FUNCTION client_counts_remove();
CREATE TRIGGER client_counts_clear AFTER TRUNCATE ON clients
  FOR EACH STATEMENT EXECUTE FUNCTION client_counts_clear();
