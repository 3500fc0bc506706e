-- A capture link dies with the key that made it (issue 32): the key's id, NULL for links made
-- before this migration (they keep their own expiry, at most 7 days).
ALTER TABLE capture_sessions ADD COLUMN key_id TEXT;
