-- Sessions end on the server: the auth cookie carries only a random session id; this table says whether it still counts.
-- The id itself is never stored, only its SHA-256, so a copy of this table opens no session.
CREATE TABLE sessions (
    id_hash             bytea       PRIMARY KEY CHECK (octet_length(id_hash) = 32),
    user_id             bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL,
    issued_at           timestamptz NOT NULL,   -- last sliding renewal
    expires_at          timestamptz NOT NULL,   -- sliding end, never later than absolute_expires_at
    absolute_expires_at timestamptz NOT NULL,
    CONSTRAINT sessions_expiry_order CHECK (expires_at <= absolute_expires_at)
);
CREATE INDEX sessions_user_id ON sessions (user_id);     -- logout everywhere / lockout
CREATE INDEX sessions_expires_at ON sessions (expires_at); -- cleanup

-- Failed-login bookkeeping keyed by the SHA-256 of the normalised email, registered or not: a failure for an
-- unknown email writes the same row as one for a real account, so neither its effect nor its cost tells them apart.
CREATE TABLE login_throttle (
    email_hash   bytea       PRIMARY KEY CHECK (octet_length(email_hash) = 32),
    failed_count integer     NOT NULL,
    lockout_end  timestamptz NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX login_throttle_updated_at ON login_throttle (updated_at);

-- Carry over the counters and lockouts kept on users until now, then drop them: one source of truth.
INSERT INTO login_throttle (email_hash, failed_count, lockout_end, updated_at)
SELECT sha256(convert_to(email, 'UTF8')), failed_login_count, lockout_end, now()
FROM users
WHERE failed_login_count <> 0 OR lockout_end IS NOT NULL;

ALTER TABLE users DROP COLUMN failed_login_count, DROP COLUMN lockout_end;
