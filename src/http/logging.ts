/**
 * JSON logs (pino, through Fastify). Request lines carry method, URL and addresses only —
 * never headers or bodies — and any secret-bearing query parameter is masked; the redact
 * list is a second line of defence for anything logged with an object.
 */
import type { FastifyServerOptions } from 'fastify';

const SECRET_QUERY_PARAMS = /([?&](?:apiKey|api_key|token|access_token|client_secret|secret|password)=)[^&#]*/gi;

/** An API token anywhere in a URL (e.g. pasted into a path), as TOKEN_PATTERN in crypto/key-format.ts; the key id part is kept. */
const TOKENS = /\b(clt_[0-9A-Za-z]{22}_)[0-9A-Za-z]{49}\b/g;

/** Masks secret-bearing query parameters, and API tokens anywhere, in a URL. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[REDACTED]').replace(TOKENS, '$1[REDACTED]');
}

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-encryption-key"]',
  'req.headers.cookie',
  '*.password',
  '*.passwordHash',
  '*.secret',
  '*.token',
  '*.apiSecret',
  '*.clientSecret',
  '*.client_secret',
  '*.webhookSecret',
  '*.access',
  '*.refresh',
  '*.access_token',
  '*.oldKey',
  '*.newKey',
];

export function loggerOptions(level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    serializers: {
      req(req: { method: string; url: string; ip?: string; id?: string }) {
        return { id: req.id, method: req.method, url: redactUrl(req.url), remoteAddress: req.ip };
      },
    },
  };
}
