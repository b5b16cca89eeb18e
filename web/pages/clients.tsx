/**
 * Clients: search (free text, or a key id or a pasted token, which leads to the key's client),
 * filter by status, page through any number of clients (cursor pages), create one.
 */
import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import { ClienteleError, type Client } from '../../sdk/src/index.js';
import { api, can } from '../api.js';
import { navigate } from '../router.js';
import { Empty, ErrorNote, Link, Loading, Page, Status, useLoad, When, Pager } from '../ui.js';
import { ClientForm, clientBody } from './client-form.js';

const PAGE_SIZE = 50;
/** A key's public id, or a whole token (whose key id is read here: the token itself never leaves the page). */
const KEY_ID = /^ck_([0-9A-Za-z]{22})$/;
/** A token anywhere in what was pasted (with text around it too): it never goes into the search. */
const TOKEN = /\bclt_([0-9A-Za-z]{22})_[0-9A-Za-z]{49}\b/;

type StatusFilter = 'all' | 'active' | 'inactive';

function readQuery(): { q: string; status: StatusFilter } {
  const params = new URLSearchParams(location.search);
  const status = params.get('status');
  return { q: params.get('q') ?? '', status: status === 'active' || status === 'inactive' ? status : 'all' };
}

export function ClientsPage() {
  const initial = readQuery();
  const q = useSignal(initial.q);
  const status = useSignal<StatusFilter>(initial.status);
  /** Cursors of the pages before the current one (the first page has none). */
  const cursors = useSignal<Array<string | undefined>>([undefined]);
  const lookup = useSignal<unknown>(undefined);
  const creating = useSignal(false);
  const cursor = cursors.value[cursors.value.length - 1];
  const page = useLoad(
    (signal) =>
      api.clients.listPage(
        {
          limit: PAGE_SIZE,
          ...(q.value ? { q: q.value } : {}),
          ...(status.value === 'all' ? {} : { isActive: status.value === 'active' }),
          ...(cursor ? { cursor } : {}),
        },
        { signal },
      ),
    [q.value, status.value, cursor],
  );

  const search = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = String(form.get('q') ?? '').trim();
    const wanted = String(form.get('status') ?? 'all') as StatusFilter;
    lookup.value = undefined;
    const keyBody = TOKEN.exec(text)?.[1] ?? KEY_ID.exec(text)?.[1];
    if (keyBody) {
      try {
        const key = await api.keys.get(`ck_${keyBody}`);
        if (key.clientId) return navigate(`/clients/${key.clientId}`);
        lookup.value = new Error(`ck_${keyBody} is one of the account's own keys, not a client's.`);
      } catch (err) {
        lookup.value = err instanceof ClienteleError && err.status === 404 ? new Error(`No key ck_${keyBody} in this account.`) : err;
      }
      return;
    }
    const params = new URLSearchParams({ ...(text ? { q: text } : {}), ...(wanted === 'all' ? {} : { status: wanted }) }).toString();
    history.replaceState(null, '', `${location.pathname}${params ? `?${params}` : ''}`);
    q.value = text;
    status.value = wanted;
    cursors.value = [undefined];
  };

  const rows = page.data?.data ?? [];
  return (
    <Page
      title="Clients"
      actions={
        can('POST /v1/clients') ? (
          <button type="button" class="primary" onClick={() => (creating.value = true)}>
            New client
          </button>
        ) : null
      }
    >
      <search>
        <form class="search" onSubmit={search}>
          <label for="client-search">Search</label>
          <input
            id="client-search"
            name="q"
            type="search"
            defaultValue={q.value}
            placeholder="Name, username, e-mail, company, key id or token"
            aria-describedby="client-search-hint"
            autocomplete="off"
            spellcheck={false}
          />
          <label for="client-status">Status</label>
          <select id="client-status" name="status" defaultValue={status.value}>
            <option value="all">All</option>
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </select>
          <button type="submit" class="primary">
            Search
          </button>
          <small id="client-search-hint" class="muted">
            A pasted token finds its client without leaving this page: only its key id is sent.
          </small>
        </form>
      </search>
      <ErrorNote error={lookup.value} />
      <ErrorNote error={page.error} />
      {page.loading && !page.data ? <Loading /> : null}
      {page.data && rows.length === 0 ? (
        <Empty>{q.value || status.value !== 'all' ? 'No client matches this search. Try fewer letters, or another status.' : 'No clients yet. Create the first with “New client”.'}</Empty>
      ) : null}
      {rows.length > 0 ? <ClientTable rows={rows} busy={page.loading} /> : null}
      <Pager cursors={cursors} next={page.data?.nextCursor} busy={page.loading} label="Pages" />
      {creating.value ? (
        <ClientForm
          title="New client"
          submit="Create client"
          onClose={() => (creating.value = false)}
          onSubmit={async (form) => {
            const created = await api.clients.create(clientBody(form, undefined) as Parameters<typeof api.clients.create>[0]);
            creating.value = false;
            navigate(`/clients/${created.id}`);
          }}
        />
      ) : null}
    </Page>
  );
}

function ClientTable(props: { rows: Client[]; busy: boolean }) {
  return (
    <div class="table-wrap">
      <table aria-busy={props.busy}>
        <caption class="sr-only">Clients</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Username</th>
            <th scope="col">E-mail</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((c) => (
            <tr key={c.id}>
              <th scope="row">
                <Link to={`/clients/${c.id}`}>{c.name}</Link>
              </th>
              <td>{c.username ?? <span class="muted">—</span>}</td>
              <td>{c.emailAddress ?? <span class="muted">—</span>}</td>
              <td>
                <Status on={c.isActive} />
              </td>
              <td>
                <When at={c.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
