/**
 * The FactPulse Client Management models (generation B: the 4.0.2 set plus encryption modes
 * and webhook secrets), with the wire's camelCase names.
 * @see docs/factpulse.md (Objects), in the Clientele repository
 */
export interface ClientCreateRequest {
  name: string;
  description?: string | null;
  /** 14 digits */
  siret?: string | null;
}

export interface ClientUpdateRequest {
  name?: string | null;
  description?: string | null;
  siret?: string | null;
}

export interface ClientDetail {
  uid: string;
  name: string;
  siret?: string | null;
  description?: string | null;
  isActive: boolean;
  hasConfigPdp: boolean;
  pdpIsActive?: boolean | null;
  pdpIsMock?: boolean | null;
  hasConfigChorus: boolean;
  createdAt: string;
  updatedAt: string;
}

export type ClientSummary = ClientDetail;

export interface ClientListResponse {
  results: ClientSummary[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ClientActivateResponse {
  uid: string;
  isActive: boolean;
  message: string;
}

export const EncryptionMode = { Fernet: 'fernet', Double: 'double' } as const;
export type EncryptionMode = (typeof EncryptionMode)[keyof typeof EncryptionMode];

export interface PDPConfigUpdateRequest {
  isActive?: boolean;
  modeSandbox?: boolean;
  flowServiceUrl: string;
  tokenUrl: string;
  oauthClientId: string;
  /** Sent, never returned. */
  clientSecret: string;
  /** `double` also needs the `X-Encryption-Key` header (pass it in `options.headers`). */
  encryptionMode?: EncryptionMode | null;
}

export interface SecretStatus {
  status: string;
  message: string;
  encryptionMode?: string | null;
  requiresClientKey?: boolean | null;
}

export interface PDPConfigResponse {
  isConfigured: boolean;
  id?: number | null;
  isActive?: boolean | null;
  modeSandbox?: boolean | null;
  flowServiceUrl?: string | null;
  tokenUrl?: string | null;
  oauthClientId?: string | null;
  encryptionMode?: string | null;
  secretStatus?: SecretStatus | null;
  lastTestAt?: string | null;
  lastTestSuccess?: boolean | null;
  lastTestError?: string | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  message?: string | null;
}

export interface KeyRotationRequest {
  /** Base64 AES-256 key (44 characters). */
  oldKey: string;
  newKey: string;
}

export interface KeyRotationResponse {
  success: boolean;
  message: string;
  rotatedCount: number;
  partialErrors?: string[] | null;
}

export interface WebhookSecretGenerateResponse {
  success: boolean;
  /** Shown once. */
  webhookSecret: string;
  message: string;
  createdAt: string;
}

export interface WebhookSecretStatusResponse {
  hasSecret: boolean;
  createdAt?: string | null;
}

export interface WebhookSecretDeleteResponse {
  success: boolean;
  message: string;
}

export interface ValidationError {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

export interface HTTPValidationError {
  detail?: ValidationError[];
}

export interface APIError {
  errorCode: string;
  errorMessage: string;
  details?: unknown[] | null;
}
