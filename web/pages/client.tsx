/** One client: its fields, its keys (secrets shown once), its webhook secret and its events. */
import { useSignal } from '@preact/signals';
import type { ApiKey, Client } from '../../sdk/src/index.js';
import { api, can } from '../api.js';
import { navigate } from '../router.js';
import { ActionButton, ConfirmDialog, Empty, ErrorNote, Field, FormDialog, Link, Loading, Page, SecretDialog, SIGNING_SECRET_KEPT, Status, useLoad, When } from '../ui.js';
import { ClientForm, clientBody } from './client-form.js';

type Shown = { title: string; secrets: Array<{ label: string; value: string }>; kept?: string } | null;

export function ClientPage(props: { id: string }) {
  const client = useLoad((signal) => api.clients.get(props.id, { signal }), [props.id]);
  const editing = useSignal(false);
  const deleting = useSignal(false);
  const c = client.data;
  if (!c) {
    return (
      <Page title="Client">
        <p>
          <Link to="/clients">← Clients</Link>
        </p>
        <ErrorNote error={client.error} />
        {client.loading ? <Loading /> : null}
      </Page>
    );
  }
  return (
    <Page
      title={c.name}
      actions={
        <>
          {can('PATCH /v1/clients/:id') ? (
            <button type="button" class="plain" onClick={() => (editing.value = true)}>
              Edit
            </button>
          ) : null}
          {can(`POST /v1/clients/:id/${c.isActive ? 'deactivate' : 'activate'}`) ? (
            <ActionButton
              onClick={async () => {
                await (c.isActive ? api.clients.deactivate(c.id) : api.clients.activate(c.id));
                client.reload();
              }}
            >
              {c.isActive ? 'Deactivate' : 'Activate'}
            </ActionButton>
          ) : null}
          {can('DELETE /v1/clients/:id') ? (
            <button type="button" class="danger" onClick={() => (deleting.value = true)}>
              Delete
            </button>
          ) : null}
        </>
      }
    >
      <p>
        <Link to="/clients">← Clients</Link>
      </p>
      <ClientDetails client={c} />
      {can('GET /v1/keys') ? <KeysSection client={c} /> : null}
      {can('GET /v1/clients/:id/webhook-secret/status') ? <WebhookSecretSection clientId={c.id} /> : null}
      {can('GET /v1/events') ? <EventsSection clientId={c.id} /> : null}
      {editing.value ? (
        <ClientForm
          title={`Edit ${c.name}`}
          submit="Save"
          client={c}
          onClose={() => (editing.value = false)}
          onSubmit={async (form) => {
            await api.clients.update(c.id, clientBody(form, c));
            editing.value = false;
            client.reload();
          }}
        />
      ) : null}
      {deleting.value ? (
        <ConfirmDialog
          title={`Delete ${c.name}?`}
          message="The client, its keys, its integrations and its data key are deleted. This cannot be undone."
          word={c.name}
          action="Delete client"
          onClose={() => (deleting.value = false)}
          onConfirm={async () => {
            await api.clients.delete(c.id);
            navigate('/clients', { replace: true });
          }}
        />
      ) : null}
    </Page>
  );
}

function ClientDetails(props: { client: Client }) {
  const c = props.client;
  const rows: Array<[string, unknown]> = [
    ['Status', <Status key="s" on={c.isActive} />],
    ['Id', <span class="mono">{c.id}</span>],
    ['Username', c.username],
    ['E-mail', c.emailAddress],
    ['First name', c.firstName],
    ['Last name', c.lastName],
    ['Company', c.company],
    ['SIRET', c.siret],
    ['Description', c.description],
    ['Password', c.hasPassword ? 'Set' : 'None'],
    ['Features', Object.keys(c.features).length ? <code>{JSON.stringify(c.features)}</code> : null],
    ['Limits', Object.keys(c.limits).length ? <code>{JSON.stringify(c.limits)}</code> : null],
    ['Metadata', Object.keys(c.metadata).length ? <code>{JSON.stringify(c.metadata)}</code> : null],
    ['Created', <When at={c.createdAt} />],
    ['Updated', <When at={c.updatedAt} />],
  ];
  return (
    <dl class="details">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value === null || value === undefined || value === '' ? <span class="muted">—</span> : (value as string)}</dd>
        </div>
      ))}
    </dl>
  );
}

const GRACE_PERIODS: Array<[number, string]> = [
  [0, 'None: the old secret stops now'],
  [3600, '1 hour'],
  [86400, '24 hours'],
  [604800, '7 days'],
];

