import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { generateOpenApi } from '../scripts/openapi.js';

describe('OpenAPI document', () => {
  it('the committed openapi.json matches the route schemas (run `npm run openapi` after changing a route)', async () => {
    const committed = await readFile(new URL('../openapi.json', import.meta.url), 'utf8');
    assert.equal(committed, await generateOpenApi());
  });

  it('is OpenAPI 3.1 and documents every native route with its error responses', async () => {
    const doc = JSON.parse(await generateOpenApi()) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    assert.equal(doc.openapi, '3.1.0');
    const expected = [
      'get /v1/clients',
      'post /v1/clients',
      'get /v1/clients/{id}',
      'patch /v1/clients/{id}',
      'delete /v1/clients/{id}',
      'post /v1/clients/{id}/activate',
      'post /v1/clients/{id}/deactivate',
      'get /v1/keys',
      'post /v1/keys',
      'post /v1/keys/verify',
      'get /v1/keys/{keyId}',
      'patch /v1/keys/{keyId}',
      'delete /v1/keys/{keyId}',
      'post /v1/keys/{keyId}/reset',
      'get /v1/events',
      'get /v1/clients/{id}/integrations/{kind}',
      'put /v1/clients/{id}/integrations/{kind}',
      'delete /v1/clients/{id}/integrations/{kind}',
      'post /v1/clients/{id}/integrations/{kind}/test',
      'post /v1/clients/{id}/rotate-encryption-key',
      'post /v1/clients/{id}/webhook-secret/generate',
      'get /v1/clients/{id}/webhook-secret/status',
      'delete /v1/clients/{id}/webhook-secret',
      'post /oauth2/token',
      'post /api/token/',
      'post /api/token/refresh/',
      'get /.well-known/jwks.json',
    ];
    for (const op of expected) {
      const [method, path] = op.split(' ') as [string, string];
      assert.ok(doc.paths[path]?.[method], `missing ${op}`);
      if (path.startsWith('/v1/')) assert.ok(doc.paths[path]![method]!.responses['4XX'], `${op} lacks its problem+json errors`);
    }
  });

  it('keeps the vendor surfaces out of the native document', async () => {
    const doc = JSON.parse(await generateOpenApi()) as { paths: Record<string, unknown> };
    assert.deepEqual(
      Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/')),
      [],
    );
  });
});
