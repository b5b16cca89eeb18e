/** The account's users (roles, permissions), the calling user (password, two-factor authentication) and the account's settings. */
import type { CreateOptions, RequestOptions, Transport } from '../http.js';
import { Paginated } from '../pagination.js';
import type { Account, AccountUpdate, CreatedUser, ListParams, Page, PasswordChange, SignInLock, TwoFactorEnrolment, TwoFactorRecoveryCodes, User, UserCreate, UserUpdate } from '../types.js';

const userPath = (id: string) => `/v1/users/${encodeURIComponent(id)}`;

/** The calling user (an access token of a user, not a key). */
export class CurrentUser {
  constructor(private readonly http: Transport) {}

  get(options?: RequestOptions): Promise<User> {
    return this.http.request({ method: 'GET', path: '/v1/users/me', options });
  }

  changePassword(body: PasswordChange, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'POST', path: '/v1/users/me/password', body, options });
  }

  /** A new TOTP secret and its otpauth:// URI, shown only in this response; nothing changes until `confirmTwoFactor`. */
  enrollTwoFactor(options?: RequestOptions): Promise<TwoFactorEnrolment> {
    return this.http.request({ method: 'POST', path: '/v1/users/me/2fa', options });
  }

  /** Turns two-factor authentication on; the recovery codes are shown only in this response. */
  confirmTwoFactor(code: string, options?: RequestOptions): Promise<TwoFactorRecoveryCodes> {
    return this.http.request({ method: 'POST', path: '/v1/users/me/2fa/confirm', body: { code }, options });
  }

  /** Needs a current code or a recovery code. */
  disableTwoFactor(code: string, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'POST', path: '/v1/users/me/2fa/disable', body: { code }, options });
  }
}

export class UsersResource {
  readonly me: CurrentUser;

  constructor(private readonly http: Transport) {
    this.me = new CurrentUser(http);
  }

  list(params: ListParams = {}, options?: RequestOptions): Paginated<User> {
    const { cursor, ...rest } = params;
    return new Paginated((c) => this.listPage({ ...rest, ...(c !== undefined ? { cursor: c } : {}) }, options), cursor);
  }

  listPage(params: ListParams = {}, options?: RequestOptions): Promise<Page<User>> {
    return this.http.request({ method: 'GET', path: '/v1/users', query: params, options });
  }

  /** The one-time setup password is shown only in this response. */
  create(body: UserCreate, options?: CreateOptions): Promise<CreatedUser> {
    return this.http.request({ method: 'POST', path: '/v1/users', body, options });
  }

  get(id: string, options?: RequestOptions): Promise<User> {
    return this.http.request({ method: 'GET', path: userPath(id), options });
  }

  update(id: string, body: UserUpdate, options?: RequestOptions): Promise<User> {
    return this.http.request({ method: 'PATCH', path: userPath(id), body, options });
  }

  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'DELETE', path: userPath(id), options });
  }

  /** The user's failed sign-ins in a row and its sign-in lock, if any. */
  signInLock(id: string, options?: RequestOptions): Promise<SignInLock> {
    return this.http.request({ method: 'GET', path: `${userPath(id)}/sign-in-lock`, options });
  }

  /** Lifts the user's sign-in lock and forgets its failed sign-ins. */
  unlockSignIn(id: string, options?: RequestOptions): Promise<void> {
    return this.http.request({ method: 'DELETE', path: `${userPath(id)}/sign-in-lock`, options });
  }
}

export class AccountResource {
  constructor(private readonly http: Transport) {}

  update(body: AccountUpdate, options?: RequestOptions): Promise<Account> {
    return this.http.request({ method: 'PATCH', path: '/v1/account', body, options });
  }
}
