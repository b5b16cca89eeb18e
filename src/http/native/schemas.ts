/**
 * Native API schemas: one definition validates requests, types handlers, shapes responses
 * (unknown fields are dropped by the serializer) and produces the OpenAPI document.
 */
import { Type } from 'typebox';
import { MAX_CLIENT_BATCH, SIRET_PATTERN } from '../../core/clients.js';
import { PERMISSION_NAMES } from '../../core/permissions.js';
import { BCRYPT_HASH_PATTERN } from '../../crypto/passwords.js';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency.js';
import { MAX_RATELIMIT, MAX_RATELIMIT_DURATION, MAX_RATELIMITS, MIN_RATELIMIT_DURATION, RATELIMIT_NAME_PATTERN } from '../../core/rate-limits.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
export const DateTime = Type.String({ format: 'date-time', description: 'RFC 3339, UTC' });
export const NullableDateTime = Type.Union([DateTime, Type.Null()]);

export const Uuid = Type.String({ format: 'uuid' });
const KeyIdString = Type.String({ pattern: '^ck_[0-9A-Za-z]{22}$', description: 'Public key id' });

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export const KeyIdParams = Type.Object({ keyId: KeyIdString }, { additionalProperties: false });

const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String(), rule: Type.Optional(Type.String()) }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });
/** Error responses of every native route (written by src/http/errors.ts). */
export const ErrorResponses = { '4xx': problemResponse('Client error (RFC 9457)'), '5xx': problemResponse('Server error (RFC 9457)') } as const;

const Features = Type.Record(Type.String({ maxLength: 64 }), Type.Boolean(), { description: 'Feature switches' });
const Limits = Type.Record(Type.String({ maxLength: 64 }), Type.Integer({ minimum: -1 }), { description: 'Limits; -1 = unlimited' });
const Metadata = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { description: 'Small JSON object (≤ 8 KiB)' });

/** A rate limit's units per window and window length (src/core/rate-limits.ts): verify's and POST /v1/ratelimit's. */
export const RateLimitValue = Type.Integer({ minimum: 1, maximum: MAX_RATELIMIT, description: 'Units per window' });
export const RateLimitDuration = Type.Integer({ minimum: MIN_RATELIMIT_DURATION, maximum: MAX_RATELIMIT_DURATION, description: 'Window length, milliseconds (windows are aligned to the epoch)' });

/** Rate limits checked by verify. */
const RateLimitSpecWire = Type.Object(
  {
    name: Type.String({ pattern: RATELIMIT_NAME_PATTERN, description: 'Unique on its owner; a verify names it in `ratelimits`' }),
    limit: RateLimitValue,
    duration: RateLimitDuration,
    autoApply: Type.Boolean({ description: 'Checked on every verify; otherwise only when the verify names it' }),
  },
  { additionalProperties: false },
);
export const RateLimitSpecs = Type.Array(RateLimitSpecWire, { maxItems: MAX_RATELIMITS });
export const RateLimitSpecsInput = Type.Array(
  Type.Object(
    {
      name: RateLimitSpecWire.properties.name,
      limit: RateLimitSpecWire.properties.limit,
      duration: RateLimitSpecWire.properties.duration,
      autoApply: Type.Optional(Type.Boolean({ description: 'Default false: checked only when a verify names it' })),
    },
    { additionalProperties: false },
  ),
  { maxItems: MAX_RATELIMITS },
);

const clientWritable = {
  description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  siret: Type.Optional(Nullable(Type.String({ pattern: SIRET_PATTERN }))),
  username: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
  emailAddress: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
  firstName: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  lastName: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  company: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024, description: 'Write-only' })),
  passwordHash: Type.Optional(Type.String({ pattern: BCRYPT_HASH_PATTERN, description: 'Import a bcrypt hash (write-only)' })),
  isActive: Type.Optional(Type.Boolean()),
  features: Type.Optional(Features),
  limits: Type.Optional(Limits),
  metadata: Type.Optional(Metadata),
  ratelimits: Type.Optional(RateLimitSpecsInput),
};

export const ClientCreate = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Required unless company, first/last name or username is given' })), ...clientWritable },
  { additionalProperties: false },
);
export const ClientUpdate = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })), ...clientWritable }, { additionalProperties: false, minProperties: 0 });

