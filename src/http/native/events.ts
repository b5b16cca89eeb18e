/** `/v1/events`: the audit log. */
import type { AuthContext } from '../../core/auth.js';
import { listEvents } from '../../core/events.js';
import type { App } from '../types.js';
import { eventToWire } from './mappers.js';
import { ErrorResponses, EventListQuery, EventPage } from './schemas.js';

export function registerEventRoutes(app: App, ctx: AuthContext): void {
  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'List events (the audit log), oldest first (or newest first with order=desc)',
        querystring: EventListQuery,
        response: { 200: EventPage, ...ErrorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listEvents(ctx.store, request.principal, {
        limit: q.limit ?? 20,
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        ...(q.type !== undefined ? { type: q.type } : {}),
        ...(q.clientId !== undefined ? { clientId: q.clientId } : {}),
        ...(q.actorId !== undefined ? { actorId: q.actorId } : {}),
        ...(q.since !== undefined ? { since: new Date(q.since) } : {}),
        ...(q.until !== undefined ? { until: new Date(q.until) } : {}),
        ...(q.order !== undefined ? { order: q.order } : {}),
      });
      return { data: page.data.map(eventToWire), nextCursor: page.nextCursor };
    },
  );
}
