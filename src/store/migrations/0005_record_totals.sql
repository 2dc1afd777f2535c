-- 0005: what a volunteer's file totals — approved minutes and records by
-- year, service category, organisation and quality — kept up to date as
-- records and amendments are approved, so reading a file does not grow
-- with the number of records in it. The application fills it for records
-- approved before this migration (meta 'totals_pending').
CREATE TABLE volunteer_totals (
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  year INTEGER NOT NULL,
  service_category TEXT NOT NULL,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  quality TEXT NOT NULL,
  records BIGINT NOT NULL,
  minutes BIGINT NOT NULL,
  PRIMARY KEY (volunteer_id, year, service_category, org_id, quality)
) {{without_rowid}};

-- a file's records page by page, newest first, with their amendments
CREATE INDEX records_volunteer_page ON service_records (volunteer_id, amends_id, id);

INSERT INTO meta (name, value) VALUES ('totals_pending', '1');
