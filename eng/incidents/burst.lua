-- wrk script for eng/incidents-burst.sh: Alertmanager webhook v4 bodies for GROUPS groups and ALERTS alerts
-- (alert f belongs to group f % GROUPS), sent in a loop; every thread sends the same sequence, so later bodies
-- are re-sends of earlier ones, as Alertmanager's group_interval, repeat_interval and retries make them.
local token = os.getenv("INCIDENTS_TOKEN")
local groups = tonumber(os.getenv("BURST_GROUPS") or "100")
local alerts = tonumber(os.getenv("BURST_ALERTS") or "1000")
local starts = os.getenv("BURST_STARTS_AT")
local n = 0
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

request = function()
  local f = n % alerts
  local g = f % groups
  n = n + 1
  wrk.thread:set("n", n)
  local body = string.format(
    '{"version":"4","groupKey":"burst-%d","status":"firing","receiver":"lifeguard-page","truncatedAlerts":0,' ..
    '"groupLabels":{"alertname":"Burst","pool":"p%d"},"commonLabels":{"alertname":"Burst","pool":"p%d"},"commonAnnotations":{"summary":"burst %d"},' ..
    '"externalURL":"http://127.0.0.1:9094","alerts":[{"status":"firing","labels":{"alertname":"Burst","pool":"p%d","n":"%d"},"annotations":{},' ..
    '"startsAt":"%s","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"f%d"}]}',
    g, g, g, g, g, f, starts, f)
  return wrk.format("POST", "/api/alertmanager", headers, body)
end

done = function(summary, latency, requests)
  local longest = 0
  for _, t in ipairs(threads) do
    local tn = t:get("n") or 0
    if tn > longest then longest = tn end
  end
  -- the distinct alerts sent: every thread walks the same sequence of fingerprints
  io.write(string.format("sequence: %d\n", longest))
  local s = summary.duration / 1e6
  io.write(string.format("burst: %d requests in %.1f s = %.0f/s, non-2xx %d, socket errors %d, latency p50 %.1f ms p99 %.1f ms max %.1f ms\n",
    summary.requests, s, summary.requests / s, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
