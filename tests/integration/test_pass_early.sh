#!/bin/sh
# tests/integration/test_pass_early.sh -- when the module hands held body
# bytes to the client (issue #13, docs/PROTOCOL.md 6.3).  The fake backend
# sends part of an answer, says so (--gate-file's ".waiting" file) and
# waits until the test opens the gate.
#   - An answer part of which already went out (past the first 64 KiB),
#     or whose Content-Length is over 64 KiB, streams: what the backend
#     sent before it paused reaches the client, not only at the next
#     64 KiB or the end.  Measured cause: a thread that sleeps with bytes held costs
#     Tomcat a wake-up more (docs/BENCHMARKS.md).
#   - A body whole by its Content-Length goes out before END_RESPONSE.
#   - An answer that may fit in 64 KiB stays held until it ends, so a
#     member that dies mid-answer is replaced unseen (docs/BALANCER.md
#     section 5): with and without a Content-Length.
# A module that holds bytes too long never lets the test see them: the
# test opens the gate itself after 15 s and fails.  mod_jk, which writes
# each chunk as it comes, is run on the first case when installed (a body
# under 8 KiB it keeps in httpd's write buffer until the end: measured,
# the second case sees 0 bytes with it).
. "$(dirname "$0")/lib.sh"

GATE=$IT_TMP/gate
start_backend b1 --route m1 --gate-file "$GATE"; P1=$BACKEND_PORT
start_backend b2 --route m2; P2=$BACKEND_PORT
cat >"$IT_TMP/workers.properties" <<WP
worker.list=w1,lb,lb2
worker.w1.host=127.0.0.1
worker.w1.port=$P1
worker.m1.host=127.0.0.1
worker.m1.port=$P1
worker.m2.host=127.0.0.1
worker.m2.port=$P2
worker.lb.type=lb
worker.lb.balance_workers=m1,m2
worker.n1.reference=worker.m1
worker.n2.reference=worker.m2
worker.lb2.type=lb
worker.lb2.balance_workers=n1,n2
WP

# The body of ?size=N: 16-byte blocks, the offset in hex and a newline.
expect_md5() {
    python3 -c 'import sys
n = int(sys.argv[1])
sys.stdout.write("".join("%015x\n" % o for o in range(0, n, 16))[:n])' "$1" \
        | md5sum
}

# gated NAME PORT QUERY SIZE SEEN: one request that b1 holds at its gate;
# the client must have SEEN body bytes while b1 waits.
gated() {
    rm -f "$GATE" "$GATE.waiting" "$IT_TMP/body"
    curl -s -N -o "$IT_TMP/body" -w '%{http_code} %{size_download}' \
        "http://127.0.0.1:$2/app/held?$3" >"$IT_TMP/curl.out" &
    cpid=$!
    seen=0
    for _ in $(seq 1 150); do
        if [ -e "$GATE.waiting" ]; then
            seen=$(stat -c %s "$IT_TMP/body" 2>/dev/null || echo 0)
            [ "$seen" -ge "$5" ] && break
        fi
        sleep 0.1
    done
    touch "$GATE"
    wait "$cpid"
    check "$1: $3: $5 bytes reach the client while the backend waits" \
        "$5" "$seen"
    check "$1: $3: the whole answer follows" "200 $4" \
        "$(cat "$IT_TMP/curl.out")"
    check "$1: $3: the answer is the backend's bytes in order" \
        "$(expect_md5 "$4")" "$(md5sum <"$IT_TMP/body")"
}

# started NAME PORT: 9 chunks (73,656 bytes) pass the 64 KiB mark and go
# out; the 10th is held only until the backend pauses.
started() {
    gated "$1" "$2" "gate=81840&size=200000" 200000 81840
}

conf() {
    httpd_conf "$1" "$2" <<CONF
$(one_child)
JkWorkersFile "$IT_TMP/workers.properties"
JkMount /app/* w1
JkMount /lb/* lb
JkMount /lb2/* lb2
CONF
}

port=$(free_port)
H=$IT_TMP/h
conf "$H" "$port"
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port
started mod_ajplb "$port"
gated mod_ajplb "$port" "gate&size=200000&hdr=Content-Length:200000" \
    200000 8184
gated mod_ajplb "$port" "gate=3000&size=3000&hdr=Content-Length:3000" 3000 3000

# The pauses did not cost the connection: the next request reuses it (one
# child, so it meets the pooled connection of the last one).
before=$(backend_stat b1 connections_accepted)
check "mod_ajplb: a request after the gated ones" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/app/x")"
check "mod_ajplb: it reuses the backend connection" "$before" \
    "$(backend_stat b1 connections_accepted)"

# Held: answers that may fit in 64 KiB.  b1 sends its first chunk and is
# killed at the gate; the GET goes to m2, and the client gets m2's whole
# answer.  Had b1's chunk gone out, the client's connection would have
# been broken off instead.  A killed member is in error for a minute, so
# each case goes through its own lb (killed_at_gate LB MEMBER QUERY SIZE).
killed_at_gate() {
    BACKEND_FIXED_PORT=$P1 start_backend b1 --route m1 --gate-file "$GATE"
    rm -f "$GATE" "$GATE.waiting"
    done_before=$(backend_stat b2 requests_completed)
    curl -s -o "$IT_TMP/body" -w '%{http_code} %{size_download}' \
        -H "Cookie: JSESSIONID=s.$2" "$U/$1/held?$3" \
        >"$IT_TMP/curl.out" 2>&1 &
    cpid=$!
    for _ in $(seq 1 150); do
        [ -e "$GATE.waiting" ] && break
        sleep 0.1
    done
    check "$3: b1 sent its first chunk and waits" yes \
        "$([ -e "$GATE.waiting" ] && echo yes)"
    kill -9 "$(cat "$IT_TMP/b1.pid")"
    wait "$cpid"
    check "$3: member killed mid-answer: the client gets the other's" \
        "200 $4" "$(cat "$IT_TMP/curl.out")"
    check "$3: ... whole and in order" "$(expect_md5 "$4")" \
        "$(md5sum <"$IT_TMP/body")"
    check "$3: ... from b2" $((done_before + 1)) \
        "$(backend_stat b2 requests_completed)"
}
stop_backend b1
killed_at_gate lb m1 "gate&size=20000" 20000
killed_at_gate lb2 n1 "gate&size=60000&hdr=Content-Length:60000" 60000
httpd_stop "$H"

if [ -r "$MODJK" ]; then
    start_backend b1 --route m1 --gate-file "$GATE"
    sed -i "s/^worker.w1.port=.*/worker.w1.port=$BACKEND_PORT/" \
        "$IT_TMP/workers.properties"
    port=$(free_port)
    J=$IT_TMP/j
    conf "$J" "$port"
    use_mod_jk "$J"
    if httpd_start "$J"; then
        wait_http "$port"
        started mod_jk "$port"
        httpd_stop "$J"
    else
        not_ok "httpd with mod_jk starts" "$(cat "$J/logs/error.log")"
    fi
fi
it_done
