/**
 * The fast lane: the two requests a platform sends on every one of its own API calls —
 * `POST /v1/keys/verify` and `GET /v1/clients/{id}`, authenticated with `X-API-Key` — are
 * answered straight from the verification cache, in front of the router, when everything
 * they need is already cached and valid. Anything else (another credential, a cache miss,
 * an invalid caller, a body that does not parse or validate, a client with a `calls` limit,
 * request logging on) goes to Fastify unchanged, which gives it its usual answer: the lane
 * only ever serves the success case, with the same core functions, the same response
 * schema (serializer) and the same headers as the route.
 *
 * Measured on 2 cores (bench/RESULTS.md): Fastify's per-request machinery costs more than
 * the work of a cached verification, so this is where the throughput of the hot path is won.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import fastJson from 'fast-json-stringify';
import type { AuthContext } from '../core/auth.js';
import { getCachedClient } from '../core/clients.js';
import { authenticateCachedKey, verifyCachedKey, type VerifyInput } from '../core/verification.js';
import { parseToken } from '../crypto/key-format.js';
import { parseJsonBody } from './body.js';
import { SECURITY_HEADERS } from './headers.js';
import { clientToWire, verifyOutcomeToWire } from './native/mappers.js';
import { Client, VerifyRequest, VerifyResponse } from './native/schemas.js';
import { createValidatorCompiler } from './validation.js';

/** Largest verify body the lane reads itself (a token and a dimension fit many times over). */
const MAX_BODY = 4096;
const CLIENT_PATH = /^\/v1\/clients\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
const JSON_TYPE = /^application\/json\s*(?:;\s*charset=utf-8\s*)?$/i;
/** A body the lane read but handed on: the route's preParsing hook replays it (see `replayBody`). */
const READ_BODY = Symbol('clientele.fastLane.body');

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Caller = NonNullable<ReturnType<typeof authenticateCachedKey>>;
type RawWithBody = IncomingMessage & { [READ_BODY]?: Buffer };

export interface FastLaneOptions {
  /** False while each request must be logged: Fastify writes those lines. */
  enabled: () => boolean;
  /** Told of each request the lane answered (the access-log summary counts them). */
  onAnswered?: (kind: 'verify' | 'client') => void;
}

/** Wraps Fastify's request handler with the lane. */
export function withFastLane(ctx: AuthContext, next: Handler, options: FastLaneOptions): Handler {
  const serializeClient = fastJson(Client as object);
  const serializeVerify = fastJson(VerifyResponse as object);
  const validateVerify = createValidatorCompiler()({ schema: VerifyRequest, method: 'POST', url: '/v1/keys/verify', httpPart: 'body' }) as (data: unknown) => boolean;

  function send(res: ServerResponse, body: string): void {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      ...SECURITY_HEADERS,
    });
    res.end(body);
  }

  /** The caller, when it sends exactly one X-API-Key that the cache vouches for. */
  function caller(req: IncomingMessage): Caller | undefined {
    const header = req.headers['x-api-key'];
    if (typeof header !== 'string' || req.headers.authorization !== undefined) return undefined;
    const parts = parseToken(header.trim());
    return parts ? authenticateCachedKey(ctx, parts.keyId, parts.secret) : undefined;
  }

  /** Answers with `serialize(answer())` unless the answer is undefined or anything throws (then Fastify answers). */
  function attempt<T>(res: ServerResponse, answer: () => T | undefined, serialize: (v: T) => string): boolean {
    let body: string;
    try {
      const v = answer();
      if (v === undefined) return false;
      body = serialize(v);
    } catch {
      return false;
    }
    send(res, body);
    return true;
  }

  function getClient(req: IncomingMessage, res: ServerResponse, id: string): boolean {
    let who: Caller | undefined;
    const answered = attempt(
      res,
      () => {
        who = caller(req);
        return who && getCachedClient(ctx, who.principal, id);
      },
      (client) => serializeClient(clientToWire(client)),
    );
    if (answered) {
      who!.recordUse();
      options.onAnswered?.('client');
    }
    return answered;
  }

  function verify(req: RawWithBody, res: ServerResponse): boolean {
    const length = Number(req.headers['content-length']);
    if (!(length > 0 && length <= MAX_BODY) || req.headers['transfer-encoding'] !== undefined || !JSON_TYPE.test(req.headers['content-type'] ?? '')) return false;
    let who: Caller | undefined;
    try {
      who = caller(req);
    } catch {
      return false;
    }
    if (!who) return false;
    const { principal, recordUse } = who;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const body = tryParse(raw);
      if (
        body !== undefined &&
        validateVerify(body) &&
        attempt(
          res,
          () => verifyCachedKey(ctx, principal, body as VerifyInput),
          (o) => serializeVerify(verifyOutcomeToWire(o)),
        )
      ) {
        recordUse();
        options.onAnswered?.('verify');
        return;
      }
      req[READ_BODY] = raw;
      next(req, res);
    });
    return true;
  }

  return (req, res) => {
    if (options.enabled()) {
      const url = req.url ?? '';
      if (req.method === 'POST' && url === '/v1/keys/verify' && verify(req, res)) return;
      if (req.method === 'GET') {
        const m = CLIENT_PATH.exec(url);
        if (m && getClient(req, res, m[1]!)) return;
      }
    }
    next(req, res);
  };
}

function tryParse(raw: Buffer): unknown {
  try {
    return parseJsonBody(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * preParsing hook of the routes the lane serves: when the lane has already read the body
 * (and handed the request on), Fastify parses that copy instead of the spent stream.
 */
export function replayBody(raw: IncomingMessage, payload: Readable): Readable {
  const body = (raw as RawWithBody)[READ_BODY];
  return body ? Readable.from([body]) : payload;
}
