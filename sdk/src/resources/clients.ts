/** `/v1/clients`: the customer sub-accounts. */
import type { CreateOptions, RequestOptions, Transport } from '../http.js';
import { Paginated } from '../pagination.js';
import type { Client, ClientCreate, ClientListParams, ClientUpdate, EncryptionKeyRotated, EncryptionKeyRotation, Page } from '../types.js';

const path = (id: string, suffix = '') => `/v1/clients/${encodeURIComponent(id)}${suffix}`;

export class ClientsResource {
  constructor(private readonly http: Transport) {}

  /** Every client matching the filters, across all pages (`for await … of`). */
  list(params: ClientListParams = {}, options?: RequestOptions): Paginated<Client> {
    const { cursor, ...filters } = params;
    return new Paginated((c) => this.listPage({ ...filters, ...(c !== undefined ? { cursor: c } : {}) }, options), cursor);
  }

  /** One page; pass `nextCursor` back as `cursor`. */
  listPage(params: ClientListParams = {}, options?: RequestOptions): Promise<Page<Client>> {
    return this.http.request({ method: 'GET', path: '/v1/clients', query: params, options });
  }

  /** Creates a client. With `idempotencyKey` the call is retried safely and replays on repeat. */
  create(body: ClientCreate, options?: CreateOptions): Promise<Client> {
    return this.http.request({ method: 'POST', path: '/v1/clients', body, options });
  }

  get(id: string, options?: RequestOptions): Promise<Client> {
    return this.http.request({ method: 'GET', path: path(id), options });
  }

  /** Partial update: absent = unchanged, null = cleared. */
  update(id: string, body: ClientUpdate, options?: RequestOptions): Promise<Client> {
    return this.http.request({ method: 'PATCH', path: path(id), body, options });
  }

  /** Deletes the client, its keys and its data key. */
  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'DELETE', path: path(id), options });
  }

  activate(id: string, options?: RequestOptions): Promise<Client> {
    return this.http.request({ method: 'POST', path: path(id, '/activate'), options });
  }

  /** Its keys and tokens stop working at once. */
  deactivate(id: string, options?: RequestOptions): Promise<Client> {
    return this.http.request({ method: 'POST', path: path(id, '/deactivate'), options });
  }

  /** Re-encrypts every double-encrypted secret of the client from `oldKey` to `newKey` (base64 AES-256 keys). */
  rotateEncryptionKey(id: string, body: EncryptionKeyRotation, options?: RequestOptions): Promise<EncryptionKeyRotated> {
    return this.http.request({ method: 'POST', path: path(id, '/rotate-encryption-key'), body, options });
  }
}
