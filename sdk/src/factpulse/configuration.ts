/**
 * `Configuration` with the FactPulse TypeScript SDK's (v4.0.2) parameters and meaning, so
 * `new Configuration({ basePath, accessToken, baseOptions })` written for that SDK works here.
 * @see docs/factpulse.md, in the Clientele repository
 */
export type TokenSource = string | Promise<string> | ((name?: string, scopes?: string[]) => string | Promise<string>);

export interface ConfigurationParameters {
  /** Sent as `X-API-Key` (the generation-B APIKeyHeader scheme; FactPulse 4.0.2 itself ignored it). */
  apiKey?: string | Promise<string> | ((name: string) => string | Promise<string>);
  username?: string;
  password?: string;
  /** Sent as `Authorization: Bearer <token>`; a function is called before every request. */
  accessToken?: TokenSource;
  awsv4?: unknown;
  /** Server origin; the API paths (`/api/v1/…`) are appended. Default `https://factpulse.fr`. */
  basePath?: string;
  serverIndex?: number;
  /** Merged into every request (notably `baseOptions.headers`). */
  // biome-ignore lint/suspicious/noExplicitAny: the vendor SDK's own type (axios request options), kept for drop-in compatibility
  baseOptions?: any;
  // biome-ignore lint/suspicious/noExplicitAny: the vendor SDK's own type, kept for drop-in compatibility
  formDataCtor?: new () => any;
}

export class Configuration {
  apiKey?: ConfigurationParameters['apiKey'];
  username?: string;
  password?: string;
  accessToken?: TokenSource;
  awsv4?: unknown;
  basePath?: string;
  serverIndex?: number;
  // biome-ignore lint/suspicious/noExplicitAny: the vendor SDK's own type (axios request options), kept for drop-in compatibility
  baseOptions?: any;
  // biome-ignore lint/suspicious/noExplicitAny: the vendor SDK's own type, kept for drop-in compatibility
  formDataCtor?: new () => any;

  constructor(param: ConfigurationParameters = {}) {
    this.apiKey = param.apiKey;
    this.username = param.username;
    this.password = param.password;
    this.accessToken = param.accessToken;
    this.awsv4 = param.awsv4;
    this.basePath = param.basePath;
    this.serverIndex = param.serverIndex;
    this.baseOptions = { ...param.baseOptions, headers: { ...param.baseOptions?.headers } };
    this.formDataCtor = param.formDataCtor;
  }

  /** True for `application/json`, `application/problem+json`, `…; charset=utf-8` and the like. */
  isJsonMime(mime: string): boolean {
    return mime !== null && /^(application\/json|[^;/ \t]+\/[^;/ \t]+[+]json)[ \t]*(;.*)?$/i.test(mime);
  }
}
