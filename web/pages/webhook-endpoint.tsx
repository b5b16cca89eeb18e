/**
 * One webhook endpoint: its settings (edit, enable or disable, send a test event, delete) and
 * its delivery log (cursor pages, redeliver). The form and the actions are shared with the
 * list of endpoints.
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { WebhookDelivery, WebhookEndpoint } from '../../sdk/src/index.js';
import { EVENT_TYPES } from '../../src/core/event-types.js';
import { api, can } from '../api.js';
import { navigate } from '../router.js';
import { ActionButton, ConfirmDialog, Empty, ErrorNote, Field, FormDialog, Link, Loading, Page, Status, useLoad, When, Pager } from '../ui.js';

type Format = WebhookEndpoint['format'];

const FORMATS: Array<[Format, string]> = [
  ['native', 'Native: {id, type, createdAt, data}'],
  ['factpulse', 'FactPulse: {event_type, data}'],
];

/** "Every event", or the filter's types and prefixes. */
export function filterText(events: string[] | null): string {
  return events === null ? 'Every event' : events.join(', ');
}

export function formatName(format: Format): string {
  return format === 'factpulse' ? 'FactPulse' : 'Native';
}

const GROUP_NAMES: Record<string, string> = {
  account: 'Account',
  client: 'Clients',
  key: 'Keys',
  integration: 'Integrations',
  encryption_key: 'Encryption keys',
  usage: 'Usage',
  webhook_endpoint: 'Webhook endpoints',
  webhook_secret: 'Webhook secrets',
  user: 'Users',
  ratelimit: 'Rate limits',
};

/** The event types the server records, by their prefix (`client` → client.created, …). */
const GROUPS: Array<{ prefix: string; name: string; types: string[] }> = [];
for (const type of EVENT_TYPES) {
  const prefix = type.slice(0, type.indexOf('.'));
  const group = GROUPS.find((g) => g.prefix === prefix);
  if (group) group.types.push(type);
  else GROUPS.push({ prefix, name: GROUP_NAMES[prefix] ?? prefix, types: [type] });
}
const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const KNOWN = new Set<string>([...EVENT_TYPES, ...GROUPS.filter((g) => g.types.length > 1).map((g) => `${g.prefix}.*`)]);

