/** The FactPulse surface: its token endpoints and Client Management operations under `/api/`, its errors in FactPulse's formats. */
import type { AuthContext } from '../../../core/auth.js';
import type { Surface } from '../../surfaces.js';
import type { App } from '../../types.js';
import { writeFactPulseError } from './errors.js';
import { registerFactPulseClientRoutes } from './routes.js';
import { registerFactPulseTokenRoutes } from './tokens.js';

export const factPulseSurface: Surface = {
  name: 'factpulse',
  prefixes: ['/api/'],
  writeError: writeFactPulseError,
  routes(app: App, ctx: AuthContext) {
    registerFactPulseTokenRoutes(app, ctx);
    registerFactPulseClientRoutes(app, ctx);
  },
};
