/** The native `/v1` surface. */
import type { AuthContext } from '../../core/auth.js';
import type { App } from '../app.js';
import { registerClientRoutes } from './clients.js';
import { registerEventRoutes } from './events.js';
import { registerIntegrationRoutes } from './integrations.js';
import { registerKeyRoutes } from './keys.js';
import { registerUsageRoutes } from './usage.js';
import { registerWebhookRoutes } from './webhooks.js';

export function registerNativeRoutes(app: App, ctx: AuthContext): void {
  registerClientRoutes(app, ctx);
  registerKeyRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerIntegrationRoutes(app, ctx);
  registerUsageRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
}