/** A new endpoint, or the changes to one. */
export function EndpointForm(props: {
  title: string;
  submit: string;
  endpoint?: WebhookEndpoint;
  onClose: () => void;
  onSubmit: (body: { url: string; events: string[] | null; format: Format; clientId: string | null; enabled?: boolean }) => Promise<void>;
}) {
  const e = props.endpoint;
  const every = useSignal(!e || e.events === null);
  const chosen = useSignal<ReadonlySet<string>>(new Set(e?.events ?? []));
  /** Patterns saved through the API that the lists below do not offer (kept unless unticked). */
  const others = (e?.events ?? []).filter((p) => !KNOWN.has(p));
  const covered = (type: string) => chosen.value.has(`${type.slice(0, type.indexOf('.'))}.*`);
  const toggle = (value: string, on: boolean) => {
    const next = new Set(chosen.value);
    if (on) next.add(value);
    else next.delete(value);
    chosen.value = next;
  };
  const onSubmit = async (form: FormData) => {
    let events: string[] | null = null;
    if (!every.value) {
      const offered = new Set([...others, ...GROUPS.flatMap((g) => [`${g.prefix}.*`, ...g.types])]);
      events = [...offered].filter((p) => chosen.value.has(p) && (p.endsWith('.*') || !covered(p)));
      if (events.length === 0) throw new Error('Events: tick at least one event type, or choose “Every event”.');
    }
    const clientId = String(form.get('clientId') ?? '').trim();
    await props.onSubmit({
      url: String(form.get('url') ?? '').trim(),
      events,
      format: String(form.get('format') ?? 'native') as Format,
      clientId: clientId === '' ? null : clientId,
      ...(e ? {} : { enabled: form.get('enabled') === 'on' }),
    });
  };
  return (
    <FormDialog title={props.title} submit={props.submit} onClose={props.onClose} onSubmit={onSubmit} wide>
      <Field
        name="url"
        label="URL"
        type="url"
        required
        value={e?.url}
        hint="Where Clientele POSTs each event as JSON, signed. http or https; private and loopback addresses are refused unless the server allows them."
      />
      <fieldset class="choices">
        <legend>Events</legend>
        <label class="check">
          <input type="radio" name="scope" value="all" checked={every.value} onChange={() => (every.value = true)} /> Every event
        </label>
        <label class="check">
          <input type="radio" name="scope" value="some" checked={!every.value} onChange={() => (every.value = false)} /> Only the events ticked below
        </label>
      </fieldset>
      {every.value ? null : (
        <div class="event-groups">
          {others.length > 0 ? (
            <fieldset class="choices">
              <legend>Other patterns</legend>
              {others.map((p) => (
                <label key={p} class="check">
                  <input type="checkbox" checked={chosen.value.has(p)} onChange={(ev) => toggle(p, ev.currentTarget.checked)} /> <span class="mono">{p}</span>
                </label>
              ))}
            </fieldset>
          ) : null}
          {GROUPS.map((g) => (
            <fieldset key={g.prefix} class="choices">
              <legend>{g.name}</legend>
              {g.types.length > 1 ? (
                <label class="check">
                  <input type="checkbox" checked={chosen.value.has(`${g.prefix}.*`)} onChange={(ev) => toggle(`${g.prefix}.*`, ev.currentTarget.checked)} />{' '}
                  <span>
                    All, and any added later <span class="mono">({g.prefix}.*)</span>
                  </span>
                </label>
              ) : null}
              {g.types.map((t) => (
                <label key={t} class="check">
                  <input type="checkbox" checked={chosen.value.has(t) || covered(t)} disabled={covered(t)} onChange={(ev) => toggle(t, ev.currentTarget.checked)} /> <span class="mono">{t}</span>
                </label>
              ))}
            </fieldset>
          ))}
        </div>
      )}
      <label>
        Payload format
        <select name="format" defaultValue={e?.format ?? 'native'}>
          {FORMATS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <Field name="clientId" label="Client id" value={e?.clientId} hint="Only the events about this client. Leave empty for the whole account’s." pattern={UUID_PATTERN} />
      {e ? null : (
        <label class="check">
          <input type="checkbox" name="enabled" defaultChecked /> Enabled (events are sent from now on)
        </label>
      )}
    </FormDialog>
  );
}

/**
 * An endpoint's buttons: send a test event, enable or disable, edit, delete. Each is shown
 * only to who may use it.
 */
export function EndpointActions(props: { endpoint: WebhookEndpoint; onChanged: () => void; onDeleted: () => void; onTested: (delivery: WebhookDelivery) => void }) {
  const e = props.endpoint;
  const editing = useSignal(false);
  const deleting = useSignal(false);
  return (
    <>
      {e.enabled && can('POST /v1/webhook-endpoints/:id/test') ? (
        <ActionButton label={`Send test event to ${e.url}`} onClick={async () => props.onTested(await api.webhookEndpoints.test(e.id))}>
          Send test event
        </ActionButton>
      ) : null}
      {can('PATCH /v1/webhook-endpoints/:id') ? (
        <>
          <ActionButton
            label={`${e.enabled ? 'Disable' : 'Enable'} ${e.url}`}
            onClick={async () => {
              await api.webhookEndpoints.update(e.id, { enabled: !e.enabled });
              props.onChanged();
            }}
          >
            {e.enabled ? 'Disable' : 'Enable'}
          </ActionButton>
          <button type="button" class="plain" aria-label={`Edit ${e.url}`} onClick={() => (editing.value = true)}>
            Edit
          </button>
        </>
      ) : null}
      {can('DELETE /v1/webhook-endpoints/:id') ? (
        <button type="button" class="danger" aria-label={`Delete ${e.url}`} onClick={() => (deleting.value = true)}>
          Delete
        </button>
      ) : null}
      {editing.value ? (
        <EndpointForm
          title="Edit webhook endpoint"
          submit="Save"
          endpoint={e}
          onClose={() => (editing.value = false)}
          onSubmit={async (body) => {
            // Only what changed: an unchanged URL is not checked (and resolved) again.
            const changed = Object.fromEntries(Object.entries(body).filter(([field, value]) => JSON.stringify(value) !== JSON.stringify(e[field as keyof WebhookEndpoint])));
            await api.webhookEndpoints.update(e.id, changed);
            editing.value = false;
            props.onChanged();
          }}
        />
      ) : null}
      {deleting.value ? (
        <ConfirmDialog
          title="Delete this webhook endpoint?"
          message={
            <>
              Nothing is sent to <span class="mono">{e.url}</span> any more, and its delivery log is deleted with it. This cannot be undone.
            </>
          }
          word="delete"
          action="Delete endpoint"
          onClose={() => (deleting.value = false)}
          onConfirm={async () => {
            await api.webhookEndpoints.delete(e.id);
            deleting.value = false;
            props.onDeleted();
          }}
        />
      ) : null}
    </>
  );
}

/** Why an endpoint sends nothing, when it does not. */
export function EndpointState(props: { endpoint: WebhookEndpoint }) {
  const e = props.endpoint;
  return (
    <>
      <Status on={e.enabled} yes="Enabled" no="Disabled" />
      {!e.enabled && e.disabledReason ? <span class="muted"> (turned off by Clientele: {e.disabledReason})</span> : null}
    </>
  );
}

export function WebhookEndpointPage(props: { id: string }) {
  const endpoint = useLoad((signal) => api.webhookEndpoints.get(props.id, { signal }), [props.id]);
  /** Bumped when a test event or a redelivery was queued: the log reloads. */
  const queued = useSignal(0);
  const e = endpoint.data;
  if (!e) {
    return (
      <Page title="Webhook endpoint">
        <p>
          <Link to="/webhooks">← Webhooks</Link>
        </p>
        <ErrorNote error={endpoint.error} />
        {endpoint.error ? (
          <p>
            It may have been deleted: <Link to="/webhooks">see the account’s endpoints</Link>.
          </p>
        ) : null}
        {endpoint.loading ? <Loading /> : null}
      </Page>
    );
  }
  return (
    <Page title={e.url} actions={<EndpointActions endpoint={e} onChanged={endpoint.reload} onDeleted={() => navigate('/webhooks', { replace: true })} onTested={() => (queued.value += 1)} />}>
      <p>
        <Link to="/webhooks">← Webhooks</Link>
      </p>
      <div role="status">{queued.value > 0 ? <p>A test event was queued: it appears in the delivery log below.</p> : null}</div>
      <dl class="details">
        <div>
          <dt>Status</dt>
          <dd>
            <EndpointState endpoint={e} />
          </dd>
        </div>
        <div>
          <dt>Events</dt>
          <dd>{filterText(e.events)}</dd>
        </div>
        <div>
          <dt>Payload format</dt>
          <dd>{formatName(e.format)}</dd>
        </div>
        <div>
          <dt>Client</dt>
          <dd>{e.clientId ? <Link to={`/clients/${e.clientId}`}>{e.clientId}</Link> : 'Every client, and the account’s own events'}</dd>
        </div>
        <div>
          <dt>Id</dt>
          <dd class="mono">{e.id}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <When at={e.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <When at={e.updatedAt} />
          </dd>
        </div>
      </dl>
      {e.enabled ? null : <p class="warning">Disabled: no event is sent to this endpoint. Enable it to send events again (its failure count starts over).</p>}
      {can('GET /v1/webhook-endpoints/:id/deliveries') ? <DeliveryLog endpoint={e} queued={queued.value} /> : null}
    </Page>
  );
}

const PAGE_SIZE = 20;
/** While a delivery is being sent, or due within this long, the log refreshes itself. */
const SOON_MS = 5_000;
const REFRESH_MS = 1_000;

const STATUS_TEXT: Record<WebhookDelivery['status'], string> = {
  pending: 'Queued',
  sending: 'Sending',
  succeeded: 'Succeeded',
  failed: 'Failed',
  waiting_secret: 'Waiting for a secret',
};

function statusText(d: WebhookDelivery): string {
  return d.status === 'pending' && d.attempts > 0 ? 'Retrying' : STATUS_TEXT[d.status];
}

function statusClass(d: WebhookDelivery): string {
  if (d.status === 'succeeded') return 'badge on';
  if (d.status === 'failed' || (d.status === 'pending' && d.attempts > 0)) return 'badge fail';
  return 'badge off';
}

const EXCERPT = 80;

function DeliveryLog(props: { endpoint: WebhookEndpoint; queued: number }) {
  const id = props.endpoint.id;
  const cursors = useSignal<Array<string | undefined>>([undefined]);
  const cursor = cursors.value[cursors.value.length - 1];
  const log = useLoad((signal) => api.webhookEndpoints.deliveriesPage(id, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, { signal }), [id, cursor, props.queued]);
  const rows = log.data?.data ?? [];
  const active = rows.some((d) => d.status === 'sending' || (d.status === 'pending' && d.nextAttemptAt !== null && Date.parse(d.nextAttemptAt) - Date.now() < SOON_MS));
  // A new test event lands on the first page: go there.
  useEffect(() => {
    if (props.queued > 0) cursors.value = [undefined];
  }, [props.queued]);
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(log.reload, REFRESH_MS);
    return () => clearTimeout(timer);
  }, [active, log.data]);
  const waiting = rows.some((d) => d.status === 'waiting_secret');
  return (
    <section aria-labelledby="deliveries-title" class="section">
      <header class="section-head">
        <h2 id="deliveries-title">Delivery log</h2>
        <button type="button" class="plain" onClick={log.reload} disabled={log.loading}>
          Refresh
        </button>
      </header>
      <ErrorNote error={log.error} />
      {log.loading && !log.data ? <Loading /> : null}
      {log.data && rows.length === 0 ? (
        <Empty>
          {cursors.value.length > 1
            ? 'No older deliveries.'
            : props.endpoint.enabled && can('POST /v1/webhook-endpoints/:id/test')
              ? 'Nothing has been sent to this endpoint yet. Send a test event to see a delivery here.'
              : 'Nothing has been sent to this endpoint yet.'}
        </Empty>
      ) : null}
      {waiting ? (
        <p class="warning">
          Deliveries waiting for a secret go out once a webhook signing secret exists: generate the account’s on the <Link to="/webhooks">Webhooks page</Link> (or the client’s own on its page).
          Nothing is sent unsigned.
        </p>
      ) : null}
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table aria-busy={log.loading}>
            <caption class="sr-only">Deliveries to this endpoint, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">HTTP status</th>
                <th scope="col">Latency</th>
                <th scope="col">Response</th>
                <th scope="col">Attempts</th>
                <th scope="col">Time</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <DeliveryRow key={d.id} delivery={d} onRedelivered={log.reload} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {cursors.value.length > 1 || log.data?.nextCursor ? (
        <Pager cursors={cursors} next={log.data?.nextCursor} busy={log.loading} label="Pages of the delivery log" back="Newer" forward="Older" />
      ) : null}
    </section>
  );
}

