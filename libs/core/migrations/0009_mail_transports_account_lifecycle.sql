-- The id the mail provider gave an accepted message (SendGrid X-Message-Id, Resend id, SMTP reply),
-- so a delivery question can be traced in the provider's logs.
ALTER TABLE password_reset_requests ADD COLUMN provider_message_id text;

-- When the user proved they own their address; NULL until then.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz(3);

-- One row per verification mail, the durable outbox of that mail exactly like
-- password_reset_requests: the job carries the row id only, the token is derived at send time
-- from a per-row salt and the server secret, and only its SHA-256 hash is stored.
CREATE TABLE email_verifications (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  token_salt           bytea,
  token_hash           bytea UNIQUE,
  attempts             integer NOT NULL DEFAULT 0,
  last_error           text,
  provider_message_id  text,
  created_at           timestamptz(3) NOT NULL DEFAULT now(),
  sent_at              timestamptz(3),
  expires_at           timestamptz(3),
  used_at              timestamptz(3)
);
CREATE INDEX email_verifications_pending_idx ON email_verifications (created_at) WHERE status = 'pending';
CREATE INDEX email_verifications_user_idx ON email_verifications (user_id);
