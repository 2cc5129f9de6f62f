#!/bin/sh
# tests/integration/test_lb.sh -- the sticky-session balancer through the
# real httpd with fake backends that say who answered: spread and
# lbfactor, stickiness by cookie and path parameter, several cookies,
# domains, hot standby, distance, activations, sticky force, all members
# down, recovery, safe failover (GET moves, POST never runs twice),
# set_session_cookie, a member killed mid-run, prefork and graceful restart.
. "$(dirname "$0")/lib.sh"

start_backend b1 --secret s --route w1; P1=$BACKEND_PORT
start_backend b2 --secret s --route w2; P2=$BACKEND_PORT
start_backend b3 --secret s --route w3; P3=$BACKEND_PORT
dead=$(free_port)
port=$(free_port)
H=$IT_TMP/h
cat >"$IT_TMP/workers.properties" <<WP
worker.list=lb,lb31,lbsticky,lbforce,lbdist,lbstandby,lbdomain,lbcookie,lbT,lbB,lbS,lbN,lbdom2
worker.maintain=1
worker.template.type=ajp13
worker.template.host=127.0.0.1
worker.template.secret=s
worker.template.socket_connect_timeout=500
worker.w1.reference=worker.template
worker.w1.port=$P1
worker.w2.reference=worker.template
worker.w2.port=$P2
worker.w3.reference=worker.template
worker.w3.port=$P3
worker.dead.reference=worker.template
worker.dead.port=$dead

worker.lb.type=lb
worker.lb.balance_workers=w1,w2
worker.lb.recover_time=1

# lbfactor 3:1 over copies of w1/w2 (members of several lbs need their own
# worker names only when their settings differ).
worker.f1.reference=worker.w1
worker.f1.lbfactor=3
worker.f2.reference=worker.w2
worker.f2.lbfactor=1
worker.lb31.type=lb
worker.lb31.balance_workers=f1,f2

worker.s2.reference=worker.w2
worker.s2.activation=disabled
worker.s2.route=w2
worker.s3.reference=worker.w3
worker.s3.activation=stopped
worker.s3.route=w3
worker.lbsticky.type=lb
worker.lbsticky.balance_workers=w1,s2,s3

worker.fdead.reference=worker.dead
worker.fdead.route=gone
worker.lbforce.type=lb
worker.lbforce.balance_workers=w1,fdead
worker.lbforce.sticky_session_force=true

worker.near.reference=worker.dead
worker.near.route=near
worker.far.reference=worker.w2
worker.far.route=far
worker.far.distance=1
worker.lbdist.type=lb
worker.lbdist.balance_workers=near,far

worker.main.reference=worker.dead
worker.main.route=main
worker.main.redirect=standby
worker.standby.reference=worker.w3
worker.standby.route=standby
worker.standby.activation=disabled
worker.lbstandby.type=lb
worker.lbstandby.balance_workers=main,standby

worker.d1.reference=worker.w1
worker.d1.route=dom.a
worker.d2.reference=worker.w2
worker.d2.route=dom.b
worker.lbdomain.type=lb
worker.lbdomain.balance_workers=d1,d2

worker.lbT.type=lb
worker.lbT.balance_workers=w1,w2
worker.lbT.method=T
worker.lbB.type=lb
worker.lbB.balance_workers=w1,w2
worker.lbB.method=B
worker.lbS.type=lb
worker.lbS.balance_workers=w1,w2
worker.lbS.method=S
worker.lbN.type=lb
worker.lbN.balance_workers=w1,w2
worker.lbN.method=N

worker.dd1.reference=worker.dead
worker.dd1.route=dom.a
worker.dd2.reference=worker.w2
worker.dd2.route=dom.b
worker.lbdom2.type=lb
worker.lbdom2.balance_workers=dd1,dd2

