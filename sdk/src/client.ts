/**
 * `new Clientele({ baseUrl, apiKey })` — the native API as resources:
 *
 *   const clientele = new Clientele({ baseUrl: 'https://clientele.example.com', apiKey: 'clt_…' });
 *   for await (const client of clientele.clients.list({ isActive: true })) console.log(client.name);
 *
 * Credentials: `apiKey`, `accessToken`, `clientCredentials: { clientId, clientSecret }`
 * (token fetched and refreshed automatically), or `session` (in a browser, on the server's own
 * origin: the session cookie, with the CSRF token on every change). Idempotent calls are retried on 429/503 and
 * network errors with exponential back-off and jitter; a POST only with an `idempotencyKey`.
 */
import { Transport, type ClienteleOptions } from './http.js';
import { ClientsResource } from './resources/clients.js';
import { EventsResource } from './resources/events.js';
import { IntegrationsResource } from './resources/integrations.js';
import { KeysResource } from './resources/keys.js';
import { RateLimitResource } from './resources/ratelimit.js';
import { SessionsResource } from './resources/sessions.js';
import { UsageResource } from './resources/usage.js';
import { AccountResource, UsersResource } from './resources/users.js';
import { DeliveriesResource, WebhookEndpointsResource, WebhookSecretResource } from './resources/webhooks.js';

export class Clientele {
  readonly clients: ClientsResource;
  readonly keys: KeysResource;
  readonly integrations: IntegrationsResource;
  readonly webhookSecret: WebhookSecretResource;
  readonly webhookEndpoints: WebhookEndpointsResource;
  readonly deliveries: DeliveriesResource;
  readonly events: EventsResource;
  readonly usage: UsageResource;
  readonly users: UsersResource;
  readonly account: AccountResource;
  readonly ratelimit: RateLimitResource;
  readonly sessions: SessionsResource;
  /** The underlying transport, for routes the resources do not cover. */
  readonly http: Transport;

  constructor(options: ClienteleOptions) {
    this.http = new Transport(options);
    this.clients = new ClientsResource(this.http);
    this.keys = new KeysResource(this.http);
    this.integrations = new IntegrationsResource(this.http);
    this.webhookSecret = new WebhookSecretResource(this.http);
    this.webhookEndpoints = new WebhookEndpointsResource(this.http);
    this.deliveries = new DeliveriesResource(this.http);
    this.events = new EventsResource(this.http);
    this.usage = new UsageResource(this.http);
    this.users = new UsersResource(this.http);
    this.account = new AccountResource(this.http);
    this.ratelimit = new RateLimitResource(this.http);
    this.sessions = new SessionsResource(this.http);
  }
}
