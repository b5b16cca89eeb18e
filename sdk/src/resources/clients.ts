/** `/v1/clients`: the customer sub-accounts. */
import type { CreateOptions, RequestOptions, Transport } from '../http.js';
import { Paginated } from '../pagination.js';
import type { Client, ClientBatchResult, ClientCreate, ClientListParams, ClientUpdate, EncryptionKeyRotated, EncryptionKeyRotation, Page } from '../types.js';

/** The most items the server takes in one batch. */
const MAX_BATCH_SIZE = 1000;

/** Options of `clients.createBatch`. */
export interface BatchCreateOptions extends CreateOptions {
  /**
   * One per item (null or undefined: none): item i's Idempotency-Key, as if it were created
   * alone with `create(item, { idempotencyKey })` — it is created once per key and replayed
   * after (24 hours). With a key on every item the request is safe to retry, and is retried.
   */
  idempotencyKeys?: ReadonlyArray<string | null | undefined>;
}

/** Options of `clients.createMany`. */
export interface CreateManyOptions extends RequestOptions {
  /** Items per request (default 500, at most 1,000). */
  batchSize?: number;
  /** Requests in flight (default 1). */
  concurrency?: number;
  /** One per item, as for createBatch; with them, calling createMany again with the same items replays instead of duplicating. */
  idempotencyKeys?: ReadonlyArray<string | null | undefined>;
  /** Called with each batch's results as it is answered (indexes into `items`). */
  onBatch?: (results: ClientBatchResult[]) => void;
}

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

  /**
   * Creates up to 1,000 clients in one request (one transaction). Each item is answered on its
   * own, in order: `{ index, status: 201, client }`, or `{ index, status, error }` with the
   * problem a single create of it would have answered — an invalid item stops no other. A
   * ClienteleError is thrown only when the batch fails as a whole (nothing is then created).
   */
  async createBatch(items: readonly ClientCreate[], options: BatchCreateOptions = {}): Promise<ClientBatchResult[]> {
    const { idempotencyKeys, ...rest } = options;
    const keys = idempotencyKeys?.map((k) => k ?? null);
    const body = { items, ...(keys?.some((k) => k !== null) ? { idempotencyKeys: keys } : {}) };
    const every = keys !== undefined && keys.length === items.length && keys.every((k) => k !== null);
    const answer = await this.http.request<{ results: ClientBatchResult[] }>({ method: 'POST', path: '/v1/clients/batch', body, options: rest, retryable: every });
    return answer.results;
  }

  /**
   * Creates any number of clients, `batchSize` per request (createBatch), and answers every
   * item, in order (`index` into `items`). A batch that fails as a whole rejects the call; the
   * batches answered before it stay created (with `idempotencyKeys`, calling again replays them).
   */
  async createMany(items: readonly ClientCreate[], options: CreateManyOptions = {}): Promise<ClientBatchResult[]> {
    const { batchSize = 500, concurrency = 1, idempotencyKeys, onBatch, ...rest } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) throw new RangeError(`batchSize must be 1…${MAX_BATCH_SIZE}`);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
    const results: ClientBatchResult[] = new Array(items.length);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < items.length) {
        const from = next;
        next += batchSize;
        const keys = idempotencyKeys?.slice(from, from + batchSize);
        try {
          const answered = await this.createBatch(items.slice(from, from + batchSize), { ...rest, ...(keys ? { idempotencyKeys: keys } : {}) });
          const shifted = answered.map((r) => ({ ...r, index: r.index + from }));
          for (const r of shifted) results[r.index] = r;
          onBatch?.(shifted);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.ceil(items.length / batchSize)) }, worker));
    return results;
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
