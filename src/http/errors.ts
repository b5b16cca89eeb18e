/**
 * Turns anything thrown during a request into an AppError, and writes it in the wire format
 * of the surface the route belongs to. Unexpected errors are logged in full and answered
 * with a generic 500.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, RateLimitedError } from '../core/errors.js';
import { redactUrl } from './logging.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import { fieldErrors } from './validation.js';

export type ErrorWriter = (err: AppError, request: FastifyRequest, reply: FastifyReply) => unknown;

/** Maps framework and library errors to catalogue errors; unknown ones become INTERNAL. */
export function toAppError(err: unknown, request: FastifyRequest): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError & { validationContext?: string; type?: string };
  if (fe?.validation) {
    const errors = fieldErrors(fe.validation as never, fe.validationContext ?? 'body');
    const first = errors[0];
    return new AppError('VALIDATION_FAILED', first ? `${first.field}: ${first.message}` : undefined, errors);
  }
  switch (fe?.code) {
    // storage/database.ts DatabaseBusyError: no connection in time, or too many waiting.
    // Matched by its code only, so the HTTP layer does not import the storage layer.
    case 'CLIENTELE_DB_BUSY':
    // crypto/passwords.ts PasswordWorkBusyError: too many password checks waiting.
    case 'CLIENTELE_PASSWORD_BUSY':
    // core/rate-limits.ts RateLimitUnavailableError: the shared rate-limit store did not answer.
    case 'CLIENTELE_RATE_LIMIT_UNAVAILABLE':
      return new AppError('SERVICE_UNAVAILABLE');
    // Raised by the router before any route matched; their framework messages quote the
    // whole URL, query included, so none of it is carried over.
    case 'FST_ERR_BAD_URL':
      return new AppError('MALFORMED_URL');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('URI_TOO_LONG');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('MALFORMED_REQUEST');
  }
  if (fe?.statusCode === 400 || fe?.type === 'entity.parse.failed' || err instanceof SyntaxError) return new AppError('MALFORMED_REQUEST');
  if (fe?.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE');
  if (fe?.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE');
  request.log.error({ err }, 'unexpected error');
  return new AppError('INTERNAL');
}

/** A Fastify error handler that writes every error with one surface's writer. */
export function handleErrorsWith(writer: ErrorWriter) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof RateLimitedError) setRateLimitHeaders(reply, err);
    return writer(toAppError(err, request), request, reply);
  };
}

/**
 * A 429's headers, whatever the surface writes in the body: Retry-After (RFC 9110 §10.2.3)
 * and the IETF RateLimit-Policy / RateLimit fields (draft-ietf-httpapi-ratelimit-headers):
 * the policy's quota `q` per window `w` seconds, and what remains `r` until `t` seconds.
 */
function setRateLimitHeaders(reply: FastifyReply, err: RateLimitedError): void {
  const p = err.policy;
  reply.header('Retry-After', String(err.retryAfterSeconds));
  reply.header('RateLimit-Policy', `"${p.name}";q=${p.quota};w=${Math.ceil(p.windowSeconds)}`);
  reply.header('RateLimit', `"${p.name}";r=${p.remaining};t=${err.retryAfterSeconds}`);
}

/**
 * The native surface: RFC 9457 problem+json. `instance` is the request's path (tokens masked,
 * never the query) when a route matched; a URL the router could not take is not echoed.
 */
export const writeProblem: ErrorWriter = (err, request, reply) => {
  if (err.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="clientele", Basic realm="clientele"');
  const routeless = err.code === 'MALFORMED_URL' || err.code === 'URI_TOO_LONG' || request.url === '';
  return reply
    .code(err.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(toProblem(err, routeless ? undefined : redactUrl(request.url.split('?')[0]!))));
};

/** An answer rendered outside Fastify's request cycle (HTTP parse errors, request timeouts). */
export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Renders an error with a surface's writer when there is no Fastify request: the writer gets
 * a stand-in reply that records what it sets.
 */
export function renderError(writer: ErrorWriter, err: AppError): RenderedError {
  const out: RenderedError = { status: err.status, headers: {}, body: '' };
  const reply = {
    statusCode: err.status,
    code(status: number) {
      out.status = status;
      reply.statusCode = status;
      return reply;
    },
    type(contentType: string) {
      out.headers['content-type'] = contentType;
      return reply;
    },
    header(name: string, value: string) {
      out.headers[name.toLowerCase()] = value;
      return reply;
    },
    hasHeader: (name: string) => name.toLowerCase() in out.headers,
    send(payload: unknown) {
      out.body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      out.headers['content-type'] ??= 'application/json; charset=utf-8';
      return reply;
    },
  };
  const request = { url: '', routeOptions: { config: {} } };
  writer(err, request as unknown as FastifyRequest, reply as unknown as FastifyReply);
  return out;
}
