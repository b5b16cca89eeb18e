/**
 * A client's integrations: status only (settings, encryption, last connection test); secrets
 * are written, never read back. Double encryption takes the client's own key for the one
 * request that needs it; the console never keeps it. The fields of each kind come from the
 * server's own table (src/core/integration-kinds.ts).
 */
import { useSignal } from '@preact/signals';
import { ClienteleError, type Integration, type IntegrationKind } from '../../sdk/src/index.js';
import { INTEGRATION_KINDS } from '../../src/core/integration-kinds.js';
import { api, can } from '../api.js';
import { ActionButton, ConfirmDialog, ErrorNote, Field, FormDialog, Loading, SecretDialog, useLoad, When } from '../ui.js';

const KINDS = Object.keys(INTEGRATION_KINDS) as IntegrationKind[];
const LABELS: Record<IntegrationKind, string> = { pdp: 'FactPulse PDP', 'chorus-pro': 'Chorus Pro' };

/** A new AES-256 key, base64, made in the browser (for double encryption). */
function newClientKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes));
}

export function IntegrationsSection(props: { clientId: string }) {
  return (
    <section aria-labelledby="integrations-title" class="section">
      <header class="section-head">
        <h2 id="integrations-title">Integrations</h2>
      </header>
      <div class="cards">
        {KINDS.map((kind) => (
          <IntegrationCard key={kind} clientId={props.clientId} kind={kind} />
        ))}
      </div>
    </section>
  );
}

function IntegrationCard(props: { clientId: string; kind: IntegrationKind }) {
  const { clientId, kind } = props;
  const found = useLoad(
    (signal) =>
      api.integrations.get(clientId, kind, { signal }).catch((err) => {
        if (err instanceof ClienteleError && err.code === 'INTEGRATION_NOT_FOUND') return null;
        throw err;
      }),
    [clientId, kind],
  );
  const editing = useSignal(false);
  const deleting = useSignal(false);
  const testing = useSignal(false);
  const madeKey = useSignal<string | null>(null);
  const i = found.data;
  const titleId = `integration-${kind}`;
  const test = async (encryptionKey?: string) => {
    await api.integrations.test(clientId, kind, encryptionKey ? { encryptionKey } : undefined);
    found.reload();
  };
  return (
    <article class="card" aria-labelledby={titleId}>
      <h3 id={titleId}>{LABELS[kind]}</h3>
      <ErrorNote error={found.error} />
      {found.loading && found.data === undefined ? <Loading /> : null}
      {i === null ? <p class="muted">Not set up.</p> : null}
      {i ? <IntegrationStatus integration={i} /> : null}
      <div class="buttons">
        {can('PUT /v1/clients/:id/integrations/:kind') ? (
          <button type="button" class={i ? 'plain' : 'primary'} onClick={() => (editing.value = true)}>
            {i ? 'Replace' : 'Set up'}
          </button>
        ) : null}
        {i && can('POST /v1/clients/:id/integrations/:kind/test') ? (
          i.secretStatus.requiresClientKey ? (
            <button type="button" class="plain" onClick={() => (testing.value = true)}>
              Test the connection
            </button>
          ) : (
            <ActionButton onClick={() => test()}>Test the connection</ActionButton>
          )
        ) : null}
        {i && can('DELETE /v1/clients/:id/integrations/:kind') ? (
          <button type="button" class="danger" onClick={() => (deleting.value = true)}>
            Delete
          </button>
        ) : null}
      </div>
      {editing.value ? (
        <IntegrationForm
          kind={kind}
          current={i ?? undefined}
          onClose={() => (editing.value = false)}
          onSubmit={async (body, encryptionKey, generated) => {
            await api.integrations.put(clientId, kind, body, encryptionKey ? { encryptionKey } : undefined);
            editing.value = false;
            if (generated) madeKey.value = generated;
            found.reload();
          }}
        />
      ) : null}
      {testing.value ? (
        <FormDialog
          title={`Test ${LABELS[kind]}`}
          submit="Test the connection"
          onClose={() => (testing.value = false)}
          onSubmit={async (form) => {
            await test(String(form.get('encryptionKey')).trim());
            testing.value = false;
          }}
        >
          <p>Its secrets are encrypted with the client's own key too: give it for this test. It is not kept.</p>
          <Field name="encryptionKey" label="The client's key (base64)" type="password" required />
        </FormDialog>
      ) : null}
      {deleting.value ? (
        <ConfirmDialog
          title={`Delete the ${LABELS[kind]} integration?`}
          message="Its settings and secrets are deleted. This cannot be undone."
          word="delete"
          action="Delete integration"
          onClose={() => (deleting.value = false)}
          onConfirm={async () => {
            await api.integrations.delete(clientId, kind);
            deleting.value = false;
            found.reload();
          }}
        />
      ) : null}
      {madeKey.value ? (
        <SecretDialog
          title="The client's encryption key"
          note={<p>The secrets are encrypted with this key too. Give it to the client: it is needed for every use of them, and Clientele does not keep it.</p>}
          secrets={[{ label: 'Client key (base64, AES-256)', value: madeKey.value }]}
          onClose={() => (madeKey.value = null)}
        />
      ) : null}
    </article>
  );
}

