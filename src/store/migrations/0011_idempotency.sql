-- 0011: Idempotency-Key on the remaining value-moving requests: a retried
-- redemption, cancellation or stock movement answers as the first did.
ALTER TABLE vouchers ADD COLUMN decision_key TEXT;
ALTER TABLE stock_moves ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX stock_moves_idempotency ON stock_moves (operator_id, idempotency_key);