export const Client = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    siret: Type.Union([Type.String(), Type.Null()]),
    username: Type.Union([Type.String(), Type.Null()]),
    emailAddress: Type.Union([Type.String(), Type.Null()]),
    firstName: Type.Union([Type.String(), Type.Null()]),
    lastName: Type.Union([Type.String(), Type.Null()]),
    company: Type.Union([Type.String(), Type.Null()]),
    hasPassword: Type.Boolean(),
    isActive: Type.Boolean(),
    features: Features,
    limits: Limits,
    metadata: Metadata,
    ratelimits: RateLimitSpecs,
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'Client' },
);

const batchItems = { minItems: 1, maxItems: MAX_CLIENT_BATCH };
const ItemIdempotencyKeys = Type.Array(Type.Union([Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN }), Type.Null()]), {
  maxItems: MAX_CLIENT_BATCH,
  description:
    "One per item (null: none): item i's Idempotency-Key, exactly as if it were sent alone to POST /v1/clients with that header — the item is created once per key (24 hours) and its response replayed after, by this route or the single create alike",
});

export const ClientBatchCreate = Type.Object(
  {
    items: Type.Array(ClientCreate, { ...batchItems, description: 'Clients to create; each item is checked and answered on its own (an invalid one stops no other)' }),
    idempotencyKeys: Type.Optional(ItemIdempotencyKeys),
  },
  { additionalProperties: false },
);

/** What the batch route's validator checks of ClientBatchCreate: the envelope (each item is checked on its own against ClientCreate). */
export const ClientBatchEnvelope = Type.Object({ items: Type.Array(Type.Unknown(), batchItems), idempotencyKeys: Type.Optional(ItemIdempotencyKeys) }, { additionalProperties: false });

export const ClientBatchResults = Type.Object({
  results: Type.Array(
    Type.Object({
      index: Type.Integer({ minimum: 0, description: 'The position of the item in `items`' }),
      status: Type.Integer({ description: '201 when the client was created (or replayed), otherwise the status of `error`' }),
      replayed: Type.Optional(Type.Boolean({ description: "Answered from the item's Idempotency-Key record: created by an earlier request" })),
      client: Type.Optional(Client),
      error: Type.Optional(Problem),
    }),
    { description: 'One per item, in the order of `items`' },
  ),
});

export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });
export const Cursor = Type.String({ maxLength: 400, description: 'nextCursor of the previous page' });

export const ClientListQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Substring of name, username, e-mail or company' })),
    username: Type.Optional(Type.String({ maxLength: 128 })),
    emailAddress: Type.Optional(Type.String({ maxLength: 254 })),
    isActive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ClientPage = Type.Object({ data: Type.Array(Client), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const ApiKey = Type.Object(
  {
    keyId: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    clientId: Type.Union([Uuid, Type.Null()]),
    isPrimary: Type.Boolean(),
    enabled: Type.Boolean(),
    scopes: Type.Array(Type.String(), { description: "The platform's application scopes, returned by verify" }),
    permissions: Type.Array(Type.String(), { description: "Management permissions of an account key (empty for a client's key)" }),
    ratelimits: RateLimitSpecs,
    hint: Type.String({ description: 'Last characters of the secret, for recognising a key' }),
    expiresAt: NullableDateTime,
    lastUsedAt: NullableDateTime,
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'ApiKey' },
);

/** Management permissions (src/core/permissions.ts); never more than the caller holds. */
const Permissions = Type.Array(Type.Union(PERMISSION_NAMES.map((p) => Type.Literal(p))), {
  maxItems: PERMISSION_NAMES.length,
  uniqueItems: true,
  description: "An account key's management permissions; default on create: the caller's own. Never more than the caller holds.",
});

const Scopes = Type.Array(Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\x21-\\x7e]+$' }), { maxItems: 50, uniqueItems: true });

export const KeyCreate = Type.Object(
  {
    clientId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    name: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    isPrimary: Type.Optional(Type.Boolean()),
    expiresAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
    scopes: Type.Optional(Scopes),
    permissions: Type.Optional(Permissions),
    ratelimits: Type.Optional(RateLimitSpecsInput),
  },
  { additionalProperties: false },
);

export const KeyUpdate = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    isPrimary: Type.Optional(Type.Boolean()),
    enabled: Type.Optional(Type.Boolean()),
    expiresAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
    scopes: Type.Optional(Scopes),
    permissions: Type.Optional(Permissions),
    ratelimits: Type.Optional(RateLimitSpecsInput),
  },
  { additionalProperties: false },
);

