/**
 * Generates the OpenAPI 3.1 document from the route schemas. `npm run openapi` writes
 * `openapi.json`; the drift test (test/openapi.test.ts) fails when the committed file differs.
 */
import type { AuthContext } from '../src/core/auth.js';
import { buildApp } from '../src/http/app.js';

export async function generateOpenApi(): Promise<string> {
  // Route registration only captures the context; nothing here calls it.
  const app = await buildApp({ ctx: {} as AuthContext, ready: async () => true, logLevel: 'silent' });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return JSON.stringify(doc, null, 2) + '\n';
}
