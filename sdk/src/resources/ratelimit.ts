/** Rate limits on anything the platform meters (`POST /v1/ratelimit`), and per-namespace overrides. */
import type { RequestOptions, Transport } from '../http.js';
import type { RateLimitCheck, RateLimitOverride, RateLimitOverrideSet, RateLimitResult } from '../types.js';

const overridePath = (namespace: string, identifier?: string) =>
  `/v1/ratelimit/namespaces/${encodeURIComponent(namespace)}/overrides${identifier !== undefined ? `/${encodeURIComponent(identifier)}` : ''}`;

export class RateLimitResource {
  constructor(private readonly http: Transport) {}

  /** Spends `cost` (default 1): `success` is false, and nothing is spent, when the window has no room. Not an error. */
  limit(body: RateLimitCheck, options?: RequestOptions): Promise<RateLimitResult> {
    return this.http.request({ method: 'POST', path: '/v1/ratelimit', body, options });
  }

  async listOverrides(namespace: string, options?: RequestOptions): Promise<RateLimitOverride[]> {
    const page: { data: RateLimitOverride[] } = await this.http.request({ method: 'GET', path: overridePath(namespace), options });
    return page.data;
  }

  setOverride(namespace: string, identifier: string, body: RateLimitOverrideSet, options?: RequestOptions): Promise<RateLimitOverride> {
    return this.http.request({ method: 'PUT', path: overridePath(namespace, identifier), body, options });
  }

  deleteOverride(namespace: string, identifier: string, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'DELETE', path: overridePath(namespace, identifier), options });
  }
}
