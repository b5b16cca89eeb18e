/**
 * Credentials → request headers. Four forms:
 *   apiKey            `X-API-Key: clt_…` (an API key token)
 *   accessToken       `Authorization: Bearer …` (a string, or a function returning one)
 *   clientCredentials OAuth 2.0 client-credentials grant (RFC 6749 §4.4) at POST /oauth2/token;
 *                     the token is cached, fetched again shortly before it expires, and once
 *                     more when the server answers 401.
 *   session           a browser session on the server's own origin: the browser sends the
 *                     HttpOnly session cookie by itself; `X-CSRF-Token` carries the session's
 *                     CSRF token (from `sessions.signIn` or `sessions.current`; a function,
 *                     since it is known only once signed in).
 */
export type Credentials =
  | { apiKey: string }
  | { accessToken: string | (() => string | Promise<string>) }
  | { clientCredentials: { clientId: string; clientSecret: string; scope?: string } }
  | { session: { csrfToken: () => string | undefined } };

export interface AuthStrategy {
  headers(signal?: AbortSignal): Promise<Record<string, string>>;
  /** A 401 arrived: forget cached credentials; true when asking again may help. */
  unauthorized(): boolean;
}

export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number;
}

/** Posts the token request (a form) and returns the parsed 200 body; throws ClienteleError otherwise. */
export type TokenRequester = (form: Record<string, string>, signal?: AbortSignal) => Promise<TokenResponse>;

export function createAuth(credentials: Credentials, requestToken: TokenRequester, now: () => number): AuthStrategy {
  if ('apiKey' in credentials) {
    const headers = { 'x-api-key': credentials.apiKey };
    return { headers: async () => headers, unauthorized: () => false };
  }
  if ('session' in credentials) {
    const { csrfToken } = credentials.session;
    return {
      headers: async (): Promise<Record<string, string>> => {
        const token = csrfToken();
        return token === undefined ? {} : { 'x-csrf-token': token };
      },
      unauthorized: () => false,
    };
  }
  if ('accessToken' in credentials) {
    const token = credentials.accessToken;
    return {
      headers: async () => ({ authorization: `Bearer ${typeof token === 'function' ? await token() : token}` }),
      unauthorized: () => false,
    };
  }
  return new ClientCredentialsAuth(credentials.clientCredentials, requestToken, now);
}

/** Lifetime fraction kept as a safety margin before expiry (at most a minute). */
const MARGIN_FRACTION = 0.1;
const MAX_MARGIN_MS = 60_000;

class ClientCredentialsAuth implements AuthStrategy {
  private token: { value: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly grant: { clientId: string; clientSecret: string; scope?: string },
    private readonly requestToken: TokenRequester,
    private readonly now: () => number,
  ) {}

  async headers(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.current()}` };
  }

  unauthorized(): boolean {
    this.token = undefined;
    return true;
  }

  private current(): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) return Promise.resolve(this.token.value);
    // One token request at a time, shared by every caller waiting for it.
    // It is not tied to one caller's AbortSignal: aborting one request must not fail the others.
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const issuedAt = this.now();
    const form: Record<string, string> = { grant_type: 'client_credentials', client_id: this.grant.clientId, client_secret: this.grant.clientSecret };
    if (this.grant.scope) form.scope = this.grant.scope;
    const body = await this.requestToken(form);
    const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300) * 1000;
    const margin = Math.min(MAX_MARGIN_MS, lifetimeMs * MARGIN_FRACTION);
    this.token = { value: body.access_token, refreshAt: issuedAt + lifetimeMs - margin };
    return body.access_token;
  }
}
