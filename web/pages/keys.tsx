/**
 * API keys: a client's (on its page) or the account's own (the Account keys page, with the
 * management permissions each holds). Secrets are shown once; a key never gets more power
 * than the signed-in user holds (the server refuses it; the form offers only what the user has).
 */
import { useSignal } from '@preact/signals';
import type { ApiKey } from '../../sdk/src/index.js';
import { grants, PERMISSION_NAMES, PERMISSIONS, userPermissions, type Permission, type Role } from '../../src/core/permissions.js';
import { api, can, user } from '../api.js';
import { ActionButton, ConfirmDialog, Empty, ErrorNote, Field, FormDialog, Loading, Page, SecretDialog, Status, useLoad, When } from '../ui.js';

type Shown = { title: string; secrets: Array<{ label: string; value: string }> } | null;

const GRACE_PERIODS: Array<[number, string]> = [
  [0, 'None: the old secret stops now'],
  [3600, '1 hour'],
  [86400, '24 hours'],
  [604800, '7 days'],
];

/** The permissions the signed-in user holds (and so may give a key). */
function heldPermissions(): Permission[] {
  const u = user.value;
  if (!u) return [];
  const held = userPermissions({ role: u.role as Role, permissions: u.permissions });
  return PERMISSION_NAMES.filter((p) => grants(held, p));
}

