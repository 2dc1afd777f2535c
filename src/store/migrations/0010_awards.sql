-- 0010: awards and commendations (表彰): award types, rounds over a period
-- and an organisation's subtree, nominations with reasons, and the awards
-- themselves, which go into the volunteer's file (志愿服务记录证明办法
-- Art 9: name, date, granting unit). Awards from elsewhere are entered
-- with evidence.
CREATE TABLE award_types (
  id {{id}},
  name TEXT NOT NULL,
  target TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX award_types_name ON award_types (name);
INSERT INTO award_types (name, target, created_at) VALUES
  ('志愿者之星', 'volunteer', 0), ('最具风采志愿者', 'volunteer', 0), ('最活泼志愿者', 'volunteer', 0),
  ('最吃苦耐劳志愿者', 'volunteer', 0), ('最具亲和力志愿者', 'volunteer', 0), ('优秀志愿服务组织', 'org', 0);

CREATE TABLE award_rounds (
  id {{id}},
  name TEXT NOT NULL,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  period_from TEXT NOT NULL,
  period_to TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX award_rounds_org ON award_rounds (org_id, id);

CREATE TABLE nominations (
  id {{id}},
  round_id BIGINT NOT NULL REFERENCES award_rounds(id),
  type_id BIGINT NOT NULL REFERENCES award_types(id),
  volunteer_id BIGINT REFERENCES volunteers(id),
  org_id BIGINT REFERENCES orgs(id),
  reason TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'nominated',
  nominated_by BIGINT REFERENCES users(id),
  decided_by BIGINT REFERENCES users(id),
  decided_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX nominations_round ON nominations (round_id, id);

CREATE TABLE awards (
  id {{id}},
  name TEXT NOT NULL,
  volunteer_id BIGINT REFERENCES volunteers(id),
  org_id BIGINT REFERENCES orgs(id),
  granted_on TEXT NOT NULL,
  granting_unit TEXT NOT NULL,
  source TEXT NOT NULL,
  evidence TEXT,
  nomination_id BIGINT REFERENCES nominations(id),
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX awards_volunteer ON awards (volunteer_id, granted_on);
CREATE INDEX awards_granted ON awards (granted_on, id);
CREATE UNIQUE INDEX awards_nomination ON awards (nomination_id);
