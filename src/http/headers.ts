/** Headers every answer carries (set by app.ts's onSend hook, and by the fast lane directly). */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  /** Default only: a route may set its own Cache-Control. */
  'cache-control': 'no-store',
} as const;
