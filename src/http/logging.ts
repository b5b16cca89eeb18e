/**
 * JSON logs (pino, through Fastify). Request lines carry method, URL and addresses only —
 * never headers or bodies. Three layers keep secrets out:
 * 1. `redactUrl` masks secret-bearing query parameters and API tokens in a URL, judged on the
 *    percent-decoded text (`?%61piKey=clt%5F…` authenticates like `?apiKey=clt_…`, so it is
 *    masked like it);
 * 2. pino's redact list masks secret fields of anything logged as an object;
 * 3. `scrubLogLine` runs on every serialized line and masks anything shaped like an API
 *    token (the scanner pattern of crypto/key-format.ts), plain or percent-encoded, wherever
 *    it appears — an error message, a header echoed by a library, a field nobody listed.
 */
import type { FastifyServerOptions } from 'fastify';

/** Query parameter names whose value is a secret, compared after percent-decoding, case-insensitively. */
const SECRET_QUERY_NAMES = new Set(['apikey', 'api_key', 'token', 'access_token', 'refresh_token', 'client_secret', 'secret', 'password', 'refresh', 'access']);

/** An API token anywhere (TOKEN_PATTERN of crypto/key-format.ts); the key id part is kept, the secret masked. */
const TOKENS = /\b(clt_[0-9A-Za-z]{22}_)[0-9A-Za-z]{49}\b/g;

/** A run of token characters in which some are percent-encoded, long enough to hold a token. */
const ENCODED_RUNS = /(?:[0-9A-Za-z_]|%[0-9A-Fa-f]{2}){76,}/g;

const REDACTED = '[REDACTED]';

/** Percent-decodes what can be decoded and leaves the rest (a stray `%` or a bad UTF-8 sequence) as it is. */
export function lenientDecode(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      }
    });
  }
}

function maskTokens(text: string): string {
  return text.replace(TOKENS, `$1${REDACTED}`);
}

/** A URL part with any token masked; decoded only when the decoded form holds a token. */
function redactPart(part: string): string {
  const masked = maskTokens(part);
  if (!part.includes('%')) return masked;
  const decoded = lenientDecode(part);
  TOKENS.lastIndex = 0;
  return TOKENS.test(decoded) ? maskTokens(decoded) : masked;
}

/** Masks secret-bearing query parameters, and API tokens anywhere, in a URL (path and query). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = redactPart(q < 0 ? url : url.slice(0, q));
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      if (eq >= 0 && SECRET_QUERY_NAMES.has(lenientDecode(name).trim().toLowerCase())) return `${name}=${REDACTED}`;
      return redactPart(pair);
    })
    .join('&');
  return `${path}?${query}`;
}

/** Masks API tokens, plain or percent-encoded, anywhere in a serialized log line. */
export function scrubLogLine(line: string): string {
  let out = maskTokens(line);
  if (out.includes('%')) {
    out = out.replace(ENCODED_RUNS, (run) => {
      if (!run.includes('%')) return run;
      const decoded = lenientDecode(run);
      TOKENS.lastIndex = 0;
      return TOKENS.test(decoded) ? maskTokens(decoded) : run;
    });
  }
  return out;
}

const REDACT_PATHS = [
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
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: { streamWrite: scrubLogLine },
    serializers: {
      req(req: { method: string; url: string; ip?: string; id?: string }) {
        return { id: req.id, method: req.method, url: redactUrl(req.url), remoteAddress: req.ip };
      },
    },
  };
}
