/**
 * Turns anything thrown during a request into an AppError, and writes it in the wire format
 * of the surface the route belongs to. Unexpected errors are logged in full and answered
 * with a generic 500.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
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
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('MALFORMED_REQUEST');
  }
  if (fe?.statusCode === 400 || fe?.type === 'entity.parse.failed' || err instanceof SyntaxError)
    return new AppError('MALFORMED_REQUEST');
  if (fe?.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE');
  if (fe?.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE');
  request.log.error({ err }, 'unexpected error');
  return new AppError('INTERNAL');
}

/** The native surface: RFC 9457 problem+json. */
export const writeProblem: ErrorWriter = (err, request, reply) => {
  if (err.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="clientele", Basic realm="clientele"');
  return reply
    .code(err.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(toProblem(err, redactUrl(request.url.split('?')[0]!))));
};
