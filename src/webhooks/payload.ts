/** The body a webhook endpoint receives, per its format. */
import type { DomainEvent, WebhookFormat } from '../core/types.js';

export function webhookPayload(format: WebhookFormat, event: DomainEvent): string {
  if (format === 'factpulse') return JSON.stringify({ event_type: event.type, data: { ...event.data, event_id: event.id, client_uid: event.clientId } });
  return JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt.toISOString(), data: event.data });
}
