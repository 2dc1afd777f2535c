-- 0015: claiming an account for a volunteer on file (app/claims.c). A
-- claim is started by the person (ID number + name + phone on file) or by
-- staff (an invitation); a one-time code sent to the phone on file proves
-- it, and the person then sets a password.
--
-- Every start makes a row, matched or not (volunteer_id NULL), so that a
-- start that names nobody behaves exactly like one that names somebody:
-- same answer, same attempts, same expiry. Only digests are stored: the
-- ticket's (the claim's handle, held by the browser or the invitation
-- link) and the code's, keyed by the server key and the ticket.
CREATE TABLE account_claims (
  id {{id}},
  ticket_hash TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  volunteer_id BIGINT REFERENCES volunteers(id),
  -- 'self' (the public page) or 'invite' (staff); invited_by the staff user
  via TEXT NOT NULL,
  invited_by BIGINT REFERENCES users(id),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  -- the account the claim made or reset
  user_id BIGINT REFERENCES users(id)
);
CREATE UNIQUE INDEX account_claims_ticket ON account_claims (ticket_hash);
CREATE INDEX account_claims_volunteer ON account_claims (volunteer_id, id);
