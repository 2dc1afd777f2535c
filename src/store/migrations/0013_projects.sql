-- 0013: projects (项目化运行), their shifts and sign-ups, and check-in.
-- A shift is an activity (records hang off activities) with a capacity;
-- the rules that must hold under any number of simultaneous sign-ups are
-- constraints here, not only checks in code:
--   capacity   shifts.confirmed <= capacity, waitlisted <= waitlist (CHECK)
--   once       one live sign-up per volunteer and shift (partial UNIQUE)
--   overlap    no two live sign-ups of a volunteer whose busy intervals
--              meet (an exclusion constraint on PostgreSQL, a trigger on
--              SQLite, whose writers are serialised anyway)

-- activities.project_id was a free number until now: it names projects
-- from here on
UPDATE activities SET project_id = NULL;

CREATE TABLE projects (
  id {{id}},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  agency_org_id BIGINT REFERENCES orgs(id),
  domain TEXT NOT NULL CHECK (domain IN ('public_welfare', 'social_construction', 'social_governance', 'social_assistance')),
  category TEXT NOT NULL,
  brand INTEGER NOT NULL DEFAULT 0,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  beneficiaries TEXT NOT NULL DEFAULT '',
  place TEXT NOT NULL DEFAULT '',
  region_code TEXT NOT NULL,
  starts_on TEXT,
  ends_on TEXT,
  contact_name TEXT,
  contact_phone TEXT,
  status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'published', 'in_progress', 'completed', 'cancelled')),
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  published_at BIGINT
);
CREATE INDEX projects_org ON projects (org_id, id);
CREATE INDEX projects_status ON projects (status, id);

-- the social workers of the partner agency paired with the project (社工+义工)
CREATE TABLE project_social_workers (
  project_id BIGINT NOT NULL REFERENCES projects(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  PRIMARY KEY (project_id, user_id)
);

CREATE TABLE shifts (
  id {{id}},
  project_id BIGINT NOT NULL REFERENCES projects(id),
  activity_id BIGINT NOT NULL REFERENCES activities(id),
  -- the shift's own name (早餐班); NULL: the project's title. Its activity
  -- is named "title · name", which is what records and files show
  name TEXT,
  series_id BIGINT,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  place TEXT NOT NULL,
  capacity BIGINT NOT NULL CHECK (capacity > 0),
  waitlist BIGINT NOT NULL CHECK (waitlist >= 0),
  confirmed BIGINT NOT NULL DEFAULT 0,
  waitlisted BIGINT NOT NULL DEFAULT 0,
  -- arrivals so far: a sign-up's place in the queue
  arrivals BIGINT NOT NULL DEFAULT 0,
  signup_deadline BIGINT NOT NULL,
  cancel_before BIGINT NOT NULL,
  min_age BIGINT,
  max_age BIGINT,
  skills TEXT NOT NULL DEFAULT '[]',
  training_id BIGINT REFERENCES trainings(id),
  -- the key its check-in codes are derived from (hex, never shown)
  code_key TEXT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  CHECK (confirmed >= 0 AND confirmed <= capacity),
  CHECK (waitlisted >= 0 AND waitlisted <= waitlist)
);
CREATE INDEX shifts_project ON shifts (project_id, starts_at);
CREATE UNIQUE INDEX shifts_activity ON shifts (activity_id);
CREATE INDEX shifts_starts ON shifts (starts_at);

CREATE TABLE signups (
  id {{id}},
  shift_id BIGINT NOT NULL REFERENCES shifts(id),
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  status TEXT NOT NULL
    CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'checked_in', 'attended', 'no_show')),
  -- arrival order on the shift (1, 2, …): the waitlist is served by it
  arrival BIGINT NOT NULL,
  -- the shift's time shrunk by half the grace period at each end: two
  -- live sign-ups of one volunteer may not share any of it
  busy_from BIGINT NOT NULL,
  busy_to BIGINT NOT NULL,
  live INTEGER NOT NULL DEFAULT 1,
  signed_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  cancelled_at BIGINT,
  checked_in_at BIGINT,
  checked_out_at BIGINT,
  auto_checkout INTEGER NOT NULL DEFAULT 0,
  minutes BIGINT,
  record_id BIGINT REFERENCES service_records(id),
  CHECK (busy_from <= busy_to),
  CHECK ((live = 1) = (status <> 'cancelled'))
);
CREATE UNIQUE INDEX signups_once ON signups (shift_id, volunteer_id) WHERE live = 1;
CREATE INDEX signups_shift ON signups (shift_id, status, arrival);
CREATE INDEX signups_volunteer ON signups (volunteer_id, busy_from);

{{sqlite}}
CREATE TRIGGER signups_no_overlap BEFORE INSERT ON signups
WHEN NEW.live = 1 AND NEW.busy_from < NEW.busy_to AND EXISTS (
  SELECT 1 FROM signups s WHERE s.volunteer_id = NEW.volunteer_id AND s.live = 1
  AND s.busy_from < s.busy_to AND s.busy_from < NEW.busy_to AND s.busy_to > NEW.busy_from)
BEGIN
  SELECT RAISE(ABORT, 'shift_overlap');
END;
{{/sqlite}}
{{postgresql}}
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE signups ADD CONSTRAINT signups_no_overlap EXCLUDE USING gist
  (volunteer_id WITH =, int8range(busy_from, busy_to) WITH &&) WHERE (live = 1);
{{/postgresql}}
