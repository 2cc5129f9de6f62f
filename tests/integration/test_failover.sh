#!/bin/sh
# tests/integration/test_failover.sh -- what the balancer saves and what it
# never does, through the real httpd with fake backends: a member killed
# (-9) and restarted under concurrent GETs (none fails), a member frozen
# with SIGSTOP (its requests time out and move, it is marked and gets no
# more), a POST whose member closes while it is sent (reaches one backend
# once), a slow URL and bodiless requests never take a member out, and a
# slow uploader holds no backend connection.
. "$(dirname "$0")/lib.sh"

start_backend b1 --route a1; P1=$BACKEND_PORT
start_backend b2 --route a2; P2=$BACKEND_PORT
start_backend b3 --route a3; P3=$BACKEND_PORT
start_backend s1 --route s1; PS1=$BACKEND_PORT
start_backend s2 --route s2; PS2=$BACKEND_PORT
start_backend s3 --route s3 --cping-fault cpong_none; PS3=$BACKEND_PORT
port=$(free_port)
H=$IT_TMP/h
# The timeouts of the side-by-side measurement with mod_jk, written on the
# members only: they must apply through the lb (#12).
cat >"$IT_TMP/workers.properties" <<WP
worker.list=lb3,lbslow,lb2,lbone,lbmute,jkstatus
worker.maintain=1
worker.t.type=ajp13
worker.t.host=127.0.0.1
worker.t.reply_timeout=3000
worker.t.connect_timeout=2000
worker.t.socket_timeout=3
worker.t.socket_connect_timeout=500
worker.a1.reference=worker.t
worker.a1.port=$P1
worker.a2.reference=worker.t
worker.a2.port=$P2
worker.a3.reference=worker.t
worker.a3.port=$P3
worker.lb3.type=lb
worker.lb3.balance_workers=a1,a2,a3
worker.lb3.recover_time=1

# Same backends, a short reply_timeout on the members only.
worker.c1.reference=worker.a1
worker.c1.reply_timeout=300
worker.c2.reference=worker.a2
worker.c2.reply_timeout=300
worker.c3.reference=worker.a3
worker.c3.reply_timeout=300
worker.lbslow.type=lb
worker.lbslow.balance_workers=c1,c2,c3
worker.lbslow.retries=1

worker.x1.reference=worker.t
worker.x1.port=$PS1
worker.x1.reply_timeout=1000
worker.x1.connect_timeout=0
worker.x1.ping_timeout=1000
worker.x2.reference=worker.x1
worker.x2.port=$PS2
worker.lb2.type=lb
worker.lb2.balance_workers=x1,x2
worker.lb2.recover_time=600

worker.u1.reference=worker.t
worker.u1.port=$P3
worker.u1.connection_pool_size=1
worker.lbone.type=lb
worker.lbone.balance_workers=u1

# Accepts connections, never answers a CPing.
worker.m1.reference=worker.t
worker.m1.port=$PS3
worker.m1.connect_timeout=300
worker.lbmute.type=lb
worker.lbmute.balance_workers=m1

