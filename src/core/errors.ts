/**
 * The one error catalogue. Every failure the API can report has a stable code, an HTTP
 * status and a title here; surfaces translate codes to their own wire formats.
 * `docs/errors.md` lists the same table (a test keeps them in sync).
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_REQUEST: { status: 400, title: 'The request body could not be parsed' },
  MALFORMED_URL: { status: 400, title: 'The URL could not be decoded' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  FORBIDDEN: { status: 403, title: 'The credential may not perform this action' },
  CSRF_REJECTED: { status: 403, title: 'A change made with a session cookie needs its X-CSRF-Token, from the same origin' },
  PERMISSION_DENIED: { status: 403, title: 'The credential lacks a permission this action needs' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  CLIENT_NOT_FOUND: { status: 404, title: 'No such client' },
  KEY_NOT_FOUND: { status: 404, title: 'No such API key' },
  SESSION_NOT_FOUND: { status: 404, title: 'No such session' },
  USER_NOT_FOUND: { status: 404, title: 'No such user' },
  INTEGRATION_NOT_FOUND: { status: 404, title: 'The client has no such integration configured' },
  NO_DOUBLE_ENCRYPTED_SECRETS: { status: 404, title: 'The client has no double-encrypted secrets' },
  ENCRYPTION_KEY_REQUIRED: { status: 400, title: 'This secret is double-encrypted: send X-Encryption-Key' },
  INVALID_ENCRYPTION_KEY: { status: 400, title: "The encryption key does not open this client's secrets" },
  CONFLICT: { status: 409, title: 'The resource was changed concurrently' },
  USERNAME_TAKEN: { status: 409, title: 'The username is already used by another client' },
  EMAIL_TAKEN: { status: 409, title: 'The e-mail address is already used by another user' },
  PRIMARY_KEY_PROTECTED: { status: 409, title: 'A primary key cannot be deleted or demoted' },
  TWO_FACTOR_ALREADY_ENABLED: { status: 409, title: 'Two-factor authentication is already on: disable it first' },
  TWO_FACTOR_NOT_ENROLLED: { status: 409, title: 'Two-factor authentication is not set up for this user' },
  LAST_OWNER: { status: 409, title: 'The account must keep at least one owner' },
  NOT_PRIMARY_KEY: { status: 409, title: "The key given is not the account's primary key" },
  USAGE_LIMIT_EXCEEDED: { status: 409, title: "The usage would exceed the client's limit" },
  USAGE_COUNTER_OVERFLOW: { status: 409, title: 'The usage would take a counter beyond the largest value it can hold' },
  WEBHOOK_ENDPOINT_LIMIT_REACHED: { status: 409, title: 'The account has as many webhook endpoints as it may have' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used with a different request' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'A request with this Idempotency-Key is in progress' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be JSON' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request was not received in time' },
  URI_TOO_LONG: { status: 414, title: 'A path segment of the URL is too long' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  RATE_LIMITED: { status: 429, title: 'Too many requests: retry after the Retry-After delay' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'The server is too busy to answer now; retry after the Retry-After delay' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** One problem with one input field, for validation errors. */
export interface FieldError {
  /** Location of the field: e.g. `body.name`, `query.limit`, `params.id`, `header.idempotency-key`. */
  field: string;
  message: string;
  /** The failed rule (JSON Schema keyword such as `required`, `type`, `pattern`), when known. */
  rule?: string;
}

/**
 * An expected failure with a catalogue code. The message is safe to show a caller:
 * it never contains a secret or an internal detail.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;

  constructor(code: ErrorCode, message?: string, errors?: FieldError[]) {
    super(message ?? ERROR_CATALOGUE[code].title);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.errors = errors;
  }
}

/** Shorthand for a single-field validation error. */
export function invalidField(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${field}: ${message}`, [{ field, message }]);
}

/** One limit a refused request ran into, for the IETF RateLimit-Policy / RateLimit headers. */
export interface LimitPolicy {
  /** The policy's name, e.g. `sign-in-address`. */
  name: string;
  /** Units per window. */
  quota: number;
  windowSeconds: number;
  remaining: number;
}

/** RATE_LIMITED, with when to retry and the limit that was hit (each surface writes the body, the HTTP layer the headers). */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;
  readonly policy: LimitPolicy;

  constructor(message: string, retryAfterSeconds: number, policy: LimitPolicy) {
    super('RATE_LIMITED', message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
    this.policy = policy;
  }
}