worker.c1.reference=worker.w1
worker.c2.reference=worker.w2
worker.lbcookie.type=lb
worker.lbcookie.balance_workers=c1,c2
worker.lbcookie.set_session_cookie=true
worker.lbcookie.session_cookie=MYSESSION
WP
cat >"$IT_TMP/mounts" <<CONF
LogFormat "%U %{JK_LB_FIRST_NAME}n %{JK_LB_LAST_NAME}n %{JK_LB_LAST_STATE}n %{JK_LB_LAST_ACTIVATION}n %{JK_WORKER_ROUTE}n" lbnotes
CustomLog logs/lbnotes.log lbnotes
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel debug
JkWatchdogInterval 1
JkMount /app/* lb
JkMount /slow/* lb;reply_timeout=500
JkMount /ext-stopped/* lb;stopped=w2
JkMount /ext-disabled/* lb;disabled=w1
JkMount /ext-active/* lbsticky;active=s2
JkMount /lb31/* lb31
JkMount /sticky/* lbsticky
JkMount /force/* lbforce
JkMount /dist/* lbdist
JkMount /standby/* lbstandby
JkMount /domain/* lbdomain
JkMount /cookie/* lbcookie
JkMount /T/* lbT
JkMount /B/* lbB
JkMount /S/* lbS
JkMount /N/* lbN
JkMount /dom2/* lbdom2
SetEnvIf Request_URI "^/app/forced" JK_ROUTE=w2
CONF
{ echo "LoadModule setenvif_module $MODDIR/mod_setenvif.so"; cat "$IT_TMP/mounts"; } >"$IT_TMP/mounts2"
mv "$IT_TMP/mounts2" "$IT_TMP/mounts"
httpd_conf "$H" "$port" <"$IT_TMP/mounts"
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port

who() {
    curl -s "$@" | sed -n 's/^backend: //p'
}
# count N URL [curl args]: how many of N requests each backend answered.
count() {
    n=$1; shift
    i=0
    while [ $i -lt "$n" ]; do
        who "$@"
        i=$((i + 1))
    done | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}'
}
share() {
    echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
within() {
    # within NAME VALUE LOW HIGH
    if [ "${2:-0}" -ge "$3" ] && [ "${2:-0}" -le "$4" ]; then
        ok "$1 ($2 in [$3, $4])"
    else
        not_ok "$1" "got ${2:-0}, want [$3, $4]"
    fi
}

# --- spread --------------------------------------------------------------
# ab keeps 8 connections busy, so requests come through many threads and
# child processes of the event MPM.
ab -q -n 2000 -c 8 "$U/app/spread" >/dev/null 2>&1
c1=$(backend_stat b1 requests_completed)
c2=$(backend_stat b2 requests_completed)
within "even spread over 2 members: b1's share of 2000" "$c1" 900 1100
within "even spread over 2 members: b2's share of 2000" "$c2" 900 1100
b1=$c1; b2=$c2
ab -q -n 2000 -c 8 "$U/lb31/x" >/dev/null 2>&1
d1=$(( $(backend_stat b1 requests_completed) - b1 ))
within "lbfactor 3:1: the 3-member's share of 2000" "$d1" 1400 1600

# Every balancing method spreads equal members evenly (Session and Next
# count only requests without a session; these have none).
for m in T B S N; do
    b1=$(backend_stat b1 requests_completed)
    ab -q -n 1000 -c 4 "$U/$m/x" >/dev/null 2>&1
    d1=$(( $(backend_stat b1 requests_completed) - b1 ))
    within "method $m: even spread (b1 of 1000)" "$d1" 400 600
done

# --- stickiness ------------------------------------------------------------
check "cookie route sticks to w2 (20 of 20)" "b2=20 " \
    "$(count 20 -H 'Cookie: JSESSIONID=abc.w2' "$U/app/x")"
check "path parameter route sticks to w1" "b1=10 " \
    "$(count 10 "$U/app/x;jsessionid=abc.w1")"
check "path parameter wins over the cookie" "b1=5 " \
    "$(count 5 -H 'Cookie: JSESSIONID=abc.w2' "$U/app/x;jsessionid=abc.w1")"
check "first cookie with a live route wins" "b2=5 " \
    "$(count 5 -H 'Cookie: JSESSIONID=a.nosuch; JSESSIONID=b.w2' "$U/app/x")"
check "several Cookie headers are read in order" "b2=5 " \
    "$(count 5 -H 'Cookie: x=1' -H 'Cookie: JSESSIONID="q.w2"' "$U/app/x")"
r=$(count 10 -H 'Cookie: JSESSIONID=abc.W2' "$U/app/x")
if [ "$r" = "b2=10 " ]; then
    not_ok "route is matched exactly (W2 does not stick to w2)" "$r"
else
    ok "route is matched exactly (W2 does not stick to w2: $r)"
fi
check_grep "the route goes to Tomcat" "^route: w2$" \
    "$(curl -s -H 'Cookie: JSESSIONID=abc.w2' "$U/app/notes")"
sleep 0.2
check_grep "JK_LB_* notes reach CustomLog" "^/app/notes w2 w2 OK ACT w2$" \
    "$(cat "$H/logs/lbnotes.log")"

# --- activations (T-S9: sessions of disabled, stopped, dead members) ---------
check "disabled member gets no new sessions" "b1=10 " "$(count 10 "$U/sticky/x")"
check "disabled member keeps its sessions" "b2=5 " \
    "$(count 5 -H 'Cookie: JSESSIONID=abc.w2' "$U/sticky/x")"
check_grep "JK_LB_ACTIVATION tells Tomcat the member is disabled" \
    "^jk_lb_activation: DIS$" \
    "$(curl -s -H 'Cookie: JSESSIONID=abc.w2' "$U/sticky/x")"
check "stopped member gets nothing, not even its sessions" "b1=5 " \
    "$(count 5 -H 'Cookie: JSESSIONID=abc.w3' "$U/sticky/x")"

# Rule extensions change activations for one mount only.
check "rule extension stopped=w2: nothing goes to w2" "b1=6 " \
    "$(count 6 -H 'Cookie: JSESSIONID=abc.w2' "$U/ext-stopped/x")"
check "rule extension disabled=w1: no new sessions on w1" "b2=6 " \
    "$(count 6 "$U/ext-disabled/x")"
check "rule extension disabled=w1: w1 keeps its sessions" "b1=3 " \
    "$(count 3 -H 'Cookie: JSESSIONID=abc.w1' "$U/ext-disabled/x")"
r=$(count 10 "$U/ext-active/x")
b2n=$(share "$r" b2)
within "rule extension active=s2: the disabled member takes new sessions here" \
    "${b2n:-0}" 1 10
check "the other mounts keep the shared activations" "b1=4 " \
    "$(count 4 "$U/sticky/x")"

# --- force, distance, standby, domains ------------------------------------
check "sticky_session_force: dead session member is 503" 503 \
    "$(curl -s -o /dev/null -w '%{http_code}' -H 'Cookie: JSESSIONID=abc.gone' "$U/force/x")"
check "distance: the far member serves while the near one is down" "b2=5 " \
    "$(count 5 "$U/dist/x")"
check "redirect: a dead member's session goes to its hot standby" "b3=5 " \
    "$(count 5 -H 'Cookie: JSESSIONID=abc.main' "$U/standby/x")"
check "route with a dot sticks to that member" "b2=5 " \
    "$(count 5 -H 'Cookie: JSESSIONID=abc.dom.b' "$U/domain/x")"
check "domain: a dead member's session goes to its domain partner" "b2=5 " \
    "$(count 5 -H 'Cookie: JSESSIONID=abc.dom.a' "$U/dom2/x")"
check "JK_ROUTE forces the member" "b2=5 " "$(count 5 "$U/app/forced")"

# --- set_session_cookie (T-S9: the cookie names the member chosen) ----------
hdr=$(curl -s -D - -o /dev/null "$U/cookie/x")
check_grep "set_session_cookie sends the chosen route" \
    "^Set-Cookie: MYSESSION=\.c[12]; Path=/; HttpOnly" "$hdr"
hdr=$(curl -s -D - -o /dev/null -H 'Cookie: MYSESSION=.c2' "$U/cookie/x")
if echo "$hdr" | grep -q "^Set-Cookie: MYSESSION"; then
    not_ok "no new cookie when the request stuck" "$hdr"
else
    ok "no new cookie when the request stuck"
fi

# --- failover rules (T-O1: GET moves, POST never runs twice; T-O5, T-G7:
# a client's 413 never marks the member) ------------------------------------
before2=$(backend_stat b2 requests_started)
before1=$(backend_stat b1 requests_started)
check "GET whose member dies before answering moves to the other: 200" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' -H 'Cookie: JSESSIONID=x.w1' "$U/app/g?fault=close_before_headers&only=b1")"
# w1 answered the CPing after it, so it stays; the wait keeps the test
# valid for a member that was marked.
sleep 2.5
before2=$(backend_stat b2 requests_started)
before1=$(backend_stat b1 requests_started)
check "POST whose member dies before answering: 502, no failover" 502 \
    "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary x -H 'Cookie: JSESSIONID=x.w1' "$U/app/p?fault=close_before_headers&only=b1")"
check "that POST reached exactly one member, once" "$((before1 + 1)) $before2" \
    "$(backend_stat b1 requests_started) $(backend_stat b2 requests_started)"
# w1 failed the POST above: let it recover and prove itself first.
sleep 2.5
check "w1 back after recovery" "b1=2 " \
    "$(count 2 -H 'Cookie: JSESSIONID=x.w1' "$U/app/recovered")"
check "slow member, GET: retried on the other member (mod_jk's recovery)" b2 \
    "$(who -H 'Cookie: JSESSIONID=x.w1' "$U/slow/s?fault=silence&only=b1")"
check "slow member, POST: 504, not moved" 504 \
    "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary x -H 'Cookie: JSESSIONID=x.w1' "$U/slow/s?fault=silence&only=b1")"
check "T-O4b slow requests do not take the member out" "b1=5 " \
    "$(count 5 -H 'Cookie: JSESSIONID=x.w1' "$U/app/after-slow")"
check "a client's 413 never marks the member" "200" \
    "$(big=$(head -c 5000 /dev/zero | tr '\0' a); curl -s -o /dev/null -H "X-A: $big" -H "X-B: $big" "$U/app/x"; curl -s -o /dev/null -w '%{http_code}' -H 'Cookie: JSESSIONID=x.w1' "$U/app/x")"

# --- a member dies mid-run and comes back (T-O1, T-O4) -------------------
fails=0
( i=0; while [ $i -lt 300 ]; do
      code=$(curl -s -o /dev/null -w '%{http_code}' "$U/app/run$i")
      [ "$code" = 200 ] || echo "fail $code"
      i=$((i + 1))
  done ) >"$IT_TMP/run.out" &
runner=$!
sleep 0.3
stop_backend b2
wait $runner
fails=$(grep -c fail "$IT_TMP/run.out")
check "no GET failed while a member was killed mid-run" 0 "$fails"
check "all members of a dead pair answered by the living one" "b1=10 " \
    "$(count 10 "$U/app/after")"
BACKEND_FIXED_PORT=$P2 start_backend b2 --secret s --route w2
sleep 2.5
r=$(count 40 "$U/app/back")
back=$(share "$r" b2)
within "recovered member rejoins the rotation after recover_time" "${back:-0}" 10 30

# --- maintenance runs in the watchdog thread, without requests ----------
: >"$H/logs/mod_jk.log"
sleep 2.5
check_grep "JkWatchdogInterval: maintenance ran with no request" \
    "\[debug\] worker lb: maintenance" "$(cat "$H/logs/mod_jk.log")"

# --- all members down (T-O3) -------------------------------------------------
stop_backend b1
stop_backend b2
t0=$(date +%s%N)
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/app/down")
t1=$(date +%s%N)
check "all members down: 503" 503 "$code"
ms=$(( (t1 - t0) / 1000000 ))
[ "$ms" -lt 5000 ] && ok "503 comes quickly (${ms}ms)" || not_ok "503 comes quickly" "${ms}ms"
check_grep "one log line says all members failed" \
    "\[error\] worker lb: all members failed" "$(cat "$H/logs/mod_jk.log")"
httpd_stop "$H"

# --- prefork: many child processes share one picture (T-O8; T-O20 shm) -----
BACKEND_FIXED_PORT=$P1 start_backend b1 --secret s --route w1
BACKEND_FIXED_PORT=$P2 start_backend b2 --secret s --route w2
H2=$IT_TMP/prefork
port2=$(free_port)
IT_MPM=prefork httpd_conf "$H2" "$port2" <"$IT_TMP/mounts"
cat >>"$H2/httpd.conf" <<CONF
JkShmFile logs/jk-runtime-status
StartServers 8
MinSpareServers 8
MaxSpareServers 16
CONF
httpd_start "$H2" || { not_ok "prefork httpd starts" "$(cat "$H2/logs/error.log")"; it_done; }
wait_http "$port2"
s1=$(backend_stat b1 requests_completed); s2=$(backend_stat b2 requests_completed)
ab -q -n 2000 -c 16 "http://127.0.0.1:$port2/app/pre" >/dev/null 2>&1
d1=$(( $(backend_stat b1 requests_completed) - s1 ))
within "prefork: even spread across child processes (b1 of 2000)" "$d1" 900 1100
shm=$(ls "$H2"/logs/jk-runtime-status.* 2>/dev/null | head -n 1)
check "JkShmFile exists with mode 0600" 600 "$(stat -c %a "$shm" 2>/dev/null)"
check "prefork: stickiness" "b2=10 " \
    "$(count 10 -H 'Cookie: JSESSIONID=abc.w2' "http://127.0.0.1:$port2/app/x")"

# --- graceful restart under load loses no request (T-O6) -------------------
( ab -n 3000 -c 4 "http://127.0.0.1:$port2/app/graceful?size=64" 2>/dev/null \
  | sed -n 's/^Failed requests: *//p; s/^Non-2xx responses: *//p' ) >"$IT_TMP/ab.out" &
