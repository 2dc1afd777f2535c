-- 0009: goods paid with points directly at a store's counter, and what a
-- store's day is reconciled from.
CREATE TABLE sales (
  id {{id}},
  store_id BIGINT NOT NULL REFERENCES stores(id),
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  points BIGINT NOT NULL,
  operator_id BIGINT REFERENCES users(id),
  idempotency_key TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX sales_store ON sales (store_id, created_at);
CREATE UNIQUE INDEX sales_idempotency ON sales (operator_id, idempotency_key);

CREATE TABLE sale_items (
  sale_id BIGINT NOT NULL REFERENCES sales(id),
  goods_id BIGINT NOT NULL REFERENCES goods(id),
  quantity BIGINT NOT NULL,
  points BIGINT NOT NULL,
  PRIMARY KEY (sale_id, goods_id)
);

ALTER TABLE stock_moves ADD COLUMN sale_id BIGINT REFERENCES sales(id);
ALTER TABLE point_movements ADD COLUMN sale_id BIGINT REFERENCES sales(id);
CREATE INDEX vouchers_store_day ON vouchers (store_id, decided_at);
CREATE INDEX point_movements_day ON point_movements (to_account, created_at);
