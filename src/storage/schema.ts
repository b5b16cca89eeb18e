/**
 * Kysely table types: the shape of each row as the `pg` driver returns it
 * (timestamptz → Date, bytea → Buffer, jsonb → parsed JSON, int8 → number).
 */
import type { ColumnType, Generated } from 'kysely';
import type { RateLimitSpec } from '../core/types.js';

type Json<T> = ColumnType<T, string, string>;

export interface AccountsTable {
  id: string;
  name: string;
  require_two_factor: Generated<boolean>;
  ratelimits: ColumnType<RateLimitSpec[], string | undefined, string>;
  created_at: Date;
  updated_at: Date;
}

export interface UsersTable {
  id: string;
  account_id: string;
  email: string;
  password_hash: string;
  role: 'owner' | 'admin' | 'viewer';
  permissions: Json<string[]>;
  totp_secret: Buffer | null;
  totp_enabled: boolean;
  totp_last_step: string | number | null;
  recovery_codes: Json<string[]>;
  created_at: Date;
  updated_at: Date;
}

interface SessionsTable {
  id: string;
  token_hash: Buffer;
  account_id: string;
  user_id: string;
  user_agent: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

/** Per account: its number of clients, highest client id and id-order version, kept by triggers (migration 0007). */
interface ClientCountsTable {
  account_id: string;
  clients: Generated<number>;
  max_id: string | null;
  version: Generated<number>;
}

export interface ClientsTable {
  id: string;
  account_id: string;
  name: string;
  description: string | null;
  siret: string | null;
  username: string | null;
  email_address: string | null;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  password_hash: string | null;
  is_active: boolean;
  features: Json<Record<string, boolean>>;
  limits: Json<Record<string, number>>;
  metadata: Json<Record<string, unknown>>;
  ratelimits: ColumnType<RateLimitSpec[], string | undefined, string>;
  data_key: Buffer;
  created_at: Date;
  updated_at: Date;
}

export interface ApiKeysTable {
  key_id: string;
  account_id: string;
  client_id: string | null;
  name: string | null;
  is_primary: boolean;
  enabled: boolean;
  scopes: Json<string[]>;
  permissions: Json<string[]>;
  ratelimits: ColumnType<RateLimitSpec[], string | undefined, string>;
  secret_hash: Buffer;
  secret_hint: string;
  previous_secret_hash: Buffer | null;
  previous_secret_expires_at: Date | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  use_count: Generated<number>;
  created_at: Date;
  updated_at: Date;
}

export interface EventsTable {
  id: string;
  account_id: string;
  client_id: string | null;
  type: string;
  actor: Json<Record<string, unknown>>;
  data: Json<Record<string, unknown>>;
  created_at: Date;
}

export interface IdempotencyRecordsTable {
  account_id: string;
  principal: string;
  idempotency_key: string;
  request_hash: Buffer;
  status_code: number;
  response: Buffer;
  created_at: Date;
}

interface ServerSecretsTable {
  name: string;
  value: Buffer;
  created_at: Date;
}

export interface SigningKeysTable {
  kid: string;
  algorithm: string;
  public_jwk: Json<Record<string, unknown>>;
  private_key: Buffer;
  created_at: Date;
  retired_at: Date | null;
  publish_until: Date | null;
}

export interface IntegrationCredentialsTable {
  id: string;
  number: Generated<number>;
  account_id: string;
  client_id: string;
  kind: string;
  settings: Json<Record<string, unknown>>;
  encryption_mode: 'fernet' | 'double';
  secrets: Buffer;
  last_test_at: Date | null;
  last_test_success: boolean | null;
  last_test_error: string | null;
  created_at: Date;
  updated_at: Date;
}

interface ClientWebhookSecretsTable {
  client_id: string;
  account_id: string;
  secret: Buffer;
  created_at: Date;
}

interface UsageCountersTable {
  account_id: string;
  client_id: string;
  metric: string;
  period: string;
  dimension: string;
  value: number;
  updated_at: Date;
}

export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  url: string;
  events: ColumnType<string[] | null, string | null, string | null>;
  client_id: string | null;
  format: 'native' | 'factpulse';
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface AccountWebhookSecretsTable {
  account_id: string;
  secret: Buffer;
  previous_secret: Buffer | null;
  previous_expires_at: Date | null;
  created_at: Date;
}

export interface WebhookDeliveriesTable {
  id: string;
  account_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  client_id: string | null;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: Date;
  lease_until: Date | null;
  last_attempt_at: Date | null;
  response_status: number | null;
  response_body: string | null;
  latency_ms: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

interface RateLimitOverridesTable {
  account_id: string;
  namespace: string;
  identifier: string;
  limit: string | number;
  duration_ms: string | number;
  created_at: Date;
  updated_at: Date;
}

interface RateLimitCountersTable {
  key: string;
  window_start: string | number;
  count: string | number;
  last_grant: string | number;
  max_count: string | number;
  expires_at: Date;
}

interface LoginThrottlesTable {
  subject: string;
  failures: number;
  blocked_until: Date;
  locked_until: Date | null;
  updated_at: Date;
  attempt: string | null;
}

export interface DB {
  accounts: AccountsTable;
  users: UsersTable;
  sessions: SessionsTable;
  clients: ClientsTable;
  api_keys: ApiKeysTable;
  events: EventsTable;
  idempotency_records: IdempotencyRecordsTable;
  server_secrets: ServerSecretsTable;
  signing_keys: SigningKeysTable;
  integration_credentials: IntegrationCredentialsTable;
  client_webhook_secrets: ClientWebhookSecretsTable;
  usage_counters: UsageCountersTable;
  client_counts: ClientCountsTable;
  webhook_endpoints: WebhookEndpointsTable;
  account_webhook_secrets: AccountWebhookSecretsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  rate_limit_overrides: RateLimitOverridesTable;
  rate_limit_counters: RateLimitCountersTable;
  login_throttles: LoginThrottlesTable;
}
