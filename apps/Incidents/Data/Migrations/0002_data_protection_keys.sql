-- ASP.NET Core Data Protection keys (they sign cookies and antiforgery tokens), shared by every replica so a
-- login on one replica is valid on all of them.
CREATE TABLE data_protection_keys (
    id           bigserial   PRIMARY KEY,
    friendly_name text       NOT NULL,
    xml          text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
