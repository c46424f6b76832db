-- Up Migration
-- Finance pays stipends in batches: each payout request goes into exactly one batch, the batch is exported
-- (CSV or JSON, as often as needed) and marked sent, and finance reports each payout paid or returned.
CREATE TABLE payout_batches (
  id bigserial PRIMARY KEY,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_by text,
  sent_at timestamptz
);
ALTER TABLE payout_requests
  ADD COLUMN batch_id bigint REFERENCES payout_batches (id),
  ADD COLUMN state text NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'sent', 'paid', 'returned')),
  ADD COLUMN sent_at timestamptz,
  ADD COLUMN paid_at timestamptz,
  ADD COLUMN returned_at timestamptz,
  ADD COLUMN return_reason text;
CREATE INDEX payout_requests_unbatched ON payout_requests (created_at) WHERE batch_id IS NULL;
CREATE INDEX payout_requests_by_batch ON payout_requests (batch_id);

-- Down Migration
DROP INDEX payout_requests_by_batch;
DROP INDEX payout_requests_unbatched;
ALTER TABLE payout_requests DROP COLUMN batch_id, DROP COLUMN state, DROP COLUMN sent_at, DROP COLUMN paid_at,
  DROP COLUMN returned_at, DROP COLUMN return_reason;
DROP TABLE payout_batches;
