/** Webhook signing secrets (per client and the account default), endpoints and deliveries. */
import type { RequestOptions, Transport } from '../http.js';
import { Paginated } from '../pagination.js';
import type { AccountWebhookSecretGenerate, ListParams, Page, WebhookDelivery, WebhookEndpoint, WebhookEndpointCreate, WebhookEndpointUpdate, WebhookSecret, WebhookSecretStatus } from '../types.js';

const clientPath = (clientId: string, suffix: string) => `/v1/clients/${encodeURIComponent(clientId)}/webhook-secret${suffix}`;
const endpointPath = (id: string, suffix = '') => `/v1/webhook-endpoints/${encodeURIComponent(id)}${suffix}`;

/** The account's default secret: signs webhooks of clients without their own. */
export class AccountWebhookSecret {
  constructor(private readonly http: Transport) {}

  /** Shown only in this response; `gracePeriodSeconds` keeps the replaced secret signing too. */
  generate(body: AccountWebhookSecretGenerate = {}, options?: RequestOptions): Promise<WebhookSecret> {
    return this.http.request({ method: 'POST', path: '/v1/webhook-secret/generate', body, options });
  }

  status(options?: RequestOptions): Promise<WebhookSecretStatus> {
    return this.http.request({ method: 'GET', path: '/v1/webhook-secret/status', options });
  }

  delete(options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'DELETE', path: '/v1/webhook-secret', options });
  }
}

export class WebhookSecretResource {
  readonly account: AccountWebhookSecret;

  constructor(private readonly http: Transport) {
    this.account = new AccountWebhookSecret(http);
  }

  /** Generates (or replaces) the client's own secret — shown only in this response. */
  generate(clientId: string, options?: RequestOptions): Promise<WebhookSecret> {
    return this.http.request({ method: 'POST', path: clientPath(clientId, '/generate'), options });
  }

  status(clientId: string, options?: RequestOptions): Promise<WebhookSecretStatus> {
    return this.http.request({ method: 'GET', path: clientPath(clientId, '/status'), options });
  }

  /** The account default then signs this client's webhooks. */
  delete(clientId: string, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'DELETE', path: clientPath(clientId, ''), options });
  }
}

export class WebhookEndpointsResource {
  constructor(private readonly http: Transport) {}

  list(params: ListParams = {}, options?: RequestOptions): Paginated<WebhookEndpoint> {
    const { cursor, ...rest } = params;
    return new Paginated((c) => this.listPage({ ...rest, ...(c !== undefined ? { cursor: c } : {}) }, options), cursor);
  }

  listPage(params: ListParams = {}, options?: RequestOptions): Promise<Page<WebhookEndpoint>> {
    return this.http.request({ method: 'GET', path: '/v1/webhook-endpoints', query: params, options });
  }

  /** Creates an endpoint. With `idempotencyKey` the call is retried safely and replays on repeat. */
  create(body: WebhookEndpointCreate, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.http.request({ method: 'POST', path: '/v1/webhook-endpoints', body, options });
  }

  get(id: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.http.request({ method: 'GET', path: endpointPath(id), options });
  }

  update(id: string, body: WebhookEndpointUpdate, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.http.request({ method: 'PATCH', path: endpointPath(id), body, options });
  }

  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'DELETE', path: endpointPath(id), options });
  }

  /** The endpoint's delivery log, newest first, across all pages. */
  deliveries(id: string, params: ListParams = {}, options?: RequestOptions): Paginated<WebhookDelivery> {
    const { cursor, ...rest } = params;
    return new Paginated((c) => this.deliveriesPage(id, { ...rest, ...(c !== undefined ? { cursor: c } : {}) }, options), cursor);
  }

  deliveriesPage(id: string, params: ListParams = {}, options?: RequestOptions): Promise<Page<WebhookDelivery>> {
    return this.http.request({ method: 'GET', path: endpointPath(id, '/deliveries'), query: params, options });
  }

  /** Queues a `webhook.test` event for this endpoint only. */
  test(id: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return this.http.request({ method: 'POST', path: endpointPath(id, '/test'), options });
  }
}

export class DeliveriesResource {
  constructor(private readonly http: Transport) {}

  /** Sends a delivery again now. */
  redeliver(id: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return this.http.request({ method: 'POST', path: `/v1/deliveries/${encodeURIComponent(id)}/redeliver`, options });
  }
}