/** A client's keys (`clientId`), or the account's own keys. */
export function KeysSection(props: { clientId?: string }) {
  const { clientId } = props;
  const account = clientId === undefined;
  const keys = useLoad((signal) => api.keys.listPage({ ...(account ? { owner: 'account' as const } : { clientId }), limit: 100 }, { signal }), [clientId]);
  const editing = useSignal<ApiKey | null>(null);
  const shown = useSignal<Shown>(null);
  const creating = useSignal(false);
  const resetting = useSignal<ApiKey | null>(null);
  const deleting = useSignal<ApiKey | null>(null);
  const rows = keys.data?.data ?? [];
  const issued = (title: string, r: { secret: string; token: string }) => {
    shown.value = {
      title,
      secrets: [
        { label: 'Token (X-API-Key)', value: r.token },
        { label: 'Secret', value: r.secret },
      ],
    };
  };
  return (
    <section aria-labelledby="keys-title" class="section">
      <header class="section-head">
        <h2 id="keys-title">{account ? 'Keys' : 'API keys'}</h2>
        {can('POST /v1/keys') ? (
          <button type="button" class="primary" onClick={() => (creating.value = true)}>
            New key
          </button>
        ) : null}
      </header>
      <ErrorNote error={keys.error} />
      {keys.loading && !keys.data ? <Loading /> : null}
      {keys.data && rows.length === 0 ? <Empty>{account ? 'The account has no keys of its own.' : 'This client has no keys yet.'}</Empty> : null}
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">{account ? 'Keys of the account' : 'API keys of this client'}</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                {account ? <th scope="col">Permissions</th> : null}
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((k) => (
                <tr key={k.keyId}>
                  <th scope="row">
                    <span class="mono">{k.keyId}</span> <span class="muted mono">…{k.hint}</span>
                  </th>
                  <td>{k.name ?? <span class="muted">—</span>}</td>
                  <td>
                    <Status on={k.enabled} yes="Enabled" no="Disabled" /> {k.isPrimary ? <span class="badge on">Primary</span> : null}
                  </td>
                  {account ? (
                    <td>
                      <PermissionList permissions={k.permissions} />
                    </td>
                  ) : null}
                  <td>
                    <When at={k.lastUsedAt} never="Never" />
                  </td>
                  <td>
                    <When at={k.expiresAt} never="Never" />
                  </td>
                  <td>
                    <When at={k.createdAt} />
                  </td>
                  <td class="row-actions">
                    {can('PATCH /v1/keys/:keyId') ? (
                      <ActionButton
                        label={`${k.enabled ? 'Disable' : 'Enable'} key ${k.keyId}`}
                        onClick={async () => {
                          await api.keys.update(k.keyId, { enabled: !k.enabled });
                          keys.reload();
                        }}
                      >
                        {k.enabled ? 'Disable' : 'Enable'}
                      </ActionButton>
                    ) : null}
                    {account && can('PATCH /v1/keys/:keyId') ? (
                      <button type="button" class="plain" aria-label={`Change the permissions of key ${k.keyId}`} onClick={() => (editing.value = k)}>
                        Permissions
                      </button>
                    ) : null}
                    {!k.isPrimary && can('PATCH /v1/keys/:keyId') ? (
                      <ActionButton
                        label={`Make primary: key ${k.keyId}`}
                        onClick={async () => {
                          await api.keys.update(k.keyId, { isPrimary: true });
                          keys.reload();
                        }}
                      >
                        Make primary
                      </ActionButton>
                    ) : null}
                    {can('POST /v1/keys/:keyId/reset') ? (
                      <button type="button" class="plain" aria-label={`Reset key ${k.keyId}`} onClick={() => (resetting.value = k)}>
                        Reset
                      </button>
                    ) : null}
                    {!k.isPrimary && can('DELETE /v1/keys/:keyId') ? (
                      <button type="button" class="danger" aria-label={`Delete key ${k.keyId}`} onClick={() => (deleting.value = k)}>
                        Delete
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {rows.length > 0 ? <p class="muted">The primary key cannot be deleted: make another key primary first, or delete the client.</p> : null}
      {creating.value ? (
        <FormDialog
          title="New key"
          submit="Create key"
          onClose={() => (creating.value = false)}
          onSubmit={async (form) => {
            const name = String(form.get('name') ?? '').trim();
            const expires = String(form.get('expiresAt') ?? '');
            const created = await api.keys.create({
              ...(account ? { permissions: form.getAll('permission').map(String) as Permission[] } : { clientId }),
              ...(name ? { name } : {}),
              ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
            });
            creating.value = false;
            issued(`Key ${created.key.keyId} created`, created);
            keys.reload();
          }}
        >
          <Field name="name" label="Name" hint="Helps you recognise the key later, e.g. where it is used." />
          <Field name="expiresAt" label="Expires at the end of" type="date" hint="Leave empty for a key that does not expire." />
          {account ? <PermissionChoice chosen={[]} /> : null}
        </FormDialog>
      ) : null}
      {editing.value ? (
        <FormDialog
          title={`Permissions of key ${editing.value.keyId}`}
          submit="Save"
          onClose={() => (editing.value = null)}
          onSubmit={async (form) => {
            await api.keys.update(editing.value!.keyId, { permissions: form.getAll('permission').map(String) as Permission[] });
            editing.value = null;
            keys.reload();
          }}
        >
          <PermissionChoice chosen={editing.value.permissions} />
        </FormDialog>
      ) : null}
      {resetting.value ? (
        <FormDialog
          title={`Reset key ${resetting.value.keyId}`}
          submit="Reset key"
          danger
          onClose={() => (resetting.value = null)}
          onSubmit={async (form) => {
            const key = resetting.value!;
            const reset = await api.keys.reset(key.keyId, { gracePeriodSeconds: Number(form.get('grace') ?? 0) });
            resetting.value = null;
            issued(`Key ${key.keyId} reset`, reset);
            keys.reload();
          }}
        >
          <p>A new secret replaces the current one. Callers using the current secret need the new one.</p>
          <label>
            Keep the current secret working for
            <select name="grace">
              {GRACE_PERIODS.map(([seconds, label]) => (
                <option key={seconds} value={seconds}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </FormDialog>
      ) : null}
      {deleting.value ? (
        <ConfirmDialog
          title={`Delete key ${deleting.value.keyId}?`}
          message="Requests made with this key are refused from now on. This cannot be undone."
          word="delete"
          action="Delete key"
          onClose={() => (deleting.value = null)}
          onConfirm={async () => {
            await api.keys.delete(deleting.value!.keyId);
            deleting.value = null;
            keys.reload();
          }}
        />
      ) : null}
      {shown.value ? (
        <SecretDialog title={shown.value.title} note={<p>Clientele keeps only a keyed hash of the secret.</p>} secrets={shown.value.secrets} onClose={() => (shown.value = null)} />
      ) : null}
    </section>
  );
}

function PermissionList(props: { permissions: string[] }) {
  if (props.permissions.length === 0) return <span class="muted">None</span>;
  return <span class="mono">{props.permissions.join(', ')}</span>;
}

/** Checkboxes of the permissions the user may give, with what each allows. */
function PermissionChoice(props: { chosen: readonly string[] }) {
  const held = heldPermissions();
  return (
    <fieldset>
      <legend>Permissions</legend>
      <p class="muted">A key can do only what it is given, and never more than you can. With none, it can neither manage nor verify anything.</p>
      <div class="permission-grid">
        {held.map((p) => (
          <label key={p} class="check">
            <input type="checkbox" name="permission" value={p} defaultChecked={props.chosen.includes(p)} /> <span class="mono">{p}</span>
            <small class="muted"> {PERMISSIONS[p]}</small>
          </label>
        ))}
        {/* What the key holds beyond the user's own power stays as it is: shown, sent back, not changeable here. */}
        {props.chosen
          .filter((p) => !held.includes(p as Permission))
          .map((p) => (
            <label key={p} class="check">
              <input type="checkbox" checked disabled /> <span class="mono">{p}</span>
              <input type="hidden" name="permission" value={p} />
              <small class="muted"> kept: beyond what you hold</small>
            </label>
          ))}
      </div>
    </fieldset>
  );
}

/** The account's own keys (those of the platform's services), with their permissions. */
export function AccountKeysPage() {
  return (
    <Page title="Account keys">
      <p class="muted">Keys of the account itself — for your services, not for a client. Each holds the management permissions it was given.</p>
      <KeysSection />
    </Page>
  );
}
