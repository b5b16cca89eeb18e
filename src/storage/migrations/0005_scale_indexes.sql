-- Found by test/query-plans.test.ts at 50,000 clients (bench/README.md, "Query plans").
--
-- The username and e-mail indexes are partial (WHERE … IS NOT NULL), and PostgreSQL keeps no
-- statistics for the expressions of partial indexes: `lower(username) = $1` was estimated at
-- 0.5 % of the table, so `GET /v1/clients?username=…` walked the primary key in id order
-- instead of using the index (50,000 rows read for one match). Expression statistics give the
-- planner the real distribution (after the next ANALYZE / autovacuum).
CREATE STATISTICS clients_lower_username_stats ON (lower(username)) FROM clients;
CREATE STATISTICS clients_lower_email_stats ON (lower(email_address)) FROM clients;

-- Account-level keys (`GET /v1/keys?owner=account`, countForOwner(null)) are a handful among
-- one key or more per client: without this index they were a sequential scan of api_keys.
CREATE INDEX api_keys_account_owned_idx ON api_keys (account_id, key_id) WHERE client_id IS NULL;
