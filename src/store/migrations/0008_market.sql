-- 0008: love supermarkets (爱心超市): stores of organisations, their goods
-- and stock, and vouchers bought with points. A voucher holds its points
-- in the escrow account until it is redeemed (to the store) or cancelled
-- or expired (back to the volunteer).
CREATE TABLE stores (
  id {{id}},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active',
  created_at BIGINT NOT NULL
);
CREATE INDEX stores_org ON stores (org_id);

CREATE TABLE goods (
  id {{id}},
  store_id BIGINT NOT NULL REFERENCES stores(id),
  name TEXT NOT NULL,
  unit TEXT NOT NULL DEFAULT '件',
  price BIGINT NOT NULL,
  stock BIGINT NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'active',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX goods_store ON goods (store_id, id);

-- every change of stock, with its reason: in, out, or a redemption
CREATE TABLE stock_moves (
  id {{id}},
  goods_id BIGINT NOT NULL REFERENCES goods(id),
  delta BIGINT NOT NULL,
  reason TEXT NOT NULL,
  voucher_id BIGINT,
  operator_id BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX stock_moves_goods ON stock_moves (goods_id, id);

CREATE TABLE vouchers (
  id {{id}},
  code TEXT NOT NULL,
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  value BIGINT NOT NULL,
  status TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  issued_by BIGINT REFERENCES users(id),
  store_id BIGINT REFERENCES stores(id),
  spent BIGINT,
  decided_by BIGINT REFERENCES users(id),
  decided_at BIGINT,
  idempotency_key TEXT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX vouchers_code ON vouchers (code);
CREATE INDEX vouchers_volunteer ON vouchers (volunteer_id, id);
CREATE UNIQUE INDEX vouchers_idempotency ON vouchers (issued_by, idempotency_key);

CREATE TABLE voucher_items (
  voucher_id BIGINT NOT NULL REFERENCES vouchers(id),
  goods_id BIGINT NOT NULL REFERENCES goods(id),
  quantity BIGINT NOT NULL,
  points BIGINT NOT NULL,
  PRIMARY KEY (voucher_id, goods_id)
);

ALTER TABLE point_movements ADD COLUMN voucher_id BIGINT REFERENCES vouchers(id);
