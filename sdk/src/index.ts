/** @clientele/sdk — typed client for the Clientele native API. No runtime dependencies. */
export { Clientele } from './client.js';
export { ClienteleConnectionError, ClienteleError } from './errors.js';
export type { ClienteleOptions, CreateOptions, FetchLike, HttpRequest, Query, RequestOptions, Transport } from './http.js';
export type { Credentials } from './auth.js';
export type { RetryOptions } from './retry.js';
export { Paginated } from './pagination.js';
export type { FollowOptions } from './resources/events.js';
export type { BatchCreateOptions, CreateManyOptions } from './resources/clients.js';
export type { EncryptionKeyOptions } from './resources/integrations.js';
export { verifyFactPulseSignature, verifyStandardWebhook, verifyWebhook, type WebhookHeaders } from './webhooks/verify.js';
export type * from './types.js';
export type { components, paths } from './openapi.js';
