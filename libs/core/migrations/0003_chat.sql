-- Conversations, their turns, and the full model-format message history.
CREATE TABLE conversations (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title       text NOT NULL,
  turn_seq    integer NOT NULL DEFAULT 0,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX conversations_user_updated_idx ON conversations (user_id, updated_at DESC, id DESC);

-- One row per accepted user message. Turns of a conversation run one at a time in seq order:
-- Postgres is the per-conversation queue and the BullMQ job (id = turn id) only the trigger.
CREATE TABLE chat_turns (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq              integer NOT NULL,
  status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  user_message     text NOT NULL,
  idempotency_key  text,
  request_hash     text,
  attempts         integer NOT NULL DEFAULT 0,
  result           jsonb,
  error            jsonb,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  started_at       timestamptz(3),
  finished_at      timestamptz(3),
  UNIQUE (conversation_id, seq)
);
CREATE UNIQUE INDEX chat_turns_idempotency_key ON chat_turns (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX chat_turns_unfinished_idx ON chat_turns (conversation_id, seq) WHERE status IN ('queued', 'running');

-- Messages in model format, in conversation order. A message belongs to the turn that produced
-- it; (turn_id, step) and (turn_id, tool_call_id) make every write of the tool loop idempotent,
-- so a turn replayed after a crash stores nothing twice.
CREATE TABLE chat_messages (
  id               bigserial PRIMARY KEY,
  conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  turn_id          uuid NOT NULL REFERENCES chat_turns (id) ON DELETE CASCADE,
  position         integer NOT NULL,
  step             integer NOT NULL,
  role             text NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
  content          text,
  tool_calls       jsonb,
  tool_call_id     text,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (conversation_id, position)
);
CREATE UNIQUE INDEX chat_messages_turn_step_key ON chat_messages (turn_id, step) WHERE role <> 'tool';
CREATE UNIQUE INDEX chat_messages_turn_tool_call_key ON chat_messages (turn_id, tool_call_id) WHERE role = 'tool';
