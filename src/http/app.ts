/**
 * Builds the HTTP application from already-built services. No environment, no listen:
 * the composition root (src/server.ts) and the tests call this.
 */
import http from 'node:http';
import type { Writable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuthContext } from '../core/auth.js';
import { AppError } from '../core/errors.js';
import type { Principal } from '../core/types.js';
import { parseJsonBody } from './body.js';
import { withFastLane } from './fast-lane.js';
import { SECURITY_HEADERS } from './headers.js';
import { requirePrincipal, type CredentialOptions } from './authenticate.js';
import { toAppError, writeProblem, type ErrorWriter } from './errors.js';
import { loggerOptions, redactUrl } from './logging.js';
import { registerCcm19Routes } from './compat/ccm19/routes.js';
import { registerFactPulseRoutes } from './compat/factpulse/routes.js';
import { registerInteliquentRoutes } from './compat/inteliquent/routes.js';
import { registerNativeRoutes } from './native/index.js';
import { registerMetricsRoute, type Metrics } from './metrics.js';
import { registerOperationalRoutes } from './operational.js';
import { registerTokenRoutes } from './tokens.js';
import { createValidatorCompiler } from './validation.js';

export interface AppOptions {
  ctx: AuthContext;
  /** Readiness probe (database reachable). */
  ready: () => Promise<boolean>;
  logLevel?: string;
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: Writable;
  bodyLimit?: number;
  trustProxy?: boolean;
  /** Serve cached verifications and client reads in front of the router (src/http/fast-lane.ts); default true. */
  fastLane?: boolean;
  /** Serve `GET /metrics` (src/http/metrics.ts), behind a bearer token when one is given. */
  metrics?: { metrics: Metrics; token?: string };
}

/** Per-route settings read by the shared hooks. */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route is public. Default: a principal is required. */
    auth?: false | CredentialOptions;
    /** Which wire format errors on this route use (default: native problem+json). */
    surface?: string;
    /** true: the route accepts application/x-www-form-urlencoded bodies. */
    formBody?: boolean;
    /** The body may be omitted altogether (it then validates as `{}`). */
    optionalBody?: boolean;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

export async function buildApp(options: AppOptions): Promise<App> {
  const logger = loggerOptions(options.logLevel ?? 'info') as Record<string, unknown>;
  // The same HTTP/1.1 server Fastify would create, with the fast lane in front of its handler;
  // the lane stands aside while requests are logged (Fastify writes those lines).
  let logsRequests = () => true;
  const serverFactory = (handler: (req: http.IncomingMessage, res: http.ServerResponse) => void, opts: Record<string, unknown>) => {
    const lane = options.fastLane === false ? handler : withFastLane(options.ctx, handler, { enabled: () => !logsRequests() });
    const server = http.createServer((opts.http ?? {}) as http.ServerOptions, lane);
    server.keepAliveTimeout = opts.keepAliveTimeout as number;
    server.requestTimeout = opts.requestTimeout as number;
    server.setTimeout(opts.connectionTimeout as number);
    if ((opts.maxRequestsPerSocket as number) > 0) server.maxRequestsPerSocket = opts.maxRequestsPerSocket as number;
    return server;
  };
  const app = Fastify({
    logger: options.logStream ? { ...logger, stream: options.logStream } : logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    ajv: { customOptions: { coerceTypes: false } },
    serverFactory: serverFactory as never,
  }).withTypeProvider<TypeBoxTypeProvider>();

  logsRequests = () => (app.log as unknown as { isLevelEnabled(level: string): boolean }).isLevelEnabled('info');
  app.setValidatorCompiler(createValidatorCompiler());
  app.decorateRequest('principal', null as never);

  // JSON bodies: prototype-poisoning safe; an empty body is "no body" (bodyless POSTs).
  app.removeContentTypeParser('application/json');
  // Only JSON (and forms, for the token endpoints) are accepted: anything else is a 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    let parsed: unknown;
    try {
      parsed = parseJsonBody(String(body));
    } catch (err) {
      return done(err as AppError, undefined);
    }
    done(null, parsed);
  });
  // Any other type: an empty body is "no body" (SDKs send bodyless POSTs with all sorts of
  // Content-Type headers); a non-empty one is refused with 415.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    done(new AppError('UNSUPPORTED_MEDIA_TYPE'), undefined);
  });
  // Forms only where a route asks for them (the OAuth token endpoint): a form, like text/plain,
  // is a body a browser sends cross-site without a preflight, so JSON routes refuse it.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    if (text !== '' && !req.routeOptions.config?.formBody) return done(new AppError('UNSUPPORTED_MEDIA_TYPE'), undefined);
    done(null, Object.fromEntries(new URLSearchParams(text)));
  });

  const writers = new Map<string, ErrorWriter>([['native', writeProblem]]);
  const writerFor = (request: FastifyRequest) => writers.get(request.routeOptions.config?.surface ?? 'native') ?? writeProblem;

  app.setErrorHandler((err, request, reply) => writerFor(request)(toAppError(err, request), request, reply));
  app.setNotFoundHandler((request, reply) => writeProblem(new AppError('NOT_FOUND', `No route for ${request.method} ${redactUrl(request.url.split('?')[0]!)}`), request, reply));

  app.addHook('preValidation', async (request) => {
    // Routes whose body is optional validate a bodyless request as an empty object.
    if (request.body === undefined && request.routeOptions.config?.optionalBody) request.body = {};
    const auth = request.routeOptions.config?.auth;
    if (auth === false) return;
    request.principal = await requirePrincipal(options.ctx, request, auth ?? {});
  });
  // The documentation UI is public, like the OpenAPI document it renders.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), auth: false };
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', SECURITY_HEADERS['x-content-type-options']);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', SECURITY_HEADERS['cache-control']);
    // RFC 9110 §15.5.2: every 401 carries a challenge, whatever surface wrote the body.
    if (reply.statusCode === 401 && !reply.hasHeader('WWW-Authenticate')) reply.header('WWW-Authenticate', 'Bearer realm="clientele", Basic realm="clientele"');
    return payload;
  });

  await app.register(swagger, {
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Clientele', version: '1.0.0', description: 'Client and credential management — native API' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          basic: { type: 'http', scheme: 'basic' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }, { basic: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerOperationalRoutes(app, options);
  if (options.metrics) registerMetricsRoute(app, options.metrics.metrics, options.metrics.token);
  registerTokenRoutes(app, options.ctx, writers);
  registerNativeRoutes(app, options.ctx);
  registerFactPulseRoutes(app, options.ctx);
  registerInteliquentRoutes(app, options.ctx, writers);
  registerCcm19Routes(app, options.ctx, writers);
  return app;
}
