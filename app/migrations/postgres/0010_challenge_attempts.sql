-- How many recordings a capture link has had refused for not following its challenge: each
-- refusal draws a new challenge, up to IDV_CHALLENGE_ATTEMPTS recordings per link.
ALTER TABLE capture_sessions ADD COLUMN challenge_attempts INTEGER NOT NULL DEFAULT 0;
