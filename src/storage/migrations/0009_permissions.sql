-- Least privilege. Account API keys carry management permissions (src/core/permissions.ts);
-- every key that exists keeps full power ('*'), as the key made by `init`/bootstrap does.
-- Client-owned keys carry none: a client credential acts on its own client only.
-- Users have a role (owner, admin, viewer) and may be given permissions beyond it; every
-- existing user is an owner (each account had exactly one).
ALTER TABLE api_keys ADD COLUMN permissions jsonb NOT NULL DEFAULT '["*"]'::jsonb;
UPDATE api_keys SET permissions = '[]'::jsonb WHERE client_id IS NOT NULL;
ALTER TABLE api_keys ALTER COLUMN permissions DROP DEFAULT;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_permissions_array CHECK (jsonb_typeof(permissions) = 'array');

ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'owner';
ALTER TABLE users ALTER COLUMN role DROP DEFAULT;
ALTER TABLE users ADD CONSTRAINT users_role_known CHECK (role IN ('owner', 'admin', 'viewer'));
ALTER TABLE users ADD COLUMN permissions jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE users ADD CONSTRAINT users_permissions_array CHECK (jsonb_typeof(permissions) = 'array');