function IntegrationStatus(props: { integration: Integration }) {
  const i = props.integration;
  return (
    <dl class="details compact">
      {Object.entries(i.settings).map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd class="mono">{value === null ? <span class="muted">—</span> : String(value)}</dd>
        </div>
      ))}
      <div>
        <dt>Secrets</dt>
        <dd>
          Set{i.secretStatus.requiresClientKey ? ', also under the client’s own key' : ''} ({i.encryptionMode})
        </dd>
      </div>
      <div>
        <dt>Last connection test</dt>
        <dd>
          {i.lastTestAt ? (
            <>
              <When at={i.lastTestAt} /> — {i.lastTestSuccess ? 'succeeded' : `failed: ${i.lastTestError ?? 'no reason given'}`}
            </>
          ) : (
            <span class="muted">Never</span>
          )}
        </dd>
      </div>
    </dl>
  );
}

function IntegrationForm(props: {
  kind: IntegrationKind;
  current: Integration | undefined;
  onClose: () => void;
  onSubmit: (body: Record<string, unknown>, encryptionKey: string | undefined, generated: string | undefined) => Promise<void>;
}) {
  const spec = INTEGRATION_KINDS[props.kind];
  const mode = useSignal<'fernet' | 'double'>(props.current?.encryptionMode ?? 'fernet');
  const keyValue = useSignal('');
  const generated = useSignal<string | undefined>(undefined);
  return (
    <FormDialog
      title={`${props.current ? 'Replace' : 'Set up'} ${LABELS[props.kind]}`}
      submit="Save"
      wide
      onClose={props.onClose}
      onSubmit={async (form) => {
        const body: Record<string, unknown> = { encryptionMode: mode.value };
        for (const [name, field] of Object.entries(spec.settings)) {
          if (field.type === 'boolean') body[name] = form.get(name) === 'on';
          else {
            const value = String(form.get(name) ?? '').trim();
            if (value) body[name] = value;
          }
        }
        for (const name of spec.secretFields) body[name] = String(form.get(name) ?? '');
        const key = mode.value === 'double' ? keyValue.value.trim() : undefined;
        await props.onSubmit(body, key, key && key === generated.value ? key : undefined);
      }}
    >
      <div class="grid">
        {Object.entries(spec.settings)
          .filter(([, f]) => f.type === 'string')
          .map(([name, f]) => (
            <Field key={name} name={name} label={name} value={props.current?.settings[name] as string | undefined} {...(f.required ? { required: true } : {})} />
          ))}
        {spec.secretFields.map((name) => (
          <Field key={name} name={name} label={name} type="password" autocomplete="new-password" required hint="Write-only: never shown again, not even here." />
        ))}
      </div>
      {Object.entries(spec.settings)
        .filter(([, f]) => f.type === 'boolean')
        .map(([name, f]) => (
          <label key={name} class="check">
            <input type="checkbox" name={name} defaultChecked={(props.current?.settings[name] as boolean | undefined) ?? f.default ?? false} /> {name}
          </label>
        ))}
      <fieldset>
        <legend>Encryption of the secrets</legend>
        <label class="check">
          <input type="radio" name="mode" value="fernet" checked={mode.value === 'fernet'} onChange={() => (mode.value = 'fernet')} /> By the server’s key
        </label>
        <label class="check">
          <input type="radio" name="mode" value="double" checked={mode.value === 'double'} onChange={() => (mode.value = 'double')} /> Also by the client’s own key (double encryption)
        </label>
      </fieldset>
      {mode.value === 'double' ? (
        <div class="field">
          <label for="client-key">The client's key (base64 of 32 bytes)</label>
          <div class="row">
            <input id="client-key" type="password" required value={keyValue.value} onInput={(e) => (keyValue.value = e.currentTarget.value)} autocomplete="off" aria-describedby="client-key-hint" />
            <button
              type="button"
              class="plain"
              onClick={() => {
                const key = newClientKey();
                generated.value = key;
                keyValue.value = key;
              }}
            >
              Make a new key
            </button>
          </div>
          <small id="client-key-hint" class="muted">
            Sent with this request only; Clientele never stores it. A key made here is shown once after saving, for you to give to the client.
          </small>
        </div>
      ) : null}
    </FormDialog>
  );
}
