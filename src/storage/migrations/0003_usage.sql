-- Usage counters per client: one row per (metric, period, dimension). period is 'all' or a
-- UTC month 'YYYY-MM'; dimension '' is the metric's overall value. Increments are upserts,
-- so concurrent writers never lose counts.
CREATE TABLE usage_counters (
  account_id  uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  client_id   uuid NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  metric      text NOT NULL,
  period      text NOT NULL,
  dimension   text NOT NULL DEFAULT '',
  value       bigint NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (client_id, metric, period, dimension)
);
CREATE INDEX usage_counters_account_idx ON usage_counters (account_id, client_id);
