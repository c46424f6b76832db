-- Up Migration
-- An email the provider refuses for good (an address it will not deliver to) is kept with the reason, so ops see it
-- and can send it again once the address is fixed (npm run ops -- resend-email); it was lost before.
ALTER TABLE emails ADD COLUMN refused_reason text;
CREATE INDEX emails_refused ON emails (application_id) WHERE refused_reason IS NOT NULL;

-- Down Migration
DROP INDEX emails_refused;
ALTER TABLE emails DROP COLUMN refused_reason;
