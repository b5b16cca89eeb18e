/**
 * FactPulse error bodies (docs/factpulse.md, Errors): validation failures are FastAPI's 422
 * `{"detail":[{"loc","msg","type"}]}` with exactly those keys; everything else is
 * `{"errorCode","errorMessage"}`.
 */
import type { AppError, ErrorCode, FieldError } from '../../../core/errors.js';
import type { ErrorWriter } from '../../errors.js';

const CODES: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: 'AUTHENTICATION_REQUIRED',
  FORBIDDEN: 'ACCESS_DENIED',
  PERMISSION_DENIED: 'ACCESS_DENIED',
  CLIENT_NOT_FOUND: 'CLIENT_NOT_FOUND',
  NOT_FOUND: 'CLIENT_NOT_FOUND',
  INTERNAL: 'INTERNAL_ERROR',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  ENCRYPTION_KEY_REQUIRED: 'ENCRYPTION_KEY_REQUIRED',
  INVALID_ENCRYPTION_KEY: 'INVALID_ENCRYPTION_KEY',
  NO_DOUBLE_ENCRYPTED_SECRETS: 'NO_DOUBLE_ENCRYPTED_SECRETS',
};

/** Pydantic v2 error types for the JSON Schema rules we use. */
const PYDANTIC_TYPES: Record<string, string> = {
  required: 'missing',
  minLength: 'string_too_short',
  maxLength: 'string_too_long',
  pattern: 'string_pattern_mismatch',
  format: 'value_error',
  minimum: 'greater_than_equal',
  maximum: 'less_than_equal',
  enum: 'enum',
  const: 'literal_error',
  anyOf: 'literal_error',
  additionalProperties: 'extra_forbidden',
  'type:string': 'string_type',
  'type:boolean': 'bool_type',
  'type:integer': 'int_type',
  'type:number': 'float_type',
  'type:object': 'model_attributes_type',
  'type:array': 'list_type',
};

const LOCATIONS: Record<string, string> = { params: 'path', header: 'header', query: 'query', body: 'body' };

/** `body.siret` → ["body","siret"]; a core field name without a part is a body field. */
function locOf(f: FieldError): Array<string | number> {
  const parts = f.field.split('.');
  const head = LOCATIONS[parts[0] ?? ''];
  const rest = head ? parts.slice(1) : parts;
  return [head ?? 'body', ...rest.map((s) => (/^\d+$/.test(s) ? Number(s) : s))];
}

function factPulseValidationBody(errors: FieldError[]) {
  return { detail: errors.map((f) => ({ loc: locOf(f), msg: f.message, type: PYDANTIC_TYPES[f.rule ?? ''] ?? 'value_error' })) };
}

export const writeFactPulseError: ErrorWriter = (err: AppError, _request, reply) => {
  if (err.code === 'VALIDATION_FAILED' && err.errors?.length) return reply.code(422).send(factPulseValidationBody(err.errors));
  if (err.code === 'MALFORMED_REQUEST') return reply.code(422).send({ detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] });
  const errorCode = CODES[err.code] ?? (err.status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_REQUEST');
  // An overload is a 503 with Retry-After (set for every 503), so SDK retries wait and try again.
  const status = err.status === 503 ? 503 : Math.min(err.status, 500);
  return reply.code(status).send({ errorCode, errorMessage: err.message });
};
