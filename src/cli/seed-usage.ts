/** Help text of `clientele seed` (kept apart so `clientele help` loads no database code). */
export const SEED_USAGE = `  seed --clients N [--account-email E] [--keys-per-client 1] [--batch-size 5000]
       [--secret-seed S]
                        Bulk-load N clients (and their keys) for scale tests, in batches.
                        Rows are valid (wrapped data keys, keyed secret hashes) but have
                        no audit events. Without --account-email a new account is created
                        and its credentials printed once. Secrets are random and never
                        shown, unless --secret-seed derives them (load tests only)
`;
