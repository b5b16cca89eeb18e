/**
 * `@clientele/sdk/factpulse` as a drop-in for the FactPulse TypeScript SDK: code written the
 * way that SDK's docs show (its docs/ClientManagementApi.md: `new Configuration()`,
 * `new ClientManagementApi(configuration)`, `const { status, data } = await api.method(…)`,
 * axios-style `error.response`) runs against a real Clientele, over a socket and in-process,
 * on both databases.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  ClientManagementApi,
  ClientManagementApiFactory,
  Configuration,
  RequiredError,
  type ClientCreateRequest,
  type FactPulseApiError,
  type PDPConfigUpdateRequest,
} from '../../sdk/src/factpulse/index.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { connect, TRANSPORTS } from '../support/sdk.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const key32 = () => randomBytes(32).toString('base64');

async function failure(promise: Promise<unknown>): Promise<FactPulseApiError<any>> {
  try {
    await promise;
  } catch (err) {
    return err as FactPulseApiError<any>;
  }
  assert.fail('expected a rejection');
}

for (const backend of testBackends()) {
  for (const transport of TRANSPORTS) {
    describe(`FactPulse drop-in ClientManagementApi [${backend}, ${transport}]`, () => {
      let t: TestApp;
      let acc: TestAccount;
      let basePath: string;
      let fetchImpl: Awaited<ReturnType<typeof connect>>['fetch'];
      let accessToken: string;
      // As FactPulse users write it; the third argument (their axios instance) is our fetch.
      const apiWith = (configuration: Configuration) => new ClientManagementApi(configuration, undefined, fetchImpl);

      before(async () => {
        t = await createTestApp(backend);
        acc = await t.newAccount('FactPulse user');
        const conn = await connect(t.app, transport);
        basePath = conn.baseUrl;
        fetchImpl = conn.fetch;
        const login = await t.app.inject({ method: 'POST', url: '/api/token/', payload: { username: acc.email, password: acc.password } });
        accessToken = (login.json() as { access: string }).access;
      });
      after(() => t.close());

      it('the eight v4.0.2 operations, positional parameters, { status, data }', async () => {
        const configuration = new Configuration({ basePath, accessToken });
        const apiInstance = apiWith(configuration);

        const clientCreateRequest: ClientCreateRequest = { name: 'Acme SAS', description: 'Billing', siret: '12345678901234' };
        const { status, data } = await apiInstance.createClientApiV1ClientsPost(clientCreateRequest);
        assert.equal(status, 201);
        assert.match(data.uid, UUID);
        assert.equal(data.name, 'Acme SAS');
        assert.equal(data.hasConfigPdp, false);
        const uid = data.uid;

        await apiInstance.createClientApiV1ClientsPost({ name: 'Second' });
        const list = await apiInstance.listClientsApiV1ClientsGet(1, 1);
        assert.equal(list.status, 200);
        assert.equal(list.data.total, 2);
        assert.equal(list.data.pageSize, 1);
        assert.equal(list.data.results.length, 1);
        assert.equal((await apiInstance.listClientsApiV1ClientsGet()).data.results.length, 2, 'page and pageSize are optional');
        assert.equal((await apiInstance.listClientsApiV1ClientsGet(undefined, 100)).data.page, 1);

        assert.deepEqual((await apiInstance.getClientApiV1ClientsUidGet(uid)).data, data);
        const patched = await apiInstance.updateClientApiV1ClientsUidPatch(uid, { description: null, name: 'Acme' });
        assert.equal(patched.status, 200);
        assert.equal(patched.data.name, 'Acme');
        assert.equal(patched.data.description ?? null, null);

        const off = await apiInstance.deactivateClientApiV1ClientsUidDesactiverPost(uid);
        assert.deepEqual([off.status, off.data.uid, off.data.isActive, typeof off.data.message], [200, uid, false, 'string']);
        assert.equal((await apiInstance.activateClientApiV1ClientsUidActiverPost(uid)).data.isActive, true);

        const empty = await apiInstance.getPdpConfigApiV1ClientsUidPdpConfigGet(uid);
        assert.equal(empty.data.isConfigured, false);
        assert.equal(typeof empty.data.message, 'string');
        const pDPConfigUpdateRequest: PDPConfigUpdateRequest = {
          flowServiceUrl: 'https://pdp.example/flow',
          tokenUrl: 'https://pdp.example/token',
          oauthClientId: 'cid',
          clientSecret: 'never-returned',
        };
        const put = await apiInstance.updatePdpConfigApiV1ClientsUidPdpConfigPut(uid, pDPConfigUpdateRequest);
        assert.equal(put.status, 200);
        assert.equal(put.data.isConfigured, true);
        assert.equal(put.data.isActive, true);
        assert.equal(put.data.secretStatus?.status, 'active');
        assert.ok(!JSON.stringify(put.data).includes('never-returned'));
        assert.equal((await apiInstance.getClientApiV1ClientsUidGet(uid)).data.hasConfigPdp, true);
        assert.match(put.headers['content-type']!, /^application\/json/);
      });

      it('generation B: X-Encryption-Key through options.headers or baseOptions, rotation, webhook secret', async () => {
        const oldKey = key32();
        const newKey = key32();
        const viaBase = apiWith(new Configuration({ basePath, accessToken, baseOptions: { headers: { 'X-Encryption-Key': oldKey } } }));
        const api = apiWith(new Configuration({ basePath, accessToken }));
        const { data: client } = await api.createClientApiV1ClientsPost({ name: 'Double' });
        const body: PDPConfigUpdateRequest = { flowServiceUrl: 'https://f', tokenUrl: 'https://t', oauthClientId: 'c', clientSecret: 's', encryptionMode: 'double' };

        const missing = await failure(api.updatePdpConfigApiV1ClientsUidPdpConfigPut(client.uid, body));
        assert.equal(missing.response?.status, 400);
        assert.equal(missing.response?.data.errorCode, 'ENCRYPTION_KEY_REQUIRED');
        const put = await viaBase.updatePdpConfigApiV1ClientsUidPdpConfigPut(client.uid, body);
        assert.equal(put.data.encryptionMode, 'double');
        assert.equal(put.data.secretStatus?.requiresClientKey, true);
        await api.updatePdpConfigApiV1ClientsUidPdpConfigPut(client.uid, body, { headers: { 'X-Encryption-Key': oldKey } });

        const rotated = await api.rotateEncryptionKeyApiV1ClientsUidRotateEncryptionKeyPost(client.uid, { oldKey, newKey });
        assert.deepEqual([rotated.status, rotated.data.success, rotated.data.rotatedCount], [200, true, 1]);
        const wrong = await failure(api.rotateEncryptionKeyApiV1ClientsUidRotateEncryptionKeyPost(client.uid, { oldKey, newKey: key32() }));
        assert.equal(wrong.response?.status, 400);

        assert.deepEqual((await api.getWebhookSecretStatusApiV1ClientsUidWebhookSecretStatusGet(client.uid)).data.hasSecret, false);
        const generated = await api.generateWebhookSecretApiV1ClientsUidWebhookSecretGeneratePost(client.uid);
        assert.equal(generated.status, 200);
        assert.equal(generated.data.success, true);
        assert.ok(generated.data.webhookSecret.length > 20);
        assert.equal((await api.getWebhookSecretStatusApiV1ClientsUidWebhookSecretStatusGet(client.uid)).data.hasSecret, true);
        const deleted = await api.deleteWebhookSecretApiV1ClientsUidWebhookSecretDelete(client.uid);
        assert.deepEqual([deleted.status, deleted.data.success], [200, true]);
      });

      it('errors reject like axios: error.response.status and error.response.data', async () => {
        const api = apiWith(new Configuration({ basePath, accessToken }));
        const notFound = await failure(api.getClientApiV1ClientsUidGet('00000000-0000-4000-8000-000000000000'));
        assert.equal(notFound.isAxiosError, true);
        assert.equal(notFound.message, 'Request failed with status code 404');
        assert.equal(notFound.code, 'ERR_BAD_REQUEST');
        assert.equal(notFound.response?.status, 404);
        assert.equal(notFound.response?.data.errorCode, 'CLIENT_NOT_FOUND');

        const invalid = await failure(api.createClientApiV1ClientsPost({ name: 'x', siret: '12' }));
        assert.equal(invalid.response?.status, 422);
        assert.deepEqual(invalid.response?.data.detail[0].loc, ['body', 'siret']);

        const anonymous = await failure(apiWith(new Configuration({ basePath })).listClientsApiV1ClientsGet());
        assert.equal(anonymous.response?.status, 401);

        await assert.rejects(api.getClientApiV1ClientsUidGet(undefined as unknown as string), (e: RequiredError) => e instanceof RequiredError && e.field === 'uid');
      });

      it('accessToken as a function, apiKey (X-API-Key), client-scoped tokens and the Factory form', async () => {
        let asked = 0;
        const viaFn = apiWith(
          new Configuration({
            basePath,
            accessToken: async () => {
              asked++;
              return accessToken;
            },
          }),
        );
        const { data: client } = await viaFn.createClientApiV1ClientsPost({ name: 'Scoped' });
        assert.equal(asked, 1);

        const viaKey = apiWith(new Configuration({ basePath, apiKey: acc.token }));
        assert.equal((await viaKey.getClientApiV1ClientsUidGet(client.uid)).data.uid, client.uid);

        const scopedLogin = await t.app.inject({ method: 'POST', url: '/api/token/', payload: { username: acc.email, password: acc.password, client_uid: client.uid } });
        const scoped = apiWith(new Configuration({ basePath, accessToken: (scopedLogin.json() as { access: string }).access }));
        assert.equal((await scoped.getClientApiV1ClientsUidGet(client.uid)).status, 200);
        const { data: other } = await viaKey.createClientApiV1ClientsPost({ name: 'Other' });
        assert.equal((await failure(scoped.getClientApiV1ClientsUidGet(other.uid))).response?.status, 403);

        const factory = ClientManagementApiFactory(new Configuration({ basePath, accessToken }), undefined, fetchImpl);
        assert.equal((await factory.getClientApiV1ClientsUidGet(client.uid)).data.name, 'Scoped');
        assert.equal((await factory.listClientsApiV1ClientsGet(1, 5)).status, 200);
      });
    });
  }
}
