-- 0004: activities and service records (一服务一记录) with approval and
-- the tamper-evident chain over decided records.

-- whether a recorder may approve what they entered (small workstations)
ALTER TABLE orgs ADD COLUMN allow_self_approval INTEGER NOT NULL DEFAULT 0;

CREATE TABLE activities (
  id {{id}},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  project_id BIGINT,
  name TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  place TEXT NOT NULL,
  content TEXT NOT NULL DEFAULT '',
  leader TEXT NOT NULL DEFAULT '',
  service_category TEXT,
  region_code TEXT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX activities_org ON activities (org_id, starts_at);

CREATE TABLE service_records (
  id {{id}},
  activity_id BIGINT NOT NULL REFERENCES activities(id),
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  region_code TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  minutes BIGINT NOT NULL,
  place TEXT NOT NULL,
  beneficiary TEXT,
  beneficiary_count BIGINT,
  content TEXT NOT NULL,
  quality TEXT NOT NULL,
  quality_comment TEXT,
  source TEXT NOT NULL,
  evidence TEXT,
  source_org TEXT,
  recorder_id BIGINT NOT NULL REFERENCES users(id),
  late INTEGER NOT NULL DEFAULT 0,
  late_reason TEXT,
  status TEXT NOT NULL,
  reject_reason TEXT,
  approver_id BIGINT REFERENCES users(id),
  decided_at BIGINT,
  amends_id BIGINT REFERENCES service_records(id),
  amendment_reason TEXT,
  chain_seq BIGINT,
  chain_hash TEXT,
  idempotency_key TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX records_volunteer ON service_records (volunteer_id, starts_at);
CREATE INDEX records_activity ON service_records (activity_id);
CREATE INDEX records_org_status ON service_records (org_id, status, id);
CREATE UNIQUE INDEX records_idempotency ON service_records (recorder_id, idempotency_key);

-- one link per approved record or amendment, in the order they were
-- decided; hash = SHA-256(prev hash, canonical record) (core/records.c)
CREATE TABLE record_chain (
  seq {{id}},
  record_id BIGINT NOT NULL REFERENCES service_records(id),
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX record_chain_record ON record_chain (record_id);

-- the head of the chain: one row, updated by every link, so concurrent
-- approvals queue on its row lock and each link sees the one before it
CREATE TABLE chain_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '');

-- training sessions (志愿服务培训) and who attended: part of each file
CREATE TABLE trainings (
  id {{id}},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  content TEXT NOT NULL DEFAULT '',
  study_minutes BIGINT NOT NULL,
  held_on TEXT NOT NULL,
  region_code TEXT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX trainings_org ON trainings (org_id, id);

CREATE TABLE training_attendance (
  training_id BIGINT NOT NULL REFERENCES trainings(id),
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (training_id, volunteer_id)
);
CREATE INDEX training_attendance_volunteer ON training_attendance (volunteer_id);

-- certificates (志愿服务记录证明): numbered, registered, revocable; what
-- they state is kept as issued so the PDF and the public check always
-- show the same facts
CREATE TABLE certificates (
  id {{id}},
  serial TEXT NOT NULL,
  verify_code TEXT NOT NULL,
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  region_code TEXT NOT NULL,
  period_from TEXT NOT NULL,
  period_to TEXT NOT NULL,
  minutes BIGINT NOT NULL,
  content_summary TEXT NOT NULL,
  volunteer_name TEXT NOT NULL,
  id_type TEXT NOT NULL,
  id_number_masked TEXT NOT NULL,
  volunteer_number TEXT NOT NULL,
  issuer TEXT NOT NULL,
  person_in_charge TEXT NOT NULL,
  handler TEXT NOT NULL,
  contact TEXT NOT NULL,
  notes TEXT,
  issued_on TEXT NOT NULL,
  issued_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'valid',
  revoked_at BIGINT,
  revoke_reason TEXT
);
CREATE UNIQUE INDEX certificates_serial ON certificates (serial);
CREATE INDEX certificates_volunteer ON certificates (volunteer_id, id);

-- the working-day calendar: public holidays on weekdays and make-up
-- working days on weekends (调休); other days follow Monday to Friday
CREATE TABLE calendar_days (
  day INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
