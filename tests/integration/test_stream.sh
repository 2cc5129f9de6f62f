#!/bin/sh
# tests/integration/test_stream.sh -- 1 GiB down and 1 GiB up through the
# module: both complete, and the httpd child's peak memory stays flat
# (nothing buffers a whole body).  T-G12, T-B21: memory per request does
# not grow with the body or the backend's packets.
. "$(dirname "$0")/lib.sh"

start_backend b1 --secret s
port=$(free_port)
H=$IT_TMP/h
printf 'worker.list=w1\nworker.w1.host=127.0.0.1\nworker.w1.port=%s\nworker.w1.secret=s\n' \
    "$BACKEND_PORT" >"$IT_TMP/workers.properties"
# One child process, so its peak resident memory is the number to watch.
httpd_conf "$H" "$port" <<CONF
ServerLimit 1
StartServers 1
ThreadsPerChild 8
MaxRequestWorkers 8
MinSpareThreads 1
MaxSpareThreads 8
JkWorkersFile "$IT_TMP/workers.properties"
JkMount /app/* w1
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port

hwm() {
    for pid in $(child_pids "$H"); do
        sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status"
    done | sort -n | tail -n 1
}

for i in 1 2 3 4 5; do
    curl -s -o /dev/null "$U/app/warm?size=1048576"
done
base=$(hwm)
check "1 GiB download arrives whole" 1073741824 \
    "$(curl -s -o /dev/null -w '%{size_download}' "$U/app/big?size=1073741824")"
truncate -s 1G "$IT_TMP/upload"
out=$(curl -s -T "$IT_TMP/upload" "$U/app/up")
check_grep "1 GiB upload arrives whole" "^body_length: 1073741824$" "$out"
out=$(head -c 268435456 /dev/zero | curl -s -T - "$U/app/upchunked")
check_grep "256 MiB chunked upload arrives whole" "^body_length: 268435456$" "$out"
peak=$(hwm)
grow=$(( (peak - base) / 1024 ))
if [ "$grow" -lt 64 ]; then
    ok "child peak memory grew ${grow} MiB over 1.25 GiB of bodies (base $((base / 1024)) MiB)"
else
    not_ok "child peak memory stays flat" "base ${base} kB, peak ${peak} kB"
fi
httpd_stop "$H"
it_done
