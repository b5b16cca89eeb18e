/** What the SQL repositories share: the port's errors for unique violations, LIKE escaping. */
import { AppError } from '../core/errors.js';
import { PrimaryConflict } from '../core/ports.js';

/** Maps unique-index violations to the port's documented errors. */
export function mapUniqueViolation(err: unknown): never {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code === '23505') {
    const c = e.constraint ?? e.message ?? '';
    if (c.includes('clients_account_username_key')) throw new AppError('USERNAME_TAKEN');
    if (c.includes('users_email_key')) throw new AppError('EMAIL_TAKEN');
    if (c.includes('api_keys_one_primary_key')) throw new PrimaryConflict();
  }
  throw err;
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => '\\' + m);
}
