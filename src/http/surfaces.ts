/**
 * The wire surfaces, one table. Each surface owns path prefixes, writes its errors with its
 * one writer, and registers its routes in its own encapsulated part of the app (app.ts gives
 * that part the writer as its error handler). Errors raised before any route matched — no
 * route, a URL that does not decode, a path parameter that is too long, an HTTP request that
 * does not parse or arrives too slowly — go by the path's surface in this table, so a vendor
 * SDK gets its vendor's error format even then; app.ts refuses a route registered outside
 * its surface's prefixes, so the two can never disagree.
 */
import type { AuthContext } from '../core/auth.js';
import { ccm19Surface } from './compat/ccm19/routes.js';
import { factPulseSurface } from './compat/factpulse/index.js';
import { inteliquentSurface } from './compat/inteliquent/routes.js';
import type { ErrorWriter } from './errors.js';
import { nativeSurface } from './native/index.js';
import { oauthSurface } from './tokens.js';
import type { App } from './types.js';

export type SurfaceName = 'native' | 'oauth' | 'factpulse' | 'inteliquent' | 'ccm19';

export interface Surface {
  readonly name: SurfaceName;
  /** The path prefixes it owns; the native surface owns every path no other does. */
  readonly prefixes: readonly string[];
  /** Its one error path: every error of its routes, and those raised before routing on its paths. */
  readonly writeError: ErrorWriter;
  /** Registers its routes on its own encapsulated part of the app. */
  readonly routes: (app: App, ctx: AuthContext) => void;
  /** It takes browser sessions (a cookie) as a credential: the native API only. */
  readonly sessions?: boolean;
}

/** Every surface, in registration order (the order of the OpenAPI document's paths). No two own overlapping prefixes. */
export const SURFACES: readonly Surface[] = [oauthSurface, factPulseSurface, nativeSurface, inteliquentSurface, ccm19Surface];

export function surfaceOfPath(path: string): Surface {
  return SURFACES.find((s) => s.prefixes.some((prefix) => path.startsWith(prefix))) ?? nativeSurface;
}

/** The path of a raw HTTP request line (`GET /x?y HTTP/1.1`), for requests that did not parse. */
export function pathOfRawRequest(raw: Buffer | undefined): string {
  if (!raw) return '/';
  const line = raw.subarray(0, Math.min(raw.length, 8192)).toString('latin1').split('\r\n', 1)[0] ?? '';
  const target = line.split(' ')[1] ?? '/';
  return target.startsWith('/') ? target : '/';
}
