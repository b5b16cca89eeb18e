-- Foundation schema: accounts, users, clients, API keys, events, idempotency, server keys.
-- Written for PostgreSQL 15 (PGlite runs it unchanged). Ids are application-generated
-- UUIDv7 (time-ordered), so keyset pagination needs no sequence.

CREATE TABLE accounts (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);

CREATE TABLE users (
  id             uuid PRIMARY KEY,
  account_id     uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  email          text NOT NULL,
  password_hash  text NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
-- Login names are global: POST /api/token/ carries no account.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_account_idx ON users (account_id);

CREATE TABLE clients (
  id             uuid PRIMARY KEY,
  account_id     uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name           text NOT NULL,
  description    text,
  siret          text,
  username       text,
  email_address  text,
  first_name     text,
  last_name      text,
  company        text,
  password_hash  text,
  is_active      boolean NOT NULL DEFAULT true,
  features       jsonb NOT NULL DEFAULT '{}'::jsonb,
  limits         jsonb NOT NULL DEFAULT '{}'::jsonb,
  metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Per-client data key, wrapped by the master key. Deleting the row shreds every
  -- secret encrypted under it.
  data_key       bytea NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX clients_account_page_idx ON clients (account_id, id);
CREATE UNIQUE INDEX clients_account_username_key ON clients (account_id, lower(username)) WHERE username IS NOT NULL;
CREATE INDEX clients_account_email_idx ON clients (account_id, lower(email_address)) WHERE email_address IS NOT NULL;
CREATE INDEX clients_account_active_idx ON clients (account_id, is_active, id);

CREATE TABLE api_keys (
  key_id                      text COLLATE "C" PRIMARY KEY,
  account_id                  uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  client_id                   uuid REFERENCES clients(id) ON DELETE CASCADE,
  name                        text,
  is_primary                  boolean NOT NULL DEFAULT false,
  enabled                     boolean NOT NULL DEFAULT true,
  scopes                      jsonb NOT NULL DEFAULT '[]'::jsonb,
  secret_hash                 bytea NOT NULL,
  secret_hint                 text NOT NULL,
  previous_secret_hash        bytea,
  previous_secret_expires_at  timestamptz,
  expires_at                  timestamptz,
  last_used_at                timestamptz,
  use_count                   bigint NOT NULL DEFAULT 0,
  created_at                  timestamptz NOT NULL,
  updated_at                  timestamptz NOT NULL
);
-- At most one primary key per owner (the account itself, or one client).
CREATE UNIQUE INDEX api_keys_one_primary_key
  ON api_keys (account_id, (COALESCE(client_id, '00000000-0000-0000-0000-000000000000'::uuid)))
  WHERE is_primary;
CREATE INDEX api_keys_account_page_idx ON api_keys (account_id, key_id);
CREATE INDEX api_keys_client_page_idx ON api_keys (client_id, key_id) WHERE client_id IS NOT NULL;

CREATE TABLE events (
  id          uuid PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  client_id   uuid,
  type        text NOT NULL,
  actor       jsonb NOT NULL,
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX events_account_idx ON events (account_id, id);
CREATE INDEX events_account_type_idx ON events (account_id, type, id);
CREATE INDEX events_account_client_idx ON events (account_id, client_id, id);

-- Replays of creates carrying an Idempotency-Key. The stored response may contain a
-- freshly issued secret, so it is kept sealed by the master key, never in plain form.
CREATE TABLE idempotency_records (
  account_id       uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  principal        text NOT NULL,
  idempotency_key  text NOT NULL,
  request_hash     bytea NOT NULL,
  status_code      integer NOT NULL,
  response         bytea NOT NULL,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (account_id, principal, idempotency_key)
);
CREATE INDEX idempotency_records_created_idx ON idempotency_records (created_at);

-- Server-wide secrets (the key-hash pepper), sealed by the master key.
CREATE TABLE server_secrets (
  name        text PRIMARY KEY,
  value       bytea NOT NULL,
  created_at  timestamptz NOT NULL
);

-- JWT signing keys shared by every instance. A key signs until retired_at and stays
-- published in the JWKS until publish_until (after the last token it signed expires).
CREATE TABLE signing_keys (
  kid            text PRIMARY KEY,
  algorithm      text NOT NULL,
  public_jwk     jsonb NOT NULL,
  private_key    bytea NOT NULL,
  created_at     timestamptz NOT NULL,
  retired_at     timestamptz,
  publish_until  timestamptz
);
