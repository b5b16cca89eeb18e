/**
 * Builds the HTTP application from already-built services. No environment, no listen:
 * the composition root (src/server.ts) and the tests call this.
 */
import http from 'node:http';
import type { Writable } from 'node:stream';
import Fastify, { type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuthContext } from '../core/auth.js';
import { AppError } from '../core/errors.js';
import { admitTokenRequest, countAuthFailure } from '../core/throttle.js';
import { parseJsonBody } from './body.js';
import { withFastLane } from './fast-lane.js';
import { SECURITY_HEADERS } from './headers.js';
import { presentsCredential, requirePrincipal, type CredentialOptions } from './authenticate.js';
import { handleErrorsWith, renderError, toAppError } from './errors.js';
import { loggerOptions, redactUrl } from './logging.js';
import { pathOfRawRequest, SURFACES, surfaceOfPath, type SurfaceName } from './surfaces.js';
import { registerMetricsRoute, type Metrics } from './metrics.js';
import { registerConsole, type ConsoleAssets } from './console.js';
import { registerOperationalRoutes } from './operational.js';
import type { App } from './types.js';
import { permissionOfRoute, type RoutePermission } from './route-permissions.js';
import { createValidatorCompiler } from './validation.js';

export type { App } from './types.js';

export interface AppOptions {
  ctx: AuthContext;
  /** Readiness probe (database reachable). */
  ready: () => Promise<boolean>;
  logLevel?: string;
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: Writable;
  bodyLimit?: number;
  trustProxy?: boolean | number | string[];
  /** The whole request, headers and body, must arrive within this many ms (else 408 and the connection is closed); default 30 s. */
  requestTimeoutMs?: number;
  /** The request headers must arrive within this many ms; default 10 s (never more than requestTimeoutMs). */
  headersTimeoutMs?: number;
  /** Serve cached verifications and client reads in front of the router (src/http/fast-lane.ts); default true. */
  fastLane?: boolean;
  /**
   * `summary` (default): what the fast lane answers (successful cached verifications and client
   * reads) is summarised in one info line every `accessSummaryMs` instead of a line each, so the
   * lane serves at the default level; everything else is logged as ever, errors always.
   * `all`: a line for every request (the lane then stands aside while info is on).
   */
  accessLog?: 'summary' | 'all';
  /** How often the summary line is written (default 10 s). */
  accessSummaryMs?: number;
  /** Serve `GET /metrics` (src/http/metrics.ts), behind a bearer token when one is given. */
  metrics?: { metrics: Metrics; token?: string };
  /** Serve the admin console (src/http/console.ts); null: it was not built (its paths say how to build it). */
  console?: ConsoleAssets | null;
}

/** A registered route, as route-wide tests (fuzzing, security, permissions) iterate over them. */
export interface RouteSummary {
  method: string;
  url: string;
  surface: SurfaceName;
  schema: Record<string, unknown> | undefined;
  auth: false | CredentialOptions | undefined;
  /** What an account credential needs to call it (route-permissions.ts); undefined on public routes. */
  permission: RoutePermission | undefined;
}

const ROUTES = new WeakMap<object, RouteSummary[]>();

/** Every route of an app built by buildApp (the documentation UI's included), in registration order. */
export function routesOf(app: App): readonly RouteSummary[] {
  return ROUTES.get(app) ?? [];
}

/** Node checks request and header deadlines on this period (its default, 30 s, would let a slow body live that much longer). */
const DEADLINE_CHECK_MS = 1000;

