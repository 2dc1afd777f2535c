-- 0001: organisations (the root of every scope), accounts, sessions,
-- API tokens, login throttling and the audit log.
-- {{id}} becomes the backend's auto-increment primary key.

CREATE TABLE orgs (
  id {{id}},
  parent_id BIGINT REFERENCES orgs(id),
  -- materialised ancestry "/1/7/42/": a scope check is a prefix test
  path TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  professional INTEGER NOT NULL DEFAULT 0,
  region_code TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX orgs_parent ON orgs (parent_id);

CREATE TABLE users (
  id {{id}},
  username TEXT NOT NULL,
  phone TEXT,
  display_name TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  roles TEXT NOT NULL,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  region_code TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE UNIQUE INDEX users_phone ON users (phone);
CREATE INDEX users_org ON users (org_id, id);

CREATE TABLE sessions (
  id {{id}},
  token_hash TEXT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  client_addr TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX sessions_token ON sessions (token_hash);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

CREATE TABLE login_throttle (
  key TEXT PRIMARY KEY,
  failures BIGINT NOT NULL,
  blocked_until BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
  id {{id}},
  at BIGINT NOT NULL,
  actor_id BIGINT,
  actor_username TEXT,
  -- the organisation whose scope the entry belongs to, and its path then
  org_id BIGINT,
  org_path TEXT NOT NULL,
  region_code TEXT,
  action TEXT NOT NULL,
  target_type TEXT,
  target_id BIGINT,
  client_addr TEXT,
  detail TEXT
);
CREATE INDEX audit_log_org ON audit_log (org_path, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
