/** The console's building blocks: dialogs, secrets shown once, confirmations, loading and errors. */
import { type Signal, useSignal } from '@preact/signals';
import type { ComponentChildren, TargetedSubmitEvent } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { describe, signedOut } from './api.js';
import { href, navigate } from './router.js';

/** A link inside the console (a history entry, no page load; a modified click opens a tab as usual). */
export function Link(props: { to: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' | undefined }) {
  const { to, children, ...rest } = props;
  return (
    <a
      {...rest}
      href={href(to)}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · Clientele`;
  }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title">{props.title}</h1>
        {props.actions ? <div class="actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}

export function ErrorNote(props: { error: unknown }) {
  if (props.error === undefined || props.error === null) return null;
  return (
    <p class="error" role="alert">
      {describe(props.error)}
    </p>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads with `load` whenever `deps` change; a 401 sends the user back to sign in. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load(abort.signal).then(
      (data) => !abort.signal.aborted && setState({ data, error: undefined, loading: false }),
      (error) => {
        if (abort.signal.aborted || signedOut(error)) return;
        setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => abort.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A button that runs an async action: disabled while it runs, its failure shown beside it. */
export function ActionButton(props: { onClick: () => Promise<unknown>; children: ComponentChildren; kind?: 'primary' | 'danger' | 'plain'; disabled?: boolean; label?: string }) {
  const busy = useSignal(false);
  const error = useSignal<unknown>(undefined);
  return (
    <span class="action">
      <button
        type="button"
        class={props.kind ?? 'plain'}
        disabled={busy.value || props.disabled}
        aria-busy={busy.value}
        aria-label={props.label}
        onClick={async () => {
          busy.value = true;
          error.value = undefined;
          try {
            await props.onClick();
          } catch (err) {
            if (!signedOut(err)) error.value = err;
          } finally {
            busy.value = false;
          }
        }}
      >
        {props.children}
      </button>
      <ErrorNote error={error.value} />
    </span>
  );
}

/** A modal dialog (the platform's <dialog>: focus kept inside, Escape closes). Rendered only while open. */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  // Focus goes back to what opened the dialog, however it closes (its buttons unmount it).
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  useEffect(() => {
    const dialog = ref.current!;
    if (!dialog.open) dialog.showModal();
    const onClose = () => props.onClose();
    dialog.addEventListener('close', onClose);
    return () => dialog.removeEventListener('close', onClose);
  }, [props.onClose]);
  return (
    <dialog ref={ref} aria-labelledby={id} class={props.wide ? 'wide' : undefined}>
      <header class="dialog-head">
        <h2 id={id}>{props.title}</h2>
        <button type="button" class="plain close" aria-label="Close" onClick={() => ref.current?.close()}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  );
}

/** A form in a dialog: submit runs `onSubmit`; its error is shown, the dialog stays open with what was typed. */
export function FormDialog(props: { title: string; submit: string; onClose: () => void; onSubmit: (form: FormData) => Promise<void>; children: ComponentChildren; danger?: boolean; wide?: boolean }) {
  const busy = useSignal(false);
  const error = useSignal<unknown>(undefined);
  const onSubmit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    busy.value = true;
    error.value = undefined;
    try {
      await props.onSubmit(new FormData(e.currentTarget));
    } catch (err) {
      if (!signedOut(err)) error.value = err;
    } finally {
      busy.value = false;
    }
  };
  return (
    <Dialog title={props.title} onClose={props.onClose} {...(props.wide ? { wide: true } : {})}>
      <form onSubmit={onSubmit} class="form">
        {props.children}
        <ErrorNote error={error.value} />
        <div class="buttons">
          <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={busy.value} aria-busy={busy.value}>
            {busy.value ? 'Working…' : props.submit}
          </button>
          <button type="button" class="plain" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A destructive action confirmed by typing a word (the thing's name). */
export function ConfirmDialog(props: { title: string; message: ComponentChildren; word: string; action: string; onClose: () => void; onConfirm: () => Promise<void> }) {
  const typed = useSignal('');
  return (
    <FormDialog
      title={props.title}
      submit={props.action}
      danger
      onClose={props.onClose}
      onSubmit={async () => {
        // The pattern stops the form in the browser; this stops it whatever the browser makes of the pattern.
        if (typed.value !== props.word) throw new Error(`Type ${props.word} exactly to confirm.`);
        await props.onConfirm();
      }}
    >
      <p>{props.message}</p>
      <label>
        <span>
          Type <strong class="mono">{props.word}</strong> to confirm
        </span>
        <input name="confirm" autocomplete="off" required value={typed.value} onInput={(e) => (typed.value = e.currentTarget.value)} pattern={escapePattern(props.word)} />
      </label>
    </FormDialog>
  );
}

/** A literal for the `pattern` attribute, which browsers compile in the `v` (unicodeSets) mode. */
function escapePattern(word: string): string {
  // Only the syntax characters may be escaped outside a class in that mode (`\-` is an error there).
  return word.replace(/[\^$\\.*+?()[\]{}|/]/g, '\\$&');
}

/** What a webhook signing secret's dialog says of how Clientele keeps it (it signs with it: no hash). */
export const SIGNING_SECRET_KEPT = 'Clientele keeps it encrypted, only to sign deliveries with.';

/**
 * Secrets shown once: each with a copy button and the warning that it will not be shown again.
 * Closing the dialog removes them from the page (the caller drops its state). `kept` says how
 * Clientele keeps it (by default: only a hash).
 */
export function SecretDialog(props: { title: string; secrets: Array<{ label: string; value: string }>; onClose: () => void; note?: ComponentChildren; kept?: string }) {
  return (
    <Dialog title={props.title} onClose={props.onClose} wide>
      <p class="warning" role="note">
        Copy it now: <strong>you will not see this again.</strong> {props.kept}
      </p>
      {props.note}
      {props.secrets.map((s) => (
        <CopyField key={s.label} label={s.label} value={s.value} />
      ))}
      <div class="buttons">
        <button type="button" class="primary" onClick={props.onClose}>
          I have copied it
        </button>
      </div>
    </Dialog>
  );
}

function CopyField(props: { label: string; value: string }) {
  const copied = useSignal(false);
  const id = useId();
  return (
    <div class="copy-field">
      <label for={id}>{props.label}</label>
      <div class="row">
        <input id={id} class="mono secret" readOnly value={props.value} onFocus={(e) => e.currentTarget.select()} spellcheck={false} autocomplete="off" />
        <button
          type="button"
          class="plain"
          onClick={async () => {
            await navigator.clipboard?.writeText(props.value).catch(() => undefined);
            copied.value = true;
          }}
        >
          {copied.value ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

export function Loading() {
  return (
    <p class="loading" aria-live="polite">
      Loading…
    </p>
  );
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function When(props: { at: string | null | undefined; never?: string }) {
  if (!props.at) return <span class="muted">{props.never ?? '—'}</span>;
  const date = new Date(props.at);
  return <time dateTime={props.at}>{DATE_TIME.format(date)}</time>;
}

export function Status(props: { on: boolean; yes?: string; no?: string }) {
  return <span class={props.on ? 'badge on' : 'badge off'}>{props.on ? (props.yes ?? 'Active') : (props.no ?? 'Inactive')}</span>;
}

/** A text field of a form; `name` is the FormData name. */
export function Field(props: {
  label: string;
  name: string;
  value?: string | null | undefined;
  type?: string;
  required?: boolean;
  hint?: string;
  autocomplete?: string;
  pattern?: string;
  multiline?: boolean;
  inputMode?: 'numeric' | 'text';
}) {
  const id = useId();
  const hint = props.hint ? `${id}-hint` : undefined;
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        {props.required ? null : <span class="muted"> (optional)</span>}
      </label>
      {props.multiline ? (
        <textarea id={id} name={props.name} rows={4} required={props.required} aria-describedby={hint} spellcheck={false} defaultValue={props.value ?? ''} />
      ) : (
        <input
          id={id}
          name={props.name}
          type={(props.type ?? 'text') as 'text'}
          defaultValue={props.value ?? ''}
          required={props.required}
          aria-describedby={hint}
          autocomplete={props.autocomplete ?? 'off'}
          pattern={props.pattern}
          inputMode={props.inputMode}
        />
      )}
      {props.hint ? (
        <small id={hint} class="muted">
          {props.hint}
        </small>
      ) : null}
    </div>
  );
}

/**
 * Cursor pages: `cursors` holds the cursor of every page up to the current one (the first
 * page's is undefined); the pager steps back and forth through them.
 */
export function Pager(props: { cursors: Signal<Array<string | undefined>>; next: string | null | undefined; busy: boolean; label: string; back?: string; forward?: string }) {
  const { cursors, next } = props;
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" class="plain" disabled={cursors.value.length < 2 || props.busy} onClick={() => (cursors.value = cursors.value.slice(0, -1))}>
        {props.back ?? 'Previous page'}
      </button>
      <span class="muted" aria-live="polite">
        Page {cursors.value.length}
      </span>
      <button type="button" class="plain" disabled={!next || props.busy} onClick={() => (cursors.value = [...cursors.value, next!])}>
        {props.forward ?? 'Next page'}
      </button>
    </nav>
  );
}
