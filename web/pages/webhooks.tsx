/**
 * Webhooks: the account's endpoints (cursor pages, create, edit, enable or disable, send a test
 * event, delete) and the account's signing secret (status, generate or replace — shown once —,
 * delete).
 */
import { useSignal } from '@preact/signals';
import type { WebhookEndpoint } from '../../sdk/src/index.js';
import { api, can } from '../api.js';
import { navigate } from '../router.js';
import { ActionButton, ConfirmDialog, Empty, ErrorNote, FormDialog, Link, Loading, Page, SecretDialog, SIGNING_SECRET_KEPT, useLoad, When, Pager } from '../ui.js';
import { EndpointActions, EndpointForm, EndpointState, filterText, formatName } from './webhook-endpoint.js';

const PAGE_SIZE = 20;

export function WebhooksPage() {
  const cursors = useSignal<Array<string | undefined>>([undefined]);
  const creating = useSignal(false);
  const tested = useSignal<WebhookEndpoint | null>(null);
  const cursor = cursors.value[cursors.value.length - 1];
  const page = useLoad((signal) => api.webhookEndpoints.listPage({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, { signal }), [cursor]);
  const rows = page.data?.data ?? [];
  const mayCreate = can('POST /v1/webhook-endpoints');
  return (
    <Page
      title="Webhooks"
      actions={
        mayCreate ? (
          <button type="button" class="primary" onClick={() => (creating.value = true)}>
            New endpoint
          </button>
        ) : null
      }
    >
      <p class="muted">Clientele POSTs every change of the account (a client created, a key reset, …) to these URLs, signed with the webhook signing secret below.</p>
      <div role="status">
        {tested.value ? (
          <p>
            A test event was queued for <span class="mono">{tested.value.url}</span>: <Link to={`/webhooks/${tested.value.id}`}>follow it in its delivery log</Link>.
          </p>
        ) : null}
      </div>
      <section aria-labelledby="endpoints-title" class="section">
        <header class="section-head">
          <h2 id="endpoints-title">Endpoints</h2>
        </header>
        <ErrorNote error={page.error} />
        {page.loading && !page.data ? <Loading /> : null}
        {page.data && rows.length === 0 ? (
          <Empty>
            {cursors.value.length > 1
              ? 'No more endpoints.'
              : mayCreate
                ? 'No webhook endpoints yet. Add one with “New endpoint”: Clientele then sends each event to its URL.'
                : 'No webhook endpoints yet.'}
          </Empty>
        ) : null}
        {rows.length > 0 ? (
          <div class="table-wrap">
            <table aria-busy={page.loading}>
              <caption class="sr-only">Webhook endpoints</caption>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Format</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <tr key={e.id}>
                    <th scope="row">
                      <div class="url">
                        <Link to={`/webhooks/${e.id}`}>{e.url}</Link>
                      </div>
                      {e.clientId ? <div class="muted small">one client’s events only</div> : null}
                    </th>
                    <td>
                      <div class="filter">{filterText(e.events)}</div>
                    </td>
                    <td>{formatName(e.format)}</td>
                    <td>
                      <EndpointState endpoint={e} />
                    </td>
                    <td>
                      <When at={e.createdAt} />
                    </td>
                    <td>
                      <div class="row-actions">
                        <EndpointActions endpoint={e} onChanged={page.reload} onDeleted={page.reload} onTested={() => (tested.value = e)} />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {cursors.value.length > 1 || page.data?.nextCursor ? <Pager cursors={cursors} next={page.data?.nextCursor} busy={page.loading} label="Pages of endpoints" /> : null}
      </section>
      {can('GET /v1/webhook-secret/status') ? <AccountSecretSection hasEndpoints={rows.length > 0} /> : null}
      {creating.value ? (
        <EndpointForm
          title="New webhook endpoint"
          submit="Create endpoint"
          onClose={() => (creating.value = false)}
          onSubmit={async (body) => {
            const created = await api.webhookEndpoints.create(body);
            creating.value = false;
            navigate(`/webhooks/${created.id}`);
          }}
        />
      ) : null}
    </Page>
  );
}

const GRACE_PERIODS: Array<[number, string]> = [
  [0, 'None: the old secret stops now'],
  [3600, '1 hour'],
  [86400, '24 hours'],
  [604800, '7 days'],
];

function AccountSecretSection(props: { hasEndpoints: boolean }) {
  const status = useLoad((signal) => api.webhookSecret.account.status({ signal }), []);
  const shown = useSignal<string | null>(null);
  const replacing = useSignal(false);
  const deleting = useSignal(false);
  const s = status.data;
  const mayGenerate = can('POST /v1/webhook-secret/generate');
  const generate = async (gracePeriodSeconds: number) => {
    const generated = await api.webhookSecret.account.generate(gracePeriodSeconds > 0 ? { gracePeriodSeconds } : {});
    shown.value = generated.webhookSecret;
    status.reload();
  };
  return (
    <section aria-labelledby="account-secret-title" class="section">
      <header class="section-head">
        <h2 id="account-secret-title">Webhook signing secret</h2>
        {mayGenerate && s && !s.hasSecret ? (
          <ActionButton kind="primary" onClick={() => generate(0)}>
            Generate
          </ActionButton>
        ) : null}
        {mayGenerate && s?.hasSecret ? (
          <button type="button" class="plain" onClick={() => (replacing.value = true)}>
            Replace
          </button>
        ) : null}
        {s?.hasSecret && can('DELETE /v1/webhook-secret') ? (
          <button type="button" class="danger" onClick={() => (deleting.value = true)}>
            Delete
          </button>
        ) : null}
      </header>
      <ErrorNote error={status.error} />
      {s ? (
        s.hasSecret ? (
          <p>
            Set <When at={s.createdAt} />. Deliveries are signed with it, except those about a client with its own secret (set on the client’s page).
          </p>
        ) : (
          <p class={props.hasEndpoints ? 'warning' : undefined}>
            None. Deliveries about a client without its own secret, and the account’s own events, wait until there is one: nothing is sent unsigned.
            {mayGenerate ? ' Generate one, then give it to the receivers to verify signatures.' : ' Ask an administrator to generate one.'}
          </p>
        )
      ) : null}
      {replacing.value ? (
        <FormDialog
          title="Replace the webhook signing secret"
          submit="Replace secret"
          danger
          onClose={() => (replacing.value = false)}
          onSubmit={async (form) => {
            await generate(Number(form.get('grace') ?? 0));
            replacing.value = false;
          }}
        >
          <p>A new secret signs every delivery from now on. Receivers verifying with the current secret need the new one.</p>
          <label>
            Keep signing with the current secret too for
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
          title="Delete the webhook signing secret?"
          message="Deliveries about clients without their own secret, and the account’s own events, wait from now on until a new secret is generated."
          word="delete"
          action="Delete secret"
          onClose={() => (deleting.value = false)}
          onConfirm={async () => {
            await api.webhookSecret.account.delete();
            deleting.value = false;
            status.reload();
          }}
        />
      ) : null}
      {shown.value ? (
        <SecretDialog
          title="Webhook signing secret"
          secrets={[{ label: 'Secret', value: shown.value }]}
          kept={SIGNING_SECRET_KEPT}
          note={<p>Receivers verify each delivery’s signature with it (Standard Webhooks, or the X-Webhook-Signature header).</p>}
          onClose={() => (shown.value = null)}
        />
      ) : null}
    </section>
  );
}
