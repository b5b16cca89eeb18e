/** The native surface: `/v1` and every path no other surface owns, its errors in RFC 9457 problem+json. */
import type { AuthContext } from '../../core/auth.js';
import { writeProblem } from '../errors.js';
import type { Surface } from '../surfaces.js';
import type { App } from '../types.js';
import { registerAccountRoutes } from './account.js';
import { registerClientRoutes } from './clients.js';
import { registerEventRoutes } from './events.js';
import { registerIntegrationRoutes } from './integrations.js';
import { registerKeyRoutes } from './keys.js';
import { registerRateLimitRoutes } from './ratelimit.js';
import { registerSessionRoutes } from './sessions.js';
import { registerUsageRoutes } from './usage.js';
import { registerUserRoutes } from './users.js';
import { registerWebhookRoutes } from './webhooks.js';

function registerNativeRoutes(app: App, ctx: AuthContext): void {
  registerClientRoutes(app, ctx);
  registerKeyRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerIntegrationRoutes(app, ctx);
  registerUsageRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerSessionRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerRateLimitRoutes(app, ctx);
}

export const nativeSurface: Surface = { name: 'native', prefixes: [], writeError: writeProblem, routes: registerNativeRoutes, sessions: true };
