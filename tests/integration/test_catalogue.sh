#!/bin/sh
# tests/integration/test_catalogue.sh -- the fault-catalogue cases that no
# other test covers (docs/SECURITY.md), through the real httpd with the C
# fake backend: request framing attacks (TE/CL, bodies shorter or longer
# than announced, AJP inside a body, broken chunked bodies, 100-continue,
# HEAD), a 10^4-request token stress with aborting and faulting clients
# (no response ever reaches the wrong client), GET_BODY_CHUNK after the
# end, bad CPONGs, a slow-drip backend, black-holed SYNs, EMFILE, a
# packet-size mismatch with Tomcat, and the shared-memory file's mode.
# Each check's message starts with its catalogue id.
. "$(dirname "$0")/lib.sh"

HT=$IT_ROOT/tests/integration
TOOLS=$IT_ROOT/tests/tools
export HT TOOLS

# b1: the main backend.  A body that ended short or long taints its
# connection, so any reuse of it shows in tainted_requests (T-R10).
start_backend b1 --secret s --taint-short-body; B1=$BACKEND_PORT
# b2: "Tomcat" with packetSize 8192 behind a worker that says 16384; b3:
# one whose packetSize does match 16384.
start_backend b2 --secret s; B2=$BACKEND_PORT
start_backend b3 --secret s --max-packet 16384; B3=$BACKEND_PORT
# bc: every CPING gets a stale body chunk before its CPONG.
start_backend bc --secret s --cping-fault cpong_leftover; BC=$BACKEND_PORT
dead=$(free_port)

# bh: a listener whose accept queue is full and never drained.  Linux drops
# a SYN for a full queue, so a connect to it hangs as if a firewall dropped
# it, without leaving the loopback interface and without root.
cat >"$IT_TMP/blackhole.py" <<'PY'
import os, socket, sys, time
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(0)
port = l.getsockname()[1]
held = []
for _ in range(8):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        pass
    held.append(s)
time.sleep(0.3)
probe = socket.socket()
probe.settimeout(1.0)
try:
    probe.connect(("127.0.0.1", port))
    ok = False
except OSError:
    ok = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d %d\n" % (port, 1 if ok else 0))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(3600)
PY
python3 "$IT_TMP/blackhole.py" "$IT_TMP/bh.port" &
echo $! >"$IT_TMP/bh.pid"
IT_PIDFILES="$IT_PIDFILES $IT_TMP/bh.pid"
for _ in $(seq 1 100); do [ -s "$IT_TMP/bh.port" ] && break; sleep 0.05; done
BH=$(cut -d' ' -f1 "$IT_TMP/bh.port")
BH_DROPS=$(cut -d' ' -f2 "$IT_TMP/bh.port")

