-- Browser sessions of users (the admin console). The cookie holds a random token; only its
-- keyed hash is stored. `id` is public: a user's list of sessions and revocation name it.
-- Idle expiry is judged from last_seen_at; expires_at is the absolute end.
CREATE TABLE sessions (
  id            uuid PRIMARY KEY,
  token_hash    bytea NOT NULL UNIQUE,
  account_id    uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_agent    text,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at);
