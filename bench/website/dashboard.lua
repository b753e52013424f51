-- Each request takes the next logged-in user's auth cookie, so all users load their own dashboard.
local cookies = {}
for line in io.lines(os.getenv("COOKIES_FILE")) do cookies[#cookies + 1] = line end
local n = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function request()
  n = n % #cookies + 1
  return wrk.format("GET", "/dashboard", { ["Cookie"] = cookies[n] })
end

function response(status, headers, body)
  -- 302 would mean "sent to the login page": not a dashboard, so it counts as a failure too.
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("non-200 dashboard responses: %d of %d\n", total, summary.requests))
  for _, p in ipairs({ 50, 90, 99 }) do
    io.write(string.format("p%d latency: %.1f ms\n", p, latency:percentile(p) / 1000))
  end
end
