-- Up Migration
-- each person's IANA time zone: emails show deadlines in it (with UTC beside); program admins' is in the
-- program's definition (adminTimeZone)
ALTER TABLE mentees ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
ALTER TABLE mentors ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- one calendar feed per signed-in person: only the SHA-256 of its URL's token is kept, so the table cannot
-- hand out a working URL; rotating replaces the hash, revoking deletes the row
CREATE TABLE calendar_feeds (
  user_id text NOT NULL,
  role text NOT NULL CHECK (role IN ('mentee', 'mentor', 'admin', 'ops')),
  -- the programs an admin's token named when the feed was made (their programs' dates)
  programs text[] NOT NULL DEFAULT '{}',
  token_sha256 bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, role)
);

-- the last start seen for each calendar event (by its UID): SEQUENCE counts the moves, DTSTAMP is the last one
CREATE TABLE calendar_event_revisions (
  uid text PRIMARY KEY,
  starts_at timestamptz NOT NULL,
  sequence integer NOT NULL DEFAULT 0,
  changed_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE calendar_event_revisions;
DROP TABLE calendar_feeds;
ALTER TABLE mentors DROP COLUMN time_zone;
ALTER TABLE mentees DROP COLUMN time_zone;
