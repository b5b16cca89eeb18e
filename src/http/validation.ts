/**
 * Request validation. Bodies are validated strictly — no type coercion, so `"5"` is not a
 * number and `"true"` is not a boolean — while query strings and path parameters, which are
 * text by nature, are coerced to their declared types.
 */
import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../core/errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

const MAX_DEPTH = 32;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function badText(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode';
  return undefined;
}

/**
 * The first value PostgreSQL could not store — a string or object key holding U+0000 or a
 * lone surrogate — or a structure nested deeper than MAX_DEPTH. Iterative: no input depth can
 * exhaust the stack.
 */
function findUnstorable(root: unknown): { path: string; message: string } | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const message = badText(value);
      if (message) return { path, message };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) return { path, message: `must not be nested more than ${MAX_DEPTH} levels deep` };
    for (const [k, v] of Object.entries(value)) {
      const at = `${path}/${k}`;
      const message = badText(k);
      if (message) return { path: at, message };
      stack.push({ value: v, path: at, depth: depth + 1 });
    }
  }
  return undefined;
}

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * Fastify validator compiler: a strict Ajv for bodies, a coercing one for everything else.
 * Every part also refuses what PostgreSQL cannot store (NUL characters, lone surrogates) and
 * absurd nesting: a 400 naming the field, never a database error or a stack overflow.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv({ coerceTypes: false });
  const lenient = makeAjv({ coerceTypes: true });
  return ({ schema, httpPart }) => {
    const inner = (httpPart === 'body' ? strict : lenient).compile(schema as object);
    const validate: Validate = (data) => {
      validate.errors = null;
      if (!inner(data)) {
        validate.errors = inner.errors ?? null;
        return false;
      }
      const bad = findUnstorable(data);
      if (bad === undefined) return true;
      validate.errors = [{ instancePath: bad.path, schemaPath: '#', keyword: 'storable', params: {}, message: bad.message }];
      return false;
    };
    return validate;
  };
}

/**
 * A strict body check outside a route's schema, for what a route validates part by part (a
 * batch's items, each answered on its own): the field errors the route's body schema would
 * have reported (`body.siret`…), or undefined when the value is valid. Same rules as the
 * route validator's: no coercion, nothing PostgreSQL cannot store.
 */
export function bodyChecker(schema: object): (value: unknown) => FieldError[] | undefined {
  const validate = strictAjv().compile(schema);
  return (value) => {
    if (!validate(value)) return fieldErrors(validate.errors ?? [], 'body');
    const bad = findUnstorable(value);
    return bad && fieldErrors([{ instancePath: bad.path, schemaPath: '#', keyword: 'storable', params: {}, message: bad.message }], 'body');
  };
}
let bodyAjv: Ajv | undefined;
const strictAjv = (): Ajv => {
  bodyAjv ??= makeAjv({ coerceTypes: false });
  return bodyAjv;
};

/**
 * The validator of a body whose parts are checked later, each on its own, with bodyChecker (a
 * batch's items): strict like every body; the parts' own checks include the storable one, so
 * one bad item cannot fail the whole body.
 */
export function envelopeValidator(schema: object): Validate {
  return strictAjv().compile(schema);
}

const PART: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'header' };

/** Turns Ajv errors into field errors like `body.siret`, `query.limit`, `params.id`. */
export function fieldErrors(errors: ErrorObject[], context: string): FieldError[] {
  const prefix = PART[context] ?? context;
  const all = errors.map((e) => {
    const path = e.instancePath.split('/').filter(Boolean).join('.');
    let field = path ? `${prefix}.${path}` : prefix;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      field = `${field}.${(e.params as { missingProperty: string }).missingProperty}`.replace(/^\./, '');
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      field = `${field}.${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not a known field';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    }
    const rule = e.keyword === 'type' ? `type:${String((e.params as { type: unknown }).type)}` : e.keyword;
    return { field, message, rule };
  });
  // One error per field: a nullable field's failure would otherwise also report "must be null" and "anyOf".
  const seen = new Set<string>();
  return all.filter((f) => !seen.has(f.field) && seen.add(f.field));
}
