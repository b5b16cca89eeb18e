/**
 * Typed errors. Every non-2xx answer becomes a `ClienteleError` carrying the HTTP status, the
 * problem+json `code` (a closed SCREAMING_SNAKE set, see the server's docs/errors.md), the
 * body itself and the per-field validation errors. A request that never got an answer
 * (connection refused, reset, DNS, abort) is a `ClienteleConnectionError` (status 0).
 */
import type { FieldError, Problem } from './types.js';

export class ClienteleError extends Error {
  /** HTTP status; 0 when no response was received. */
  readonly status: number;
  /** The problem `code` (e.g. `CLIENT_NOT_FOUND`, `VALIDATION_FAILED`), or a derived one for non-problem bodies. */
  readonly code: string;
  /** The RFC 9457 body, when the server sent one. */
  readonly problem: Problem | undefined;
  /** The parsed body whatever its shape (e.g. an OAuth `{error, error_description}`). */
  readonly body: unknown;
  /** One entry per invalid field (`body.siret`, `query.limit`, …); empty when not a validation error. */
  readonly fieldErrors: FieldError[];
  readonly method: string;
  readonly url: string;

  constructor(init: { status: number; code: string; message: string; method: string; url: string; body?: unknown; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ClienteleError';
    this.status = init.status;
    this.code = init.code;
    this.body = init.body;
    this.problem = isProblem(init.body) ? init.body : undefined;
    this.fieldErrors = this.problem?.errors ?? [];
    this.method = init.method;
    this.url = init.url;
  }
}

/** No HTTP response at all (after any retries). */
export class ClienteleConnectionError extends ClienteleError {
  constructor(init: { method: string; url: string; cause: unknown }) {
    const reason = init.cause instanceof Error ? init.cause.message : String(init.cause);
    super({ status: 0, code: 'CONNECTION_FAILED', message: `${init.method} ${init.url} failed: ${reason}`, method: init.method, url: init.url, cause: init.cause });
    this.name = 'ClienteleConnectionError';
  }
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as Problem).code === 'string' && typeof (body as Problem).status === 'number';
}

/** Builds the error for a non-2xx response whose body has been parsed (or not). */
export function errorFromResponse(status: number, statusText: string, body: unknown, method: string, url: string): ClienteleError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const code =
    str(b.code) ??
    str(b.errorCode) ??
    (str(b.error) ? String(b.error).toUpperCase() : undefined) ??
    (status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : `HTTP_${status}`);
  const detail = str(b.detail) ?? str(b.error_description) ?? str(b.errorMessage) ?? str(b.title) ?? (statusText || `HTTP ${status}`);
  return new ClienteleError({ status, code, message: `${code}: ${detail}`, method, url, body });
}
