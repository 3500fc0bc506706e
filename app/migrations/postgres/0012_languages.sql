-- The capture page's language (README: "Languages"): a capture link's `locale`
-- (POST /v1/sessions) and the partner's default (`idv partner update --locale`), as one of
-- the page's BCP 47 tags ("pt-BR"); NULL lets the browser's languages decide.
ALTER TABLE capture_sessions ADD COLUMN locale TEXT;
ALTER TABLE partners ADD COLUMN default_locale TEXT;
-- Where the page sends a user who cannot use the camera for help (the partner's support page).
ALTER TABLE partners ADD COLUMN help_url TEXT;
