-- 0016: a volunteer's home organisation chosen by the person. A request to
-- join (or move to) a station or team waits for that organisation's
-- admins; accepting it moves the file like a staff transfer. At most one
-- request per volunteer is open at a time (the partial unique index).
CREATE TABLE join_requests (
  id {{id}},
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  from_org_id BIGINT NOT NULL REFERENCES orgs(id),
  note TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
  reason TEXT,
  decided_by BIGINT REFERENCES users(id),
  decided_at BIGINT,
  region_code TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX join_requests_open ON join_requests (volunteer_id) WHERE status = 'open';
CREATE INDEX join_requests_volunteer ON join_requests (volunteer_id, id);
CREATE INDEX join_requests_org ON join_requests (org_id, status, id);
