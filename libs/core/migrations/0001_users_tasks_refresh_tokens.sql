-- Users. Email is unique case-insensitively; token_version revokes every access token issued
-- before it changes; task_seq hands out per-user task numbers that are never reused.
CREATE TABLE users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email          text NOT NULL CHECK (char_length(email) <= 254),
  name           text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  password_hash  text NOT NULL,
  token_version  integer NOT NULL DEFAULT 0,
  task_seq       integer NOT NULL DEFAULT 0,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  updated_at     timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TYPE task_priority AS ENUM ('low', 'medium', 'high');

-- Tasks are numbered per user: (user_id, number) is the key and "number" is the API's task id.
-- Timestamps keep millisecond precision so that pagination cursors built from JS Dates are exact.
CREATE TABLE tasks (
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  number        integer NOT NULL CHECK (number > 0),
  title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description   text CHECK (char_length(description) <= 2000),
  completed     boolean NOT NULL DEFAULT false,
  priority      task_priority NOT NULL DEFAULT 'medium',
  due_date      date,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  updated_at    timestamptz(3) NOT NULL DEFAULT now(),
  completed_at  timestamptz(3),
  PRIMARY KEY (user_id, number)
);
CREATE INDEX tasks_user_created_idx ON tasks (user_id, created_at, number);
CREATE INDEX tasks_user_updated_idx ON tasks (user_id, updated_at, number);
CREATE INDEX tasks_user_due_idx ON tasks (user_id, due_date, number);

-- Refresh tokens are opaque random strings stored as SHA-256 hashes. Each login starts a family;
-- every rotation adds a token to it; presenting a used or revoked token revokes the whole family.
CREATE TABLE refresh_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id    uuid NOT NULL,
  token_hash   bytea NOT NULL UNIQUE,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  expires_at   timestamptz(3) NOT NULL,
  used_at      timestamptz(3),
  revoked_at   timestamptz(3)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