function KeysSection(props: { client: Client }) {
  const clientId = props.client.id;
  const keys = useLoad((signal) => api.keys.listPage({ clientId, limit: 100 }, { signal }), [clientId]);
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
        <h2 id="keys-title">API keys</h2>
        {can('POST /v1/keys') ? (
          <button type="button" class="primary" onClick={() => (creating.value = true)}>
            New key
          </button>
        ) : null}
      </header>
      <ErrorNote error={keys.error} />
      {keys.loading && !keys.data ? <Loading /> : null}
      {keys.data && rows.length === 0 ? <Empty>This client has no keys yet.</Empty> : null}
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">API keys of this client</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
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
                    {!k.isPrimary && can('PATCH /v1/keys/:keyId') ? (
                      <ActionButton
                        label={`Make key ${k.keyId} primary`}
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
            const created = await api.keys.create({ clientId, ...(name ? { name } : {}), ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}) });
            creating.value = false;
            issued(`Key ${created.key.keyId} created`, created);
            keys.reload();
          }}
        >
          <Field name="name" label="Name" hint="Helps you recognise the key later, e.g. where it is used." />
          <Field name="expiresAt" label="Expires at the end of" type="date" hint="Leave empty for a key that does not expire." />
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
      {shown.value ? <SecretDialog title={shown.value.title} secrets={shown.value.secrets} onClose={() => (shown.value = null)} /> : null}
    </section>
  );
}

function WebhookSecretSection(props: { clientId: string }) {
  const { clientId } = props;
  const status = useLoad((signal) => api.webhookSecret.status(clientId, { signal }), [clientId]);
  const shown = useSignal<Shown>(null);
  const deleting = useSignal(false);
  const s = status.data;
  return (
    <section aria-labelledby="webhook-secret-title" class="section">
      <header class="section-head">
        <h2 id="webhook-secret-title">Webhook signing secret</h2>
        {can('POST /v1/clients/:id/webhook-secret/generate') ? (
          <ActionButton
            kind={s?.hasSecret ? 'plain' : 'primary'}
            onClick={async () => {
              const generated = await api.webhookSecret.generate(clientId);
              shown.value = { title: 'Webhook signing secret', secrets: [{ label: 'Secret', value: generated.webhookSecret }], kept: SIGNING_SECRET_KEPT };
              status.reload();
            }}
          >
            {s?.hasSecret ? 'Replace' : 'Generate'}
          </ActionButton>
        ) : null}
        {s?.hasSecret && can('DELETE /v1/clients/:id/webhook-secret') ? (
          <button type="button" class="danger" onClick={() => (deleting.value = true)}>
            Delete
          </button>
        ) : null}
      </header>
      <ErrorNote error={status.error} />
      {s ? (
        <p>
          {s.hasSecret ? (
            <>
              Set <When at={s.createdAt} />. Deliveries to this client are signed with it.
            </>
          ) : (
            'None: deliveries for this client are signed with the account’s secret.'
          )}
        </p>
      ) : null}
      {deleting.value ? (
        <ConfirmDialog
          title="Delete this client’s webhook secret?"
          message="Deliveries for this client are signed with the account’s secret from now on."
          word="delete"
          action="Delete secret"
          onClose={() => (deleting.value = false)}
          onConfirm={async () => {
            await api.webhookSecret.delete(clientId);
            deleting.value = false;
            status.reload();
          }}
        />
      ) : null}
      {shown.value ? <SecretDialog title={shown.value.title} secrets={shown.value.secrets} kept={shown.value.kept} onClose={() => (shown.value = null)} /> : null}
    </section>
  );
}

function EventsSection(props: { clientId: string }) {
  const events = useLoad((signal) => api.events.listPage({ clientId: props.clientId, limit: 20 }, { signal }), [props.clientId]);
  const rows = events.data?.data ?? [];
  return (
    <section aria-labelledby="events-title" class="section">
      <header class="section-head">
        <h2 id="events-title">Recent events</h2>
      </header>
      <ErrorNote error={events.error} />
      {events.data && rows.length === 0 ? <Empty>Nothing has happened to this client yet.</Empty> : null}
      {rows.length > 0 ? (
        <ol class="events">
          {rows.map((e) => (
            <li key={e.id}>
              <When at={e.createdAt} /> <strong>{e.type}</strong>{' '}
              <span class="muted">
                by {e.actor.type} <span class="mono">{e.actor.id}</span>
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
