-- The liveness challenge the server chose for a capture link (JSON: prompts and their times),
-- shown by the capture page and checked against the recording's frames.
ALTER TABLE capture_sessions ADD COLUMN challenge TEXT;
-- The selfie video's SHA-256, to refuse the same recording submitted again (replayed_video).
-- Blanked with the files by redaction and the retention sweep.
ALTER TABLE checks ADD COLUMN selfie_sha256 TEXT;
CREATE INDEX checks_selfie_sha256 ON checks (selfie_sha256);
