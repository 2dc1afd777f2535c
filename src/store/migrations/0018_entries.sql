-- 0018: a rejected record corrected and entered again names the record it
-- replaces (resubmits_id), so the recorder's list of their entries
-- ("my entries") can put the rejected ones still to be fixed first and
-- leave those already fixed behind. A rejected record is resubmitted at
-- most once; the new record can in turn be rejected and resubmitted.
ALTER TABLE service_records ADD COLUMN resubmits_id BIGINT REFERENCES service_records(id);
CREATE UNIQUE INDEX records_resubmits ON service_records (resubmits_id) WHERE resubmits_id IS NOT NULL;
-- the recorder's entries, newest first within each state
CREATE INDEX records_recorder ON service_records (recorder_id, status, id);