loader=$!
sleep 0.5
env $SAN_ENV "$APACHE2" -f "$H2/httpd.conf" -k graceful
wait $loader
check "graceful restart under load: no failed request" 0 \
    "$(awk '{s += $1} END {print s + 0}' "$IT_TMP/ab.out")"
check "still sticky after the graceful restart" "b2=5 " \
    "$(count 5 -H 'Cookie: JSESSIONID=abc.w2' "http://127.0.0.1:$port2/app/x")"
httpd_stop "$H2"
check "no shared memory file left after stop" "" \
    "$(ls "$H2"/logs/jk-runtime-status.* 2>/dev/null)"

# --- the worker MPM too -------------------------------------------------------
H3=$IT_TMP/worker
port3=$(free_port)
IT_MPM=worker httpd_conf "$H3" "$port3" <"$IT_TMP/mounts"
httpd_start "$H3" || { not_ok "worker-MPM httpd starts" "$(cat "$H3/logs/error.log")"; it_done; }
wait_http "$port3"
s1=$(backend_stat b1 requests_completed)
ab -q -n 1000 -c 8 "http://127.0.0.1:$port3/app/wrk" >/dev/null 2>&1
d1=$(( $(backend_stat b1 requests_completed) - s1 ))
within "worker MPM: even spread (b1 of 1000)" "$d1" 400 600
check "worker MPM: stickiness" "b2=5 " \
    "$(count 5 -H 'Cookie: JSESSIONID=abc.w2' "http://127.0.0.1:$port3/app/x")"
httpd_stop "$H3"
it_done
