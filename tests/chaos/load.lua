-- tests/chaos/load.lua -- wrk script of the chaos suite (tests/chaos/chaos.py).
--
-- Every GET carries a token (?tok=w<thread>x<n>z) that the fake backend
-- echoes in its body ("query: tok=..."); a 200 whose body lacks the token of
-- the request just sent is an answer meant for another request (a mixed
-- answer).  chaos.py runs wrk with one connection per thread (-t N -c N), so
-- on each connection request() and response() strictly alternate and the
-- last token made is the one being answered.  A request lost to a socket
-- error gets no response() call; the next request() makes a new token.
--
-- Arguments after "--": PATH EXTRA-QUERY TAG [close]
--   PATH         e.g. /app/chaos
--   EXTRA-QUERY  appended to the query, e.g. "&delay_ms=100" ("-" for none)
--   TAG          letters that make this run's tokens unique in the backend
--                logs (chaos.py counts a token forwarded twice as a retry)
--   close        send "Connection: close" (one TCP connection per request)
-- done() prints "CHAOS key value" lines that chaos.py parses.

local threads = {}
local next_id = 0

function setup(thread)
    next_id = next_id + 1
    thread:set("tid", next_id)
    table.insert(threads, thread)
end

function init(args)
    path = args[1] or "/app/chaos"
    extra = args[2] or ""
    if extra == "-" then
        extra = ""
    end
    hdrs = {}
    if args[4] == "close" then
        hdrs["Connection"] = "close"
    end
    prefix = (args[3] or "") .. "w" .. tid .. "x"
    n = 0
    pending = nil
    mixed = 0
    statuses = {}
end

function request()
    n = n + 1
    pending = prefix .. n .. "z"
    return wrk.format("GET", path .. "?tok=" .. pending .. extra, hdrs)
end

function response(status, headers, body)
    local k = tostring(status)
    statuses[k] = (statuses[k] or 0) + 1
    if status == 200 then
        if pending == nil
           or not string.find(body, "tok=" .. pending, 1, true) then
            mixed = mixed + 1
        end
    end
    pending = nil
end

function done(summary, latency, requests)
    local agg, total_mixed = {}, 0
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("statuses")) do
            agg[k] = (agg[k] or 0) + v
        end
        total_mixed = total_mixed + t:get("mixed")
    end
    io.write(string.format("CHAOS requests %d\n", summary.requests))
    io.write(string.format("CHAOS duration_us %d\n", summary.duration))
    for _, e in ipairs({"connect", "read", "write", "timeout", "status"}) do
        io.write(string.format("CHAOS err_%s %d\n", e, summary.errors[e]))
    end
    for k, v in pairs(agg) do
        io.write(string.format("CHAOS status_%s %d\n", k, v))
    end
    io.write(string.format("CHAOS mixed %d\n", total_mixed))
    io.write(string.format("CHAOS latency_max_us %d\n", latency.max))
    io.write(string.format("CHAOS latency_p99_us %d\n",
                           latency:percentile(99)))
end
