/**
 * `ClientManagementApi`: a drop-in for the FactPulse TypeScript SDK's class of the same name
 * (v4.0.2 method names and positional parameters, plus the four generation-B operations).
 * Change `from '@factpulse/sdk'` to `from '@clientele/sdk/factpulse'` and point `basePath` at
 * a Clientele server.
 */
import { assertParamExists, BaseAPI, type FactPulseResponse, type FetchLike, type RawRequestConfig } from './base.js';
import type { Configuration } from './configuration.js';
import type {
  ClientActivateResponse,
  ClientCreateRequest,
  ClientDetail,
  ClientListResponse,
  ClientUpdateRequest,
  KeyRotationRequest,
  KeyRotationResponse,
  PDPConfigResponse,
  PDPConfigUpdateRequest,
  WebhookSecretDeleteResponse,
  WebhookSecretGenerateResponse,
  WebhookSecretStatusResponse,
} from './models.js';

export type FactPulsePromise<T> = Promise<FactPulseResponse<T>>;

const client = (uid: string, suffix = '') => `/api/v1/clients/${encodeURIComponent(uid)}${suffix}`;

export class ClientManagementApi extends BaseAPI {
  /** `new ClientManagementApi(configuration?, basePath?, fetch?)` — the third argument replaces the axios instance. */
  constructor(configuration?: Configuration, basePath?: string, fetchImpl?: FetchLike) {
    super(configuration, basePath, fetchImpl);
  }

  /** GET /api/v1/clients — paginated list (page ≥ 1, pageSize 1..100, default 20). */
  async listClientsApiV1ClientsGet(page?: number, pageSize?: number, options?: RawRequestConfig): FactPulsePromise<ClientListResponse> {
    return this.send('GET', 'listClientsApiV1ClientsGet', '/api/v1/clients', { page, pageSize }, undefined, options);
  }

  /** POST /api/v1/clients — 201 with the created client. */
  async createClientApiV1ClientsPost(clientCreateRequest: ClientCreateRequest, options?: RawRequestConfig): FactPulsePromise<ClientDetail> {
    assertParamExists('createClientApiV1ClientsPost', 'clientCreateRequest', clientCreateRequest);
    return this.send('POST', 'createClientApiV1ClientsPost', '/api/v1/clients', {}, clientCreateRequest, options);
  }

  /** GET /api/v1/clients/{uid} */
  async getClientApiV1ClientsUidGet(uid: string, options?: RawRequestConfig): FactPulsePromise<ClientDetail> {
    assertParamExists('getClientApiV1ClientsUidGet', 'uid', uid);
    return this.send('GET', 'getClientApiV1ClientsUidGet', client(uid), {}, undefined, options);
  }

  /** PATCH /api/v1/clients/{uid} — only the provided fields change. */
  async updateClientApiV1ClientsUidPatch(uid: string, clientUpdateRequest: ClientUpdateRequest, options?: RawRequestConfig): FactPulsePromise<ClientDetail> {
    assertParamExists('updateClientApiV1ClientsUidPatch', 'uid', uid);
    assertParamExists('updateClientApiV1ClientsUidPatch', 'clientUpdateRequest', clientUpdateRequest);
    return this.send('PATCH', 'updateClientApiV1ClientsUidPatch', client(uid), {}, clientUpdateRequest, options);
  }

  /** POST /api/v1/clients/{uid}/activer */
  async activateClientApiV1ClientsUidActiverPost(uid: string, options?: RawRequestConfig): FactPulsePromise<ClientActivateResponse> {
    assertParamExists('activateClientApiV1ClientsUidActiverPost', 'uid', uid);
    return this.send('POST', 'activateClientApiV1ClientsUidActiverPost', client(uid, '/activer'), {}, undefined, options);
  }

  /** POST /api/v1/clients/{uid}/desactiver */
  async deactivateClientApiV1ClientsUidDesactiverPost(uid: string, options?: RawRequestConfig): FactPulsePromise<ClientActivateResponse> {
    assertParamExists('deactivateClientApiV1ClientsUidDesactiverPost', 'uid', uid);
    return this.send('POST', 'deactivateClientApiV1ClientsUidDesactiverPost', client(uid, '/desactiver'), {}, undefined, options);
  }

  /** GET /api/v1/clients/{uid}/pdp-config — `isConfigured: false` when none. */
  async getPdpConfigApiV1ClientsUidPdpConfigGet(uid: string, options?: RawRequestConfig): FactPulsePromise<PDPConfigResponse> {
    assertParamExists('getPdpConfigApiV1ClientsUidPdpConfigGet', 'uid', uid);
    return this.send('GET', 'getPdpConfigApiV1ClientsUidPdpConfigGet', client(uid, '/pdp-config'), {}, undefined, options);
  }

