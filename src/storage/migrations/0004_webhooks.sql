-- Outgoing webhooks: endpoints, the account default signing secret, and deliveries (the
-- outbox). A delivery row is written in the same transaction as the event it carries.

CREATE TABLE webhook_endpoints (
  id               uuid PRIMARY KEY,
  account_id       uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  url              text NOT NULL,
  -- Event-type patterns such as 'client.*'; NULL means every event.
  events           jsonb,
  client_id        uuid REFERENCES clients(id) ON DELETE CASCADE,
  format           text NOT NULL CHECK (format IN ('native', 'factpulse')),
  enabled          boolean NOT NULL,
  disabled_reason  text,
  failing_since    timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_account_idx ON webhook_endpoints (account_id, id);

CREATE TABLE account_webhook_secrets (
  account_id           uuid PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  secret               bytea NOT NULL,
  previous_secret      bytea,
  previous_expires_at  timestamptz,
  created_at           timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
  id               uuid PRIMARY KEY,
  account_id       uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id         uuid NOT NULL,
  event_type       text NOT NULL,
  client_id        uuid,
  -- pending → sending → succeeded | pending (retry) | failed; waiting_secret when no secret exists.
  status           text NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  lease_until      timestamptz,
  last_attempt_at  timestamptz,
  response_status  integer,
  response_body    text,
  latency_ms       integer,
  last_error       text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
-- The dispatcher's queue: due rows in time order.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending', 'waiting_secret');
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_account_idx ON webhook_deliveries (account_id, status);
