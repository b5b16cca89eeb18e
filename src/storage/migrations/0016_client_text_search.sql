-- Client search (GET /v1/clients?q=…, the console's search box) at any size: a trigram index
-- over the four searched fields, lowercased and joined by a unit separator (so no match spans
-- two fields). A substring of three characters or more is then an index lookup instead of a
-- scan of the account's clients (2.6 s at 1,000,000 clients before; bench/RESULTS.md).
-- pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX clients_search_trgm_idx ON clients USING gin (
  (lower(coalesce(name, '') || E'\x1f' || coalesce(username, '') || E'\x1f' || coalesce(email_address, '') || E'\x1f' || coalesce(company, ''))) gin_trgm_ops
);
