-- bench/upload.lua -- wrk script: every request is a POST of BENCH_UPLOAD
-- bytes (default 1 MiB), built once.
local size = tonumber(os.getenv("BENCH_UPLOAD") or "1048576")
wrk.method = "POST"
wrk.body = string.rep("u", size)
wrk.headers["Content-Type"] = "application/octet-stream"
