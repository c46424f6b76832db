-- Up Migration
-- A key per person: the free text workflows carry about them (evaluation comments, reasons, feedback) is sealed
-- with it where the message is made, and an erasure destroys it, so that text in immutable histories becomes
-- unreadable. The key itself is stored encrypted with the payload keyring (`wrapped_with` names the keyring's key).
CREATE TABLE person_keys (
  person_id text PRIMARY KEY,
  key_id uuid NOT NULL UNIQUE,
  wrapped bytea,
  wrapped_with text,
  created_at timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz
);

-- One row per erasure, by a digest of the person's id (never their name); its steps, audited without their data.
CREATE TABLE erasures (
  subject_digest text PRIMARY KEY,
  requested_by_role text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE TABLE erasure_steps (
  subject_digest text NOT NULL REFERENCES erasures (subject_digest),
  step text NOT NULL,
  -- counts only: rows deleted, rows anonymised, files removed
  counts jsonb NOT NULL DEFAULT '{}',
  done_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subject_digest, step)
);

-- The code of an erased holder's certificate still verifies as "existed, erased by its holder".
ALTER TABLE certificates ADD COLUMN erased_at timestamptz;
ALTER TABLE certificates ALTER COLUMN pdf DROP NOT NULL;

-- When the content of applicants who were not selected was removed, per program (the retention timer's work).
ALTER TABLE programs ADD COLUMN content_purged_at timestamptz;

-- Down Migration
ALTER TABLE programs DROP COLUMN content_purged_at;
ALTER TABLE certificates ALTER COLUMN pdf SET NOT NULL;
ALTER TABLE certificates DROP COLUMN erased_at;
DROP TABLE erasure_steps;
DROP TABLE erasures;
DROP TABLE person_keys;
