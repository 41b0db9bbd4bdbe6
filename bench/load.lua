-- wrk script: cycle through public pages and API lists; count answers >= 400; print p95.
local paths = {
  "/", "/?as_of=2022-09-21", "/cities/", "/cities/almaty/", "/cities/?q=alma", "/countries/",
  "/agreements/", "/events/", "/delegations/", "/api/v1/cities/", "/api/v1/partnerships/",
  "/api/v1/partnerships/?country=kz", "/api/v1/events/", "/api/v1/network/?as_of=2022-09-21",
}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- "wrk ... -s load.lua URL -- floor" requests Django's floor view only (bench/urls.py).
function init(args)
  counter = 0
  bad = 0
  if args[1] == "floor" then
    paths = { "/__floor__/" }
  end
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status >= 400 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("bad")
  end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("requests: %d, throughput: %.1f req/s\n", summary.requests, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50: %.1f ms, p95: %.1f ms, p99: %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("errors: %d socket errors, %d responses with status >= 400\n", socket, failed))
end
