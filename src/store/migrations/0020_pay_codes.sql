-- 0020: proof of the volunteer at a counter sale (issue 11). A pay code is
-- a short-lived one-use number the volunteer's phone shows; only its keyed
-- digest is stored (app/paycodes.c), so a copy of the database gives no
-- codes. A new code ends the volunteer's earlier ones (expires_at moved to
-- the moment it was replaced).
CREATE TABLE pay_codes (
  id {{id}},
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  code_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  sale_id BIGINT REFERENCES sales(id)
);
CREATE UNIQUE INDEX pay_codes_hash ON pay_codes (code_hash);
CREATE INDEX pay_codes_volunteer ON pay_codes (volunteer_id, id);

-- whether staff whose scope holds a volunteer's home organisation may sell
-- at this store for the volunteer without their proof (off by default)
ALTER TABLE stores ADD COLUMN allow_on_behalf INTEGER NOT NULL DEFAULT 0;
-- how a sale was proven: 'pay_code', 'on_behalf', or 'none' (sales made
-- before this migration)
ALTER TABLE sales ADD COLUMN proof TEXT NOT NULL DEFAULT 'none';
