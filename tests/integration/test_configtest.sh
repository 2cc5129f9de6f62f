#!/bin/sh
# tests/integration/test_configtest.sh -- `apache2 -t` with the module:
# good workers.properties files pass, each broken one fails naming its
# file:line and cause, and the directive rules hold.
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

it_done
