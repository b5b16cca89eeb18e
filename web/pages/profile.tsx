/** The signed-in user: password, two-factor authentication (QR code), open sessions. */
import { useSignal } from '@preact/signals';
import { generate } from 'lean-qr';
import { toSvgPath } from 'lean-qr/extras/svg';
import type { TwoFactorEnrolment } from '../../sdk/src/index.js';
import { api, loadSession, session, user } from '../api.js';
import { ActionButton, Dialog, Empty, ErrorNote, Field, FormDialog, Loading, Page, SecretDialog, useLoad, When } from '../ui.js';

export function ProfilePage() {
  const u = user.value!;
  return (
    <Page title="Your profile">
      <dl class="details">
        <div>
          <dt>E-mail</dt>
          <dd>{u.email}</dd>
        </div>
        <div>
          <dt>Role</dt>
          <dd>{u.role}</dd>
        </div>
      </dl>
      <PasswordSection />
      <TwoFactorSection enabled={u.twoFactorEnabled} />
      <SessionsSection />
    </Page>
  );
}

function PasswordSection() {
  const open = useSignal(false);
  const done = useSignal(false);
  return (
    <section class="section" aria-labelledby="password-title">
      <header class="section-head">
        <h2 id="password-title">Password</h2>
        <button
          type="button"
          class="plain"
          onClick={() => {
            open.value = true;
            done.value = false;
          }}
        >
          Change password
        </button>
      </header>
      {done.value ? <p role="status">Your password has been changed.</p> : null}
      {open.value ? (
        <FormDialog
          title="Change your password"
          submit="Change password"
          onClose={() => (open.value = false)}
          onSubmit={async (form) => {
            const next = String(form.get('newPassword'));
            if (next !== String(form.get('repeat'))) throw new Error('The two new passwords differ.');
            await api.users.me.changePassword({ currentPassword: String(form.get('currentPassword')), newPassword: next });
            open.value = false;
            done.value = true;
          }}
        >
          <Field name="currentPassword" label="Current password" type="password" autocomplete="current-password" required />
          <Field name="newPassword" label="New password" type="password" autocomplete="new-password" required hint="At least 12 characters." />
          <Field name="repeat" label="New password again" type="password" autocomplete="new-password" required />
        </FormDialog>
      ) : null}
    </section>
  );
}

function TwoFactorSection(props: { enabled: boolean }) {
  const enrolment = useSignal<TwoFactorEnrolment | null>(null);
  const recovery = useSignal<string[] | null>(null);
  const disabling = useSignal(false);
  const refresh = () => loadSession();
  return (
    <section class="section" aria-labelledby="twofactor-title">
      <header class="section-head">
        <h2 id="twofactor-title">Two-factor authentication</h2>
        {props.enabled ? (
          <button type="button" class="danger" onClick={() => (disabling.value = true)}>
            Turn off
          </button>
        ) : (
          <ActionButton kind="primary" onClick={async () => (enrolment.value = await api.users.me.enrollTwoFactor())}>
            Set up
          </ActionButton>
        )}
      </header>
      <p>{props.enabled ? 'On: signing in asks for a code from your authenticator app.' : 'Off: signing in asks for your password only.'}</p>
      {enrolment.value ? (
        <Dialog title="Set up two-factor authentication" onClose={() => (enrolment.value = null)} wide>
          <EnrolmentForm
            enrolment={enrolment.value}
            onConfirmed={async (codes) => {
              enrolment.value = null;
              recovery.value = codes;
              await refresh();
            }}
          />
        </Dialog>
      ) : null}
      {recovery.value ? (
        <SecretDialog
          title="Two-factor authentication is on"
          note={<p>Each recovery code signs you in once if you lose your authenticator. Keep them somewhere safe.</p>}
          secrets={[{ label: 'Recovery codes', value: recovery.value.join(' ') }]}
          onClose={() => (recovery.value = null)}
        />
      ) : null}
      {disabling.value ? (
        <FormDialog
          title="Turn off two-factor authentication"
          submit="Turn off"
          danger
          onClose={() => (disabling.value = false)}
          onSubmit={async (form) => {
            await api.users.me.disableTwoFactor(String(form.get('code')).trim());
            disabling.value = false;
            await refresh();
          }}
        >
          <Field name="code" label="A current code or a recovery code" required autocomplete="one-time-code" />
        </FormDialog>
      ) : null}
    </section>
  );
}

function EnrolmentForm(props: { enrolment: TwoFactorEnrolment; onConfirmed: (codes: string[]) => Promise<void> }) {
  const error = useSignal<unknown>(undefined);
  const code = generate(props.enrolment.otpauthUri);
  return (
    <form
      class="form"
      onSubmit={async (e) => {
        e.preventDefault();
        error.value = undefined;
        try {
          const { recoveryCodes } = await api.users.me.confirmTwoFactor(String(new FormData(e.currentTarget).get('code')).trim());
          await props.onConfirmed(recoveryCodes);
        } catch (err) {
          error.value = err;
        }
      }}
    >
      <p>Scan this code with your authenticator app, then type the 6 digits it shows.</p>
      <svg class="qr" viewBox={`-4 -4 ${code.size + 8} ${code.size + 8}`} role="img" aria-label="QR code of the two-factor secret" width="220" height="220">
        <rect x="-4" y="-4" width={code.size + 8} height={code.size + 8} fill="#fff" />
        <path d={toSvgPath(code)} fill="#000" />
      </svg>
      <p>
        Or type this secret into the app: <span class="mono secret">{props.enrolment.secret}</span>
      </p>
      <Field name="code" label="Code from the app" required autocomplete="one-time-code" inputMode="numeric" pattern="\d{6}" />
      <ErrorNote error={error.value} />
      <div class="buttons">
        <button type="submit" class="primary">
          Turn on
        </button>
      </div>
    </form>
  );
}

function SessionsSection() {
  const sessions = useLoad((signal) => api.sessions.list({ signal }), []);
  const rows = sessions.data ?? [];
  return (
    <section class="section" aria-labelledby="sessions-title">
      <header class="section-head">
        <h2 id="sessions-title">Where you are signed in</h2>
      </header>
      <ErrorNote error={sessions.error} />
      {sessions.loading && !sessions.data ? <Loading /> : null}
      {sessions.data && rows.length === 0 ? <Empty>No open sessions.</Empty> : null}
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Your open sessions</caption>
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col">Ends</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    {s.userAgent ?? <span class="muted">Unknown</span>} {s.current ? <span class="badge on">This browser</span> : null}
                  </th>
                  <td>
                    <When at={s.createdAt} />
                  </td>
                  <td>
                    <When at={s.lastSeenAt} />
                  </td>
                  <td>
                    <When at={s.endsAt} />
                  </td>
                  <td class="row-actions">
                    <ActionButton
                      label={s.current ? 'Sign out here' : `End the session signed in at ${s.createdAt}`}
                      onClick={async () => {
                        await api.sessions.revoke(s.id);
                        if (s.current) session.value = null;
                        else sessions.reload();
                      }}
                    >
                      {s.current ? 'Sign out' : 'End'}
                    </ActionButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
