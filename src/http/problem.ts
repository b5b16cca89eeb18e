/**
 * RFC 9457 problem details for the native API. Unexpected errors are logged in full and
 * answered with a generic 500 — an internal message is never echoed.
 */
import { type AppError, ERROR_CATALOGUE, type ErrorCode } from '../core/errors.js';
import type { FieldError } from '../core/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

function problemType(code: ErrorCode): string {
  return `urn:clientele:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function toProblem(err: AppError, instance?: string): Problem {
  const p: Problem = {
    type: problemType(err.code),
    title: ERROR_CATALOGUE[err.code].title,
    status: err.status,
    detail: err.message,
    code: err.code,
  };
  if (instance) p.instance = instance;
  if (err.errors?.length) p.errors = err.errors;
  return p;
}
