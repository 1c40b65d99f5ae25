-- One row per accepted forgot-password request: the durable outbox of reset mail. The job in
-- Redis only points here (by id), so a lost job is re-enqueued from the rows still 'pending'.
-- The token is derived at send time from a per-row salt and the server secret (so a retried send
-- repeats the same link); only its SHA-256 hash is stored, for lookup at reset time.
CREATE TABLE password_reset_requests (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  token_salt  bytea,
  token_hash  bytea UNIQUE,
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  sent_at     timestamptz(3),
  expires_at  timestamptz(3),
  used_at     timestamptz(3)
);
CREATE INDEX password_reset_requests_pending_idx ON password_reset_requests (created_at) WHERE status = 'pending';
CREATE INDEX password_reset_requests_user_idx ON password_reset_requests (user_id);
