-- Up Migration
-- a frontend retry with the same Idempotency-Key gets the first answer instead of doing the thing twice
CREATE TABLE idempotency_keys (
  user_id text NOT NULL,
  key text NOT NULL,
  request_fingerprint text NOT NULL,
  state text NOT NULL CHECK (state IN ('in_progress', 'done')),
  response_status integer,
  response_headers jsonb,
  response_body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- dashboard lists page by (sort column, id)
CREATE INDEX applications_by_program_created ON applications (program_id, created_at, id);
CREATE INDEX applications_by_mentee ON applications (mentee_id);
CREATE INDEX certificates_by_issued ON certificates (issued_at, verification_code);

-- Down Migration
DROP INDEX certificates_by_issued;
DROP INDEX applications_by_mentee;
DROP INDEX applications_by_program_created;
DROP TABLE idempotency_keys;
