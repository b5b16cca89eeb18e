/** `/v1/clients/{id}/usage`: report and read metered usage. */
import { Type } from 'typebox';
import type { AuthContext } from '../../core/auth.js';
import { getUsage, recordUsage, type UsageEvent } from '../../core/usage.js';
import type { App } from '../types.js';
import { ErrorResponses, Uuid } from './schemas.js';

const tags = ['usage'];
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

const UsageEventSchema = Type.Object(
  {
    metric: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$', description: 'e.g. calls, domains, whitelabels, widgetDisplays' }),
    // The bound is checked by the core (it names the field even inside a batch, which the
    // anyOf below would bury among the other branch's errors), so it is only described here.
    amount: Type.Integer({ description: 'Non-zero, from -10^12 to 10^12; negative values lower a gauge such as domains. No counter may pass ±(2^53 - 1) (USAGE_COUNTER_OVERFLOW)' }),
    dimension: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

const UsageReport = Type.Union([UsageEventSchema, Type.Object({ events: Type.Array(UsageEventSchema, { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false })]);

const MetricUsage = Type.Object({
  metric: Type.String(),
  total: Type.Integer(),
  month: Type.Integer({ description: 'Value in the requested month' }),
  limit: Type.Union([Type.Integer(), Type.Null()]),
  monthlyLimit: Type.Union([Type.Integer(), Type.Null()]),
  byDimension: Type.Array(Type.Object({ dimension: Type.String(), total: Type.Integer(), month: Type.Integer() })),
});

const toEvent = (e: { metric: string; amount: number; dimension?: string; at?: string }): UsageEvent => ({
  metric: e.metric,
  amount: e.amount,
  ...(e.dimension !== undefined ? { dimension: e.dimension } : {}),
  ...(e.at !== undefined ? { at: new Date(e.at) } : {}),
});

export function registerUsageRoutes(app: App, ctx: AuthContext): void {
  app.post(
    '/v1/clients/:id/usage',
    {
      schema: {
        tags,
        summary: 'Report usage (one event or a batch; all or nothing, checked against the client limits)',
        params: IdParams,
        body: UsageReport,
        response: { 200: Type.Object({ recorded: Type.Integer() }), ...ErrorResponses },
      },
    },
    async (request) => {
      const body = request.body as { events?: Array<Parameters<typeof toEvent>[0]> } & Parameters<typeof toEvent>[0];
      const report = body.events ? body.events.map(toEvent) : toEvent(body);
      return { recorded: await recordUsage(ctx, request.principal, request.params.id, report) };
    },
  );

  app.get(
    '/v1/clients/:id/usage',
    {
      schema: {
        tags,
        summary: 'Usage per metric: all-time total, one month, and by dimension',
        params: IdParams,
        querystring: Type.Object(
          { month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM (UTC); default the current month' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ clientId: Uuid, month: Type.String(), metrics: Type.Array(MetricUsage) }), ...ErrorResponses },
      },
    },
    async (request) => {
      const month = request.query.month ?? ctx.now().toISOString().slice(0, 7);
      return { clientId: request.params.id, month, metrics: await getUsage(ctx, request.principal, request.params.id, month) };
    },
  );
}
