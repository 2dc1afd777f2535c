-- 0006: the points ledger of the public-welfare bank (公益银行·志愿积分).
-- Double entry: every movement takes a whole, positive amount from one
-- account and gives it to another, so all balances together are zero.
-- Movements are never edited or deleted; a mistake is reversed by a new
-- movement.

-- kinds: volunteer (owner: volunteers.id, never below zero), pool (owner:
-- orgs.id, the organisation issuing points for its activities; goes
-- negative as it issues), adjustment (owner: orgs.id, the other side of
-- an admin's grants and deductions)
CREATE TABLE point_accounts (
  id {{id}},
  kind TEXT NOT NULL,
  owner_id BIGINT NOT NULL,
  balance BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX point_accounts_owner ON point_accounts (kind, owner_id);

-- cause: earn / reverse (an approved record or amendment, record_id),
-- adjust (an admin, reason)
CREATE TABLE point_movements (
  id {{id}},
  from_account BIGINT NOT NULL REFERENCES point_accounts(id),
  to_account BIGINT NOT NULL REFERENCES point_accounts(id),
  amount BIGINT NOT NULL,
  cause TEXT NOT NULL,
  record_id BIGINT REFERENCES service_records(id),
  reason TEXT,
  volunteer_id BIGINT REFERENCES volunteers(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  operator_id BIGINT REFERENCES users(id),
  idempotency_key TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX point_movements_volunteer ON point_movements (volunteer_id, id);
CREATE INDEX point_movements_from ON point_movements (from_account);
CREATE INDEX point_movements_to ON point_movements (to_account);
CREATE UNIQUE INDEX point_movements_idempotency ON point_movements (operator_id, idempotency_key);

-- what each approved record earned, with the rates it earned at (so an
-- amendment is recomputed alike) and the day and year its caps count in;
-- one row per original record: issuing happens once
CREATE TABLE point_earnings (
  record_id BIGINT PRIMARY KEY REFERENCES service_records(id),
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  day INTEGER NOT NULL,
  year INTEGER NOT NULL,
  per_hour_milli BIGINT NOT NULL,
  category_milli BIGINT NOT NULL,
  quality_milli BIGINT NOT NULL,
  cap_activity BIGINT NOT NULL,
  cap_day BIGINT NOT NULL,
  cap_year BIGINT NOT NULL,
  points BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX point_earnings_day ON point_earnings (volunteer_id, day);
CREATE INDEX point_earnings_year ON point_earnings (volunteer_id, year);

-- points an amendment took back that had already been spent: recorded
-- and shown, never dropped
CREATE TABLE point_shortfalls (
  id {{id}},
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  record_id BIGINT NOT NULL REFERENCES service_records(id),
  amount BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX point_shortfalls_volunteer ON point_shortfalls (volunteer_id);

-- earning rules of an organisation's subtree (the nearest configured
-- ancestor's apply); rates in thousandths, caps 0 = none; category
-- coefficients and quality multipliers as JSON objects of thousandths
CREATE TABLE point_rules (
  org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
  per_hour_milli BIGINT NOT NULL,
  category_milli TEXT NOT NULL,
  quality_milli TEXT NOT NULL,
  cap_activity BIGINT NOT NULL,
  cap_day BIGINT NOT NULL,
  cap_year BIGINT NOT NULL,
  updated_by BIGINT REFERENCES users(id),
  updated_at BIGINT NOT NULL
);
