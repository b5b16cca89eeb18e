-- A sign-in attempt is counted before its password is checked (and forgiven when it succeeds),
-- so parallel attempts cannot slip past the delays: the attempt that was let in last.
ALTER TABLE login_throttles ADD COLUMN attempt text;
