/** `/v1/clients/{id}/usage`: metered usage. */
import type { RequestOptions, Transport } from '../http.js';
import type { Usage, UsageParams, UsageRecorded, UsageReport } from '../types.js';

const path = (clientId: string) => `/v1/clients/${encodeURIComponent(clientId)}/usage`;

export class UsageResource {
  constructor(private readonly http: Transport) {}

  /** One event or `{ events: [...] }`; all or nothing, checked against the client's limits. Never retried. */
  record(clientId: string, report: UsageReport, options?: RequestOptions): Promise<UsageRecorded> {
    return this.http.request({ method: 'POST', path: path(clientId), body: report, options });
  }

  /** Per metric: all-time total, one month (`YYYY-MM`, default the current one), by dimension. */
  get(clientId: string, params: UsageParams = {}, options?: RequestOptions): Promise<Usage> {
    return this.http.request({ method: 'GET', path: path(clientId), query: params, options });
  }
}
