-- 0002: the network and its people: organisation details, regions with
-- household population, volunteers (one file per person) with their
-- memberships, search helpers, and per-user permissions.

ALTER TABLE orgs ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN hotlines TEXT NOT NULL DEFAULT '[]';
ALTER TABLE orgs ADD COLUMN founded_on TEXT;

-- explicitly granted permissions beyond roles, e.g. "read_id_number"
ALTER TABLE users ADD COLUMN permissions TEXT NOT NULL DEFAULT '';

-- codes are stored with 12 digits (a 6-digit GB/T 2260 code gets 000000)
CREATE TABLE regions (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  parent_code TEXT REFERENCES regions(code),
  level INTEGER NOT NULL,
  valid_from TEXT,
  valid_to TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code, code);

CREATE TABLE region_population (
  code TEXT NOT NULL REFERENCES regions(code),
  year INTEGER NOT NULL,
  household_population BIGINT NOT NULL,
  PRIMARY KEY (code, year)
);

CREATE TABLE volunteers (
  id {{id}},
  volunteer_number TEXT NOT NULL,
  name TEXT NOT NULL,
  gender TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  id_type TEXT NOT NULL,
  -- the ID number sealed with the server key; id_hash is a keyed digest
  -- for uniqueness and exact search (NULL once the person is deleted)
  id_sealed TEXT,
  id_hash TEXT,
  id_masked TEXT NOT NULL,
  phone TEXT,
  region_code TEXT NOT NULL,
  skills TEXT NOT NULL DEFAULT '[]',
  service_categories TEXT NOT NULL DEFAULT '[]',
  available_time TEXT NOT NULL DEFAULT '',
  education TEXT NOT NULL DEFAULT '',
  employer TEXT NOT NULL DEFAULT '',
  emergency_name TEXT,
  emergency_phone TEXT,
  guardian_name TEXT,
  guardian_phone TEXT,
  guardian_consent_at BIGINT,
  sensitive_consent_at BIGINT NOT NULL,
  consent_version TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  home_org_id BIGINT NOT NULL REFERENCES orgs(id),
  user_id BIGINT REFERENCES users(id),
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted_at BIGINT
);
CREATE UNIQUE INDEX volunteers_number ON volunteers (volunteer_number);
CREATE UNIQUE INDEX volunteers_id_hash ON volunteers (id_hash);
CREATE INDEX volunteers_phone ON volunteers (phone);
CREATE INDEX volunteers_home ON volunteers (home_org_id, id);
CREATE INDEX volunteers_region ON volunteers (region_code);
CREATE INDEX volunteers_birth ON volunteers (birth_date);
CREATE INDEX volunteers_name ON volunteers (name, id);
CREATE INDEX volunteers_user ON volunteers (user_id);

CREATE TABLE memberships (
  id {{id}},
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  role TEXT NOT NULL DEFAULT 'member',
  joined_on TEXT NOT NULL,
  left_on TEXT,
  region_code TEXT NOT NULL
);
CREATE INDEX memberships_volunteer ON memberships (volunteer_id, id);
CREATE INDEX memberships_org ON memberships (org_id, left_on);

-- skills and service categories, one row per tag, for exact filters
CREATE TABLE volunteer_tags (
  kind TEXT NOT NULL,
  tag TEXT NOT NULL,
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  PRIMARY KEY (kind, tag, volunteer_id)
);
CREATE INDEX volunteer_tags_volunteer ON volunteer_tags (volunteer_id);

-- one- and two-character pieces of names: partial Chinese name search
-- without scanning every row
CREATE TABLE volunteer_grams (
  gram TEXT NOT NULL,
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  PRIMARY KEY (gram, volunteer_id)
);
CREATE INDEX volunteer_grams_volunteer ON volunteer_grams (volunteer_id);

-- sequences of volunteer numbers per region and year ("510115/26")
CREATE TABLE volunteer_seq (
  scope TEXT PRIMARY KEY,
  next BIGINT NOT NULL
);

CREATE TABLE imports (
  id {{id}},
  kind TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  org_id BIGINT,
  actor_id BIGINT,
  created_at BIGINT NOT NULL,
  report TEXT NOT NULL
);
CREATE INDEX imports_hash ON imports (kind, sha256);

-- facts about the installation, e.g. a check value of the sealing key so
-- that a server started with the wrong key refuses to run
CREATE TABLE meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
