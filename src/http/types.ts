/**
 * The application's type and the per-route settings every route module uses. Imports no
 * routes, so any module may import it.
 */
import type http from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Principal } from '../core/types.js';
import type { CredentialOptions } from './authenticate.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route is public. Default: a principal is required. */
    auth?: false | CredentialOptions;
    /** true: the route accepts application/x-www-form-urlencoded bodies. */
    formBody?: boolean;
    /** The body may be omitted altogether (it then validates as `{}`). */
    optionalBody?: boolean;
    /** A token or sign-in endpoint: requests are limited per source address (core/throttle.ts). */
    tokenEndpoint?: boolean;
    /** The route's surface takes browser sessions (set at registration from surfaces.ts: the native API). */
    sessions?: boolean;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

/** The application, or one surface's encapsulated part of it. */
export type App = FastifyInstance<http.Server, http.IncomingMessage, http.ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;
