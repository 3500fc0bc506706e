-- Where the capture page returns the user when done (partner API sessions).
ALTER TABLE capture_sessions ADD COLUMN redirect_url TEXT;
