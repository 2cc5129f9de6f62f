#!/bin/sh
# tests/integration/test_configtest.sh -- `apache2 -t` with the module:
# good workers.properties files pass, each broken one fails naming its
# file:line and cause, and the directive rules hold.  T-G11: no message
# shows a secret.  T-G8: a writable status worker nobody protects warns.
# "Wait forever" zeros and JkOptions +ForwardURICompat warn, so does a
# <VirtualHost> the main server's mounts do not reach.
. "$(dirname "$0")/lib.sh"

data=$IT_ROOT/tests/data/workers
port=$(free_port)

# A config whose only module-specific line is given on stdin.
conf_with() {
    rm -rf "$IT_TMP/h"
    httpd_conf "$IT_TMP/h" "$port"
}

# --- the module loads on its own ------------------------------------------
printf '' | conf_with
httpd_test "$IT_TMP/h"
if [ "$HTTPD_RC" = 0 ] && echo "$HTTPD_OUT" | grep -q "Syntax OK"; then
    ok "module loads with no Jk configuration"
else
    not_ok "module loads with no Jk configuration" "$HTTPD_OUT"
fi

# --- every good file passes -----------------------------------------------
for f in "$data"/good/*.properties /etc/libapache2-mod-jk/workers.properties
do
    [ -f "$f" ] || continue
    echo "JkWorkersFile \"$f\"" | conf_with
    httpd_test "$IT_TMP/h"
    if [ "$HTTPD_RC" = 0 ] && ! echo "$HTTPD_OUT" | grep -q ": error:"; then
        ok "configtest passes: $(basename "$f")"
    else
        not_ok "configtest passes: $f" "$HTTPD_OUT"
    fi
done

# --- every bad file fails with its file:line and phrase -------------------
for f in "$data"/bad/*.properties; do
    [ -f "$f" ] || continue
    expect=$(sed -n '1s/^# expect: *//p' "$f")
    line=${expect%%:*}
    phrase=${expect#*: }
    echo "JkWorkersFile \"$f\"" | conf_with
    httpd_test "$IT_TMP/h"
    if [ "$HTTPD_RC" != 0 ] && echo "$HTTPD_OUT" | grep -qF "$f:$line:" \
       && echo "$HTTPD_OUT" | grep -qF -- "$phrase"; then
        ok "configtest fails: $(basename "$f") at line $line"
    else
        not_ok "configtest fails: $(basename "$f") at line $line ($phrase)" \
            "rc=$HTTPD_RC" "$HTTPD_OUT"
    fi
done

# --- a missing workers file is named --------------------------------------
echo "JkWorkersFile \"$IT_TMP/nope.properties\"" | conf_with
httpd_test "$IT_TMP/h"
if [ "$HTTPD_RC" != 0 ] && echo "$HTTPD_OUT" | grep -qF "nope.properties"; then
    ok "missing JkWorkersFile is an error naming the file"
else
    not_ok "missing JkWorkersFile is an error naming the file" "$HTTPD_OUT"
fi

# --- JkWorkerProperty: good lines pass, a bad one names httpd.conf:line ---
printf '%s\n' "JkWorkerProperty worker.list=w1" \
    "JkWorkerProperty worker.w1.type=ajp13" \
    "JkWorkerProperty worker.w1.host=127.0.0.1" \
    "JkWorkerProperty worker.w1.port=8009" \
    "JkWorkerProperty worker.w1.secret=s3cret" | conf_with
httpd_test "$IT_TMP/h"
if [ "$HTTPD_RC" = 0 ]; then
    ok "JkWorkerProperty lines define a worker"
else
    not_ok "JkWorkerProperty lines define a worker" "$HTTPD_OUT"
fi
printf '%s\n' "JkWorkerProperty worker.list=w1" \
    "JkWorkerProperty worker.w1.port=80x9" | conf_with
badline=$(grep -n 'port=80x9' "$IT_TMP/h/httpd.conf" | cut -d: -f1)
httpd_test "$IT_TMP/h"
if [ "$HTTPD_RC" != 0 ] \
   && echo "$HTTPD_OUT" | grep -qF "$IT_TMP/h/httpd.conf:$badline:"; then
    ok "bad JkWorkerProperty names httpd.conf:$badline"
else
    not_ok "bad JkWorkerProperty names httpd.conf:$badline" "$HTTPD_OUT"
fi

# --- JkWorkersFile twice, and inside a virtual host -----------------------
good=$(ls "$data"/good/*.properties | head -n 1)
printf '%s\n' "JkWorkersFile \"$good\"" "JkWorkersFile \"$good\"" | conf_with
httpd_test "$IT_TMP/h"
if [ "$HTTPD_RC" != 0 ] && echo "$HTTPD_OUT" | grep -q "given twice"; then
    ok "JkWorkersFile twice is refused"
else
    not_ok "JkWorkersFile twice is refused" "$HTTPD_OUT"
fi
printf '%s\n' "<VirtualHost 127.0.0.1:$port>" "JkWorkersFile \"$good\"" \
    "</VirtualHost>" | conf_with
httpd_test "$IT_TMP/h"
if [ "$HTTPD_RC" != 0 ] && echo "$HTTPD_OUT" | grep -q "global"; then
    ok "JkWorkersFile in a VirtualHost is refused"
else
    not_ok "JkWorkersFile in a VirtualHost is refused" "$HTTPD_OUT"
fi

# --- loading mod_jk beside it is refused with a clear message -------------
if [ -f "$MODDIR/mod_jk.so" ]; then
    echo "LoadModule jk_module $MODDIR/mod_jk.so" | conf_with
    httpd_test "$IT_TMP/h"
    if [ "$HTTPD_RC" != 0 ] && echo "$HTTPD_OUT" | grep -q "mod_jk is loaded"
    then
        ok "mod_jk beside mod_ajplb is refused"
    else
        not_ok "mod_jk beside mod_ajplb is refused" "$HTTPD_OUT"
    fi
fi

# --- T-G11: no configtest or error-log message shows a secret --------------
cat >"$IT_TMP/secret.properties" <<'WP'
tcpass=TopSecret1
worker.list=w1
worker.w1.port=8009
worker.w1.secret=$(tcpass)
worker.w1.secret=TopSecret2
WP
echo "JkWorkersFile \"$IT_TMP/secret.properties\"" | conf_with
httpd_test "$IT_TMP/h"
if [ "$HTTPD_RC" = 0 ] && echo "$HTTPD_OUT" | grep -qF \
       "secret.properties:5: warning: duplicate 'worker.w1.secret'"; then
    ok "T-G11: a duplicated secret is a warning naming file:line"
else
    not_ok "T-G11: a duplicated secret is a warning naming file:line" \
        "rc=$HTTPD_RC" "$HTTPD_OUT"
fi
if echo "$HTTPD_OUT" | grep -q "TopSecret"; then
    not_ok "T-G11: configtest does not print the duplicated secret" \
        "$(echo "$HTTPD_OUT" | grep TopSecret)"
else
    ok "T-G11: configtest does not print the duplicated secret"
fi
httpd_start "$IT_TMP/h" >"$IT_TMP/start.out" 2>&1
wait_http "$port"
httpd_stop "$IT_TMP/h"
# Start-up messages go to stderr until httpd opens its ErrorLog.
if cat "$IT_TMP/h/logs/"* "$IT_TMP/start.out" \
       | grep -q "duplicate 'worker.w1.secret'" \
   && ! cat "$IT_TMP/h/logs/"* "$IT_TMP/start.out" | grep -q TopSecret; then
    ok "T-G11: start-up logs name the duplicate, not the secret"
else
    not_ok "T-G11: start-up logs name the duplicate, not the secret" \
        "$(cat "$IT_TMP/h/logs/error.log" "$IT_TMP/start.out")"
fi
for bad in 'worker.w1.secret=TopSecret3$(x' 'worker.w1.secret TopSecret4' \
           ' =TopSecret5'; do
    printf 'worker.list=w1\n%s\n' "$bad" >"$IT_TMP/secret.properties"
    echo "JkWorkersFile \"$IT_TMP/secret.properties\"" | conf_with
    httpd_test "$IT_TMP/h"
    if [ "$HTTPD_RC" != 0 ] \
       && echo "$HTTPD_OUT" | grep -qF "secret.properties:2: error:" \
       && ! echo "$HTTPD_OUT" | grep -q TopSecret; then
        ok "T-G11: '$(echo "$bad" | cut -c1-20)...' fails at line 2 without echoing the value"
    else
        not_ok "T-G11: '$bad' fails at line 2 without echoing the value" \
            "rc=$HTTPD_RC" "$HTTPD_OUT"
    fi
done

# --- "wait forever" zeros and ForwardURICompat warn ------------------------
cat >"$IT_TMP/forever.properties" <<'WP'
worker.list=w1
worker.w1.port=8009
worker.w1.secret=s
worker.w1.connection_acquire_timeout=0
worker.w1.socket_connect_timeout=0
WP
printf '%s\n' "JkWorkersFile \"$IT_TMP/forever.properties\"" \
    "JkOptions +ForwardURICompat" "JkOptions +ForwardURICompatUnparsed" \
    | conf_with
optline=$(grep -n '^JkOptions +ForwardURICompat$' "$IT_TMP/h/httpd.conf" \
          | cut -d: -f1)
httpd_test "$IT_TMP/h"
check_grep "connection_acquire_timeout=0 warns with file:line and what to write" \
    "forever.properties:4: warning: connection_acquire_timeout=0 .*write a limit in ms, e.g. connection_acquire_timeout=200" \
    "$HTTPD_OUT"
check_grep "socket_connect_timeout=0 warns with file:line and what to write" \
    "forever.properties:5: warning: socket_connect_timeout=0 .*e.g. socket_connect_timeout=3000" \
    "$HTTPD_OUT"
check_grep "JkOptions +ForwardURICompat warns at httpd.conf:$optline" \
    "httpd.conf:$optline: warning: JkOptions \+ForwardURICompat .*unsafe with prefix" \
    "$HTTPD_OUT"
check "... once (ForwardURICompatUnparsed does not warn), and configtest passes" \
    "1 0" "$(echo "$HTTPD_OUT" | grep -c 'ForwardURICompat forwards') $HTTPD_RC"
printf '%s\n' "JkWorkersFile \"$data/good/$(ls "$data/good" | head -n 1)\"" \
    | conf_with
httpd_test "$IT_TMP/h"
if echo "$HTTPD_OUT" | grep -q "means no timeout"; then
    not_ok "defaults the user did not write do not warn" "$HTTPD_OUT"
else
    ok "defaults the user did not write do not warn"
fi

# --- a virtual host the main server's mounts do not reach warns -----------
# As in mod_jk (test_directives.sh runs both), the main server's mounts do
# not apply in a <VirtualHost> without JkMountCopy, also when it has no Jk*
# directive at all and when the main mount is a JkMount inside <Location>.
# vh_case NAME WANT(warn|quiet) [config lines...]: the warning's count
# (one per host) and the <VirtualHost> line it names.
vh_case() {
    name=$1 want=$2; shift 2
    { printf '%s\n' "JkWorkersFile \"$IT_TMP/forever.properties\""
      printf '%s\n' "$@"; } | conf_with
    httpd_test "$IT_TMP/h"
    vline=$(grep -n '^<VirtualHost' "$IT_TMP/h/httpd.conf" | cut -d: -f1)
    got=$(echo "$HTTPD_OUT" | grep -c "$VHW")
    if [ "$want" = warn ]; then
        check_grep "vhost warning: $name: names httpd.conf:$vline, cause, fix" \
            "httpd.conf:$vline: warning: $VHW inside this <VirtualHost> .*\
'$MPAT' \\([^)]*httpd.conf:$MLINE\\) is not forwarded here; add \
'JkMountCopy On' to it, or 'JkMountCopy All' to the main server" \
            "$HTTPD_OUT"
        check "vhost warning: $name: once, configtest passes" "1 0" \
            "$got $HTTPD_RC"
    else
        check "vhost warning: $name: none" "0 0" "$got $HTTPD_RC" "$HTTPD_OUT"
    fi
}
# The main server's mount: the line after the base configuration and the
# JkWorkersFile line (one more for the <Location> form).
VHW="the main server's JkMount rules do not apply"
MPAT="/app/\\*"
MLINE=$(($(printf '' | conf_with; wc -l <"$IT_TMP/h/httpd.conf") + 2))
vh_case "no Jk directive" warn "JkMount /app/* w1" \
    "<VirtualHost 127.0.0.1:$port>" "ServerName v" "</VirtualHost>"
vh_case "only other Jk directives" warn "JkMount /app/* w1" \
    "<VirtualHost 127.0.0.1:$port>" "JkOptions +ForwardKeySize" \
    "</VirtualHost>"
MPAT=/app MLINE=$((MLINE + 1))
vh_case "main mount in <Location>, no Jk directive" warn "<Location /app>" \
    "JkMount w1" "</Location>" \
    "<VirtualHost 127.0.0.1:$port>" "ServerName v" "</VirtualHost>"
vh_case "JkMountCopy On" quiet "JkMount /app/* w1" \
    "<VirtualHost 127.0.0.1:$port>" "JkMountCopy On" "</VirtualHost>"
vh_case "JkMountCopy Off said on purpose" quiet "JkMount /app/* w1" \
    "<VirtualHost 127.0.0.1:$port>" "JkMountCopy Off" "</VirtualHost>"
vh_case "JkMountCopy All" quiet "JkMount /app/* w1" "JkMountCopy All" \
    "<VirtualHost 127.0.0.1:$port>" "ServerName v" "</VirtualHost>"
vh_case "mounts of its own" quiet "JkMount /app/* w1" \
    "<VirtualHost 127.0.0.1:$port>" "JkMount /v/* w1" "</VirtualHost>"
vh_case "the main server only unmounts" quiet "JkUnMount /app/* w1" \
    "<VirtualHost 127.0.0.1:$port>" "ServerName v" "</VirtualHost>"

# --- T-G8: a writable status worker nobody protects warns ------------------
printf '%s\n' "worker.list=st" "worker.st.type=status" \
    "worker.st.read_only=false" >"$IT_TMP/st.properties"
# st_case NAME WANT(warn|quiet) [config lines...]
st_case() {
    name=$1 want=$2; shift 2
    { printf '%s\n' "LoadModule authz_host_module $MODDIR/mod_authz_host.so" \
          "JkWorkersFile \"$IT_TMP/st.properties\""; printf '%s\n' "$@"; } \
        | conf_with
    httpd_test "$IT_TMP/h"
    got=quiet
    echo "$HTTPD_OUT" | grep -q "status worker 'st' at" && got=warn
    if [ "$got" = "$want" ] && [ "$HTTPD_RC" = 0 ]; then
        ok "T-G8: $name: $want"
    else
        not_ok "T-G8: $name: $want" "rc=$HTTPD_RC" "$HTTPD_OUT"
    fi
}
st_case "writable, no Location" warn "JkMount /jkstatus st"
mline=$(grep -n '^JkMount /jkstatus st$' "$IT_TMP/h/httpd.conf" | cut -d: -f1)
check_grep "T-G8: ... the warning names httpd.conf:line and the directive to add" \
    "httpd.conf:$mline: warning: status worker 'st' at '/jkstatus' .*add <Location \"/jkstatus\"> with 'Require ip 127.0.0.1'" \
    "$HTTPD_OUT"
st_case "Require all granted protects nothing" warn "JkMount /jkstatus st" \
    "<Location /jkstatus>" "Require all granted" "</Location>"
st_case "a Location for another path" warn "JkMount /jkstatus st" \
    "<Location /jk>" "Require ip 127.0.0.1" "</Location>"
st_case "Require ip in a Location" quiet "JkMount /jkstatus st" \
    "<Location /jkstatus>" "Require ip 127.0.0.1" "</Location>"
st_case "Require in a LocationMatch" quiet "JkMount /jkstatus/* st" \
    "<LocationMatch ^/jk>" "<RequireAny>" "Require ip 127.0.0.1" \
    "</RequireAny>" "</LocationMatch>"
st_case "JkMount inside a protected Location" quiet \
    "<Location /jkstatus>" "JkMount st" "Require ip ::1" "</Location>"
st_case "a Location in the same virtual host" quiet \
    "<VirtualHost 127.0.0.1:$port>" "JkMount /jkstatus st" \
    "<Location /jkstatus>" "Require ip 127.0.0.1" "</Location>" \
    "</VirtualHost>"
st_case "a Location in another virtual host" warn \
    "<VirtualHost 127.0.0.1:$port>" "ServerName a.example" \
    "JkMount /jkstatus st" "</VirtualHost>" \
    "<VirtualHost 127.0.0.1:$port>" "ServerName b.example" \
    "<Location /jkstatus>" "Require ip 127.0.0.1" "</Location>" \
    "</VirtualHost>"
printf '%s\n' "worker.st.user=admin" >>"$IT_TMP/st.properties"
st_case "a user= list" quiet "JkMount /jkstatus st"
printf '%s\n' "worker.list=st" "worker.st.type=status" >"$IT_TMP/st.properties"
st_case "read-only (the default)" quiet "JkMount /jkstatus st"

it_done
