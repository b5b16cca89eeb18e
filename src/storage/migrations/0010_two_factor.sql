-- Two-factor authentication (TOTP, RFC 6238) for users.
--   totp_secret     the shared secret, sealed by the master key (bound to the user); set at
--                   enrolment, in use once totp_enabled
--   totp_last_step  the last time step accepted: each code is accepted once
--   recovery_codes  keyed hashes (hex) of the one-time recovery codes not used yet
ALTER TABLE users ADD COLUMN totp_secret bytea;
ALTER TABLE users ADD COLUMN totp_enabled boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN totp_last_step bigint;
ALTER TABLE users ADD COLUMN recovery_codes jsonb NOT NULL DEFAULT '[]'::jsonb;
