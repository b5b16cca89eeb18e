/** `/v1/sessions`: browser sessions of the account's users (sign in, sign out, see and end one's own). */
import type { RequestOptions, Transport } from '../http.js';
import type { Session, SignedIn, SignIn } from '../types.js';

export class SessionsResource {
  constructor(private readonly http: Transport) {}

  /**
   * Signs a user in. The server sets the session cookie (HttpOnly: a browser keeps and sends
   * it by itself); the answer carries the CSRF token to pass as `session.csrfToken`.
   */
  signIn(body: SignIn, options?: RequestOptions): Promise<SignedIn> {
    return this.http.request({ method: 'POST', path: '/v1/sessions', body, options });
  }

  /** The calling session, its user and its CSRF token. */
  current(options?: RequestOptions): Promise<SignedIn> {
    return this.http.request({ method: 'GET', path: '/v1/sessions/current', options });
  }

  /** The calling user's open sessions. */
  async list(options?: RequestOptions): Promise<Session[]> {
    return (await this.http.request<{ data: Session[] }>({ method: 'GET', path: '/v1/sessions', options })).data;
  }

  /** Ends one of the calling user's sessions. */
  revoke(id: string, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'DELETE', path: `/v1/sessions/${encodeURIComponent(id)}`, options });
  }

  /** Ends the calling session and clears its cookie. */
  signOut(options?: RequestOptions): Promise<void> {
    return this.revoke('current', options);
  }
}
