/**
 * `@clientele/sdk/factpulse` — source-compatible with the FactPulse TypeScript SDK's
 * `ClientManagementApi` (v4.0.2 + generation B). Code written for `@factpulse/sdk` runs by
 * changing its import.
 */
export { ClientManagementApi, ClientManagementApiFactory, type FactPulsePromise } from './api.js';
export { BASE_PATH, BaseAPI, FactPulseApiError, isFactPulseApiError, RequiredError, type FactPulseResponse, type FetchLike, type RawRequestConfig } from './base.js';
export { Configuration, type ConfigurationParameters } from './configuration.js';
export * from './models.js';
