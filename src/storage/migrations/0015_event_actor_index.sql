-- The audit log filtered by who acted (GET /v1/events?actorId=…, the console's audit page):
-- one index range per account and actor, in id (time) order like the other event indexes.
CREATE INDEX events_account_actor_idx ON events (account_id, (actor->>'id'), id);
