/** `/v1/keys`: API keys of the account and of its clients. */
import type { CreateOptions, RequestOptions, Transport } from '../http.js';
import { Paginated } from '../pagination.js';
import type { ApiKey, IssuedKey, KeyCreate, KeyListParams, KeyReset, KeyUpdate, Page, VerifyRequest, VerifyResult } from '../types.js';

const path = (keyId: string, suffix = '') => `/v1/keys/${encodeURIComponent(keyId)}${suffix}`;

export class KeysResource {
  constructor(private readonly http: Transport) {}

  /** Every key matching the filters, across all pages. */
  list(params: KeyListParams = {}, options?: RequestOptions): Paginated<ApiKey> {
    const { cursor, ...filters } = params;
    return new Paginated((c) => this.listPage({ ...filters, ...(c !== undefined ? { cursor: c } : {}) }, options), cursor);
  }

  listPage(params: KeyListParams = {}, options?: RequestOptions): Promise<Page<ApiKey>> {
    return this.http.request({ method: 'GET', path: '/v1/keys', query: params, options });
  }

  /** Issues a key; `secret` and `token` are in this response only. */
  create(body: KeyCreate = {}, options?: CreateOptions): Promise<IssuedKey> {
    return this.http.request({ method: 'POST', path: '/v1/keys', body, options });
  }

  get(keyId: string, options?: RequestOptions): Promise<ApiKey> {
    return this.http.request({ method: 'GET', path: path(keyId), options });
  }

  update(keyId: string, body: KeyUpdate, options?: RequestOptions): Promise<ApiKey> {
    return this.http.request({ method: 'PATCH', path: path(keyId), body, options });
  }

  delete(keyId: string, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'DELETE', path: path(keyId), options });
  }

  /** New secret; the old one keeps working for `gracePeriodSeconds` (default 0). */
  reset(keyId: string, body: KeyReset = {}, options?: RequestOptions): Promise<IssuedKey> {
    return this.http.request({ method: 'POST', path: path(keyId, '/reset'), body, options });
  }

  /** Verification is a result, not an error: `{ valid, code }` (VALID, NOT_FOUND, EXPIRED, …). */
  verify(body: VerifyRequest, options?: RequestOptions): Promise<VerifyResult> {
    return this.http.request({ method: 'POST', path: '/v1/keys/verify', body, options });
  }
}
