/** `/v1/clients/{id}/integrations/{kind}`: third-party credentials (secret fields go in, never out). */
import type { RequestOptions, Transport } from '../http.js';
import type { Integration, IntegrationKind, IntegrationPut } from '../types.js';

export interface EncryptionKeyOptions extends RequestOptions {
  /** Base64 AES-256 key for `double` encryption, sent as X-Encryption-Key (never stored by the server). */
  encryptionKey?: string;
}

const path = (clientId: string, kind: IntegrationKind, suffix = '') => `/v1/clients/${encodeURIComponent(clientId)}/integrations/${encodeURIComponent(kind)}${suffix}`;

function withKey(options: EncryptionKeyOptions | undefined): RequestOptions | undefined {
  if (!options?.encryptionKey) return options;
  const { encryptionKey, ...rest } = options;
  return { ...rest, headers: { ...rest.headers, 'x-encryption-key': encryptionKey } };
}

export class IntegrationsResource {
  constructor(private readonly http: Transport) {}

  get(clientId: string, kind: IntegrationKind, options?: RequestOptions): Promise<Integration> {
    return this.http.request({ method: 'GET', path: path(clientId, kind), options });
  }

  /** Creates or replaces; `encryptionMode: 'double'` needs `encryptionKey`. */
  put(clientId: string, kind: IntegrationKind, body: IntegrationPut, options?: EncryptionKeyOptions): Promise<Integration> {
    return this.http.request({ method: 'PUT', path: path(clientId, kind), body, options: withKey(options) });
  }

  delete(clientId: string, kind: IntegrationKind, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'DELETE', path: path(clientId, kind), options });
  }

  /** Tries the stored credentials against their token URL and records the outcome. */
  test(clientId: string, kind: IntegrationKind, options?: EncryptionKeyOptions): Promise<Integration> {
    return this.http.request({ method: 'POST', path: path(clientId, kind, '/test'), options: withKey(options) });
  }
}
