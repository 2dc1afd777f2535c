-- 0026: the hotline that took a resident's call (issue 13, round 2). A
-- staff intake on channel hotline may name it, so the hotline's own
-- numbers (calls taken, per line) can be told apart; NULL for web and
-- walk-in orders and for calls taken before this column.
ALTER TABLE orders ADD COLUMN hotline_id BIGINT REFERENCES menu_hotlines(id);
