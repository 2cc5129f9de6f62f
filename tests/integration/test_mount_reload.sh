#!/bin/sh
# tests/integration/test_mount_reload.sh -- JkMountFileReload does not leak:
# the mount file (20,000 rules) is rewritten 20 times while four client
# threads keep sending requests; every new generation is seen to take
# effect, and the one httpd child's VmRSS/VmHWM stop growing: from the
# 10th to the 20th reload they grow by less than one map (the old code kept
# every map: ten maps more).  No timing is asserted; waits are bounded.
. "$(dirname "$0")/lib.sh"

RULES=${RULES:-20000}
RELOADS=${RELOADS:-20}
start_backend b1 --secret s
printf 'worker.list=w1\nworker.w1.host=127.0.0.1\nworker.w1.port=%s\nworker.w1.secret=s\n' \
    "$BACKEND_PORT" >"$IT_TMP/workers.properties"
printf '/app/*=w1\n' >"$IT_TMP/uriworkermap.properties"
chmod 644 "$IT_TMP/uriworkermap.properties"
AJPORT=$(free_port)
H=$IT_TMP/h
httpd_conf "$H" "$AJPORT" <<CONF
ServerLimit 1
StartServers 1
ThreadsPerChild 8
MaxRequestWorkers 8
MinSpareThreads 1
MaxSpareThreads 8
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile "$H/logs/mod_jk.log"
JkLogLevel info
JkMountFile "$IT_TMP/uriworkermap.properties"
JkMountFileReload 1
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$AJPORT"
child=$(child_pids "$H" | head -n 1)
[ -n "$child" ] && ok "one httpd child ($child)" || not_ok "one httpd child"

# One python process: load threads, the rewrites, the checks; prints
# "gen N seen|unseen rss_kb hwm_kb" per reload.
python3 - "$AJPORT" "$IT_TMP/uriworkermap.properties" "$child" "$RULES" \
    "$RELOADS" >"$IT_TMP/reload.out" 2>"$IT_TMP/reload.err" <<'PY'
import os, socket, sys, threading, time
port, path, child, rules, reloads = (int(sys.argv[1]), sys.argv[2],
                                     sys.argv[3], int(sys.argv[4]),
                                     int(sys.argv[5]))
def get(p):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
               % p).encode())
    d = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        d += b
    s.close()
    return b"\r\nX-Backend:" in d
stop = False
def load():
    while not stop:
        get("/app/x")
threads = [threading.Thread(target=load) for _ in range(4)]
for t in threads:
    t.start()
def mem():
    v = {}
    with open("/proc/%s/status" % child) as f:
        for line in f:
            k, _, rest = line.partition(":")
            v[k] = rest.split()[0] if rest.split() else "0"
    return v.get("VmRSS", "0"), v.get("VmHWM", "0")
try:
    for g in range(1, reloads + 1):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write("/app/*=w1\n")
            for i in range(rules):
                f.write("/gen%d/r%d/*=w1\n" % (g, i))
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
        seen = False
        for _ in range(60):                 # bounded: about 10 s
            time.sleep(0.15)
            if get("/gen%d/r1/x" % g):
                seen = True
                break
        rss, hwm = mem()
        print("gen %d %s %s %s" % (g, "seen" if seen else "unseen", rss, hwm),
              flush=True)
finally:
    stop = True
    for t in threads:
        t.join()
PY
cat "$IT_TMP/reload.err"
unseen=$(grep -c unseen "$IT_TMP/reload.out")
check "every rewrite of the mount file took effect" 0 "$unseen" \
    "$(cat "$IT_TMP/reload.out")"
check "the old generation is gone after a reload" "local" \
    "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$AJPORT/gen1/r1/x \
       | sed 's/^404$/local/')"

# Memory: a map of RULES rules is about (VmRSS after reload 2 - after
# reload 1).  The allocator settles within a few reloads (free blocks are
# reused, not returned); from the middle on the child must stay flat
# within one map, where the old code grew by a map per reload.
half=$((RELOADS / 2))
r1=$(awk '$2 == 1 {print $4}' "$IT_TMP/reload.out")
r2=$(awk '$2 == 2 {print $4}' "$IT_TMP/reload.out")
rh=$(awk -v h="$half" '$2 == h {print $4}' "$IT_TMP/reload.out")
rn=$(awk 'END {print $4}' "$IT_TMP/reload.out")
hh=$(awk -v h="$half" '$2 == h {print $5}' "$IT_TMP/reload.out")
hn=$(awk 'END {print $5}' "$IT_TMP/reload.out")
echo "# VmRSS kB per reload: $(awk '{printf "%s ", $4}' "$IT_TMP/reload.out")"
map_kb=$(( (r2 - r1) > 1024 ? (r2 - r1) : 1024 ))
if [ -n "$rn" ] && [ "$rn" -le "$((rh + map_kb))" ] \
   && [ "$hn" -le "$((hh + map_kb))" ]; then
    ok "child memory flat from reload $half to $RELOADS (VmRSS $rh -> $rn kB, VmHWM $hh -> $hn kB, one map ~$map_kb kB)"
else
    not_ok "child memory flat from reload $half to $RELOADS" \
        "VmRSS $rh -> $rn kB, VmHWM $hh -> $hn kB; one map ~$map_kb kB"
fi
check "no reload error in mod_jk.log" "" \
    "$(grep -a 'cannot be used' "$H/logs/mod_jk.log" | head -n 2)"
httpd_stop "$H"
it_done
