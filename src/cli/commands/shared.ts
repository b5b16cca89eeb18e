/**
 * What every remote command shares: global options (--url, --token, --json, --help), the SDK
 * client built from them, the documented exit codes, and error reporting.
 */
import type { ParseArgsConfig } from 'node:util';
import { Clientele, ClienteleError } from '../../../sdk/src/index.js';

/** Exit codes scripts can rely on (README "Command line" lists the same). */
export const EXIT = {
  OK: 0,
  /** Server error, network failure, anything unexpected. */
  ERROR: 1,
  /** Unknown command or option, missing or malformed argument. */
  USAGE: 2,
  /** The client, key or other resource does not exist (404). */
  NOT_FOUND: 3,
  /** Missing, wrong or insufficient credentials (401, 403). */
  AUTH: 4,
  /** `clients import` finished, but some rows were rejected. */
  PARTIAL: 5,
  /** The server refused the input: invalid (400, 422) or conflicting (409). */
  REJECTED: 6,
  /** `keys verify`: the key is not valid. */
  INVALID_KEY: 7,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  error (server error, network failure, unexpected)
  2  usage (unknown command or option, missing argument)
  3  not found
  4  authentication or permission refused
  5  import finished with rejected rows
  6  request refused: invalid or conflicting input
  7  keys verify: the key is not valid
`;

export const GLOBAL_OPTIONS_HELP = `Global options:
  --url URL      Server URL (env CLIENTELE_URL; default http://127.0.0.1:8080)
  --token TOKEN  An API key token (clt_…) or an access token (env CLIENTELE_TOKEN)
  --json         Machine-readable output (JSON) instead of tables
  -h, --help     Show help
`;

export type Options = NonNullable<ParseArgsConfig['options']>;

export const GLOBAL_OPTIONS: Options = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** A mistake in the command line itself (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export interface Context {
  io: Io;
  json: boolean;
  /** The SDK client, built on first use (help and usage errors need no server). */
  sdk(): Clientele;
  out(text: string): void;
  err(text: string): void;
}

export function createContext(values: Values, io: Io): Context {
  let sdk: Clientele | undefined;
  return {
    io,
    json: values.json === true,
    sdk() {
      if (sdk) return sdk;
      const baseUrl = (values.url as string | undefined) ?? io.env.CLIENTELE_URL ?? 'http://127.0.0.1:8080';
      const token = (values.token as string | undefined) ?? io.env.CLIENTELE_TOKEN;
      if (!token) throw new UsageError('no credentials: set CLIENTELE_TOKEN or pass --token (an API key token or an access token)');
      if (!/^https?:\/\//.test(baseUrl)) throw new UsageError(`--url must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
      // API key tokens carry a recognisable prefix; anything else is sent as a Bearer token.
      sdk = token.startsWith('clt_') ? new Clientele({ baseUrl, apiKey: token }) : new Clientele({ baseUrl, accessToken: token });
      return sdk;
    },
    out: (text) => void io.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void io.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

/** The exit code for an error (see EXIT). */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof ClienteleError) {
    if (err.status === 404) return EXIT.NOT_FOUND;
    if (err.status === 401 || err.status === 403) return EXIT.AUTH;
    if (err.status === 400 || err.status === 409 || err.status === 422) return EXIT.REJECTED;
  }
  return EXIT.ERROR;
}

/** One readable paragraph for stderr: the code, the message, one line per invalid field. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError) return `error: ${err.message}`;
  if (err instanceof ClienteleError) {
    const detail = err.problem?.detail ?? err.message.replace(/^[A-Z_0-9]+: /, '');
    const lines = [`error: ${err.code}${err.status ? ` (HTTP ${err.status})` : ''}: ${detail}`];
    for (const f of err.fieldErrors) lines.push(`  ${f.field}: ${f.message}`);
    return lines.join('\n');
  }
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}

/** Parses `--x JSON` into an object, or explains which option is wrong. */
export function jsonOption(name: string, value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UsageError(`--${name} must be JSON, got ${JSON.stringify(value)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--${name} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/** A positive integer option (with bounds), or its default. */
export function intOption(name: string, value: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** Exactly `count` positional arguments named `names`. */
export function positionals(given: string[], names: string[]): string[] {
  if (given.length < names.length)
    throw new UsageError(
      `missing ${names
        .slice(given.length)
        .map((n) => n.toUpperCase())
        .join(' ')}`,
    );
  if (given.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(given[names.length])}`);
  return given;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const RATELIMIT_HELP = `  --ratelimit NAME=LIMIT/DURATION[,auto]
                           A rate limit checked by verify, e.g. requests=100/1m,auto (auto: on every
                           verify; otherwise only when a verify names it). DURATION: ms, s, m, h or d;
                           repeatable. --ratelimit none clears them`;

/** `--ratelimit NAME=LIMIT/DURATION[,auto]`, repeatable; `none` is an empty list. */
export function rateLimitOptions(values: string[] | undefined): Array<{ name: string; limit: number; duration: number; autoApply: boolean }> | undefined {
  if (values === undefined) return undefined;
  if (values.length === 1 && values[0] === 'none') return [];
  return values.map((v) => {
    const m = /^([^=]+)=(\d+)\/(\d+)(ms|s|m|h|d)(,auto)?$/.exec(v.trim());
    if (!m) throw new UsageError(`--ratelimit must be NAME=LIMIT/DURATION[,auto], e.g. requests=100/1m,auto; got ${JSON.stringify(v)}`);
    return { name: m[1]!, limit: Number(m[2]), duration: Number(m[3]) * DURATION_UNITS[m[4]!]!, autoApply: m[5] !== undefined };
  });
}