worker.jkstatus.type=status
WP
httpd_conf "$H" "$port" <<CONF
Timeout 10
ServerLimit 1
StartServers 1
ThreadsPerChild 40
MaxRequestWorkers 40
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel info
JkWatchdogInterval 1
JkMount /lb3/* lb3
JkMount /slow/* lbslow
JkMount /lb3slow/* lb3;reply_timeout=200
JkMount /lb2/* lb2
JkMount /one/* lbone
JkMount /mute/* lbmute
JkMount /jkstatus jkstatus
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port

# member_state MEMBER: its state in the status worker's properties.
member_state() {
    curl -s "$U/jkstatus?mime=prop" | sed -n "s/^worker\.$1\.state=//p" | head -n 1
}

cat >"$IT_TMP/load.py" <<'PY'
# load.py PORT PATH THREADS SECONDS [COOKIE]: GETs with a unique token
# each; prints "total N", "bad N" (status != 200 or token not echoed) and
# "by NAME N" per backend, plus the first few bad answers.
import http.client, sys, threading, time, uuid
port, path, nthreads = sys.argv[1], sys.argv[2], int(sys.argv[3])
cookie = sys.argv[5] if len(sys.argv) > 5 else None
stop = time.time() + float(sys.argv[4])
def running():
    return time.time() < stop
lock = threading.Lock()
res = {"total": 0, "bad": 0, "by": {}, "samples": []}
def worker():
    c = None
    while running():
        tok = uuid.uuid4().hex
        try:
            if c is None:
                c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
            h = {"Cookie": cookie} if cookie else {}
            c.request("GET", "%s?tok=%s" % (path, tok), headers=h)
            r = c.getresponse()
            body = r.read().decode("latin-1")
            good = r.status == 200 and ("query: tok=%s" % tok) in body
            who = r.getheader("X-Backend") or "-"
            if r.getheader("Connection", "").lower() == "close":
                c.close(); c = None
        except Exception as e:
            good, who, body = False, "-", "exception %r" % (e,)
            r = None
            try:
                c.close()
            except Exception:
                pass
            c = None
        with lock:
            res["total"] += 1
            res["by"][who] = res["by"].get(who, 0) + 1
            if not good:
                res["bad"] += 1
                if len(res["samples"]) < 3:
                    res["samples"].append("%s %s" % (r.status if r else "-", body[:120].replace("\n", "|")))
ts = [threading.Thread(target=worker) for _ in range(nthreads)]
for t in ts: t.start()
for t in ts: t.join()
print("total %d" % res["total"])
print("bad %d" % res["bad"])
for k, v in sorted(res["by"].items()):
    print("by %s %d" % (k, v))
for s in res["samples"]:
    print("sample %s" % s)
PY
stat_of() { sed -n "s/^$2 //p" "$1" | head -n 1; }

# --- a member killed (-9) and restarted under load (#12 item 3) ----------
# Every GET that failed before a byte reached the client is retried on
# another member, as mod_jk's default recovery does: a refused connect, a
# reset or truncated reply on a pooled connection, a failed CPing.
(
    for round in 1 2 3; do
        sleep 2
        kill -9 "$(cat "$IT_TMP/b1.pid")" 2>/dev/null
        sleep 1
        BACKEND_FIXED_PORT=$P1 start_backend b1 --route a1
    done
) >/dev/null 2>&1 &
killer=$!
python3 "$IT_TMP/load.py" "$port" /lb3/kill 16 9 >"$IT_TMP/kill.out" 2>&1
wait $killer
total=$(stat_of "$IT_TMP/kill.out" total)
check "member killed -9 three times under 16 clients: no GET failed (of ${total:-0})" \
    0 "$(stat_of "$IT_TMP/kill.out" bad)" "$(cat "$IT_TMP/kill.out")"
back=$(stat_of "$IT_TMP/kill.out" "by b1")
within_ok=0
[ "${total:-0}" -gt 1000 ] && within_ok=1
check "the load really ran (more than 1000 GETs)" 1 "$within_ok" "$(cat "$IT_TMP/kill.out")"
[ "${back:-0}" -gt 0 ] && ok "the killed member served between its deaths (${back} GETs)" \
    || not_ok "the killed member served between its deaths" "$(cat "$IT_TMP/kill.out")"

# --- a POST is never sent twice (#10 item 4, T-G1) ----------------------
# The backend closes while the request is still being sent: right after
# the FORWARD_REQUEST, after the first body packet, or half-way into it.
# Whatever the module sees (a reset, a short write, end of file), the POST
# must reach at most one backend, once.
sum_started() {
    echo $(( $(backend_stat b1 requests_started) + $(backend_stat b2 requests_started) \
             + $(backend_stat b3 requests_started) ))
}
head -c 100 /dev/zero | tr '\0' p >"$IT_TMP/small"
head -c 30000 /dev/zero | tr '\0' q >"$IT_TMP/big"
for f in close_after_request close_after_body1 close_mid_packet; do
    for body in small big; do
        before=$(sum_started)
        code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Expect:' \
               --data-binary "@$IT_TMP/$body" "$U/lb3/post?fault=$f")
        sleep 0.2
        check "T-G1 POST ($body body, backend $f): 502, sent to one backend once" \
            "502 $((before + 1))" "$code $(sum_started)"
    done
done
# The same with a pooled connection the backend has just closed while
# idle: the POST goes out on a new connection, once.
curl -s -o /dev/null "$U/lb3/warm"
before=$(sum_started)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "@$IT_TMP/small" \
       "$U/lb3/post-ok")
check "T-G1 POST after idle connections: 200, once" "200 $((before + 1))" \
    "$code $(sum_started)"

# --- a slow URL never takes its member out (#10 item 5) -------------------
# T-O4b, CVE-2012-4557: 20 requests to a URL that always times out (the
# mount's reply_timeout=200; POSTs, so each tries one member), each
# followed by a normal request of the same session: every slow one gets
# its 504, the member answers the CPing after it and stays, and every
# normal request stays on its sticky member.
slow="" normal=""
for i in $(seq 1 20); do
    slow="$slow$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary x \
        -H 'Cookie: JSESSIONID=n.a1' "$U/lb3slow/slow?delay_ms=600")"
    normal="$normal$(curl -s -H 'Cookie: JSESSIONID=n.a1' "$U/lb3/normal" \
        | sed -n 's/^backend: //p')"
done
check "T-O4b 20 requests to a slow URL: all 504" \
    "$(printf '504%.0s' $(seq 1 20))" "$slow"
check "T-O4b every normal request after them stayed on its sticky member" \
    "$(printf 'b1%.0s' $(seq 1 20))" "$normal"
check "T-O4b the slow URL's member is still OK" "OK" "$(member_state a1 | cut -c1-2)"

# T-O5b, CVE-2009-0033: a request that makes Tomcat close without an
# answer, or answer garbage, with nothing else in flight, does not take
# the member out either (it answers the CPing after it).
codes="" normal=""
for f in close_before_headers badmagic close_before_headers badmagic; do
    codes="$codes$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary x \
        -H 'Cookie: JSESSIONID=n.a2' "$U/lb3/bad?fault=$f")"
    normal="$normal$(curl -s -H 'Cookie: JSESSIONID=n.a2' "$U/lb3/normal" \
        | sed -n 's/^backend: //p')"
done
check "T-O5b requests that break the connection: 502 each, member stays" \
    "502502502502 b2b2b2b2" "$codes $normal"

# #12 item 2: a member's reply_timeout (300 on c1..c3, nothing on lbslow,
# whose own default is httpd's Timeout) applies to requests through the lb.
codes=""
for k in 1 2 3; do
    codes="$codes$(curl -s -o /dev/null -w '%{http_code}' "$U/slow/slow?delay_ms=1500") "
done
check "a member's reply_timeout applies through the lb: 504 after 300 ms" \
    "504 504 504 " "$codes"

# --- bodiless requests are the client's fault (#10 item 5) ---------------
# T-O5a, CVE-2010-0408: Content-Length with no body, 1000 times: 400 each,
# the member stays OK and no backend is involved (the body start is read
# before a connection is taken).
before=$(sum_started)
r=$(python3 - "$port" <<'PY'
import socket, sys
port = int(sys.argv[1]); codes = {}
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /lb3/nobody HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=n.a2\r\n"
              b"Content-Length: 10\r\n\r\n")
    s.shutdown(socket.SHUT_WR)
    data = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        data += d
    s.close()
    code = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "none"
    codes[code] = codes.get(code, 0) + 1
print(" ".join("%s=%d" % kv for kv in sorted(codes.items())))
PY
)
check "T-O5a 1000 requests with Content-Length and no body: 400 each" "400=1000" "$r"
check "T-O5a no backend saw them" "$before" "$(sum_started)"
check "T-O5a the sticky member stays OK" "OK" "$(member_state a2 | cut -c1-2)"

# --- a slow uploader holds no backend connection (#10 item 7, T-R16) -----
# u1 has one pooled connection.  A client sends its headers, waits, then
# its body; meanwhile another client is served on that one connection.
python3 - "$port" "$IT_TMP/upload.started" >"$IT_TMP/upload.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /one/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
          b"Connection: close\r\n\r\n")
open(sys.argv[2], "w").close()
time.sleep(3)
s.sendall(b"hello")
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
print(data.split(b"\r\n", 1)[0].decode())
print("body_length: 5" in data.decode("latin-1"))
PY
uploader=$!
for _ in $(seq 1 100); do
    [ -e "$IT_TMP/upload.started" ] && break
    sleep 0.05
done
sleep 0.5
codes=""
for k in 1 2 3; do
    codes="$codes$(curl -s -o /dev/null -w '%{http_code}' -m 10 "$U/one/other") "
done
check "T-R16 while a client dawdles over its body, others are served on the one connection" \
    "200 200 200 " "$codes"
wait $uploader
check "T-R16 the slow upload itself completes" "HTTP/1.1 200 OK True" \
    "$(tr '\n' ' ' <"$IT_TMP/upload.out" | sed 's/ $//')"

# --- a member frozen with SIGSTOP (#12 items 2 and 3) ---------------------
# Its requests on pooled connections time out per the member's
# reply_timeout (not the lb's, httpd's Timeout), the check's CPing gets no
# CPong within ping_timeout, so the member is marked ERR, and the GETs
# that timed out are answered by the other member.  Counted, not timed:
# the member gets marked, every GET is answered with 200, and after
# SIGCONT the frozen backend finds few requests queued (a handful per
# client).
python3 "$IT_TMP/load.py" "$port" /lb2/x 8 5 >"$IT_TMP/stop.out" 2>&1 &
loader=$!
sleep 1
sbefore=$(backend_stat s1 requests_started)
kill -STOP "$(cat "$IT_TMP/s1.pid")"
marked=""
for _ in $(seq 1 80); do
    st=$(member_state x1)
    case "$st" in ERR*) marked=$st; break ;; esac
    sleep 0.1
done
check "a frozen member is marked ERR under load" "ERR" "$(echo "$marked" | cut -c1-3)" \
    "$(curl -s -m 5 "$U/jkstatus?mime=prop" | grep 'x1')"
wait $loader
kill -CONT "$(cat "$IT_TMP/s1.pid")"
sleep 1
queued=$(( $(backend_stat s1 requests_started) - sbefore ))
check "every GET was answered (200) while a member was frozen" 0 \
    "$(stat_of "$IT_TMP/stop.out" bad)" "$(cat "$IT_TMP/stop.out")"
# Bounded, not exact: how many requests reach the member before it is
# marked depends on the machine's load (17, 27, 32 and, once, 64 of 8
# clients seen on this 2-core machine).  The bound catches a retry that
# goes back to the frozen member again and again, not a slow mark.
[ "$queued" -le 80 ] && ok "the frozen member got at most ten requests per client ($queued)" \
    || not_ok "the frozen member got at most ten requests per client" "$queued queued"

# --- connect_timeout bounds the CPing after a connect (#12 item 2) --------
# A member that accepts connections and never answers a CPing: each try
# waits connect_timeout (300 ms), not ping_timeout (10 s), so the 503 comes
# within curl's 8 s bound (main: 4 tries of 10 s).
code=$(curl -s -o /dev/null -m 8 -w '%{http_code}' "$U/mute/x")
check "a member that never sends a CPong: 503, each CPing bounded by connect_timeout" \
    503 "$code"
check "it was asked with CPings, and got no request" \
    "0" "$(backend_stat s3 requests_started)"

# --- timeouts that are configured apply (#12 item 2) ----------------------
# The 504s above came after the members' 300 ms (the lb's own default is
# httpd's Timeout); the frozen member was found by the CPing after connect
# within its connect_timeout.
check_grep "the member's reply_timeout applied through the lb" \
    "worker c1: no reply from .* within reply_timeout=300ms" "$(cat "$H/logs/mod_jk.log")"
check_grep "the frozen member's reply_timeout applied through the lb" \
    "worker x1: no reply from .* within reply_timeout=1000ms" "$(cat "$H/logs/mod_jk.log")"
check_grep "the check after it names the missing CPong" \
    "worker x1: check after a failed request: no CPong .* within 1000ms" \
    "$(cat "$H/logs/mod_jk.log")"

httpd_stop "$H"
it_done
