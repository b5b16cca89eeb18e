/** One client: its fields, its keys (secrets shown once), its webhook secret and its events. */
import { useSignal } from '@preact/signals';
import type { Client } from '../../sdk/src/index.js';
import { api, can } from '../api.js';
import { navigate } from '../router.js';
import { ActionButton, ConfirmDialog, Empty, ErrorNote, Link, Loading, Page, SecretDialog, SIGNING_SECRET_KEPT, Status, useLoad, When } from '../ui.js';
import { ClientForm, clientBody } from './client-form.js';
import { IntegrationsSection } from './integrations.js';
import { KeysSection } from './keys.js';

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
      {can('GET /v1/keys') ? <KeysSection clientId={c.id} /> : null}
      {can('GET /v1/clients/:id/integrations/:kind') ? <IntegrationsSection clientId={c.id} /> : null}
      {can('GET /v1/clients/:id/usage') ? <LazyUsage clientId={c.id} /> : null}
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

/** The usage charts bring their chart library with them: it loads the first time a client page shows them. */
function LazyUsage(props: { clientId: string }) {
  const loaded = useLoad(() => import('./usage.js'), []);
  if (!loaded.data) return loaded.error ? <ErrorNote error={loaded.error} /> : <Loading />;
  const { UsageSection } = loaded.data;
  return <UsageSection clientId={props.clientId} />;
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
  const events = useLoad((signal) => api.events.listPage({ clientId: props.clientId, limit: 20, order: 'desc' }, { signal }), [props.clientId]);
  const rows = events.data?.data ?? [];
  return (
    <section aria-labelledby="events-title" class="section">
      <header class="section-head">
        <h2 id="events-title">Recent events</h2>
        <Link to={`/audit?clientId=${props.clientId}`}>All of this client’s events</Link>
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
