-- Rate limits (docs/rate-limits.md).
--
-- Limits checked by key verification, on a key, on a client (shared by its keys) and as
-- account defaults: [{name, limit, duration, autoApply}], duration in milliseconds.
ALTER TABLE api_keys ADD COLUMN ratelimits jsonb NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN ratelimits jsonb NOT NULL DEFAULT '[]';
ALTER TABLE accounts ADD COLUMN ratelimits jsonb NOT NULL DEFAULT '[]';

-- Per-identifier limits of a namespace of POST /v1/ratelimit, replacing the limit the
-- request names.
CREATE TABLE rate_limit_overrides (
  account_id  uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  namespace   text NOT NULL,
  identifier  text NOT NULL,
  "limit"     bigint NOT NULL,
  duration_ms bigint NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (account_id, namespace, identifier)
);

-- Shared counters when instances share rate limits through PostgreSQL: one row per counter
-- and window, counting the units leased to instances (never more than max_count).
-- Unlogged: a crash may lose the current windows' counts, which only resets them.
CREATE UNLOGGED TABLE rate_limit_counters (
  key          text NOT NULL,
  window_start bigint NOT NULL,
  count        bigint NOT NULL,
  last_grant   bigint NOT NULL,
  max_count    bigint NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limit_counters_expiry_idx ON rate_limit_counters (expires_at);

-- Failed sign-ins per login name (an account user's e-mail, or a client's username): the
-- growing delay before the next attempt, and the temporary lock an administrator can lift.
-- Names nobody uses are throttled alike, so the table reveals nothing about who exists.
CREATE TABLE login_throttles (
  subject       text PRIMARY KEY,
  failures      integer NOT NULL,
  blocked_until timestamptz NOT NULL,
  locked_until  timestamptz,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX login_throttles_updated_idx ON login_throttles (updated_at);
