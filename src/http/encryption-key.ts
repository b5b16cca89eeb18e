/** Reads the caller's own AES-256 key from `X-Encryption-Key`; never stored or logged. */
import type { FastifyRequest } from 'fastify';
import { invalidField } from '../core/errors.js';
import { decodeClientKey } from '../core/integrations.js';

const ENCRYPTION_KEY_HEADER = 'x-encryption-key';

export function readClientKey(request: FastifyRequest): Buffer | undefined {
  const raw = request.headers[ENCRYPTION_KEY_HEADER];
  if (raw === undefined || raw === '') return undefined;
  if (Array.isArray(raw)) throw invalidField(`header.${ENCRYPTION_KEY_HEADER}`, 'must be sent once');
  return decodeClientKey(raw, `header.${ENCRYPTION_KEY_HEADER}`);
}
