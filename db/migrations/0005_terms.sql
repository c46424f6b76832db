-- Up Migration
-- A term of an organization (e.g. "LFX Mentorship 2027 Term 1") holds the rules that span its programs.
CREATE TABLE terms (
  id text PRIMARY KEY,
  organization text NOT NULL,
  name text NOT NULL,
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE programs ADD COLUMN term_id text REFERENCES terms (id);
CREATE INDEX programs_by_term ON programs (term_id);

-- One row per selected applicant: the seat taken in the term, the program and the mentor's list. Claimed under
-- the term's row lock, so concurrent selections in several processes see each other; released when the
-- acceptance ends before the term starts (declined by the applicant, lapsed, withdrawn).
CREATE TABLE acceptances (
  application_id uuid PRIMARY KEY REFERENCES applications (id),
  term_id text REFERENCES terms (id),
  program_id text NOT NULL REFERENCES programs (id),
  mentee_id text NOT NULL REFERENCES mentees (id),
  mentor_id text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  release_reason text
);
CREATE INDEX acceptances_held_by_term_mentee ON acceptances (term_id, mentee_id) WHERE released_at IS NULL;
CREATE INDEX acceptances_held_by_program ON acceptances (program_id) WHERE released_at IS NULL;
CREATE INDEX acceptances_held_by_term_mentor ON acceptances (term_id, mentor_id) WHERE released_at IS NULL;

-- Down Migration
DROP TABLE acceptances;
DROP INDEX programs_by_term;
ALTER TABLE programs DROP COLUMN term_id;
DROP TABLE terms;
