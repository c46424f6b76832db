-- Up Migration
-- Each API process heartbeats here; an Idempotency-Key claim names the process that holds it, so a claim of a
-- process that stopped heartbeating (killed mid-request) is taken over by the next retry at once.
CREATE TABLE api_instances (
  id uuid PRIMARY KEY,
  -- where it runs: a process on the same host whose pid is gone is known dead at once, without waiting
  host text NOT NULL,
  pid integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE idempotency_keys ADD COLUMN instance_id uuid;

-- What a request created remembers the request (a digest of its user and Idempotency-Key): a retry that runs
-- again after a crash finds it and answers as the first request would have, instead of "already exists".
ALTER TABLE applications ADD COLUMN request_key text;
ALTER TABLE programs ADD COLUMN request_key text;
ALTER TABLE terms ADD COLUMN request_key text;
ALTER TABLE payout_batches ADD COLUMN request_key text UNIQUE;

-- Down Migration
ALTER TABLE payout_batches DROP COLUMN request_key;
ALTER TABLE terms DROP COLUMN request_key;
ALTER TABLE programs DROP COLUMN request_key;
ALTER TABLE applications DROP COLUMN request_key;
ALTER TABLE idempotency_keys DROP COLUMN instance_id;
DROP TABLE api_instances;