export const KeyReset = Type.Object({ gracePeriodSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800 })) }, { additionalProperties: false });

export const IssuedKey = Type.Object({
  key: ApiKey,
  secret: Type.String({ description: 'Shown only in this response' }),
  token: Type.String({ description: 'Single-string form (X-API-Key); shown only in this response' }),
});

export const KeyListQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    clientId: Type.Optional(Uuid),
    owner: Type.Optional(Type.Union([Type.Literal('account'), Type.Literal('client')])),
  },
  { additionalProperties: false },
);

export const KeyPage = Type.Object({ data: Type.Array(ApiKey), nextCursor: Type.Union([Type.String(), Type.Null()]) });

const Dimension = Type.String({ minLength: 1, maxLength: 255, description: "Dimension of the metered call (e.g. a domain); counted under the client's `calls`" });

const VerifyLimits = Type.Array(
  Type.Object(
    {
      name: Type.String({ pattern: RATELIMIT_NAME_PATTERN }),
      cost: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_RATELIMIT, description: 'Units this call spends (default 1; 0 only reads the limit)' })),
    },
    { additionalProperties: false },
  ),
  { maxItems: MAX_RATELIMITS, description: "Limits to check besides the auto-applied ones: the key's, its client's or the account's, by name" },
);

export const VerifyRequest = Type.Union(
  [
    Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }), dimension: Type.Optional(Dimension), ratelimits: Type.Optional(VerifyLimits) }, { additionalProperties: false }),
    Type.Object(
      { keyId: Type.String({ minLength: 1, maxLength: 64 }), secret: Type.String({ minLength: 1, maxLength: 512 }), dimension: Type.Optional(Dimension), ratelimits: Type.Optional(VerifyLimits) },
      { additionalProperties: false },
    ),
  ],
  { description: 'Either the token, or the key id and secret' },
);

export const VerifyResponse = Type.Object({
  valid: Type.Boolean(),
  code: Type.Union([
    Type.Literal('VALID'),
    Type.Literal('NOT_FOUND'),
    Type.Literal('EXPIRED'),
    Type.Literal('DISABLED'),
    Type.Literal('CLIENT_INACTIVE'),
    Type.Literal('USAGE_EXCEEDED'),
    Type.Literal('RATE_LIMITED'),
  ]),
  keyId: Type.Optional(Type.String()),
  accountId: Type.Optional(Uuid),
  clientId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  expiresAt: Type.Optional(NullableDateTime),
  scopes: Type.Optional(Type.Array(Type.String())),
  ratelimits: Type.Array(
    Type.Object({
      name: Type.String(),
      limit: Type.Integer(),
      remaining: Type.Integer(),
      reset: Type.Integer({ description: 'When the window ends, epoch milliseconds' }),
      exceeded: Type.Boolean(),
    }),
    { description: 'Every limit checked (empty unless the key is otherwise valid)' },
  ),
});

const Event = Type.Object(
  {
    id: Uuid,
    type: Type.String(),
    clientId: Type.Union([Uuid, Type.Null()]),
    actor: Type.Object({ type: Type.String(), id: Type.String() }),
    data: Type.Record(Type.String(), Type.Unknown()),
    createdAt: DateTime,
  },
  { $id: 'Event' },
);

export const EventListQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    type: Type.Optional(Type.String({ pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+)+$', maxLength: 100 })),
    clientId: Type.Optional(Uuid),
    actorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Who acted: a user's, a key's or a client's id" })),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after (RFC 3339)' })),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'Created before (RFC 3339)' })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'asc (default): oldest first; desc: newest first' })),
  },
  { additionalProperties: false },
);

export const EventPage = Type.Object({ data: Type.Array(Event), nextCursor: Type.Union([Type.String(), Type.Null()]) });
