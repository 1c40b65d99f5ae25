-- Reading a turn's messages (every turn, and each replay) filtered on turn_id alone; the partial
-- unique indexes of 0003 cannot serve that, so it was a sequential scan growing with the table.
-- Also serves the cascade from chat_turns.
CREATE INDEX chat_messages_turn_position_idx ON chat_messages (turn_id, position);
