-- wrk script for bench/serve/run.py: cycles through the request paths in the
-- file given after "--" (one per line, URL-encoded), each thread from its own
-- offset, counts responses by status class, and prints one JSON line at the end:
--   wrk -t2 -c16 -d30s -s bench/serve/wrk.lua http://127.0.0.1:8000 -- paths.txt
local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   paths = {}
   for line in io.lines(args[1]) do
      if #line > 0 then paths[#paths + 1] = line end
   end
   if #paths == 0 then error("no request paths in " .. tostring(args[1])) end
   index = (id * 7919) % #paths
   s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0
end

function request()
   index = index % #paths + 1
   return wrk.format("GET", paths[index])
end

function response(status, headers, body)
   if status >= 500 then s5xx = s5xx + 1
   elseif status >= 400 then s4xx = s4xx + 1
   elseif status >= 300 then s3xx = s3xx + 1
   else s2xx = s2xx + 1 end
end

function done(summary, latency, requests)
   local c = {s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0}
   for _, thread in ipairs(threads) do
      for key, _ in pairs(c) do c[key] = c[key] + thread:get(key) end
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
      '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, ' ..
      '"status_2xx": %d, "status_3xx": %d, "status_4xx": %d, "status_5xx": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout,
      c.s2xx, c.s3xx, c.s4xx, c.s5xx))
end
