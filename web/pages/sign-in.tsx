/** Sign in with e-mail and password, and the two-factor code when the user has set one up. */
import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import { ClienteleError } from '../../sdk/src/index.js';
import { api, describe, session } from '../api.js';

export function SignIn() {
  const busy = useSignal(false);
  const error = useSignal<string | undefined>(undefined);
  const onSubmit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const otp = String(form.get('otp') ?? '').trim();
    busy.value = true;
    error.value = undefined;
    try {
      session.value = await api.sessions.signIn({ email: String(form.get('email')), password: String(form.get('password')), ...(otp ? { otp } : {}) });
    } catch (err) {
      error.value = err instanceof ClienteleError && err.status === 401 ? 'The e-mail, password or two-factor code is not right.' : describe(err);
    } finally {
      busy.value = false;
    }
  };
  return (
    <main class="sign-in" id="main">
      <form class="form card" onSubmit={onSubmit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Clientele</h1>
        <div class="field">
          <label for="email">E-mail</label>
          <input id="email" name="email" type="email" autocomplete="username" required />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
        </div>
        <div class="field">
          <label for="otp">
            Two-factor code <span class="muted">(if you have set it up)</span>
          </label>
          <input id="otp" name="otp" autocomplete="one-time-code" inputMode="numeric" aria-describedby="otp-hint" />
          <small id="otp-hint" class="muted">
            The 6 digits from your authenticator app, or a recovery code.
          </small>
        </div>
        {error.value ? (
          <p class="error" role="alert">
            {error.value}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy.value} aria-busy={busy.value}>
          {busy.value ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
