-- 0003: the search helper tables become clustered on their keys (SQLite
-- WITHOUT ROWID) and lose their per-volunteer index: entries are removed
-- by recomputing them from the old values. Fewer b-trees per imported
-- person; the login index only holds people who have a login.

CREATE TABLE volunteer_grams_new (
  gram TEXT NOT NULL,
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  PRIMARY KEY (gram, volunteer_id)
) {{without_rowid}};
INSERT INTO volunteer_grams_new (gram, volunteer_id) SELECT gram, volunteer_id FROM volunteer_grams;
DROP TABLE volunteer_grams;
ALTER TABLE volunteer_grams_new RENAME TO volunteer_grams;

CREATE TABLE volunteer_tags_new (
  kind TEXT NOT NULL,
  tag TEXT NOT NULL,
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  PRIMARY KEY (kind, tag, volunteer_id)
) {{without_rowid}};
INSERT INTO volunteer_tags_new (kind, tag, volunteer_id) SELECT kind, tag, volunteer_id FROM volunteer_tags;
DROP TABLE volunteer_tags;
ALTER TABLE volunteer_tags_new RENAME TO volunteer_tags;

-- age filters ride along the other filters; an index on birth dates made
-- the planner pick it over the helper tables and sort every match
DROP INDEX volunteers_birth;

DROP INDEX volunteers_user;
CREATE INDEX volunteers_user ON volunteers (user_id) WHERE user_id IS NOT NULL;
