-- 0021: menu-style service (issue 13): the menu (备菜), residents' orders
-- (点菜), dispatch of volunteers (送菜) and ratings (评菜). Owners of each
-- table are in docs/architecture.md (all in app/menu/).

-- The menu: category (level 1) -> item (2) -> sub-item (3); orders name a
-- sub-item. Retired items keep their rows (and their orders' history).
CREATE TABLE menu_items (
  id {{id}},
  parent_id BIGINT REFERENCES menu_items(id),
  level INTEGER NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  -- JSON arrays of text: required skills and certificates, the region
  -- codes where it is offered (empty: everywhere), the vulnerable groups
  -- it serves ('elderly_alone', 'disabled', 'left_behind_children', …)
  skills TEXT NOT NULL DEFAULT '[]',
  certificates TEXT NOT NULL DEFAULT '[]',
  regions TEXT NOT NULL DEFAULT '[]',
  vulnerable_groups TEXT NOT NULL DEFAULT '[]',
  duration_minutes BIGINT,
  -- when: weekdays as a bit set (bit 0 Monday … bit 6 Sunday; 127 every
  -- day) and a daily window in minutes after China midnight
  weekdays INTEGER NOT NULL DEFAULT 127,
  day_from INTEGER NOT NULL DEFAULT 0,
  day_to INTEGER NOT NULL DEFAULT 1440,
  needs_social_worker INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'active',
  retired_at BIGINT,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX menu_items_parent ON menu_items (parent_id, position, id);

-- Who may provide a sub-item: organisations and teams, with their subtree.
CREATE TABLE menu_item_providers (
  item_id BIGINT NOT NULL REFERENCES menu_items(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  PRIMARY KEY (item_id, org_id)
);
CREATE INDEX menu_item_providers_org ON menu_item_providers (org_id);

-- Hotlines: a number, the organisation answering it, its service hours
-- and the sub-items it takes.
CREATE TABLE menu_hotlines (
  id {{id}},
  number TEXT NOT NULL,
  name TEXT NOT NULL,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  weekdays INTEGER NOT NULL DEFAULT 127,
  day_from INTEGER NOT NULL DEFAULT 0,
  day_to INTEGER NOT NULL DEFAULT 1440,
  status TEXT NOT NULL DEFAULT 'active',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE menu_hotline_items (
  hotline_id BIGINT NOT NULL REFERENCES menu_hotlines(id),
  item_id BIGINT NOT NULL REFERENCES menu_items(id),
  PRIMARY KEY (hotline_id, item_id)
);

-- A resident's order. org_id is the organisation holding it now (the
-- provider it is offered to, or the level it was escalated to): staff
-- whose scope holds org_id see it. The served person's data (name,
-- phone, address, notes) is private (志愿服务条例 Art. 21).
CREATE TABLE orders (
  id {{id}},
  menu_item_id BIGINT NOT NULL REFERENCES menu_items(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  region_code TEXT NOT NULL,
  requester_name TEXT NOT NULL,
  phone TEXT NOT NULL,
  address TEXT NOT NULL,
  preferred_from BIGINT NOT NULL,
  preferred_to BIGINT NOT NULL,
  channel TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  vulnerable_groups TEXT NOT NULL DEFAULT '[]',
  consent_at BIGINT NOT NULL,
  -- keyed digest of the tracking code (the code itself is never stored)
  tracking_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  status_at BIGINT NOT NULL,
  escalated_at BIGINT,
  accepted_at BIGINT,
  dispatched_at BIGINT,
  started_at BIGINT,
  ended_at BIGINT,
  delivered_at BIGINT,
  activity_id BIGINT REFERENCES activities(id),
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX orders_tracking ON orders (tracking_hash);
CREATE INDEX orders_org_status ON orders (org_id, status, id);
CREATE INDEX orders_phone ON orders (phone, id);
CREATE INDEX orders_item ON orders (menu_item_id, created_at);

-- Every change of an order, with time and actor (user, or 'public' for
-- the requester through the tracking code, or 'system').
CREATE TABLE order_events (
  id {{id}},
  order_id BIGINT NOT NULL REFERENCES orders(id),
  at BIGINT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_user_id BIGINT REFERENCES users(id),
  org_id BIGINT REFERENCES orgs(id),
  reason TEXT
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- Volunteers sent to an order: 'offered' until they accept or decline
-- on their phone; 'withdrawn' when the dispatcher takes the offer back.
CREATE TABLE order_assignments (
  id {{id}},
  order_id BIGINT NOT NULL REFERENCES orders(id),
  volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
  status TEXT NOT NULL,
  assigned_by BIGINT REFERENCES users(id),
  assigned_at BIGINT NOT NULL,
  answered_at BIGINT,
  decline_reason TEXT,
  record_id BIGINT REFERENCES service_records(id)
);
CREATE UNIQUE INDEX order_assignments_pair ON order_assignments (order_id, volunteer_id);
CREATE INDEX order_assignments_volunteer ON order_assignments (volunteer_id, status, id);

-- One rating per order: 1–5 stars, from the requester through the
-- tracking code ('web') or taken by an operator on the phone ('phone').
CREATE TABLE order_ratings (
  id {{id}},
  order_id BIGINT NOT NULL REFERENCES orders(id),
  stars INTEGER NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  channel TEXT NOT NULL,
  recorded_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX order_ratings_order ON order_ratings (order_id);

-- A low rating (1–2) or a complaint opens a case staff must close, with
-- the outcome (which may name an amendment voiding the hours).
CREATE TABLE order_cases (
  id {{id}},
  order_id BIGINT NOT NULL REFERENCES orders(id),
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '',
  opened_at BIGINT NOT NULL,
  opened_by BIGINT REFERENCES users(id),
  closed_at BIGINT,
  closed_by BIGINT REFERENCES users(id),
  outcome TEXT,
  amendment_id BIGINT REFERENCES service_records(id)
);
CREATE INDEX order_cases_order ON order_cases (order_id);
CREATE INDEX order_cases_open ON order_cases (status, id);
