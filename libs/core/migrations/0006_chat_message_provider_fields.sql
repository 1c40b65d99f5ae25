-- Fields some providers require back with an assistant message (DeepSeek's reasoning_content,
-- OpenRouter's reasoning and reasoning_details), and the model that wrote the message: they are
-- sent back only to that model, and never shown to the user.
ALTER TABLE chat_messages
  ADD COLUMN model text,
  ADD COLUMN provider_fields jsonb;
