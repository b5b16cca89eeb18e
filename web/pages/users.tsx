/**
 * The account's users and their roles (owners manage them): invite with a setup password
 * shown once, change a role, lift a sign-in lock, remove a user.
 */
import { useSignal } from '@preact/signals';
import type { User } from '../../sdk/src/index.js';
import { ROLES, type Role } from '../../src/core/permissions.js';
import { api, can, user } from '../api.js';
import { ActionButton, ConfirmDialog, Empty, ErrorNote, Field, FormDialog, Loading, Page, SecretDialog, useLoad, When } from '../ui.js';

const ROLE_NAMES = Object.keys(ROLES) as Role[];
const ROLE_HELP: Record<Role, string> = {
  owner: 'everything, including users and the account’s settings',
  admin: 'everything but users and the account’s settings',
  viewer: 'reads everything, changes nothing',
};

export function UsersPage() {
  const users = useLoad((signal) => api.users.listPage({ limit: 100 }, { signal }), []);
  const inviting = useSignal(false);
  const changing = useSignal<User | null>(null);
  const removing = useSignal<User | null>(null);
  const setup = useSignal<{ email: string; password: string } | null>(null);
  const rows = users.data?.data ?? [];
  const me = user.value?.id;
  return (
    <Page
      title="Users"
      actions={
        can('POST /v1/users') ? (
          <button type="button" class="primary" onClick={() => (inviting.value = true)}>
            New user
          </button>
        ) : null
      }
    >
      <ErrorNote error={users.error} />
      {users.loading && !users.data ? <Loading /> : null}
      {users.data && rows.length === 0 ? <Empty>No users.</Empty> : null}
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Users of the account</caption>
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Two-factor</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr key={u.id}>
                  <th scope="row">
                    {u.email} {u.id === me ? <span class="badge on">You</span> : null}
                  </th>
                  <td>
                    {u.role}
                    {u.permissions.length > 0 ? <span class="muted mono"> + {u.permissions.join(', ')}</span> : null}
                  </td>
                  <td>{u.twoFactorEnabled ? 'On' : <span class="muted">Off</span>}</td>
                  <td>
                    <When at={u.createdAt} />
                  </td>
                  <td class="row-actions">
                    {can('PATCH /v1/users/:id') ? (
                      <button type="button" class="plain" aria-label={`Change the role of ${u.email}`} onClick={() => (changing.value = u)}>
                        Role
                      </button>
                    ) : null}
                    {can('DELETE /v1/users/:id/sign-in-lock') ? (
                      <ActionButton label={`Unlock sign-in of ${u.email}`} onClick={() => api.users.unlockSignIn(u.id)}>
                        Unlock sign-in
                      </ActionButton>
                    ) : null}
                    {u.id !== me && can('DELETE /v1/users/:id') ? (
                      <button type="button" class="danger" aria-label={`Remove ${u.email}`} onClick={() => (removing.value = u)}>
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {inviting.value ? (
        <FormDialog
          title="New user"
          submit="Create user"
          onClose={() => (inviting.value = false)}
          onSubmit={async (form) => {
            const created = await api.users.create({ email: String(form.get('email')).trim(), role: String(form.get('role')) as Role });
            inviting.value = false;
            setup.value = { email: created.user.email, password: created.setupPassword };
            users.reload();
          }}
        >
          <Field name="email" label="E-mail" type="email" required />
          <RoleChoice current="viewer" />
        </FormDialog>
      ) : null}
      {changing.value ? (
        <FormDialog
          title={`Role of ${changing.value.email}`}
          submit="Save"
          onClose={() => (changing.value = null)}
          onSubmit={async (form) => {
            await api.users.update(changing.value!.id, { role: String(form.get('role')) as Role });
            changing.value = null;
            users.reload();
          }}
        >
          <RoleChoice current={changing.value.role as Role} />
        </FormDialog>
      ) : null}
      {removing.value ? (
        <ConfirmDialog
          title={`Remove ${removing.value.email}?`}
          message="The user can no longer sign in; their sessions end. Their past actions stay in the audit log."
          word={removing.value.email}
          action="Remove user"
          onClose={() => (removing.value = null)}
          onConfirm={async () => {
            await api.users.delete(removing.value!.id);
            removing.value = null;
            users.reload();
          }}
        />
      ) : null}
      {setup.value ? (
        <SecretDialog
          title={`${setup.value.email} can sign in`}
          note={<p>Give this one-time password to the user: they sign in with it and choose their own (at least 12 characters).</p>}
          secrets={[{ label: 'Setup password', value: setup.value.password }]}
          onClose={() => (setup.value = null)}
        />
      ) : null}
    </Page>
  );
}

function RoleChoice(props: { current: Role }) {
  return (
    <fieldset>
      <legend>Role</legend>
      {ROLE_NAMES.map((role) => (
        <label key={role} class="check">
          <input type="radio" name="role" value={role} defaultChecked={role === props.current} required /> <strong>{role}</strong>
          <span class="muted"> — {ROLE_HELP[role]}</span>
        </label>
      ))}
    </fieldset>
  );
}
