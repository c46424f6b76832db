-- Up Migration
-- An Idempotency-Key claim is a lease that its request renews while it runs: when the API dies mid-request,
-- the lease runs out and a retry takes the claim over instead of getting 409 for a day.
ALTER TABLE idempotency_keys
  ADD COLUMN claim_id uuid,
  ADD COLUMN lease_expires_at timestamptz;
-- claims from before leases: taken over by their next retry
UPDATE idempotency_keys SET lease_expires_at = now() WHERE state = 'in_progress';

-- Down Migration
ALTER TABLE idempotency_keys DROP COLUMN lease_expires_at, DROP COLUMN claim_id;