export async function buildApp(options: AppOptions): Promise<App> {
  // Errors raised before a route matched are written by the path's surface (surfaces.ts).
  const writerFor = (request: FastifyRequest) => surfaceOfPath(request.url).writeError;
  const logger = loggerOptions(options.logLevel ?? 'info') as Record<string, unknown>;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
  // The same HTTP/1.1 server Fastify would create, with the fast lane in front of its handler;
  // the lane stands aside while requests are logged (Fastify writes those lines).
  let logsRequests = () => true;
  const answered = { verifications: 0, clientReads: 0 };
  const serverFactory = (handler: (req: http.IncomingMessage, res: http.ServerResponse) => void, opts: Record<string, unknown>) => {
    const lane =
      options.fastLane === false
        ? handler
        : withFastLane(options.ctx, handler, {
            enabled: () => !logsRequests(),
            onAnswered: (kind) => (kind === 'verify' ? answered.verifications++ : answered.clientReads++),
          });
    const serverOptions: http.ServerOptions = { ...((opts.http ?? {}) as http.ServerOptions), connectionsCheckingInterval: Math.min(DEADLINE_CHECK_MS, requestTimeout) };
    const server = http.createServer(serverOptions, lane);
    server.keepAliveTimeout = opts.keepAliveTimeout as number;
    server.requestTimeout = opts.requestTimeout as number;
    server.headersTimeout = headersTimeout;
    server.setTimeout(opts.connectionTimeout as number);
    if ((opts.maxRequestsPerSocket as number) > 0) server.maxRequestsPerSocket = opts.maxRequestsPerSocket as number;
    return server;
  };
  const app = Fastify({
    logger: options.logStream ? { ...logger, stream: options.logStream } : logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout,
    // Fastify takes each of these forms; its overloads only resolve from a single one.
    trustProxy: (options.trustProxy ?? false) as boolean,
    // Errors the router raises before a route matched go through the same writers as any other.
    frameworkErrors: (err, request, reply) => {
      // These replies skip the onSend hook below: the security headers are set here.
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
      return writerFor(request as FastifyRequest)(toAppError(err, request as FastifyRequest), request as FastifyRequest, reply as never);
    },
    // HTTP requests that do not parse, or arrive too slowly, are answered by hand (there is no
    // request object): the surface's own format, the security headers, and nothing of the request.
    clientErrorHandler: (error, socket) => {
      const err = error as unknown as NodeJS.ErrnoException & { rawPacket?: Buffer };
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const appError =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new AppError('REQUEST_TIMEOUT')
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? new AppError('HEADERS_TOO_LARGE')
            : new AppError('MALFORMED_REQUEST', 'The HTTP request could not be parsed');
      const incoming = (socket as unknown as { parser?: { incoming?: { url?: string } } }).parser?.incoming?.url;
      const path = err.rawPacket ? pathOfRawRequest(err.rawPacket) : (incoming ?? '/');
      const rendered = renderError(surfaceOfPath(path).writeError, appError);
      app.log.debug({ code: err.code, status: rendered.status }, 'client error');
      if (socket.writable) {
        const headers = { ...rendered.headers, ...SECURITY_HEADERS, 'content-length': String(Buffer.byteLength(rendered.body)), connection: 'close' };
        const head = Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('');
        socket.write(`HTTP/1.1 ${rendered.status} ${http.STATUS_CODES[rendered.status] ?? ''}\r\n${head}\r\n${rendered.body}`);
      }
      socket.destroy();
    },
    ajv: { customOptions: { coerceTypes: false } },
    serverFactory: serverFactory as never,
  }).withTypeProvider<TypeBoxTypeProvider>() satisfies App;

  const routes: RouteSummary[] = [];
  ROUTES.set(app, routes);
  // Request lines are written by Fastify: the lane stands aside while each one must be (every
  // request at `all`; at `summary`, only at debug and below, where each line is wanted).
  const summary = (options.accessLog ?? 'summary') === 'summary';
  logsRequests = () => (app.log as unknown as { isLevelEnabled(level: string): boolean }).isLevelEnabled(summary ? 'debug' : 'info');
  if (summary) {
    const writeSummary = () => {
      if (answered.verifications === 0 && answered.clientReads === 0) return;
      app.log.info({ fastLane: { ...answered, seconds: (options.accessSummaryMs ?? 10_000) / 1000 } }, 'requests answered from the verification cache');
      answered.verifications = 0;
      answered.clientReads = 0;
    };
    const timer = setInterval(writeSummary, options.accessSummaryMs ?? 10_000);
    timer.unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      writeSummary();
    });
  }
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

  // The root's own routes (documents, probes, metrics: native paths) and requests no route
  // matched (whose body may still fail to parse before the not-found handler runs) go by the path.
  app.setErrorHandler((err, request, reply) => writerFor(request)(toAppError(err, request), request, reply));
  app.setNotFoundHandler((request, reply) => writerFor(request)(new AppError('NOT_FOUND', `No route for ${request.method} ${redactUrl(request.url.split('?')[0]!)}`), request, reply));

  // Token and sign-in endpoints: limited per source address before any body is read.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.tokenEndpoint) await admitTokenRequest(options.ctx, request.ip);
  });
  app.addHook('preValidation', async (request) => {
    // Routes whose body is optional validate a bodyless request as an empty object.
    if (request.body === undefined && request.routeOptions.config?.optionalBody) request.body = {};
    const auth = request.routeOptions.config?.auth;
    if (auth === false) return;
    try {
      request.principal = await requirePrincipal(options.ctx, request, auth ?? {}, request.routeOptions.config?.sessions === true);
    } catch (err) {
      // A wrong credential counts against its address (a missing one does not): too many, and the answer is 429.
      if (err instanceof AppError && err.code === 'UNAUTHENTICATED' && presentsCredential(request)) await countAuthFailure(options.ctx, request.ip);
      throw err;
    }
  });
  // The documentation UI is public, like the OpenAPI document it renders.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), auth: false };
    const surface = surfaceOfPath(route.url).name;
    for (const method of [route.method].flat()) {
      const auth = route.config?.auth;
      const permission = permissionOfRoute(method, route.url);
      if (auth !== false && permission === undefined) throw new Error(`${method} ${route.url}: an authenticated route must name its permission in src/http/route-permissions.ts`);
      routes.push({ method, url: route.url, surface, schema: route.schema as Record<string, unknown> | undefined, auth, permission });
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', SECURITY_HEADERS['x-content-type-options']);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', SECURITY_HEADERS['cache-control']);
    // RFC 9110 §15.5.2: every 401 carries a challenge, whatever surface wrote the body.
    if (reply.statusCode === 401 && !reply.hasHeader('WWW-Authenticate')) reply.header('WWW-Authenticate', 'Bearer realm="clientele", Basic realm="clientele"');
    return payload;
  });

  // Cookies are read for browser sessions (the native surface only, authenticate.ts).
  await app.register(cookie);
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
  if (options.console !== undefined) registerConsole(app, options.console);
  // Each surface in its own encapsulated part of the app, with its writer as the error
  // handler of its routes: their error format cannot depend on what else is registered.
  for (const surface of SURFACES) {
    await app.register(async (part: App) => {
      part.setErrorHandler(handleErrorsWith(surface.writeError));
      part.addHook('onRoute', (route) => {
        // Errors raised before routing go by the path: a route must sit on its surface's paths.
        const owner = surfaceOfPath(route.url);
        if (owner !== surface) throw new Error(`${route.method} ${route.url}: registered by the ${surface.name} surface, but its path belongs to ${owner.name} (src/http/surfaces.ts)`);
        if (surface.sessions) route.config = { ...(route.config ?? {}), sessions: true };
      });
      surface.routes(part, options.ctx);
    });
  }
  return app;
}
