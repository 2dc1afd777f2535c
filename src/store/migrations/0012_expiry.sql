-- 0012: points that expire (off unless an organisation's rules set
-- expiry_days). Every point a volunteer holds belongs to a lot: what one
-- movement gave them, with the date it expires (or never). Points leave
-- oldest-expiring first, each use of a lot is kept, and points that come
-- back (a cancelled voucher, a redemption's remainder) return to the lots
-- they were taken from — so cancelling cannot renew points.
ALTER TABLE point_rules ADD COLUMN expiry_days BIGINT NOT NULL DEFAULT 0;
ALTER TABLE point_earnings ADD COLUMN expiry_days BIGINT NOT NULL DEFAULT 0;

CREATE TABLE point_lots (
  id {{id}},
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  amount BIGINT NOT NULL,
  remaining BIGINT NOT NULL,
  expires_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX point_lots_volunteer ON point_lots (volunteer_id, remaining);
CREATE INDEX point_lots_expiry ON point_lots (expires_at);

CREATE TABLE point_lot_uses (
  movement_id BIGINT NOT NULL REFERENCES point_movements(id),
  lot_id BIGINT NOT NULL REFERENCES point_lots(id),
  amount BIGINT NOT NULL,
  PRIMARY KEY (movement_id, lot_id)
);

-- balances held before lots existed never expire
INSERT INTO point_lots (volunteer_id, org_id, amount, remaining, expires_at, created_at)
SELECT a.owner_id, (SELECT min(id) FROM orgs), a.balance, a.balance, NULL, 0
FROM point_accounts a WHERE a.kind = 'volunteer' AND a.balance > 0;
