#!/bin/sh
# tests/integration/test_cli_fronts.sh -- `ajplb status`, `drain`,
# `enable`, `stop` and `diff` against two real httpd fronts with the module
# in front of two fake backends (one lb of two members): the merged table
# and its JSON, credentials from a file or AJPLB_AUTH, a one-line error
# for each kind of bad front, all-or-nothing changes with rollback, `diff`
# of worker settings, activations and JkMount rules per virtual host
# (three more fronts), and a rolling restart of both members with
# `drain --wait --idle` / `enable` while a load of GETs and POSTs with
# sessions runs through both fronts: no request fails.
. "$(dirname "$0")/lib.sh"

AJPLB=$OUT/ajplb
[ -x "$AJPLB" ] || { not_ok "out/ajplb is built (make out/ajplb)"; it_done; }

start_backend m1 --secret s --route m1
p1=$BACKEND_PORT
start_backend m2 --secret s --route m2
p2=$BACKEND_PORT
cat >"$IT_TMP/workers.properties" <<P
worker.list=lb,jkmanager,jkstatus
worker.lb.type=lb
worker.lb.secret=s
worker.lb.balance_workers=m1,m2
worker.lb.recover_time=1
worker.m1.host=127.0.0.1
worker.m1.port=$p1
worker.m2.host=127.0.0.1
worker.m2.port=$p2
worker.jkmanager.type=status
worker.jkmanager.read_only=false
worker.jkstatus.type=status
P
htpasswd -bc "$IT_TMP/htpasswd" ops 'pa ss' >/dev/null 2>&1
printf 'ops:pa ss\n' >"$IT_TMP/auth"
chmod 600 "$IT_TMP/auth"

