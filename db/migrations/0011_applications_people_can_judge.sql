-- Up Migration
-- What an application holds and how mentors judge it. All of it is data here, never workflow state: the mentee's
-- workflow hears only what changes its course (the application submitted, a task accepted).

-- A person's profile, reused by every application.
CREATE TABLE profiles (
  user_id text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  country text,
  time_zone text NOT NULL DEFAULT 'UTC',
  pronouns text,
  skills text[] NOT NULL DEFAULT '{}',
  links jsonb NOT NULL DEFAULT '{}',
  resume_file_id uuid,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Uploaded PDFs: the bytes here by default, or in an S3 bucket (then `content` is NULL and `storage_key` names it).
CREATE TABLE files (
  id uuid PRIMARY KEY,
  owner_id text NOT NULL,
  name text NOT NULL,
  content_type text NOT NULL DEFAULT 'application/pdf',
  size_bytes integer NOT NULL,
  sha256 text NOT NULL,
  storage text NOT NULL CHECK (storage IN ('postgres', 's3')),
  storage_key text,
  content bytea,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX files_by_owner ON files (owner_id);
ALTER TABLE profiles ADD FOREIGN KEY (resume_file_id) REFERENCES files (id);

-- The application's own content: the projects it is for, the answers, a proposal; a draft until submitted.
CREATE TABLE application_content (
  application_id uuid PRIMARY KEY REFERENCES applications (id),
  project_ids text[] NOT NULL DEFAULT '{}',
  answers jsonb NOT NULL DEFAULT '{}',
  proposal_file_id uuid REFERENCES files (id),
  version integer NOT NULL DEFAULT 1,
  submitted_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_content_by_project ON application_content USING gin (project_ids);

-- A prerequisite task's submission and its review: submitted -> accepted, or changes_requested -> resubmitted.
CREATE TABLE task_submissions (
  application_id uuid NOT NULL REFERENCES applications (id),
  task_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('submitted', 'accepted', 'changes_requested')),
  round integer NOT NULL DEFAULT 1,
  text text,
  url text,
  file_id uuid REFERENCES files (id),
  submitted_at timestamptz NOT NULL DEFAULT now(),
  reviewed_by text,
  reviewed_at timestamptz,
  review_comment text,
  PRIMARY KEY (application_id, task_id)
);

-- Outreachy-style contributions recorded while applications are open.
CREATE TABLE contributions (
  id bigserial PRIMARY KEY,
  application_id uuid NOT NULL REFERENCES applications (id),
  url text NOT NULL,
  description text NOT NULL,
  contributed_on date NOT NULL,
  project_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contributions_by_application ON contributions (application_id, id);

-- Mentors' ratings (per criterion, 1-5), private notes and flags; the applicant sees none of it.
CREATE TABLE ratings (
  application_id uuid NOT NULL REFERENCES applications (id),
  mentor_id text NOT NULL,
  scores jsonb NOT NULL,
  average numeric(4, 3) NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (application_id, mentor_id)
);
CREATE TABLE review_notes (
  id bigserial PRIMARY KEY,
  application_id uuid NOT NULL REFERENCES applications (id),
  author_id text NOT NULL,
  note text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_notes_by_author ON review_notes (application_id, author_id, id);
CREATE TABLE flags (
  application_id uuid NOT NULL REFERENCES applications (id),
  mentor_id text NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (application_id, mentor_id)
);

-- Kept beside the application for the list: sorted by average rating, ordered by the admins' rank.
ALTER TABLE applications
  ADD COLUMN rating_average numeric(4, 3),
  ADD COLUMN rating_count integer NOT NULL DEFAULT 0,
  ADD COLUMN flag_count integer NOT NULL DEFAULT 0,
  ADD COLUMN rank integer,
  ADD COLUMN project_id text;
CREATE INDEX applications_by_program_rating ON applications (program_id, (coalesce(rating_average, -1)), id);

-- Down Migration
DROP INDEX applications_by_program_rating;
ALTER TABLE applications DROP COLUMN rating_average, DROP COLUMN rating_count, DROP COLUMN flag_count,
  DROP COLUMN rank, DROP COLUMN project_id;
DROP TABLE flags;
DROP TABLE review_notes;
DROP TABLE ratings;
DROP TABLE contributions;
DROP TABLE task_submissions;
DROP TABLE application_content;
ALTER TABLE profiles DROP CONSTRAINT profiles_resume_file_id_fkey;
DROP TABLE files;
DROP TABLE profiles;
