-- 0007: star levels (星级志愿者) from approved hours. One set of thresholds
-- for the installation (the national preset 100/300/600/1000/1500 hours
-- by default), optionally counting only service rated at least a quality;
-- each volunteer's level, and when each level was reached.
CREATE TABLE star_thresholds (
  id INTEGER PRIMARY KEY,
  preset TEXT NOT NULL,
  hours TEXT NOT NULL,
  min_quality TEXT,
  updated_by BIGINT REFERENCES users(id),
  updated_at BIGINT NOT NULL
);
INSERT INTO star_thresholds (id, preset, hours, min_quality, updated_at)
VALUES (1, 'national', '[100,300,600,1000,1500]', NULL, 0);

ALTER TABLE volunteers ADD COLUMN star_level INTEGER NOT NULL DEFAULT 0;

CREATE TABLE volunteer_stars (
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  level INTEGER NOT NULL,
  reached_at BIGINT NOT NULL,
  PRIMARY KEY (volunteer_id, level)
) {{without_rowid}};

-- the star roster of an organisation: its volunteers by level
CREATE INDEX volunteers_star ON volunteers (star_level, home_org_id);

-- records approved before this migration count: filled in at start
INSERT INTO meta (name, value) VALUES ('stars_pending', '1');