# front NAME PORT ACCESS [CONF]: an httpd front; ACCESS is the <Location>
# body that protects /jkmanager, CONF more configuration at the end.
front() {
    httpd_conf "$IT_TMP/$1" "$2" <<CONF
LoadModule authz_host_module $MODDIR/mod_authz_host.so
LoadModule authz_user_module $MODDIR/mod_authz_user.so
LoadModule authn_core_module $MODDIR/mod_authn_core.so
LoadModule authn_file_module $MODDIR/mod_authn_file.so
LoadModule auth_basic_module $MODDIR/mod_auth_basic.so
DocumentRoot "$IT_TMP/docs"
JkWorkersFile "$IT_TMP/workers.properties"
JkMount /app/* lb
JkMount /jkmanager jkmanager
JkMount /jkstatus jkstatus
<Location "/jkmanager">
$3
</Location>
${4:-}
CONF
    httpd_start "$IT_TMP/$1" \
        || { not_ok "front $1 starts" "$(cat "$IT_TMP/$1/logs/error.log")"; it_done; }
    wait_http "$2"
}
mkdir -p "$IT_TMP/docs"
echo '<html><title>JK Status Manager</title></html>' >"$IT_TMP/docs/jk.html"
echo 'hello' >"$IT_TMP/docs/plain.txt"
pa=$(free_port)
pb=$(free_port)
front a "$pa" "Require ip 127.0.0.1"
front b "$pb" "AuthType Basic
AuthName ops
AuthUserFile \"$IT_TMP/htpasswd\"
Require valid-user"
A=http://127.0.0.1:$pa/jkmanager
B=http://127.0.0.1:$pb/jkmanager
for i in 1 2 3 4; do
    curl -s -o /dev/null "http://127.0.0.1:$pa/app/x$i"
    curl -s -o /dev/null "http://127.0.0.1:$pb/app/x$i"
done

# --- status ---------------------------------------------------------------
out=$("$AJPLB" status --auth-file "$IT_TMP/auth" "$A" "$B" 2>&1)
check "status exits 0 when every member is fine" 0 $?
check_grep "status: one row per member and front (a, m1)" \
    "^lb/m1 +http://127.0.0.1:$pa/jkmanager +ACT +OK" "$out"
check_grep "status: one row per member and front (b, m2)" \
    "^lb/m2 +http://127.0.0.1:$pb/jkmanager +ACT +OK" "$out"
check "status: 4 member rows" 4 "$(printf '%s\n' "$out" | grep -c '^lb/m')"
AJPLB_AUTH='ops:pa ss' "$AJPLB" status --json "$A" "$B" >"$IT_TMP/s.json"
check "status --json with AJPLB_AUTH exits 0" 0 $?
check "status --json: 4 members, both fronts ok, none in error" "4 True 0" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
print(len(d["members"]), all(f["ok"] for f in d["fronts"]), d["members_in_error"])' "$IT_TMP/s.json")"
out=$("$AJPLB" status --watch 1 --count 2 --auth-file "$IT_TMP/auth" "$A" "$B")
check_grep "status --watch: the second table has requests/s" \
    "^lb/m1 .* [0-9]+\\.[0-9]$" "$out"

# --- bad fronts: one line naming the front and the fix, exit 2 -------------
bad() {
    name=$1 want=$2; shift 2
    err=$("$AJPLB" "$@" 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] \
       && printf '%s' "$err" | grep -qE -- "$want"; then
        ok "$name: exit 2, one line"
    else
        not_ok "$name" "rc=$rc" "$err"
    fi
}
dead=$(free_port)
bad "unreachable front" "http://127.0.0.1:$dead/jkmanager: cannot reach" \
    status "http://127.0.0.1:$dead/jkmanager"
bad "no credentials" "$B: 401.*--auth-file" status "$B"
printf 'ops:wrong\n' >"$IT_TMP/wrong"
bad "wrong credentials" "$B: 401" status --auth-file "$IT_TMP/wrong" "$B"
bad "a page that is not a status worker" "not the status worker's JSON" \
    status "http://127.0.0.1:$pa/plain.txt"
bad "mod_jk's status page" "runs mod_jk's status worker" \
    status "http://127.0.0.1:$pa/jk.html"
# A real mod_jk front: its status worker has no JSON.
if [ -f "$MODDIR/mod_jk.so" ]; then
    pj=$(free_port)
    printf 'worker.list=jkstatus\nworker.jkstatus.type=status\n' \
        >"$IT_TMP/jk.properties"
    httpd_conf "$IT_TMP/jk" "$pj" <<CONF
JkWorkersFile "$IT_TMP/jk.properties"
JkShmFile "$IT_TMP/jk/run/jk.shm"
JkLogFile "$IT_TMP/jk/logs/mod_jk.log"
JkMount /jkstatus jkstatus
CONF
    sed -i "s|^LoadModule ajplb_module .*|LoadModule jk_module $MODDIR/mod_jk.so|" \
        "$IT_TMP/jk/httpd.conf"
    if httpd_start "$IT_TMP/jk" && wait_http "$pj"; then
        bad "a real mod_jk front" "runs mod_jk's status worker.*mod_ajplb" \
            status "http://127.0.0.1:$pj/jkstatus"
    else
        not_ok "the mod_jk front starts" "$(cat "$IT_TMP/jk/logs/error.log")"
    fi
fi
bad "no status worker there (404)" "404, no status worker" \
    status "http://127.0.0.1:$pa/nothing"
bad "credentials in the URL are refused" "no credentials in the URL" \
    status "http://ops:x@127.0.0.1:$pb/jkmanager"
bad "unknown member" "no lb member 'm9'.*lb/m1, lb/m2" \
    drain m9 --auth-file "$IT_TMP/auth" --front "$A" "$B"

# --- drain / enable / stop on both fronts ---------------------------------
acts() {
    "$AJPLB" status --json --auth-file "$IT_TMP/auth" "$A" "$B" \
        | python3 -c 'import json,sys
d = json.load(sys.stdin)
print(" ".join(m["activation"] for m in d["members"] if m["member"] == sys.argv[1]))' "$1"
}
out=$("$AJPLB" drain m1 --auth-file "$IT_TMP/auth" --front "$A" "$B")
check "drain exits 0" 0 $?
check_grep "drain prints each front's change" "^$B: lb/m1 ACT -> DIS" "$out"
check "drain: m1 disabled on both fronts" "DIS DIS" "$(acts m1)"
"$AJPLB" stop lb/m1 --auth-file "$IT_TMP/auth" --front "$A" "$B" >/dev/null
check "stop: m1 stopped on both fronts" "STP STP" "$(acts m1)"
# explain --front: the pick with the front's live state.
xp() {
    "$AJPLB" explain --json -f "$IT_TMP/a/httpd.conf" --front "$A" "$@" \
        | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["member"], d["how"].split(":")[0])'
}
check "explain --front: a stopped member's session goes elsewhere" \
    "m2 balanced" "$(xp -H 'Cookie: JSESSIONID=s.m1' /app/x)"
check "explain without --front: the session sticks (fresh state)" "m1 sticky" \
    "$("$AJPLB" explain --json -f "$IT_TMP/a/httpd.conf" \
       -H 'Cookie: JSESSIONID=s.m1' /app/x \
       | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["member"], d["how"].split(":")[0])')"
"$AJPLB" drain m1 --auth-file "$IT_TMP/auth" --front "$A" "$B" >/dev/null
check "explain --front: a disabled member keeps its session" "m1 sticky" \
    "$(xp -H 'Cookie: JSESSIONID=s.m1' /app/x)"
check "explain --front: a disabled member gets no new session" \
    "m2 balanced" "$(xp /app/x)"
"$AJPLB" enable m1 --auth-file "$IT_TMP/auth" --front "$A" "$B" >/dev/null
check "enable: m1 active on both fronts" "ACT ACT" "$(acts m1)"

# A front that refuses (a read-only status worker) makes the others go back.
RO=http://127.0.0.1:$pb/jkstatus
out=$("$AJPLB" drain m2 --auth-file "$IT_TMP/auth" --front "$A" "$RO" 2>&1)
rc=$?
check "a refusing front fails the command" 1 "$rc"
check_grep "the failure names the front and the reason" \
    "ajplb: $RO: .*read.only" "$out"
check_grep "the front already changed is put back" \
    "^$A: lb/m2 put back to ACT" "$out"
check "after the rollback m2 is active everywhere" "ACT ACT" "$(acts m2)"

# --- diff -----------------------------------------------------------------
out=$("$AJPLB" diff --auth-file "$IT_TMP/auth" "$A" "$B")
check "diff: same configuration, exit 0" 0 $?
check_grep "diff says the fronts are the same" "run the same worker" "$out"
"$AJPLB" drain m2 --auth-file "$IT_TMP/auth" --front "$B" >/dev/null
out=$("$AJPLB" diff --auth-file "$IT_TMP/auth" "$A" "$B")
check "diff: a difference, exit 1" 1 $?
check_grep "diff names the difference and each front's value" \
    "lb/m2 activation:" "$out"
check_grep "diff shows the values" "$B +DIS" "$out"
"$AJPLB" enable m2 --auth-file "$IT_TMP/auth" --front "$B" >/dev/null
out=$("$AJPLB" diff --auth-file "$IT_TMP/auth" "$A" "$B")
check_grep "diff compares the JkMount rules too" \
    "same worker configuration and JkMount rules \(.* and 3 mount rules compared\)" \
    "$out"
# The JkMount rules, per virtual host: fronts c and d are the same but
# for their ports (the virtual host's address differs: not compared);
# e has the same workers, one more JkMount in the main server and another
# target for the virtual host's rule.  The virtual host listens nowhere,
# so it changes nothing else.
vhost() {
    printf '<VirtualHost 127.0.0.2:%s>\nServerName shop.example\nJkMount /shop/* %s\n</VirtualHost>\n' "$1" "$2"
}
pc=$(free_port)
pd=$(free_port)
pe=$(free_port)
front c "$pc" "Require ip 127.0.0.1" "$(vhost "$pc" lb)"
front d "$pd" "Require ip 127.0.0.1" "$(vhost "$pd" lb)"
front e "$pe" "Require ip 127.0.0.1" "JkMount /shop/* lb
$(vhost "$pe" 'lb;sticky_ignore=1')"
C=http://127.0.0.1:$pc/jkmanager
D=http://127.0.0.1:$pd/jkmanager
E=http://127.0.0.1:$pe/jkmanager
out=$("$AJPLB" diff "$C" "$D")
check "diff: same JkMount rules in every virtual host, exit 0" 0 $?
check_grep "diff: the virtual host's rule was compared" \
    "JkMount rules \(.* and 4 mount rules compared\)" "$out"
out=$("$AJPLB" diff "$C" "$E")
check "diff: same workers, another JkMount, exit 1" 1 $?
check_grep "diff names a rule only on one front" \
    "^mount /shop/\* \(main server\): rule only on $E\$" "$out"
check_grep "diff shows the front without the rule" "^    $C +\(no rule\)\$" "$out"
check_grep "diff names a rule that differs, with its virtual host" \
    "^mount /shop/\* \(virtual host shop.example\): rule differs\$" "$out"
check_grep "diff shows each front's rule" \
    "^    $E +lb;sticky_ignore=1 \(JkMount\)\$" "$out"
check_grep "diff counts both differences" "^2 differences\$" "$out"
check "diff: the worker properties are the same" "" \
    "$(printf '%s\n' "$out" | grep '^worker\.')"
"$AJPLB" diff --json "$C" "$E" >"$IT_TMP/diff.json"
check "diff --json: kind, key and difference of each" \
    "mount|mount /shop/* (virtual host shop.example)|differs mount|mount /shop/* (main server)|only on $E" \
    "$(python3 -c 'import json,sys
print(" ".join("%s|%s|%s" % (d["kind"], d["key"], d["difference"]) for d in json.load(open(sys.argv[1]))))' "$IT_TMP/diff.json")"

# --- rolling restart under load -------------------------------------------
python3 "$IT_ROOT/tests/integration/cli_load.py" "$IT_TMP/load.json" \
    "$IT_TMP/load.stop" "$pa" "$pb" &
load_pid=$!
sleep 2
log=$IT_TMP/rolling.log
for m in m1 m2; do
    eval "mp=\$p${m#m}"
    echo "== $m" >>"$log"
    "$AJPLB" drain "$m" --wait --idle --timeout 60 \
        --auth-file "$IT_TMP/auth" --front "$A" "$B" >>"$log" 2>&1
    check "drain --wait --idle $m: drained on both fronts" 0 $?
    stop_backend "$m"
    sleep 1
    BACKEND_FIXED_PORT=$mp start_backend "$m" --secret s --route "$m"
    "$AJPLB" enable "$m" --auth-file "$IT_TMP/auth" --front "$A" "$B" \
        >>"$log" 2>&1
    check "enable $m after its restart" 0 $?
    sleep 2
done
touch "$IT_TMP/load.stop"
wait "$load_pid"
check_grep "drain --wait prints a progress line per poll" \
    "^drain m1:  $A busy=[0-9]+ requests=[0-9]+ new_sessions=[0-9]+  $B busy=" \
    "$(cat "$log")"
summary=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
print(d["requests"], d["failed"], d["backends"].get("m1", 0) > 0 and d["backends"].get("m2", 0) > 0, d["failures"][:3])' "$IT_TMP/load.json")
set -- $summary
if [ "$2" = 0 ] && [ "$1" -gt 50 ] && [ "$3" = True ]; then
    ok "rolling restart: $1 requests through both fronts, none failed"
else
    not_ok "rolling restart: no failed request" "$summary" "$(cat "$log")"
fi
grep -q 'drained m1' "$log" && grep -q 'drained m2' "$log" \
    && grep -q "lb/m2 DIS -> ACT" "$log"
check "the log shows drain, drained and enable for both members" 0 $?

# --- a member in error: status exits 1 ------------------------------------
stop_backend m2
for i in 1 2 3; do
    curl -s -o /dev/null -H "Cookie: JSESSIONID=e$i.m2" \
        "http://127.0.0.1:$pa/app/e$i"
done
out=$("$AJPLB" status --auth-file "$IT_TMP/auth" "$A" "$B")
check "status exits 1 when a member is in error" 1 $?
check_grep "status names the member in error" \
    "^lb/m2 +http://127.0.0.1:$pa/jkmanager +ACT +ERR" "$out"
it_done
