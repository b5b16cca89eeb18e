/**
 * The one HTTP path of the SDK: URL building, JSON in and out, credentials, retries and
 * typed errors. It needs nothing but a `fetch` (the global one unless injected), so the SDK
 * runs in Node ≥ 20, browsers, Deno, Bun and edge runtimes — and in tests against
 * `app.inject()` with no socket at all.
 */
import { createAuth, type AuthStrategy, type Credentials, type TokenResponse } from './auth.js';
import { ClienteleConnectionError, ClienteleError, errorFromResponse } from './errors.js';
import { backoffDelay, retryAfterMs, retryPolicy, sleep, type RetryOptions, type RetryPolicy } from './retry.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export type ClienteleOptions = Credentials & {
  /** Server origin, e.g. `https://clientele.example.com` (a path prefix is kept). */
  baseUrl: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Retry policy for idempotent requests; a number is the retry count; `false` disables. */
  retries?: number | false | RetryOptions;
  /** Per-attempt timeout in ms (none by default). */
  timeoutMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Clock used for token expiry (tests). */
  now?: () => number;
};

/** Per-call options accepted by every SDK method. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
  /** Called with the final response's status and headers (e.g. to read `Idempotent-Replayed`). */
  onResponse?: (response: { status: number; headers: Headers }) => void;
}

/** Options of `create` calls: an Idempotency-Key makes the POST safe to retry. */
export interface CreateOptions extends RequestOptions {
  /** 1–255 visible ASCII characters; the server replays the first response for 24 hours. */
  idempotencyKey?: string;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query | undefined;
  body?: unknown;
  options?: CreateOptions | undefined;
  /** Safe to send again (e.g. every item of a batch carries its own Idempotency-Key); default: by method and Idempotency-Key. */
  retryable?: boolean;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const RETRY_STATUSES = new Set([429, 503]);

export class Transport {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly policy: RetryPolicy;
  private readonly auth: AuthStrategy;
  private readonly timeoutMs: number | undefined;
  private readonly headers: Record<string, string>;

  constructor(options: ClienteleOptions) {
    if (!options.baseUrl) throw new TypeError('baseUrl is required');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    if (!options.fetch && typeof globalThis.fetch !== 'function') throw new TypeError('No global fetch: pass options.fetch');
    this.fetchImpl = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.policy = retryPolicy(options.retries);
    this.timeoutMs = options.timeoutMs;
    this.headers = lowerKeys(options.headers ?? {});
    this.auth = createAuth(options, (form) => this.requestToken(form), options.now ?? Date.now);
  }

  /** Builds an absolute URL from a path and a query (undefined values are left out). */
  url(path: string, query?: Query): string {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) search.append(k, String(v));
    const qs = search.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Sends one API request; resolves with the parsed JSON body (undefined for 204). */
  async request<T>(req: HttpRequest): Promise<T> {
    const options = req.options ?? {};
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    Object.assign(headers, lowerKeys(options.headers ?? {}));
    const retryable = req.retryable === true || IDEMPOTENT_METHODS.has(req.method) || options.idempotencyKey !== undefined;
    const res = await this.send(req.method, this.url(req.path, req.query), headers, body, { retryable, authenticate: true, signal: options.signal });
    options.onResponse?.({ status: res.response.status, headers: res.response.headers });
    return res.body as T;
  }

  private async requestToken(form: Record<string, string>): Promise<TokenResponse> {
    const headers = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', ...this.headers };
    // A token request changes nothing on the server: safe to retry.
    const res = await this.send('POST', this.url('/oauth2/token'), headers, new URLSearchParams(form).toString(), { retryable: true, authenticate: false });
    const token = res.body as TokenResponse | undefined;
    if (!token || typeof token.access_token !== 'string')
      throw new ClienteleError({
        status: res.response.status,
        code: 'INVALID_RESPONSE',
        message: 'The token endpoint answered without access_token',
        method: 'POST',
        url: this.url('/oauth2/token'),
        body: res.body,
      });
    return token;
  }

  private async send(
    method: string,
    url: string,
    baseHeaders: Record<string, string>,
    body: string | undefined,
    how: { retryable: boolean; authenticate: boolean; signal?: AbortSignal | undefined },
  ): Promise<{ response: Response; body: unknown }> {
    let retriesLeft = how.retryable ? this.policy.retries : 0;
    let reauthenticated = false;
    for (let attempt = 0; ; attempt++) {
      const headers = how.authenticate ? { ...baseHeaders, ...(await this.auth.headers(how.signal)) } : baseHeaders;
      const signal = this.timeoutMs === undefined ? how.signal : how.signal ? AbortSignal.any([how.signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs);
      let response: Response;
      try {
        response = await this.fetchImpl(url, { method, headers, ...(body !== undefined ? { body } : {}), ...(signal ? { signal } : {}) });
      } catch (err) {
        if (how.signal?.aborted) throw how.signal.reason ?? err;
        if (retriesLeft > 0) {
          retriesLeft--;
          await sleep(backoffDelay(this.policy, attempt), how.signal);
          continue;
        }
        throw new ClienteleConnectionError({ method, url: redact(url), cause: err });
      }

      if (response.status === 401 && how.authenticate && !reauthenticated && this.auth.unauthorized()) {
        // The request was refused before it ran: asking again with fresh credentials is safe.
        reauthenticated = true;
        await discard(response);
        continue;
      }
      if (RETRY_STATUSES.has(response.status) && retriesLeft > 0) {
        retriesLeft--;
        const wait = retryAfterMs(response.headers.get('retry-after'), this.policy, Date.now()) ?? backoffDelay(this.policy, attempt);
        await discard(response);
        await sleep(wait, how.signal);
        continue;
      }
      const parsed = await readBody(response, method, url);
      if (response.ok) return { response, body: parsed };
      const error = errorFromResponse(response.status, response.statusText, parsed, method, redact(url));
      // A concurrent attempt with the same Idempotency-Key is still running: wait for its outcome.
      if (error.code === 'IDEMPOTENCY_IN_PROGRESS' && 'idempotency-key' in baseHeaders && retriesLeft > 0) {
        retriesLeft--;
        await sleep(backoffDelay(this.policy, attempt), how.signal);
        continue;
      }
      throw error;
    }
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Query strings may carry secrets on some routes; errors never repeat them. */
function redact(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}

async function discard(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    /* the connection is being dropped anyway */
  }
}

async function readBody(response: Response, method: string, url: string): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!/[/+]json\b/i.test(type)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ClienteleError({
      status: response.status,
      code: 'INVALID_RESPONSE',
      message: `${method} ${redact(url)}: the response is not valid JSON`,
      method,
      url: redact(url),
      body: text,
      cause: err,
    });
  }
}
