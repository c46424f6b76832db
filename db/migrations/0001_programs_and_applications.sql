-- Up Migration
CREATE TABLE programs (
  id text PRIMARY KEY,
  name text NOT NULL,
  term text NOT NULL,
  definition jsonb NOT NULL,
  -- the rules a new application pins into its workflow
  rules jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mentees (
  id text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  country text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- the read model: one row per mentee and program, written by the workflow at every change
CREATE TABLE applications (
  id uuid PRIMARY KEY,
  program_id text NOT NULL REFERENCES programs (id),
  mentee_id text NOT NULL REFERENCES mentees (id),
  workflow_id text NOT NULL UNIQUE,
  motivation text NOT NULL DEFAULT '',
  stage text NOT NULL,
  status jsonb,
  status_version integer NOT NULL DEFAULT 0,
  review_closes_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, mentee_id)
);
CREATE INDEX applications_by_program_stage ON applications (program_id, stage);

-- every email sent, once per idempotency key; the body is kept only for the outbox
CREATE TABLE emails (
  idempotency_key text PRIMARY KEY,
  application_id uuid REFERENCES applications (id),
  kind text NOT NULL,
  recipient text NOT NULL,
  subject text NOT NULL,
  html text,
  body_text text,
  provider text NOT NULL,
  provider_message_id text,
  sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX emails_by_application ON emails (application_id);

-- Down Migration
DROP TABLE emails;
DROP TABLE applications;
DROP TABLE mentees;
DROP TABLE programs;
