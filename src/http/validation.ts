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

/** Fastify validator compiler: a strict Ajv for bodies, a coercing one for everything else. */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv({ coerceTypes: false });
  const lenient = makeAjv({ coerceTypes: true });
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : lenient).compile(schema as object);
}

const PART: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'header' };

/** Turns Ajv errors into field errors like `body.siret`, `query.limit`, `params.id`. */
export function fieldErrors(errors: ErrorObject[], context: string): FieldError[] {
  const prefix = PART[context] ?? context;
  return errors.map((e) => {
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
    return { field, message, rule: e.keyword };
  });
}
