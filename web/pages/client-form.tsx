/** A client's every writable field, for creating one and for editing one. */
import type { Client } from '../../sdk/src/index.js';
import { Field, FormDialog } from '../ui.js';

const TEXT_FIELDS = [
  ['name', 'Name'],
  ['username', 'Username'],
  ['emailAddress', 'E-mail'],
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['company', 'Company'],
  ['siret', 'SIRET (14 digits)'],
  ['description', 'Description'],
] as const;
const JSON_FIELDS = [
  ['features', 'Features', 'A JSON object of switches, e.g. {"export": true}'],
  ['limits', 'Limits', 'A JSON object of whole numbers, -1 for unlimited, e.g. {"documents": 100}'],
  ['metadata', 'Metadata', 'A small JSON object of your own'],
] as const;

/**
 * The request body of a form: on create, empty fields are left out; on edit (`existing`), an
 * emptied field is cleared (null) and an untouched password is kept.
 */
export function clientBody(form: FormData, existing: Client | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name] of TEXT_FIELDS) {
    const value = String(form.get(name) ?? '').trim();
    if (value !== '') body[name] = value;
    else if (existing && name !== 'name' && existing[name] !== null) body[name] = null;
  }
  for (const [name, label] of JSON_FIELDS) {
    const text = String(form.get(name) ?? '').trim();
    if (text === '') {
      if (existing) body[name] = {};
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`${label}: this is not valid JSON.`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${label}: write a JSON object, between { and }.`);
    body[name] = value;
  }
  const password = String(form.get('password') ?? '');
  if (password !== '') body.password = password;
  body.isActive = form.get('isActive') === 'on';
  return body;
}

const json = (value: Record<string, unknown> | undefined) => (value && Object.keys(value).length > 0 ? JSON.stringify(value, null, 2) : '');

export function ClientForm(props: { title: string; submit: string; client?: Client; onClose: () => void; onSubmit: (form: FormData) => Promise<void> }) {
  const c = props.client;
  return (
    <FormDialog title={props.title} submit={props.submit} onClose={props.onClose} onSubmit={props.onSubmit} wide>
      <div class="grid">
        {TEXT_FIELDS.map(([name, label]) => (
          <Field
            key={name}
            name={name}
            label={label}
            value={c?.[name]}
            {...(name === 'emailAddress' ? { type: 'email' } : {})}
            {...(name === 'siret' ? { pattern: '\\d{14}', inputMode: 'numeric' as const } : {})}
            {...(name === 'name' ? { hint: c ? 'Required' : 'Required unless a company, a first or last name, or a username is given' } : {})}
            {...(name === 'name' && c ? { required: true } : {})}
          />
        ))}
        <Field
          name="password"
          label={c ? 'New password' : 'Password'}
          type="password"
          autocomplete="new-password"
          hint={
            c
              ? c.hasPassword
                ? 'Leave empty to keep the current password (at least 8 characters).'
                : 'This client has no password (at least 8 characters).'
              : 'At least 8 characters; stored as a hash only.'
          }
        />
      </div>
      {JSON_FIELDS.map(([name, label, hint]) => (
        <Field key={name} name={name} label={label} value={json(c?.[name])} hint={hint} multiline />
      ))}
      <label class="check">
        <input type="checkbox" name="isActive" defaultChecked={c ? c.isActive : true} /> Active (its keys work)
      </label>
    </FormDialog>
  );
}
