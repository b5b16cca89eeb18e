/** Request bodies: JSON parsing shared by the content-type parser and the fast lane. */
import secureJson from 'secure-json-parse';
import { AppError } from '../core/errors.js';

/**
 * Parses a JSON body, refusing prototype-poisoning keys (`__proto__`, `constructor.prototype`).
 * An empty (or blank) body is "no body": undefined. @throws AppError MALFORMED_REQUEST
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    throw new AppError('MALFORMED_REQUEST', 'The body is not valid JSON');
  }
}
