-- OAuth 2.1 for /mcp: the service is its own authorization server. Every secret (client secret,
-- pending-request id, authorization code, access and refresh token) is stored as its SHA-256 hash.

-- Clients registered by Dynamic Client Registration (RFC 7591). metadata is the registered
-- metadata as accepted (client_name, redirect_uris, ...); a public client has no secret.
CREATE TABLE oauth_clients (
  client_id           text PRIMARY KEY,
  client_secret_hash  bytea,
  client_name         text CHECK (char_length(client_name) <= 200),
  redirect_uris       text[] NOT NULL,
  metadata            jsonb NOT NULL,
  issued_at           timestamptz(3) NOT NULL DEFAULT now()
);

-- An authorization request waiting for the user's decision on the consent page. Short-lived and
-- decided once.
CREATE TABLE oauth_authorization_requests (
  id_hash         bytea PRIMARY KEY,
  client_id       text NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
  redirect_uri    text NOT NULL,
  code_challenge  text NOT NULL,
  state           text,
  scopes          text[] NOT NULL,
  resource        text NOT NULL,
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  expires_at      timestamptz(3) NOT NULL,
  decided_at      timestamptz(3)
);

-- What a user allowed a client: the audience (resource) and scopes of its tokens. token_version
-- is the user's at consent; when users.token_version moves on (password reset or change, sign out
-- everywhere) the grant and every token of it stop working. expires_at follows the newest refresh
-- token, so a grant nobody can use any more drops out of the "connected apps" list.
CREATE TABLE oauth_grants (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id      text NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
  resource       text NOT NULL,
  scopes         text[] NOT NULL,
  token_version  integer NOT NULL,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  expires_at     timestamptz(3) NOT NULL,
  last_used_at   timestamptz(3),
  revoked_at     timestamptz(3)
);
CREATE INDEX oauth_grants_user_idx ON oauth_grants (user_id, client_id) WHERE revoked_at IS NULL;

-- Authorization codes: single-use (used_at), short-lived, bound to the client, redirect URI and
-- PKCE challenge of their request. A code presented twice revokes the grant it produced.
CREATE TABLE oauth_authorization_codes (
  code_hash       bytea PRIMARY KEY,
  grant_id        uuid NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
  client_id       text NOT NULL,
  redirect_uri    text NOT NULL,
  code_challenge  text NOT NULL,
  expires_at      timestamptz(3) NOT NULL,
  used_at         timestamptz(3)
);

-- Access and refresh tokens of a grant. Refresh tokens rotate: used_at marks the spent one;
-- presenting a spent one again (after the grace period) revokes the grant.
CREATE TABLE oauth_tokens (
  token_hash  bytea PRIMARY KEY,
  grant_id    uuid NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('access', 'refresh')),
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  expires_at  timestamptz(3) NOT NULL,
  used_at     timestamptz(3)
);
CREATE INDEX oauth_tokens_grant_idx ON oauth_tokens (grant_id);
