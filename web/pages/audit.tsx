/**
 * The audit log: newest first, filtered by type, client, actor and time (the filters live in
 * the address, so a filtered view can be shared or reloaded); "Follow live" adds new events at
 * the top as they are recorded.
 */
import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Event } from '../../sdk/src/index.js';
import { api, signedOut } from '../api.js';
import { Empty, ErrorNote, Link, Loading, Page, useLoad, When, Pager } from '../ui.js';

const PAGE_SIZE = 50;
const FILTERS = ['type', 'clientId', 'actorId', 'since', 'until'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function readFilters(): Filters {
  const params = new URLSearchParams(location.search);
  const filters: Filters = {};
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

/** `<input type=datetime-local>` speaks local time without a zone; the API wants RFC 3339. */
const toInstant = (local: string | undefined) => {
  const at = local ? new Date(local) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined;
};

function query(filters: Filters) {
  const since = toInstant(filters.since);
  const until = toInstant(filters.until);
  return {
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.clientId ? { clientId: filters.clientId } : {}),
    ...(filters.actorId ? { actorId: filters.actorId } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  };
}

export function AuditPage() {
  const filters = useSignal<Filters>(readFilters());
  const cursors = useSignal<Array<string | undefined>>([undefined]);
  const live = useSignal<Event[]>([]);
  const following = useSignal(false);
  const followError = useSignal<unknown>(undefined);
  const cursor = cursors.value[cursors.value.length - 1];
  const page = useLoad((signal) => api.events.listPage({ ...query(filters.value), order: 'desc', limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, { signal }), [filters.value, cursor]);

  // Following: the SDK polls for events recorded from now on, with the same filters.
  useEffect(() => {
    if (!following.value) return;
    const stop = new AbortController();
    const { type, clientId, actorId } = filters.value;
    (async () => {
      try {
        for await (const event of api.events.follow({ signal: stop.signal, intervalMs: 1000, ...(type ? { type } : {}), ...(clientId ? { clientId } : {}), ...(actorId ? { actorId } : {}) }))
          live.value = [event, ...live.value].slice(0, 500);
      } catch (err) {
        if (!signedOut(err)) followError.value = err;
        following.value = false;
      }
    })();
    return () => stop.abort();
  }, [following.value, filters.value]);

  const apply = (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next: Filters = {};
    for (const name of FILTERS) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next[name] = value;
    }
    const params = new URLSearchParams(next as Record<string, string>).toString();
    history.replaceState(null, '', `${location.pathname}${params ? `?${params}` : ''}`);
    filters.value = next;
    cursors.value = [undefined];
    live.value = [];
  };

  const f = filters.value;
  const rows = [...new Map([...(cursors.value.length === 1 ? live.value : []), ...(page.data?.data ?? [])].map((e) => [e.id, e])).values()];
  return (
    <Page title="Audit log">
      <form class="filters" onSubmit={apply} aria-label="Filter events">
        <div class="field">
          <label for="f-type">Type</label>
          <input id="f-type" name="type" defaultValue={f.type ?? ''} placeholder="e.g. key.created" pattern="[a-z0-9_]+(\.[a-z0-9_]+)+" autocomplete="off" />
        </div>
        <div class="field">
          <label for="f-client">Client id</label>
          <input id="f-client" name="clientId" defaultValue={f.clientId ?? ''} autocomplete="off" spellcheck={false} />
        </div>
        <div class="field">
          <label for="f-actor">Actor id</label>
          <input id="f-actor" name="actorId" defaultValue={f.actorId ?? ''} placeholder="a user, key or client id" autocomplete="off" spellcheck={false} />
        </div>
        <div class="field">
          <label for="f-since">From</label>
          <input id="f-since" name="since" type="datetime-local" defaultValue={f.since ?? ''} />
        </div>
        <div class="field">
          <label for="f-until">Before</label>
          <input id="f-until" name="until" type="datetime-local" defaultValue={f.until ?? ''} />
        </div>
        <div class="buttons">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <label class="check">
            <input type="checkbox" checked={following.value} onChange={(e) => (following.value = e.currentTarget.checked)} /> Follow live
          </label>
        </div>
      </form>
      <ErrorNote error={followError.value} />
      <ErrorNote error={page.error} />
      {following.value ? (
        <p class="muted" role="status">
          Following: new events appear at the top as they are recorded.
        </p>
      ) : null}
      {page.loading && !page.data ? <Loading /> : null}
      {page.data && rows.length === 0 ? <Empty>No event matches these filters. Widen the time range or clear a filter.</Empty> : null}
      {rows.length > 0 ? <EventTable rows={rows} /> : null}
      <Pager cursors={cursors} next={page.data?.nextCursor} busy={page.loading} label="Pages" back="Newer" forward="Older" />
    </Page>
  );
}

function EventTable(props: { rows: Event[] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">Events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Type</th>
            <th scope="col">Client</th>
            <th scope="col">Actor</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((e) => (
            <tr key={e.id}>
              <td>
                <When at={e.createdAt} />
              </td>
              <th scope="row">{e.type}</th>
              <td>{e.clientId ? <Link to={`/clients/${e.clientId}`}>{e.clientId.slice(0, 8)}…</Link> : <span class="muted">—</span>}</td>
              <td>
                {e.actor.type} <span class="mono">{e.actor.id}</span>
              </td>
              <td>
                <details>
                  <summary>Data</summary>
                  <pre class="mono">{JSON.stringify(e.data, null, 2)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
