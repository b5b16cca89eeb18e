/**
 * The console's routes are paths under /console/ (the server answers every one of them with
 * the same page): the current path is a signal, links and `navigate` push history entries.
 */
import { signal } from '@preact/signals';

const BASE = '/console';

/** The path below /console/, e.g. `/clients/…` (`/` for the start page). */
export const route = signal(current());

function current(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return path === '' ? '/' : path;
}

addEventListener('popstate', () => {
  route.value = current();
});

export function href(path: string): string {
  return `${BASE}${path}`;
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', href(path));
  else history.pushState(null, '', href(path));
  route.value = current();
  scrollTo(0, 0);
}

/** `/clients/:id` against `/clients/abc` → `{ id: 'abc' }`, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g === '') return null;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null; // a malformed escape: no such page
      }
    } else if (w !== g) return null;
  }
  return params;
}