  /** PUT /api/v1/clients/{uid}/pdp-config — for `encryptionMode: 'double'` pass `{ headers: { 'X-Encryption-Key': key } }`. */
  async updatePdpConfigApiV1ClientsUidPdpConfigPut(uid: string, pDPConfigUpdateRequest: PDPConfigUpdateRequest, options?: RawRequestConfig): FactPulsePromise<PDPConfigResponse> {
    assertParamExists('updatePdpConfigApiV1ClientsUidPdpConfigPut', 'uid', uid);
    assertParamExists('updatePdpConfigApiV1ClientsUidPdpConfigPut', 'pDPConfigUpdateRequest', pDPConfigUpdateRequest);
    return this.send('PUT', 'updatePdpConfigApiV1ClientsUidPdpConfigPut', client(uid, '/pdp-config'), {}, pDPConfigUpdateRequest, options);
  }

  /** POST /api/v1/clients/{uid}/rotate-encryption-key (generation B). */
  async rotateEncryptionKeyApiV1ClientsUidRotateEncryptionKeyPost(uid: string, keyRotationRequest: KeyRotationRequest, options?: RawRequestConfig): FactPulsePromise<KeyRotationResponse> {
    assertParamExists('rotateEncryptionKeyApiV1ClientsUidRotateEncryptionKeyPost', 'uid', uid);
    assertParamExists('rotateEncryptionKeyApiV1ClientsUidRotateEncryptionKeyPost', 'keyRotationRequest', keyRotationRequest);
    return this.send('POST', 'rotateEncryptionKeyApiV1ClientsUidRotateEncryptionKeyPost', client(uid, '/rotate-encryption-key'), {}, keyRotationRequest, options);
  }

  /** POST /api/v1/clients/{uid}/webhook-secret/generate (generation B) — the secret is shown once. */
  async generateWebhookSecretApiV1ClientsUidWebhookSecretGeneratePost(uid: string, options?: RawRequestConfig): FactPulsePromise<WebhookSecretGenerateResponse> {
    assertParamExists('generateWebhookSecretApiV1ClientsUidWebhookSecretGeneratePost', 'uid', uid);
    return this.send('POST', 'generateWebhookSecretApiV1ClientsUidWebhookSecretGeneratePost', client(uid, '/webhook-secret/generate'), {}, undefined, options);
  }

  /** GET /api/v1/clients/{uid}/webhook-secret/status (generation B). */
  async getWebhookSecretStatusApiV1ClientsUidWebhookSecretStatusGet(uid: string, options?: RawRequestConfig): FactPulsePromise<WebhookSecretStatusResponse> {
    assertParamExists('getWebhookSecretStatusApiV1ClientsUidWebhookSecretStatusGet', 'uid', uid);
    return this.send('GET', 'getWebhookSecretStatusApiV1ClientsUidWebhookSecretStatusGet', client(uid, '/webhook-secret/status'), {}, undefined, options);
  }

  /** DELETE /api/v1/clients/{uid}/webhook-secret (generation B). */
  async deleteWebhookSecretApiV1ClientsUidWebhookSecretDelete(uid: string, options?: RawRequestConfig): FactPulsePromise<WebhookSecretDeleteResponse> {
    assertParamExists('deleteWebhookSecretApiV1ClientsUidWebhookSecretDelete', 'uid', uid);
    return this.send('DELETE', 'deleteWebhookSecretApiV1ClientsUidWebhookSecretDelete', client(uid, '/webhook-secret'), {}, undefined, options);
  }
}

type Operations = {
  // biome-ignore lint/suspicious/noExplicitAny: matches any method signature (parameters are contravariant, unknown[] would not)
  [K in keyof ClientManagementApi as ClientManagementApi[K] extends (...args: any[]) => Promise<unknown> ? K : never]: ClientManagementApi[K];
};

/** The generator's functional form: an object of the same operations. */
export function ClientManagementApiFactory(configuration?: Configuration, basePath?: string, fetchImpl?: FetchLike): Operations {
  const api = new ClientManagementApi(configuration, basePath, fetchImpl);
  const proto = ClientManagementApi.prototype as unknown as Record<string, unknown>;
  const names = Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor' && typeof proto[n] === 'function');
  return Object.fromEntries(names.map((n) => [n, (proto[n] as (...a: unknown[]) => unknown).bind(api)])) as unknown as Operations;
}
