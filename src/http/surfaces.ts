/**
 * Which wire surface a path belongs to. Routes name their surface in their config (and
 * app.ts checks at registration that it agrees with this table); the table itself is what
 * decides for errors raised before any route matched — a URL that does not decode, a path
 * parameter that is too long, an HTTP request that does not parse or arrives too slowly —
 * so a vendor SDK gets its vendor's error format even then.
 */
export type SurfaceName = 'native' | 'oauth' | 'factpulse' | 'inteliquent' | 'ccm19';

const PREFIXES: ReadonlyArray<readonly [string, SurfaceName]> = [
  ['/hosting/api/', 'ccm19'],
  ['/Services/2.0.0/', 'inteliquent'],
  ['/ClientMgmt/1.0.0/', 'inteliquent'],
  ['/api/', 'factpulse'],
  ['/oauth2/', 'oauth'],
];

export function surfaceOfPath(path: string): SurfaceName {
  for (const [prefix, surface] of PREFIXES) if (path.startsWith(prefix)) return surface;
  return 'native';
}

/** The path of a raw HTTP request line (`GET /x?y HTTP/1.1`), for requests that did not parse. */
export function pathOfRawRequest(raw: Buffer | undefined): string {
  if (!raw) return '/';
  const line = raw.subarray(0, Math.min(raw.length, 8192)).toString('latin1').split('\r\n', 1)[0] ?? '';
  const target = line.split(' ')[1] ?? '/';
  return target.startsWith('/') ? target : '/';
}
