-- The user's IANA time zone ("Asia/Karachi"): "today", "tomorrow" and "overdue" are the user's
-- local dates. Names are validated by the application with Intl (the ICU database Node ships);
-- the check only bounds the length.
ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (char_length(time_zone) BETWEEN 1 AND 64);