port=$(free_port)
H=$IT_TMP/h
cat >"$IT_TMP/workers.properties" <<WP
worker.list=w1,wpc,wcping,lbpk,wbh,wdead,lbcyc
worker.w1.host=127.0.0.1
worker.w1.port=$B1
worker.w1.secret=s
worker.w1.connection_pool_size=16
worker.wpc.host=127.0.0.1
worker.wpc.port=$B1
worker.wpc.secret=s
worker.wpc.ping_mode=P
worker.wpc.ping_timeout=300
worker.wcping.host=127.0.0.1
worker.wcping.port=$BC
worker.wcping.secret=s
worker.wcping.ping_mode=C
worker.wcping.ping_timeout=300
worker.m1.host=127.0.0.1
worker.m1.port=$B2
worker.m1.secret=s
worker.m1.max_packet_size=16384
worker.m2.host=127.0.0.1
worker.m2.port=$B3
worker.m2.secret=s
worker.m2.max_packet_size=16384
worker.lbpk.type=lb
worker.lbpk.balance_workers=m1,m2
worker.wbh.host=127.0.0.1
worker.wbh.port=$BH
worker.wbh.secret=s
worker.wbh.retries=1
worker.wdead.host=127.0.0.1
worker.wdead.port=$dead
worker.wdead.secret=s
worker.wdead.retries=1
worker.ra.host=127.0.0.1
worker.ra.port=$dead
worker.ra.secret=s
worker.ra.redirect=rb
worker.rb.reference=worker.ra
worker.rb.redirect=ra
worker.lbcyc.type=lb
worker.lbcyc.balance_workers=ra,rb
WP
httpd_conf "$H" "$port" <<CONF
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel info
JkShmFile logs/jkshm
Mutex flock:$H/run ajplb-shm
JkMount /app/* w1
JkMount /drip/* w1;reply_timeout=400
JkMount /ping/* wpc
JkMount /cping/* wcping
JkMount /pk/* lbpk
JkMount /bh/* wbh
JkMount /dead/* wdead
JkMount /cyc/* lbcyc
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port
export PORT=$port

code() { curl -s -o /dev/null --max-time 30 -w '%{http_code}' "$@"; }
stat1() { backend_stat b1 "$1"; }

# py NAME: run the Python on stdin; it prints "ok - ..." / "not ok - ..."
# lines (each counted here) and "# ..." notes.
py() {
    python3 - >"$IT_TMP/py.out" 2>&1
    while IFS= read -r line; do
        case $line in
            "ok - "*) ok "${line#ok - }" ;;
            "not ok - "*) not_ok "${line#not ok - }" ;;
            *) echo "$line" ;;
        esac
    done <"$IT_TMP/py.out"
}

# --- T-R9 / T-R9b / T-G3: Transfer-Encoding and Content-Length conflicts ---
before=$(stat1 requests_started)
py <<'PY'
import os, sys
sys.path.insert(0, os.environ["HT"])
import ht
port = int(os.environ["PORT"])
def req(extra, body=b"hello"):
    return (b"POST /app/te HTTP/1.1\r\nHost: x\r\n" + extra + b"\r\n" + body)
cases = [
    ("Transfer-Encoding: gzip with Content-Length",
     b"Transfer-Encoding: gzip\r\nContent-Length: 5\r\n"),
    ("Transfer-Encoding: chunked, gzip with Content-Length",
     b"Transfer-Encoding: chunked, gzip\r\nContent-Length: 5\r\n"),
    ("Transfer-Encoding: xchunked with Content-Length",
     b"Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n"),
    ("Transfer-Encoding: chunked;q=1 with Content-Length",
     b"Transfer-Encoding: chunked;q=1\r\nContent-Length: 5\r\n"),
    ("two different Content-Length headers",
     b"Content-Length: 5\r\nContent-Length: 6\r\n"),
    ("Content-Length: +5", b"Content-Length: +5\r\n"),
    ("Content-Length: 5 x", b"Content-Length: 5 x\r\n"),
    ("Content-Length: 0x5", b"Content-Length: 0x5\r\n"),
    ("Content-Length above 2^63",
     b"Content-Length: 99999999999999999999\r\n"),
]
for name, extra in cases:
    rs = ht.parse(ht.raw(port, req(extra), expect=1))
    st = rs[0].status if rs else None
    if st in (400, 413, 501):
        print("ok - T-R9: %s refused (%d)" % (name, st))
    else:
        print("not ok - T-R9: %s refused with 400/501 (got %r)" % (name, st))
PY
check "T-R9/T-G3: no refused request reached the backend (no FORWARD_REQUEST)" \
    "$before" "$(stat1 requests_started)"
# Both chunked and Content-Length: the chunked framing wins, the length is
# not forwarded, the backend gets exactly the chunked body.
before=$(stat1 requests_started)
py <<'PY'
import os, sys
sys.path.insert(0, os.environ["HT"]); sys.path.insert(0, os.environ["TOOLS"])
import ht
from ajp_client import fnv1a64
port = int(os.environ["PORT"])
data = ht.raw(port, b"POST /app/both HTTP/1.1\r\nHost: x\r\n"
              b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n"
              b"Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n", expect=1)
rs = ht.parse(data)
st = rs[0].status if rs else None
if st in (400, 501):
    print("ok - T-R9: chunked plus Content-Length refused (%d)" % st)
elif st == 200:
    e = rs[0].echo()
    good = (e.get("body_length") == "5"
            and e.get("body_fnv1a64") == fnv1a64(b"hello")
            and "header.content-length" not in e)
    print("%s - T-R9: chunked plus Content-Length: chunked wins, length "
          "not forwarded (%s, %s)" % ("ok" if good else "not ok",
                                      e.get("body_length"),
                                      e.get("header.content-length")))
else:
    print("not ok - T-R9: chunked plus Content-Length (got %r)" % st)
PY
after=$(stat1 requests_started)
[ "$after" -le $((before + 1)) ] \
    && ok "T-G3: at most one FORWARD_REQUEST for that request" \
    || not_ok "T-G3: at most one FORWARD_REQUEST for that request" "$before -> $after"
# T-R9b: the next request is clean: on a connection no fault touched.
out=$(curl -s --max-time 30 "$U/app/r9b?t=r9b")
check_grep "T-R9b: the next request is served on an untainted connection" \
    "^tainted: 0$" "$out"
check_grep "T-R9b: ... and gets its own answer" "^query: t=r9b$" "$out"

# --- T-R11: a body longer than Content-Length -------------------------------
before=$(stat1 requests_started)
py <<'PY'
import os, sys
sys.path.insert(0, os.environ["HT"]); sys.path.insert(0, os.environ["TOOLS"])
import ht
from ajp_client import fnv1a64
port = int(os.environ["PORT"])
smug = (b"GET /app/smuggled?t=inner HTTP/1.1\r\nHost: x\r\n"
        b"Connection: close\r\n\r\n")
data = ht.raw(port, b"POST /app/r11?t=outer HTTP/1.1\r\nHost: x\r\n"
              b"Content-Length: 10\r\n\r\n0123456789" + smug, expect=2)
rs = ht.parse(data)
e1 = rs[0].echo() if rs else {}
good = (e1.get("query") == "t=outer" and e1.get("body_length") == "10"
        and e1.get("body_fnv1a64") == fnv1a64(b"0123456789"))
print("%s - T-R11: the extra bytes are not in the first request's body "
      "(%s bytes)" % ("ok" if good else "not ok", e1.get("body_length")))
e2 = rs[1].echo() if len(rs) > 1 else {}
print("%s - T-R11: the extra bytes are read as the client's next request "
      "by httpd, not by the backend (%r)"
      % ("ok" if e2.get("uri") == "/app/smuggled"
         and e2.get("query") == "t=inner" and e2.get("body_length") == "0"
         else "not ok", e2.get("uri")))
# Junk after the body: httpd refuses it as a request; the body is exact.
data = ht.raw(port, b"POST /app/r11b HTTP/1.1\r\nHost: x\r\n"
              b"Content-Length: 4\r\n\r\nabcd\x12\x34\x00\x10\x02\x02junk\r\n\r\n")
rs = ht.parse(data)
e1 = rs[0].echo() if rs else {}
print("%s - T-R11: junk after the body never reaches the body packets "
      "(%s bytes)" % ("ok" if e1.get("body_length") == "4"
                      and e1.get("body_fnv1a64") == fnv1a64(b"abcd")
                      else "not ok", e1.get("body_length")))
PY
check "T-R11/T-G3: exactly three FORWARD_REQUESTs for the three requests" \
    $((before + 3)) "$(stat1 requests_started)"

# --- T-R12: a body that is an AJP FORWARD_REQUEST --------------------------
before=$(stat1 requests_started); bad0=$(stat1 bad_requests)
pe0=$(stat1 protocol_errors)
py <<'PY'
import os, sys
sys.path.insert(0, os.environ["HT"]); sys.path.insert(0, os.environ["TOOLS"])
import ht
from ajp_client import fnv1a64, forward_request, body_packet
port = int(os.environ["PORT"])
ajp = forward_request(method="GET", uri="/app/admin", query="t=evil",
                      headers=[("Host", "x")])
big = (ajp + body_packet(b"")) * 400          # crosses several packets
for name, body, cl in (("exact length", ajp, len(ajp)),
                       ("20 KB of AJP packets", big, len(big)),
                       ("length one short", ajp, len(ajp) - 1)):
    data = ht.raw(port, b"POST /app/r12?t=outer HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n" % cl
                  + body, expect=1)
    rs = ht.parse(data)
    e = rs[0].echo() if rs else {}
    good = (e.get("query") == "t=outer"
            and e.get("body_length") == str(cl)
            and e.get("body_fnv1a64") == fnv1a64(body[:cl]))
    print("%s - T-R12: AJP bytes in a body (%s) arrive as body bytes of one "
          "request (%s)" % ("ok" if good else "not ok", name,
                            e.get("body_length")))
# Length one too long: the client stops short and half-closes.
data = ht.raw(port, b"POST /app/r12?t=short HTTP/1.1\r\nHost: x\r\n"
              b"Content-Length: %d\r\n\r\n" % (len(ajp) + 1) + ajp,
              shut=True, wait=5)
rs = ht.parse(data)
print("%s - T-R12: a body one byte short of its length never completes "
      "(%r)" % ("ok" if not rs or rs[0].status != 200 else "not ok",
                rs[0].status if rs else None))
PY
after=$(stat1 requests_started)
[ "$after" -le $((before + 4)) ] \
    && ok "T-R12/T-G3: at most one FORWARD_REQUEST per client request ($((after - before)) for 4)" \
    || not_ok "T-R12/T-G3: at most one FORWARD_REQUEST per client request" "$before -> $after"
check "T-R12: the backend never parsed body bytes as a request" \
    "$bad0 $pe0" "$(stat1 bad_requests) $(stat1 protocol_errors)"

# --- T-R13: broken chunked bodies are passed on as aborted ------------------
got0=$(stat1 bodies_received)
py <<'PY'
import os, sys
sys.path.insert(0, os.environ["HT"])
import ht
port = int(os.environ["PORT"])
head = (b"POST /app/r13 HTTP/1.1\r\nHost: x\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n")
cases = [
    ("a chunk size of ffffffffffffffff",
     head + b"ffffffffffffffff\r\nabc\r\n0\r\n\r\n", False),
    ("no final chunk, client half-closes",
     head + b"5\r\nhello\r\n5\r\nworld\r\n", True),
    ("a chunk shorter than its size, client half-closes",
     head + b"a\r\nhello", True),
    ("a bad trailer", head + b"5\r\nhello\r\n0\r\nBad Trailer\r\n\r\n",
     False),
    ("a chunk size that is not hex", head + b"5\r\nhello\r\nzz\r\nab\r\n",
     False),
]
for name, data, shut in cases:
    rs = ht.parse(ht.raw(port, data, shut=shut, wait=4))
    st = rs[0].status if rs else None
    print("%s - T-R13: %s: the client gets no 200 (%r)"
          % ("ok" if st != 200 else "not ok", name, st))
PY
check "T-R13: no broken chunked body reached the backend as a complete one" \
    "$got0" "$(stat1 bodies_received)"
py <<'PY'
import os, sys
sys.path.insert(0, os.environ["HT"])
import ht
port = int(os.environ["PORT"])
rs = ht.parse(ht.raw(port, b"POST /app/r13ok HTTP/1.1\r\nHost: x\r\n"
                     b"Transfer-Encoding: chunked\r\nConnection: close\r\n"
                     b"\r\n5;ext=1\r\nhello\r\n0\r\n\r\n", expect=1))
e = rs[0].echo() if rs else {}
print("%s - T-R13: chunk extensions are fine: the body arrives whole (%s)"
      % ("ok" if e.get("body_length") == "5" and e.get("body_complete") == "1"
         else "not ok", e.get("body_length")))
PY

# --- T-R14: Expect: 100-continue and a backend that answers early ----------
head -c 200000 /dev/urandom >"$IT_TMP/body200k"
pe0=$(stat1 protocol_errors)
check "T-R14: early 413 with 100-continue: no deadlock, the client gets it" \
    413 "$(code -H 'Expect: 100-continue' -X POST --data-binary @"$IT_TMP/body200k" "$U/app/early?fault=early_answer")"
got=$(curl -s -o /dev/null --max-time 30 -w '%{http_code} ' \
      -H 'Expect: 100-continue' -X POST --data-binary @"$IT_TMP/body200k" \
      "$U/app/early?fault=early_answer&status=403" \
      --next -s -o /dev/null --max-time 30 -w '%{http_code}' "$U/app/after14")
check "T-R14: early 403, then a second request on the same client connection" \
    "403 200" "$got"
check "T-R14: no unasked body packet reached the backend after its answer" \
    "$pe0" "$(stat1 protocol_errors)"

# --- T-R15: HEAD and a backend that sends a body anyway ---------------------
check "T-R15: HEAD with a backend body: no body to the client" "200 0" \
    "$(curl -s -I -o /dev/null --max-time 30 -w '%{http_code} %{size_download}' "$U/app/h?forcebody=1&size=100000")"
py <<'PY'
import os, sys
sys.path.insert(0, os.environ["HT"])
import ht
port = int(os.environ["PORT"])
data = ht.raw(port, b"HEAD /app/h?forcebody=1&size=5000 HTTP/1.1\r\n"
              b"Host: x\r\n\r\nGET /app/after15?t=r15 HTTP/1.1\r\nHost: x\r\n"
              b"Connection: close\r\n\r\n", expect=2, head=(0,))
rs = ht.parse(data, head=(0,))
good = (len(rs) == 2 and rs[0].status == 200 and rs[1].status == 200
        and rs[1].echo().get("query") == "t=r15")
print("%s - T-R15: HEAD then GET pipelined: no body bytes between them, the "
      "GET gets its own answer" % ("ok" if good else "not ok"))
PY
check "T-R15: the HEAD connections were read to END_RESPONSE or closed" 0 \
    "$(stat1 tainted_requests)"

# --- T-R8: an extension method is stored, a non-token method refused -------
out=$(curl -s --max-time 30 -X FOOBAR "$U/app/m")
check_grep "T-R8: FOOBAR goes to the backend as a stored method" \
    "^method: FOOBAR$" "$out"
check_grep "T-R8: ... with method code 0xFF" "^method_code: 255$" "$out"
before=$(stat1 requests_started)
py <<'PY'
import os, sys
sys.path.insert(0, os.environ["HT"])
import ht
port = int(os.environ["PORT"])
rs = ht.parse(ht.raw(port, b"FO(O /app/m HTTP/1.1\r\nHost: x\r\n\r\n",
                     expect=1))
st = rs[0].status if rs else None
print("%s - T-R8: a method with non-token bytes is refused (%r)"
      % ("ok" if st in (400, 501) else "not ok", st))
PY
check "T-R8: ... before any AJP encoding" "$before" "$(stat1 requests_started)"

# --- T-B13: GET_BODY_CHUNK after the end of the body ------------------------
out=$(curl -s --max-time 20 -X POST --data-binary 0123456789 "$U/app/b13?fault=getbody_extra")
check_grep "T-B13: after a complete body the module answers an extra ask with an empty packet" \
    "^getbody_extra_reply: 0$" "$out"
check_grep "T-B13: ... and the body is exactly the client's" "^body_length: 10$" "$out"
r=$(curl -s -o "$IT_TMP/b13" --max-time 20 -w '%{http_code}' "$U/app/b13?fault=getbody_extra")
if [ "$r" = 200 ]; then
    check_grep "T-B13: a request with no body: an ask gets an empty packet, no client read" \
        "^getbody_extra_reply: 0$" "$(cat "$IT_TMP/b13")"
else
    check "T-B13: a request with no body: an ask fails the request cleanly" 502 "$r"
fi
out=$(printf 'abc' | curl -s --max-time 20 -H 'Transfer-Encoding: chunked' \
      --data-binary @- "$U/app/b13?fault=getbody_extra")
check_grep "T-B13: chunked body: an ask after the end gets an empty packet" \
    "^getbody_extra_reply: 0$" "$out"

# --- T-R10b: the backend resets while asking for the body ------------------
head -c 50000 /dev/urandom >"$IT_TMP/body50k"
r=$(code -X POST --data-binary @"$IT_TMP/body50k" "$U/app/r10b?fault=getbody_rst")
case $r in
    502|503) ok "T-R10b: backend reset in the middle of the body: $r" ;;
    *) not_ok "T-R10b: backend reset in the middle of the body: 502 or 503" "got $r" ;;
esac
check "T-R10b: the reset fault really fired" 1 "$(stat1 fault.getbody_rst)"
for i in 1 2 3 4 5 6; do
    out=$(curl -s --max-time 30 "$U/app/r10b-next?t=n$i")
    echo "$out" | grep -q "^query: t=n$i$" || break
done
check_grep "T-R10b: every later request gets its own answer" "^query: t=n6$" "$out"
check "T-R10b: no request went over the reset connection" 0 "$(stat1 tainted_requests)"

# --- T-R10 / T-G2: token stress with aborting and faulting clients ---------
cat >"$IT_TMP/stress.py" <<'PY'
import http.client, os, random, socket, sys, threading
sys.path.insert(0, os.environ["TOOLS"])
from ajp_client import fnv1a64
port = int(os.environ["PORT"])
TOTAL = int(os.environ.get("STRESS", "10000"))
CLIENTS = 6
lock = threading.Lock()
res = {"ok": 0, "mismatch": 0, "error": 0, "aborts": 0, "faults": 0}
samples = []

def note(k, msg=None):
    with lock:
        res[k] += 1
        if msg and len(samples) < 5:
            samples.append(msg)

def client(cid, n):
    rnd = random.Random(cid)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(n):
        tok = "c%d-%d-%08x" % (cid, i, rnd.getrandbits(32))
        kind = i % 10
        try:
            if kind < 6:
                c.request("GET", "/app/tok?t=" + tok)
                r = c.getresponse(); b = r.read()
                e = dict(l.split(": ", 1) for l in b.decode().splitlines()
                         if ": " in l)
                if r.status != 200:
                    note("error", "GET %s: %d" % (tok, r.status))
                elif e.get("query") != "t=" + tok:
                    note("mismatch", "GET %s got %r" % (tok, e.get("query")))
                else:
                    note("ok")
            elif kind < 9:
                body = (tok * 40).encode()[:rnd.randint(1, 3000)]
                q = "/app/tok?t=" + tok
                if kind == 8:
                    q += "&fault=" + ("after_end", "reuse0")[i % 2]
                c.request("POST", q, body=body)
                r = c.getresponse(); b = r.read()
                e = dict(l.split(": ", 1) for l in b.decode().splitlines()
                         if ": " in l)
                if r.status != 200:
                    note("error", "POST %s: %d" % (tok, r.status))
                elif (e.get("query", "").split("&")[0] != "t=" + tok
                      or e.get("body_fnv1a64") != fnv1a64(body)):
                    note("mismatch", "POST %s got %r" % (tok, e.get("query")))
                else:
                    note("ok")
            else:
                # T-R10: Content-Length 100, then 0 or 10 bytes and gone;
                # or 20000 announced and 10000 sent, so that the first
                # body packet went out and the backend asks for more.
                s = socket.create_connection(("127.0.0.1", port))
                if i % 30 == 29:
                    s.sendall(b"POST /app/abort?t=%s HTTP/1.1\r\nHost: x\r\n"
                              b"Content-Length: 20000\r\n\r\n"
                              % tok.encode() + b"z" * 10000)
                    s.shutdown(socket.SHUT_WR)
                    s.settimeout(10)
                    try:
                        s.recv(4096)
                    except OSError:
                        pass
                else:
                    s.sendall(b"POST /app/abort?t=%s HTTP/1.1\r\nHost: x\r\n"
                              b"Content-Length: 100\r\n\r\n" % tok.encode()
                              + (b"0123456789" if i % 20 == 9 else b""))
                s.close()
                note("aborts")
        except (OSError, http.client.HTTPException) as ex:
            note("error", "%s: %r" % (tok, ex))
            c.close()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.close()

per = TOTAL // CLIENTS + 1
ts = [threading.Thread(target=client, args=(k, per)) for k in range(CLIENTS)]
for t in ts: t.start()
for t in ts: t.join()
print("# stress: %r" % res)
for s in samples:
    print("# " + s)
print("%s - T-G2: no response reached the wrong client (%d answers "
      "checked, %d mismatched)" % ("ok" if res["mismatch"] == 0 and
                                   res["ok"] > 0 else "not ok",
                                   res["ok"], res["mismatch"]))
print("%s - T-R10: every token request got a 200 while clients aborted "
      "bodies (%d errors, %d aborts)" % ("ok" if res["error"] == 0
                                         else "not ok", res["error"],
                                         res["aborts"]))
PY
# 10^4 requests in the plain run; the sanitizer run (several times slower)
# takes the same paths with 2000, looking for memory errors.
if [ -n "$SAN_ENV" ]; then STRESS=${STRESS:-2000}; else STRESS=${STRESS:-10000}; fi
export STRESS
inc0=$(( $(stat1 bodies_incomplete) + $(stat1 bodies_aborted) ))
py <"$IT_TMP/stress.py"
sleep 0.5
inc=$(( $(stat1 bodies_incomplete) + $(stat1 bodies_aborted) - inc0 ))
[ "$inc" -gt 0 ] && ok "T-R10: aborted bodies reached the backend ($inc) and were cut off there" \
    || not_ok "T-R10: aborted bodies reached the backend" "$inc"
check "T-R10/T-G2: no request ever went over a connection after a short body or a fault" \
    0 "$(stat1 tainted_requests)"
check "T-R10: the backend saw no framing error" "0 0" \
    "$(stat1 protocol_errors) $(stat1 bad_requests)"

# --- T-B16: bad CPONGs --------------------------------------------------------
got=$(curl -s -o /dev/null -o /dev/null --max-time 30 -w '%{http_code}\n' \
      "$U/ping/arm?arm=cpong_leftover_headers" "$U/ping/after" | tail -n 1)
check "T-B16: CPONG after a stale SEND_HEADERS: connection dropped, request served on a new one" 200 "$got"
check "T-B16: ... that fault was really sent" 1 "$(stat1 fault.cpong_leftover_headers)"
check "T-B16: ... and no request or CPING used that connection again" "0 0" \
    "$(stat1 tainted_requests) $(stat1 tainted_cpings)"
r=$(code "$U/cping/x")
case $r in
    502|503) ok "T-B16: every CPONG after connect is bad: error answer ($r)" ;;
    *) not_ok "T-B16: every CPONG after connect is bad: error answer" "got $r" ;;
esac
log=$(grep 'worker wcping' "$H/logs/mod_jk.log" | grep '\[error\]')
if echo "$log" | grep -q '(Success)' || ! echo "$log" | grep -qi 'cp[io]ng'; then
    not_ok "T-B16: the error line names the bad CPONG, not '(Success)'" "$log"
else
    ok "T-B16: the error line names the bad CPONG, not '(Success)'"
fi
check "T-B16: no request was sent on a connection whose CPONG was bad" \
    "0 0" "$(backend_stat bc requests_started) $(backend_stat bc tainted_cpings)"

# --- T-B21: slow drip ---------------------------------------------------------
want=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); from ajp_client import pattern; sys.stdout.write(pattern(24).decode())' "$TOOLS")
t0=$(date +%s%N)
got=$(curl -s --max-time 30 "$U/drip/a?slowdrip&drip_ms=25&size=24")
t1=$(date +%s%N)
check "T-B21: a reply dripping one byte per 25 ms completes under reply_timeout=400" \
    "$want" "$got"
echo "# drip took $(( (t1 - t0) / 1000000 )) ms in all (longer than reply_timeout: it is per packet)"
r=$(code "$U/drip/b?slowdrip&drip_ms=2000&size=24")
case $r in
    502|504) ok "T-B21: a gap longer than reply_timeout=400 ends the request ($r)" ;;
    *) not_ok "T-B21: a gap longer than reply_timeout ends the request" "got $r" ;;
esac
check "T-B21: the next request is clean" 200 "$(code "$U/app/after21")"

# --- T-O12: max_packet_size larger than Tomcat's packetSize ----------------
# m1 says 16384 to a backend that takes 8192; m2 is configured right.  A
# request whose headers need more than 8192 bytes fails on m1 and moves to
# m2; m1 must stay in rotation for the requests that fit.
big=$(head -c 5000 /dev/zero | tr '\0' a)
r=$(code -H "X-Big: $big" -H "X-Big2: $big" -H 'Cookie: JSESSIONID=x.m1' "$U/pk/x")
case $r in
    200|4*|5*) ok "T-O12: a request too big for m1's packetSize: answered ($r), no hang" ;;
    *) not_ok "T-O12: a request too big for m1's packetSize is answered" "got $r" ;;
esac
check "T-O12: m1's backend refused the oversized packet" 1 \
    "$(backend_stat b2 protocol_errors)"
check_grep "T-O12: the log names packetSize as the likely cause" \
    "worker m1: .*packetSize smaller than max_packet_size=16384" "$(cat "$H/logs/mod_jk.log")"
out=$(curl -s --max-time 30 -H 'Cookie: JSESSIONID=x.m1' "$U/pk/y")
check_grep "T-O12: m1 is not taken out by that client-sized request (its session stays)" \
    "^backend: b2$" "$out"

# --- T-O9: a black-holed SYN ---------------------------------------------------
if [ "$BH_DROPS" = 1 ]; then
    t0=$(date +%s%N)
    r=$(code "$U/bh/x")
    t1=$(date +%s%N)
    check "T-O9: black-holed SYN: 503 from socket_connect_timeout (default 3 s), not TCP's 2 minutes" 503 "$r"
    echo "# black-holed connect took $(( (t1 - t0) / 1000000 )) ms"
    # The error line must name the address and the connect timeout; a
    # black-holed connect is not pool exhaustion.
    log=$(grep 'worker wbh' "$H/logs/mod_jk.log" | grep '\[error\]')
    if echo "$log" | grep -q "127.0.0.1:$BH" \
       && echo "$log" | grep -qi 'connect' \
       && ! echo "$log" | grep -q 'connection_acquire_timeout'; then
        ok "T-O9: the log names the connect timeout, not pool exhaustion"
    else
        not_ok "T-O9: the log names the connect timeout, not pool exhaustion" "$log"
    fi
else
    # The kernel did not drop SYNs for a full accept queue (tcp_syncookies
    # or tcp_abort_on_overflow settings): say so instead of guessing.
    ok "T-O9: skipped: this kernel does not drop SYNs for a full accept queue # SKIP"
fi

# --- T-O10: refused connection, EMFILE ---------------------------------------
check "T-O10: refused connection: 503" 503 "$(code "$U/dead/x")"
check "T-O10: ... and the server still answers" 200 "$(code "$U/app/after10")"

# EMFILE: a prefork httpd with one child whose descriptor limit leaves
# room for the client's socket but not for a backend connection.  The
# children run as another user, so the soft limit is lowered on the parent
# (root, like this script) and a new child inherits it.
H2=$IT_TMP/emfile
port2=$(free_port)
# (httpd_conf sets $port: keep this script's own.)
(IT_MPM=prefork httpd_conf "$H2" "$port2") <<CONF
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkMount /app/* w1
StartServers 1
MinSpareServers 1
MaxSpareServers 1
ServerLimit 1
MaxRequestWorkers 1
KeepAlive Off
<Directory />
    AllowOverride None
</Directory>
CONF
if ! command -v prlimit >/dev/null 2>&1; then
    ok "T-O10: EMFILE skipped: prlimit (util-linux) is not installed # SKIP"
elif httpd_start "$H2" && wait_http "$port2"; then
    parent=$(cat "$H2/run/httpd.pid")
    child=$(child_pids "$H2" | head -n 1)
    # Descriptors are numbered from the lowest free one and the limit
    # bounds the number: the client's socket gets the lowest free number,
    # the backend socket would need the next.
    free=0
    while [ -e "/proc/$child/fd/$free" ]; do free=$((free + 1)); done
    prlimit --pid "$parent" --nofile=$((free + 1)):
    kill -TERM "$child"
    for _ in $(seq 1 100); do
        c2=$(child_pids "$H2" | head -n 1)
        [ -n "$c2" ] && [ "$c2" != "$child" ] && break
        sleep 0.1
    done
    n2=$(ls "/proc/$c2/fd" 2>/dev/null | wc -l)
    echo "# EMFILE child $c2: $n2 descriptors open, limit $((free + 1))"
    r=$(code "http://127.0.0.1:$port2/app/emfile")
    check "T-O10: EMFILE when connecting to the backend: 503" 503 "$r"
    check_grep "T-O10: the log names the cause" \
        "Too many open files" "$(cat "$H2/logs/mod_jk.log")"
    check "T-O10: the child is still there and answers the next client (no crash)" \
        "404 $c2" "$(code "http://127.0.0.1:$port2/nothing"; echo " $(child_pids "$H2" | head -n 1)")"
    httpd_stop "$H2"
else
    not_ok "T-O10: prefork httpd for the EMFILE case starts" "$(cat "$H2/logs/error.log")"
fi

# --- T-G10: the module's error pages show no backend internals ------------
# A 503 (refused connect), a 502 (status HTTP cannot carry) and a 504
# (reply timeout), each for a path carrying markup: the page names no
# backend port, no worker and echoes no unescaped request data.
for case in "503 /dead/%3Cscript%3Eg10%3C/script%3E wdead $dead" \
            "502 /app/%3Cscript%3Eg10%3C/script%3E?status=600 w1 $B1" \
            "504 /drip/%3Cscript%3Eg10%3C/script%3E?delay_ms=1500 w1 $B1"; do
    set -- $case
    body=$(curl -s --max-time 30 -w '\n%{http_code}' "$U$2")
    st=$(printf '%s\n' "$body" | tail -n 1)
    check "T-G10: $2 gets $1" "$1" "$st"
    if printf '%s' "$body" | grep -qE "$4|\\b$3\\b|<script>"; then
        not_ok "T-G10: the $1 page shows no backend port, worker or raw markup" \
            "$(printf '%s' "$body" | head -c 600)"
    else
        ok "T-G10: the $1 page shows no backend port, worker or raw markup"
    fi
done
# The operator's log says what went wrong with that 502: the application's
# status, not packetSize or a broken connector (T-B7).
check_grep "T-B7: mod_jk.log blames the application's status, not packetSize" \
    "worker w1: the application .* outside 200-599: .*fix the application" \
    "$(grep 'outside 200-599' "$H/logs/mod_jk.log")"

# --- T-U21: a 255-byte Host with a URI at the request-line limit ------------
host=$(head -c 251 /dev/zero | tr '\0' h).com
for n in 8100 8170 8200; do
    uri=/app/$(head -c "$n" /dev/zero | tr '\0' u)
    r=$(code -H "Host: $host" "http://127.0.0.1:$port$uri")
    case $r in
        200|400|403|413|414) ok "T-U21: 255-byte Host, ${n}-byte path: mapped or refused ($r)" ;;
        *) not_ok "T-U21: 255-byte Host, ${n}-byte path: mapped or refused" "got $r" ;;
    esac
done
check "T-U21: ... and the server still answers" 200 "$(code "$U/app/after-u21")"

# --- T-C5: a redirect cycle between two dead members ends --------------------
check "T-C5: redirect cycle ra -> rb -> ra with both down: 503, no loop" 503 \
    "$(code -H 'Cookie: JSESSIONID=x.ra' "$U/cyc/x")"
check "T-C5: ... and the server still answers" 200 "$(code "$U/app/after-c5")"

# --- T-O20: shared memory and lock file permissions ---------------------------
shm_check() {
    f=$(ls "$H"/logs/jkshm.* 2>/dev/null | head -n 1)
    check "T-O20: $1: the JkShmFile exists with mode 0600 owned by root" \
        "600 root" "$(stat -c '%a %U' "$f" 2>/dev/null)"
    l=$(ls "$H"/run/*ajplb* 2>/dev/null | head -n 1)
    m=$(stat -c '%a' "$l" 2>/dev/null)
    case $m in
        600|640|644|400) ok "T-O20: $1: the lock file ($(basename "$l")) is not writable by others ($m)" ;;
        *) not_ok "T-O20: $1: the lock file is not writable by others" "file '$l' mode '$m'" ;;
    esac
}
shm_check "after start"
old=$(ls "$H"/logs/jkshm.* 2>/dev/null | head -n 1)
env $SAN_ENV "$APACHE2" -f "$H/httpd.conf" -k graceful
for _ in $(seq 1 100); do
    new=$(ls "$H"/logs/jkshm.* 2>/dev/null | grep -v "^$old$" | head -n 1)
    [ -n "$new" ] && break
    sleep 0.05
done
wait_http "$port"
shm_check "after a graceful restart"
check "T-O20: after a graceful restart the old generation's file is gone" "" \
    "$(ls "$old" 2>/dev/null)"

httpd_stop "$H"
it_done
