/**
 * Friendly names for the wire types generated from the server's OpenAPI document
 * (src/openapi.ts). Nothing here is written by hand except the type plumbing: a change to a
 * route schema flows through `npm run openapi` into these types.
 */
import type { components, paths } from './openapi.js';

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonContent<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;

/** The JSON body a route answers with `status`. */
export type ResponseOf<P extends keyof paths, M extends Method, S extends number = 200> = Operation<P, M> extends { responses: infer R } ? (S extends keyof R ? JsonContent<R[S]> : never) : never;
/** The JSON request body of a route. */
export type BodyOf<P extends keyof paths, M extends Method> = Operation<P, M> extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;
/** The query parameters of a route. */
export type QueryOf<P extends keyof paths, M extends Method> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** One page of a cursor-paginated list; pass `nextCursor` back as `cursor`. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** RFC 9457 problem details, as every native error is written. */
export type Problem = paths['/v1/clients']['get']['responses']['4XX']['content']['application/problem+json'];
export type FieldError = NonNullable<Problem['errors']>[number];

export type Client = components['schemas']['Client'];
export type ClientCreate = BodyOf<'/v1/clients', 'post'>;
export type ClientUpdate = BodyOf<'/v1/clients/{id}', 'patch'>;
export type ClientBatchCreate = BodyOf<'/v1/clients/batch', 'post'>;
/** One item's outcome in a batch create: `client` (status 201, `replayed` when answered from its Idempotency-Key) or `error`. */
export type ClientBatchResult = NonNullable<ResponseOf<'/v1/clients/batch', 'post'>>['results'][number];
export type ClientListParams = Omit<QueryOf<'/v1/clients', 'get'>, 'cursor'> & { cursor?: string };

export type ApiKey = components['schemas']['ApiKey'];
export type IssuedKey = ResponseOf<'/v1/keys', 'post', 201>;
export type KeyCreate = BodyOf<'/v1/keys', 'post'>;
export type KeyUpdate = BodyOf<'/v1/keys/{keyId}', 'patch'>;
export type KeyReset = BodyOf<'/v1/keys/{keyId}/reset', 'post'>;
export type KeyListParams = QueryOf<'/v1/keys', 'get'>;
export type VerifyRequest = BodyOf<'/v1/keys/verify', 'post'>;
export type VerifyResult = ResponseOf<'/v1/keys/verify', 'post'>;

export type Event = components['schemas']['Event'];
export type EventListParams = QueryOf<'/v1/events', 'get'>;

export type IntegrationKind = Operation<'/v1/clients/{id}/integrations/{kind}', 'get'>['parameters']['path']['kind'];
export type Integration = ResponseOf<'/v1/clients/{id}/integrations/{kind}', 'get'>;
export type IntegrationPut = BodyOf<'/v1/clients/{id}/integrations/{kind}', 'put'>;
export type EncryptionKeyRotation = BodyOf<'/v1/clients/{id}/rotate-encryption-key', 'post'>;
export type EncryptionKeyRotated = ResponseOf<'/v1/clients/{id}/rotate-encryption-key', 'post'>;

export type WebhookSecret = ResponseOf<'/v1/clients/{id}/webhook-secret/generate', 'post'>;
export type WebhookSecretStatus = ResponseOf<'/v1/clients/{id}/webhook-secret/status', 'get'>;
export type AccountWebhookSecretGenerate = BodyOf<'/v1/webhook-secret/generate', 'post'>;

export type WebhookEndpoint = ResponseOf<'/v1/webhook-endpoints/{id}', 'get'>;
export type WebhookEndpointCreate = BodyOf<'/v1/webhook-endpoints', 'post'>;
export type WebhookEndpointUpdate = BodyOf<'/v1/webhook-endpoints/{id}', 'patch'>;
export type WebhookDelivery = ResponseOf<'/v1/deliveries/{id}/redeliver', 'post', 202>;
export type ListParams = QueryOf<'/v1/webhook-endpoints', 'get'>;

export type User = components['schemas']['User'];
export type UserCreate = BodyOf<'/v1/users', 'post'>;
export type CreatedUser = ResponseOf<'/v1/users', 'post', 201>;
export type UserUpdate = BodyOf<'/v1/users/{id}', 'patch'>;
export type PasswordChange = BodyOf<'/v1/users/me/password', 'post'>;
export type TwoFactorEnrolment = ResponseOf<'/v1/users/me/2fa', 'post'>;
export type TwoFactorRecoveryCodes = ResponseOf<'/v1/users/me/2fa/confirm', 'post'>;
export type Account = ResponseOf<'/v1/account', 'patch'>;
export type AccountUpdate = BodyOf<'/v1/account', 'patch'>;
export type SignInLock = ResponseOf<'/v1/users/{id}/sign-in-lock', 'get'>;

export type RateLimitCheck = BodyOf<'/v1/ratelimit', 'post'>;
export type RateLimitResult = ResponseOf<'/v1/ratelimit', 'post'>;
export type RateLimitOverride = ResponseOf<'/v1/ratelimit/namespaces/{namespace}/overrides/{identifier}', 'put'>;
export type RateLimitOverrideSet = BodyOf<'/v1/ratelimit/namespaces/{namespace}/overrides/{identifier}', 'put'>;

export type UsageReport = BodyOf<'/v1/clients/{id}/usage', 'post'>;
export type UsageRecorded = ResponseOf<'/v1/clients/{id}/usage', 'post'>;
export type Usage = ResponseOf<'/v1/clients/{id}/usage', 'get'>;
export type UsageParams = QueryOf<'/v1/clients/{id}/usage', 'get'>;

export type SignIn = BodyOf<'/v1/sessions', 'post'>;
export type SignedIn = ResponseOf<'/v1/sessions', 'post', 201>;
export type Session = SignedIn['session'];
