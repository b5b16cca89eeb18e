/**
 * Every event type the server records (recordEvent takes only these, so the list cannot fall
 * behind the code). Webhook endpoints filter on them, by name or by prefix (`client.*`); the
 * console offers them when an endpoint is created or edited. `webhook.test` is not here: a
 * test event goes to the one endpoint it was sent to, whatever its filter.
 */
export const EVENT_TYPES = [
  'account.created',
  'account.updated',
  'client.created',
  'client.updated',
  'client.activated',
  'client.deactivated',
  'client.deleted',
  'key.created',
  'key.updated',
  'key.reset',
  'key.deleted',
  'integration.updated',
  'integration.tested',
  'integration.deleted',
  'encryption_key.rotated',
  'usage.limit_reached',
  'webhook_endpoint.created',
  'webhook_endpoint.updated',
  'webhook_endpoint.disabled',
  'webhook_endpoint.deleted',
  'webhook_secret.generated',
  'webhook_secret.deleted',
  'user.created',
  'user.updated',
  'user.deleted',
  'user.password_changed',
  'user.2fa_enabled',
  'user.2fa_disabled',
  'user.recovery_code_used',
  'user.locked',
  'user.unlocked',
  'ratelimit.override_set',
  'ratelimit.override_deleted',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
