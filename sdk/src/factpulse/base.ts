/**
 * The request machinery behind `ClientManagementApi`: what the FactPulse SDK did with axios,
 * done with `fetch`. A call resolves to an axios-like response `{ status, statusText, data,
 * headers, config }` and a non-2xx rejects with an axios-like error carrying
 * `response.status` and `response.data` — so `catch (e) { e.response?.status }` keeps working.
 */
import type { Configuration } from './configuration.js';

export const BASE_PATH = 'https://factpulse.fr';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** The subset of an axios request config that is honoured (other keys are accepted and ignored). */
export interface RawRequestConfig {
  headers?: Record<string, string | number | boolean | null | undefined>;
  params?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal;
  /** Milliseconds; 0 = none. */
  timeout?: number;
  [option: string]: unknown;
}

export interface FactPulseResponse<T> {
  data: T;
  status: number;
  statusText: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  config: RawRequestConfig & { method: string; url: string };
  request?: unknown;
}

/** Rejection of a call: the shape of an AxiosError. */
export class FactPulseApiError<T = unknown> extends Error {
  readonly isAxiosError = true;
  /** `ERR_BAD_REQUEST` (4xx), `ERR_BAD_RESPONSE` (5xx), `ERR_NETWORK`, `ECONNABORTED` (timeout), `ERR_CANCELED`. */
  readonly code: string;
  readonly status: number | undefined;
  readonly config: FactPulseResponse<T>['config'];
  readonly response: FactPulseResponse<T> | undefined;

  constructor(message: string, code: string, config: FactPulseResponse<T>['config'], response?: FactPulseResponse<T>, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AxiosError';
    this.code = code;
    this.config = config;
    this.response = response;
    this.status = response?.status;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, code: this.code, status: this.status };
  }
}

/** True for errors thrown by this module (like `axios.isAxiosError`). */
export function isFactPulseApiError(err: unknown): err is FactPulseApiError {
  return typeof err === 'object' && err !== null && (err as { isAxiosError?: unknown }).isAxiosError === true;
}

/** A required parameter was null or undefined (as in the generated SDK). */
export class RequiredError extends Error {
  override name = 'RequiredError';
  constructor(
    public field: string,
    msg?: string,
  ) {
    super(msg);
  }
}

export class BaseAPI {
  protected configuration: Configuration | undefined;

  constructor(
    configuration?: Configuration,
    protected basePath: string = BASE_PATH,
    protected fetchImpl: FetchLike = (url, init) => globalThis.fetch(url, init),
  ) {
    if (configuration) {
      this.configuration = configuration;
      this.basePath = configuration.basePath ?? basePath;
    }
  }

  protected async send<T>(method: string, operation: string, path: string, query: Record<string, unknown>, body: unknown, options: RawRequestConfig = {}): Promise<FactPulseResponse<T>> {
    const base = (this.configuration?.baseOptions ?? {}) as RawRequestConfig;
    const headers: Record<string, string> = { accept: 'application/json' };
    const put = (from: RawRequestConfig['headers']) => {
      for (const [k, v] of Object.entries(from ?? {})) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
    };
    put(base.headers);
    await this.authenticate(headers);
    if (body !== undefined) headers['content-type'] = 'application/json';
    put(options.headers);

    const search = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...base.params, ...query, ...options.params })) if (v !== undefined && v !== null) search.append(k, String(v));
    const qs = search.toString();
    const url = `${this.basePath.replace(/\/+$/, '')}${path}${qs ? `?${qs}` : ''}`;
    const config = { ...base, ...options, headers, method: method.toLowerCase(), url };

    const timeout = options.timeout ?? base.timeout;
    const signals = [options.signal ?? base.signal, timeout ? AbortSignal.timeout(timeout) : undefined].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];

    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(signal ? { signal } : {}) });
    } catch (err) {
      const canceled = (options.signal ?? base.signal)?.aborted;
      const timedOut = !canceled && signal?.aborted;
      const code = canceled ? 'ERR_CANCELED' : timedOut ? 'ECONNABORTED' : 'ERR_NETWORK';
      const message = canceled ? 'canceled' : timedOut ? `timeout of ${timeout}ms exceeded` : 'Network Error';
      throw new FactPulseApiError<T>(`${message} (${operation})`, code, config, undefined, err);
    }
    const text = await res.text();
    let data: unknown = text;
    if (text !== '') {
      try {
        data = JSON.parse(text);
      } catch {
        /* not JSON: the text, as axios does */
      }
    }
    const response: FactPulseResponse<T> = { data: data as T, status: res.status, statusText: res.statusText, headers: Object.fromEntries(res.headers), config };
    if (res.status >= 200 && res.status < 300) return response;
    throw new FactPulseApiError<T>(`Request failed with status code ${res.status}`, res.status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST', config, response);
  }

  private async authenticate(headers: Record<string, string>): Promise<void> {
    const c = this.configuration;
    if (!c) return;
    if (c.apiKey) headers['x-api-key'] = typeof c.apiKey === 'function' ? await c.apiKey('X-API-Key') : await c.apiKey;
    if (c.accessToken) headers.authorization = `Bearer ${typeof c.accessToken === 'function' ? await c.accessToken('HTTPBearer', []) : await c.accessToken}`;
  }
}

export function assertParamExists(operation: string, name: string, value: unknown): void {
  if (value === null || value === undefined) throw new RequiredError(name, `Required parameter ${name} was null or undefined when calling ${operation}.`);
}
