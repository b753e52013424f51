-- Escalation (issue 16): one row per incident, the job the escalation workers of every replica claim with
-- FOR UPDATE SKIP LOCKED when due_at passes. The policy is snapshotted when escalation (re)starts, so a changed
-- policy file does not change an escalation under way; `run` counts (re)starts (re-trigger, reopen).
CREATE TABLE escalations (
    incident_id bigint      PRIMARY KEY REFERENCES incidents ON DELETE CASCADE,
    policy      text        NOT NULL,
    snapshot    jsonb       NOT NULL,
    run         integer     NOT NULL DEFAULT 1,
    state       text        NOT NULL CHECK (state IN ('running', 'acknowledged', 'finished', 'stopped')),
    next_step   integer     NOT NULL DEFAULT 0,
    repeats     jsonb       NOT NULL DEFAULT '{}',
    due_at      timestamptz,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX escalations_due ON escalations (due_at) WHERE due_at IS NOT NULL;

-- One notification to one destination, written in the same transaction as the step that asked for it, then sent
-- (and retried with backoff) by whichever replica claims it.
CREATE TABLE deliveries (
    id          bigserial   PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES incidents ON DELETE CASCADE,
    run         integer     NOT NULL,
    step        integer     NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('webhook', 'slack', 'email')),
    target      text        NOT NULL,
    destination text        NOT NULL,
    status      text        NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts    integer     NOT NULL DEFAULT 0,
    due_at      timestamptz,
    last_error  text,
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX deliveries_due ON deliveries (due_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_incident ON deliveries (incident_id, id);