function DeliveryRow(props: { delivery: WebhookDelivery; onRedelivered: () => void }) {
  const d = props.delivery;
  const body = d.responseBody ?? '';
  return (
    <tr>
      <th scope="row">
        <span class="mono">{d.eventType}</span>
        <br />
        <span class="muted mono small">{d.eventId}</span>
      </th>
      <td>
        <span class={statusClass(d)}>{statusText(d)}</span>
        {d.nextAttemptAt && d.status !== 'succeeded' ? (
          <div class="muted small">
            next try <When at={d.nextAttemptAt} />
          </div>
        ) : null}
      </td>
      <td>{d.responseStatus ?? <span class="muted">—</span>}</td>
      <td>{d.latencyMs === null ? <span class="muted">—</span> : `${d.latencyMs} ms`}</td>
      <td>
        <div class="excerpt">
          {body === '' ? null : body.length > EXCERPT ? (
            <details>
              <summary>
                <code>{body.slice(0, EXCERPT)}…</code>
              </summary>
              <pre>{body}</pre>
            </details>
          ) : (
            <code>{body}</code>
          )}
          {d.lastError && d.status !== 'succeeded' ? <div class="error-text">{d.lastError}</div> : null}
          {body === '' && !(d.lastError && d.status !== 'succeeded') ? <span class="muted">—</span> : null}
        </div>
      </td>
      <td>{d.attempts}</td>
      <td>
        <When at={d.lastAttemptAt ?? d.createdAt} />
      </td>
      <td>
        <div class="row-actions">
          {d.status !== 'sending' && can('POST /v1/deliveries/:id/redeliver') ? (
            <ActionButton
              label={`Redeliver ${d.eventType} ${d.eventId}`}
              onClick={async () => {
                await api.deliveries.redeliver(d.id);
                props.onRedelivered();
              }}
            >
              Redeliver
            </ActionButton>
          ) : null}
        </div>
      </td>
    </tr>
  );
}
