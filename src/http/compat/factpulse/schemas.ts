/**
 * FactPulse Client Management wire schemas (generation B), exactly as the contract lists
 * them: camelCase, only documented keys (strict SDKs reject unknown ones), RFC 3339 dates.
 * Request schemas leave unknown keys alone (FastAPI ignores them); responses are closed.
 */
import { Type } from 'typebox';
import { SIRET_PATTERN } from '../../../core/clients.js';

const DateTime = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableBoolean = Type.Union([Type.Boolean(), Type.Null()]);

export const UidParams = Type.Object({ uid: Type.String({ format: 'uuid' }) });

export const ListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

export const ClientCreateRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  siret: Type.Optional(Type.Union([Type.String({ pattern: SIRET_PATTERN }), Type.Null()])),
});

export const ClientUpdateRequest = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  siret: Type.Optional(Type.Union([Type.String({ pattern: SIRET_PATTERN }), Type.Null()])),
});

const clientFields = {
  uid: Type.String({ format: 'uuid' }),
  name: Type.String(),
  siret: NullableString,
  description: NullableString,
  isActive: Type.Boolean(),
  hasConfigPdp: Type.Boolean(),
  pdpIsActive: NullableBoolean,
  pdpIsMock: NullableBoolean,
  hasConfigChorus: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
};
export const ClientDetail = Type.Object(clientFields, { additionalProperties: false });
const ClientSummary = Type.Object(clientFields, { additionalProperties: false });

export const ClientListResponse = Type.Object({
  results: Type.Array(ClientSummary),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

export const ClientActivateResponse = Type.Object({ uid: Type.String({ format: 'uuid' }), isActive: Type.Boolean(), message: Type.String() });

export const PDPConfigUpdateRequest = Type.Object({
  isActive: Type.Optional(Type.Boolean()),
  modeSandbox: Type.Optional(Type.Boolean()),
  flowServiceUrl: Type.String({ minLength: 1, maxLength: 2048 }),
  tokenUrl: Type.String({ minLength: 1, maxLength: 2048 }),
  oauthClientId: Type.String({ minLength: 1, maxLength: 1024 }),
  clientSecret: Type.String({ minLength: 1, maxLength: 4096 }),
  encryptionMode: Type.Optional(Type.Union([Type.Union([Type.Literal('fernet'), Type.Literal('double')]), Type.Null()])),
});

const SecretStatus = Type.Object({
  status: Type.String(),
  message: Type.String(),
  encryptionMode: Type.Optional(NullableString),
  requiresClientKey: Type.Optional(NullableBoolean),
});

export const PDPConfigResponse = Type.Object({
  isConfigured: Type.Boolean(),
  id: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  isActive: Type.Optional(NullableBoolean),
  modeSandbox: Type.Optional(NullableBoolean),
  flowServiceUrl: Type.Optional(NullableString),
  tokenUrl: Type.Optional(NullableString),
  oauthClientId: Type.Optional(NullableString),
  encryptionMode: Type.Optional(NullableString),
  secretStatus: Type.Optional(Type.Union([SecretStatus, Type.Null()])),
  lastTestAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
  lastTestSuccess: Type.Optional(NullableBoolean),
  lastTestError: Type.Optional(NullableString),
  createdAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
  updatedAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
  message: Type.Optional(NullableString),
});

export const KeyRotationRequest = Type.Object({
  oldKey: Type.String({ minLength: 40 }),
  newKey: Type.String({ minLength: 40 }),
});

export const KeyRotationResponse = Type.Object({
  success: Type.Boolean(),
  message: Type.String(),
  rotatedCount: Type.Integer(),
});

export const WebhookSecretGenerateResponse = Type.Object({
  success: Type.Boolean(),
  webhookSecret: Type.String(),
  message: Type.String(),
  createdAt: DateTime,
});

export const WebhookSecretStatusResponse = Type.Object({ hasSecret: Type.Boolean(), createdAt: Type.Optional(Type.Union([DateTime, Type.Null()])) });

export const SuccessMessage = Type.Object({ success: Type.Boolean(), message: Type.String() });

/** The body of every FactPulse error but validation's (errors.ts). */
export const ErrorBody = Type.Object({ errorCode: Type.String(), errorMessage: Type.String() });
