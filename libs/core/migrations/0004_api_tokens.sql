-- Personal API tokens: long-lived bearer tokens a user creates for MCP clients. Like refresh
-- tokens, only the SHA-256 hash of the raw token is stored. Revocation keeps the row (revoked_at)
-- so a revoked token is told apart from one that never existed in audits; listings hide it.
-- last_used_at is written at most once a minute per token, not on every call.
CREATE TABLE api_tokens (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  token_hash    bytea NOT NULL UNIQUE,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  expires_at    timestamptz(3),
  last_used_at  timestamptz(3),
  revoked_at    timestamptz(3)
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at, id) WHERE revoked_at IS NULL;
