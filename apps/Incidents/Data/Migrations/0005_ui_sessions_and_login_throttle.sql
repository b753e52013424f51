-- UI sessions end on the server (issue 20): the cookie carries only a random id; this table says whether it still counts.
-- Only the id's SHA-256 is stored, so a copy of this table opens no session. The role is read from users per request:
-- a demotion, a password change or a logout takes effect at once.
CREATE TABLE ui_sessions (
    id_hash             bytea       PRIMARY KEY CHECK (octet_length(id_hash) = 32),
    email               text        NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,   -- sliding end, never later than absolute_expires_at
    absolute_expires_at timestamptz NOT NULL,
    CONSTRAINT ui_sessions_expiry_order CHECK (expires_at <= absolute_expires_at)
);
CREATE INDEX ui_sessions_email ON ui_sessions (email);
CREATE INDEX ui_sessions_expires_at ON ui_sessions (expires_at);

-- Failed logins per email (registered or not), the same shape as the website's (Lifeguard.Kit.LoginThrottle).
CREATE TABLE login_throttle (
    email_hash   bytea       PRIMARY KEY CHECK (octet_length(email_hash) = 32),
    failed_count integer     NOT NULL,
    lockout_end  timestamptz NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX login_throttle_updated_at ON login_throttle (updated_at);
