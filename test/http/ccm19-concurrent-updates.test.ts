/**
 * CCM19 `PUT /hosting/api/client/{id}` merges the body's limits and features into the
 * client's maps. Concurrent PUTs touching different keys must all survive: the merge happens
 * on the row as locked by the update's transaction (core updateClient's merge), never on a
 * copy read before it (which let the last writer put back the keys the others had changed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CCM19_FEATURES } from '../../src/http/compat/ccm19/mappers.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { call } from '../support/http.js';

const LIMITS = ['domainMaxCount', 'whitelabelMaxCount', 'widgetDisplayMaxCount'] as const;

for (const backend of testBackends()) {
  describe(`CCM19 concurrent PUTs lose nothing [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    const url = (path: string) => `${path}?apiKey=${acc.token}`;

    before(async () => {
      t = await createTestApp(backend, { logLevel: 'warn' });
      acc = await t.newAccount('CCM19 concurrency');
    });
    after(() => t.close());

    it('every feature turned off and every limit set by concurrent PUTs is kept', async () => {
      for (let round = 0; round < 3; round++) {
        const created = await call(t, 'POST', url('/hosting/api/client'), {}, { username: `race-${backend}-${round}`, password: 'pw-123456', emailAddress: `race${round}@x.test` });
        assert.equal(created.status, 201, created.raw);
        const id = created.body.id as string;
        // Every feature starts true; each PUT turns one off, and three also set a limit.
        const puts = CCM19_FEATURES.map((feature, i) => {
          const limit = LIMITS[i];
          const body = { features: { [feature]: false }, ...(limit ? { [limit]: 100 + i } : {}) };
          return call(t, 'PUT', url(`/hosting/api/client/${id}`), {}, body);
        });
        for (const res of await Promise.all(puts)) assert.equal(res.status, 200, res.raw);
        const after = await call(t, 'GET', url(`/hosting/api/client/${id}`));
        assert.equal(after.status, 200, after.raw);
        for (const feature of CCM19_FEATURES) assert.equal(after.body.features[feature], false, `round ${round}: ${feature} was put back`);
        LIMITS.forEach((limit, i) => {
          assert.equal(after.body[limit], 100 + i, `round ${round}: ${limit} lost`);
        });
      }
    });
  });
}
