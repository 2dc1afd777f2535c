-- 0025: ratings (issue 13, 评菜). The approver's quality suggestion and
-- a case's records find an order by the activity its delivery made
-- (orders.activity_id): without this index each lookup scans every order.
CREATE INDEX orders_activity ON orders (activity_id);
