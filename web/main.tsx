/** The admin console: sign-in, then the pages of the signed-in user's account. */
// uPlot's own styles are small: bundled with the rest, so the lazily loaded charts need no style sheet of their own.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { api, can, loadSession, session, signedOut, user } from './api.js';
import { AuditPage } from './pages/audit.js';
import { ClientPage } from './pages/client.js';
import { ClientsPage } from './pages/clients.js';
import { AccountKeysPage } from './pages/keys.js';
import { ProfilePage } from './pages/profile.js';
import { SignIn } from './pages/sign-in.js';
import { UsersPage } from './pages/users.js';
import { WebhookEndpointPage } from './pages/webhook-endpoint.js';
import { WebhooksPage } from './pages/webhooks.js';
import { match, navigate, route } from './router.js';
import { ActionButton, Link, Loading, Page } from './ui.js';

interface Section {
  path: string;
  label: string;
  /** The route that lists what the section shows: the section is there only for who may call it. */
  needs: string;
}

const SECTIONS: Section[] = [
  { path: '/clients', label: 'Clients', needs: 'GET /v1/clients' },
  { path: '/keys', label: 'Account keys', needs: 'GET /v1/keys' },
  { path: '/users', label: 'Users', needs: 'GET /v1/users' },
  { path: '/audit', label: 'Audit log', needs: 'GET /v1/events' },
  { path: '/webhooks', label: 'Webhooks', needs: 'GET /v1/webhook-endpoints' },
];

function Shell() {
  const path = route.value;
  const u = user.value!;
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link to="/" class="brand">
          Clientele
        </Link>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.filter((s) => can(s.needs)).map((s) => (
              <li key={s.path}>
                <Link to={s.path} aria-current={path.startsWith(s.path) ? 'page' : undefined}>
                  {s.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="me">
          <Link to="/profile" aria-current={path === '/profile' ? 'page' : undefined}>
            {u.email} <span class="muted">({u.role})</span>
          </Link>
          <ActionButton
            onClick={async () => {
              await api.sessions.signOut().catch((err) => {
                if (!signedOut(err)) throw err;
              });
              session.value = null;
              navigate('/', { replace: true });
            }}
          >
            Sign out
          </ActionButton>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Routed path={path} />
      </main>
    </div>
  );
}

function Routed(props: { path: string }) {
  const { path } = props;
  if (path === '/') {
    const first = SECTIONS.find((s) => can(s.needs));
    return first ? <Redirect to={first.path} /> : <ProfilePage />;
  }
  if (path === '/clients') return <ClientsPage />;
  const client = match('/clients/:id', path);
  if (client) return <ClientPage id={client.id!} />;
  if (path === '/webhooks') return <WebhooksPage />;
  const endpoint = match('/webhooks/:id', path);
  if (endpoint) return <WebhookEndpointPage id={endpoint.id!} />;
  if (path === '/profile') return <ProfilePage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/keys') return <AccountKeysPage />;
  if (path === '/users') return <UsersPage />;
  return (
    <Page title="Not found">
      <p>
        There is no page at this address. <Link to="/">Go to the start page.</Link>
      </p>
    </Page>
  );
}

function Redirect(props: { to: string }) {
  useEffect(() => navigate(props.to, { replace: true }), [props.to]);
  return null;
}

function App() {
  useEffect(() => {
    loadSession().catch(() => {
      session.value = null;
    });
  }, []);
  if (session.value === undefined) return <Loading />;
  if (session.value === null) return <SignIn />;
  return <Shell />;
}

render(<App />, document.getElementById('app')!);
