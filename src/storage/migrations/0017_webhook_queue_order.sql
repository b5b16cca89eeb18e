-- The webhook dispatcher's queue, always read in index order. A claim wants the first due
-- deliveries by next_attempt_at; read in that order through webhook_deliveries_due_idx, the scan
-- stops after them. The planner chose that only with statistics showing a big queue: without
-- statistics (the embedded engine runs no autovacuum, so never has any) or with ones showing a
-- short queue (the normal state), it took a bitmap scan of every due row and its dead versions,
-- then sorted them: each claim of a backlog of N deliveries read all N (4 ms a claim at 2,000,
-- growing with the backlog). A function's SET clauses hold while its query is planned and run.
CREATE FUNCTION webhook_due_queue(due_at timestamptz, skip_endpoints uuid[], n integer)
RETURNS TABLE (id uuid, endpoint_id uuid, next_attempt_at timestamptz)
LANGUAGE sql STABLE
SET enable_bitmapscan = off
SET enable_seqscan = off
SET enable_sort = off
AS $$
  -- Due: pending (or waiting for a secret) and its time has come, or sending under an expired
  -- lease (it was due when claimed, so its time has come too).
  SELECT d.id, d.endpoint_id, d.next_attempt_at
    FROM webhook_deliveries AS d
   WHERE d.status IN ('pending', 'sending', 'waiting_secret') AND d.next_attempt_at <= due_at
     AND (d.status <> 'sending' OR d.lease_until < due_at)
     AND d.endpoint_id <> ALL(skip_endpoints)
   ORDER BY d.next_attempt_at
   LIMIT n
$$;
