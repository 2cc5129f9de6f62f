#!/bin/sh
# tests/integration/test_outlier.sh -- outlier ejection through the real
# httpd with fake backends whose answers a file switches (500 or normal):
# a member answering 500 is ejected after outlier_count answers and gets
# no request after that; with every member failing no more than
# outlier_max_share is ejected; the ejection time doubles on repeat; one
# mod_jk.log line per transition.  Orders and counts only, no timing.
. "$(dirname "$0")/lib.sh"

for b in b1 b2 b3; do
    start_backend $b --secret s --route $b --status-file "$IT_TMP/$b.status"
    eval "P_$b=\$BACKEND_PORT"
done
port=$(free_port)
H=$IT_TMP/h
cat >"$IT_TMP/workers.properties" <<WP
worker.list=lbA,lbB,lbC
worker.t.type=ajp13
worker.t.host=127.0.0.1
worker.t.secret=s
worker.a1.reference=worker.t
worker.a1.port=$P_b1
worker.a2.reference=worker.t
worker.a2.port=$P_b2
worker.a3.reference=worker.t
worker.a3.port=$P_b3
worker.lbA.type=lb
worker.lbA.balance_workers=a1,a2,a3
worker.lbA.outlier_count=3
worker.lbA.outlier_eject_time=600

worker.c1.reference=worker.a1
worker.c2.reference=worker.a2
worker.c3.reference=worker.a3
worker.lbB.type=lb
worker.lbB.balance_workers=c1,c2,c3
worker.lbB.outlier_count=2
worker.lbB.outlier_max_share=34
worker.lbB.outlier_eject_time=600

worker.d1.reference=worker.a1
worker.d2.reference=worker.a2
worker.lbC.type=lb
worker.lbC.balance_workers=d1,d2
worker.lbC.outlier_count=1
worker.lbC.outlier_eject_time=1
worker.lbC.outlier_statuses=500-599
WP
httpd_conf "$H" "$port" <<CONF
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel info
JkMount /a/* lbA
JkMount /b/* lbB
JkMount /c/* lbC
CONF
httpd_start "$H"
wait_http "$port" || not_ok "httpd answers"
LOG=$H/logs/mod_jk.log

# get PATH: one request; prints "STATUS BACKEND".
get() {
    curl -s -o /dev/null -D - "http://127.0.0.1:$port$1" \
        | tr -d '\r' | awk '/^HTTP\//{s=$2} /^X-Backend:/{b=$2}
                            END{print s, (b == "" ? "-" : b)}'
}

# 1. One member answers 500 to everything: ejected after exactly 3.
echo 500 >"$IT_TMP/b2.status"
: >"$IT_TMP/seq"
for i in $(seq 1 30); do
    get /a/x >>"$IT_TMP/seq"
done
n500=$(grep -c '^500 b2$' "$IT_TMP/seq")
check "lbA: the client saw exactly outlier_count (3) 500s from b2" 3 "$n500"
last500=$(grep -n '^500 b2$' "$IT_TMP/seq" | tail -n 1 | cut -d: -f1)
after=$(tail -n +"$((last500 + 1))" "$IT_TMP/seq" | grep -c ' b2$')
check "lbA: no request reached b2 after its ejection" 0 "$after"
others=$(tail -n +"$((last500 + 1))" "$IT_TMP/seq" | grep -c '^200 b[13]$')
check "lbA: the other members answered every later request" \
    "$((30 - last500))" "$others"
check_grep "lbA: one log line names the member, the cause and the way back" \
    "worker lbA: member a2 ejected as an outlier: 3 failed answers in a row \(last: status 500\); it returns to rotation in 600 s \(ejection 1 in a row" \
    "$(cat "$LOG")"
check "lbA: one ejection line" 1 "$(grep -c 'lbA: member a2 ejected' "$LOG")"

# 2. Every member fails: 34 % of 3 members allows one ejection at a time.
for b in b1 b2 b3; do echo 500 >"$IT_TMP/$b.status"; done
: >"$IT_TMP/seq"
for i in $(seq 1 30); do
    get /b/x >>"$IT_TMP/seq"
done
check "lbB: exactly one member ejected while all fail" 1 \
    "$(grep -c 'worker lbB: member c[123] ejected' "$LOG")"
check_grep "lbB: the refused ejections are logged with the reason" \
    "worker lbB: member c[123] failed 2 answers in a row \(last: status 500\) but stays in rotation: outlier_max_share \(34%\)" \
    "$(cat "$LOG")"
ej=$(sed -n 's/.*worker lbB: member c\([123]\) ejected.*/\1/p' "$LOG")
served=$(awk '{print $2}' "$IT_TMP/seq" | sort -u | wc -l)
check "lbB: the two members left in rotation kept answering" 2 \
    "$(tail -n 10 "$IT_TMP/seq" | awk '{print $2}' | sort -u | wc -l)"
check "lbB: the ejected member c$ej took no request in the last 10" 0 \
    "$(tail -n 10 "$IT_TMP/seq" | grep -c " b$ej\$")"
[ "$served" -eq 3 ] && ok "lbB: all three served before the ejection" \
    || not_ok "lbB: all three served before the ejection" "$served"

# 3. The ejection time doubles on repeat: lbC's d2 (b2) keeps failing,
#    d1 (b1) is healthy again.
echo ok >"$IT_TMP/b1.status"
for _ in $(seq 1 400); do
    [ "$(grep -c 'worker lbC: member d2 ejected' "$LOG")" -ge 3 ] && break
    get /c/x >/dev/null
    sleep 0.05
done
lines=$(grep 'worker lbC: member d2 ejected' "$LOG" | head -n 3)
check "lbC: three ejections in a row" 3 "$(printf '%s\n' "$lines" \
    | grep -c .)"
check "lbC: ejection times 1 s, 2 s, 4 s" "1:1 2:2 4:3" "$(printf '%s\n' \
    "$lines" | sed -n 's/.*returns to rotation in \([0-9]*\) s (ejection \([0-9]*\) in a row.*/\1:\2/p' \
    | tr '\n' ' ' | sed 's/ $//')"
check_grep "lbC: each return is logged" \
    "worker lbC: member d2 returns to rotation: its outlier ejection is over" \
    "$(cat "$LOG")"
# Order: eject, return, eject, return, eject.
order=$(grep -E 'worker lbC: member d2 (ejected|returns)' "$LOG" | head -n 5 \
    | sed 's/.*member d2 \(ejected\|returns\).*/\1/' | tr '\n' ' ')
check "lbC: transitions in order" \
    "ejected returns ejected returns ejected " "$order"

httpd_stop "$H"
it_done
