-- Up Migration
-- a payout the provider rejected for good (e.g. invalid bank details) until ops fix the payee and retry;
-- `attempt` numbers the provider idempotency keys, moved on only after a recorded rejection
ALTER TABLE stipend_payments DROP CONSTRAINT stipend_payments_status_check;
ALTER TABLE stipend_payments
  ADD CONSTRAINT stipend_payments_status_check CHECK (status IN ('requested', 'paid', 'rejected')),
  ADD COLUMN attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  ADD COLUMN rejection_reason text,
  ADD COLUMN rejected_at timestamptz;

-- what is needed to send an email again on request: who it went to (by role) and the message it rendered
ALTER TABLE emails
  ADD COLUMN recipient_role text CHECK (recipient_role IN ('mentee', 'mentor', 'admin')),
  ADD COLUMN message jsonb,
  -- the key of the email this one re-sends, for ops resend requests
  ADD COLUMN resend_of text REFERENCES emails (idempotency_key);
CREATE INDEX emails_by_application_kind ON emails (application_id, kind);

-- Down Migration
DROP INDEX emails_by_application_kind;
ALTER TABLE emails DROP COLUMN resend_of, DROP COLUMN message, DROP COLUMN recipient_role;
ALTER TABLE stipend_payments
  DROP COLUMN rejected_at, DROP COLUMN rejection_reason, DROP COLUMN attempt,
  DROP CONSTRAINT stipend_payments_status_check;
ALTER TABLE stipend_payments
  ADD CONSTRAINT stipend_payments_status_check CHECK (status IN ('requested', 'paid'));
