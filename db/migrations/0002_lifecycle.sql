-- Up Migration
ALTER TABLE programs ADD COLUMN admin_email text NOT NULL DEFAULT '';

CREATE TABLE mentors (
  id text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE applications
  ADD COLUMN mentor_id text REFERENCES mentors (id),
  ADD COLUMN project_title text;
CREATE INDEX applications_by_mentor ON applications (mentor_id);

-- the stipend ledger: one row per (application, installment), whatever retries or replays happen
CREATE TABLE stipend_payments (
  business_key text PRIMARY KEY,
  application_id uuid NOT NULL REFERENCES applications (id),
  installment integer NOT NULL,
  of_installments integer NOT NULL,
  after_evaluation integer NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  currency text NOT NULL,
  status text NOT NULL CHECK (status IN ('requested', 'paid')),
  -- when the evaluation released it, on the workflow's clock
  approved_at timestamptz NOT NULL,
  provider text,
  provider_reference text,
  paid_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (application_id, installment)
);

-- the default payment provider: payouts recorded for finance to disburse
CREATE TABLE payout_requests (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  payee_mentee_id text NOT NULL,
  amount_cents bigint NOT NULL,
  currency text NOT NULL,
  memo text NOT NULL,
  disbursed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE certificates (
  verification_code text PRIMARY KEY,
  application_id uuid NOT NULL UNIQUE REFERENCES applications (id),
  mentee_name text NOT NULL,
  program_name text NOT NULL,
  term text NOT NULL,
  project_title text NOT NULL,
  mentor_name text NOT NULL,
  term_starts_at timestamptz NOT NULL,
  term_ends_at timestamptz NOT NULL,
  issued_at timestamptz NOT NULL,
  pdf bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE certificates;
DROP TABLE payout_requests;
DROP TABLE stipend_payments;
ALTER TABLE applications DROP COLUMN project_title, DROP COLUMN mentor_id;
DROP TABLE mentors;
ALTER TABLE programs DROP COLUMN admin_email;
