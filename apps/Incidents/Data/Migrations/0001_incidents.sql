-- Incidents, one per Alertmanager alert group (groupKey) at a time; a group that fires again within the
-- reopen window re-opens its last incident instead of opening a new one.
CREATE TABLE incidents (
    id                bigserial PRIMARY KEY,
    group_key         text        NOT NULL,
    status            text        NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
    title             text        NOT NULL,
    receiver          text        NOT NULL,
    labels            jsonb       NOT NULL,
    annotations       jsonb       NOT NULL,
    fault_started_at  timestamptz NOT NULL,   -- earliest startsAt of the group's alerts
    onset_at          timestamptz,            -- the diagnosis's `since`, when it had one
    opened_at         timestamptz NOT NULL,
    acknowledged_at   timestamptz,
    acknowledged_by   text,
    resolved_at       timestamptz,
    resolved_by       text,
    reopen_count      integer     NOT NULL DEFAULT 0,
    truncated_alerts  integer     NOT NULL DEFAULT 0,
    diagnosis         jsonb,
    evidence_state    text        NOT NULL DEFAULT 'none' CHECK (evidence_state IN ('none', 'pending', 'done', 'failed')),
    evidence_url      text,
    evidence_attempts integer     NOT NULL DEFAULT 0,
    evidence_due_at   timestamptz,
    updated_at        timestamptz NOT NULL
);
-- The backstop behind intake's per-group advisory lock: never two open incidents for one group.
CREATE UNIQUE INDEX incidents_one_open_per_group ON incidents (group_key) WHERE status <> 'resolved';
CREATE INDEX incidents_by_group ON incidents (group_key, id DESC);
CREATE INDEX incidents_by_opened ON incidents (opened_at);
CREATE INDEX incidents_evidence_queue ON incidents (evidence_due_at) WHERE evidence_state = 'pending';

-- The alerts of an incident, by Alertmanager fingerprint; startsAt tells a re-fire from a re-send.
CREATE TABLE incident_alerts (
    incident_id   bigint      NOT NULL REFERENCES incidents ON DELETE CASCADE,
    fingerprint   text        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('firing', 'resolved')),
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz,
    labels        jsonb       NOT NULL,
    annotations   jsonb       NOT NULL,
    generator_url text,
    PRIMARY KEY (incident_id, fingerprint)
);

-- What happened, in order: the incident's state machine writes here (and escalation will too).
CREATE TABLE timeline (
    id          bigserial   PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES incidents ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    kind        text        NOT NULL,
    actor       text        NOT NULL,
    message     text        NOT NULL,
    data        jsonb
);
CREATE INDEX timeline_by_incident ON timeline (incident_id, at, id);

-- Who did what, from where: people, tokens and Alertmanager.
CREATE TABLE audit_log (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    source      text        NOT NULL,
    action      text        NOT NULL,
    incident_id bigint,
    detail      text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_at ON audit_log (at DESC);

CREATE TABLE users (
    email         text        PRIMARY KEY,
    role          text        NOT NULL CHECK (role IN ('responder', 'viewer')),
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL
);
