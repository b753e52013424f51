-- Security review, round two (issue 20).
-- 1. Alerts beyond the per-incident cap (Incidents:Intake:MaxAlertsPerIncident) are counted here, not stored.
ALTER TABLE incidents ADD COLUMN alerts_overflow integer NOT NULL DEFAULT 0;

-- 2. Channel destinations are secrets: deliveries written before this release quoted the channel's URL (with its path,
--    query and any user:pass@) in the timeline and in last_error, which every reader sees. Keep the words, drop the
--    addresses. The destination column itself stays (the sender needs it) and is never shown.
UPDATE timeline SET message = regexp_replace(message, '\s*[(<]?[a-z][a-z0-9+.-]*://[^\s)>]*[)>]?', ' (address removed)', 'gi')
WHERE kind IN ('delivery_sent', 'delivery_failed', 'escalation_step', 'evidence', 'evidence_failed') AND message ~* '[a-z][a-z0-9+.-]*://';
UPDATE timeline SET message = regexp_replace(message, '<[^>@\s]+@[^>\s]+>', '', 'g')
WHERE kind IN ('delivery_sent', 'delivery_failed');
UPDATE deliveries SET last_error = regexp_replace(last_error, '[a-z][a-z0-9+.-]*://\S*', '(address removed)', 'gi')
WHERE last_error ~* '[a-z][a-z0-9+.-]*://';
-- transport errors named host and port ("Connection refused (127.0.0.1:9)"): only the kind of failure stays
UPDATE deliveries SET last_error = 'the receiver could not be reached' WHERE last_error ~* '\(\S+:\d+\)';
UPDATE timeline SET message = regexp_replace(message, '\s*\((\d{1,3}\.){3}\d{1,3}:\d+\)', '', 'g')
WHERE kind IN ('delivery_failed', 'evidence_failed');
