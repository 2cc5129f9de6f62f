#!/bin/sh
# tests/integration/test_cli_explain.sh -- `ajplb check` and `ajplb explain`
# agree with the running module: check prints the same mod_ajplb: lines as
# `apache2 -t` on every workers.properties fixture, on configurations
# with mount errors and on writable status workers with and without
# access rules; explain decides like the module on a corpus of more
# than 200 URIs (tests/integration/cli_explain.py), sent through a real
# httpd with three fake backends (one ajp13 worker, an lb of two).
. "$(dirname "$0")/lib.sh"

AJPLB=$OUT/ajplb
data=$IT_ROOT/tests/data/workers
[ -x "$AJPLB" ] || { not_ok "out/ajplb is built (make out/ajplb)"; it_done; }
port=$(free_port)

# same_as_configtest NAME: apache2 -t and ajplb check -f on $IT_TMP/h give
# the same mod_ajplb: lines and agree on pass/fail.
same_as_configtest() {
    httpd_test "$IT_TMP/h"
    want=$(printf '%s\n' "$HTTPD_OUT" | grep '^mod_ajplb: ' | sort)
    got=$("$AJPLB" check -f "$IT_TMP/h/httpd.conf" 2>&1)
    rc=$?
    got_lines=$(printf '%s\n' "$got" | grep '^mod_ajplb: ' | sort)
    if [ "$HTTPD_RC" = 0 ]; then want_rc=0; else want_rc=1; fi
    if [ "$want" = "$got_lines" ] && [ "$rc" = "$want_rc" ]; then
        ok "check = configtest: $1 (exit $rc)"
    else
        not_ok "check = configtest: $1" "apache2 -t (rc $HTTPD_RC):" \
            "$want" "ajplb check (rc $rc):" "$got"
    fi
}

for f in "$data"/good/*.properties "$data"/bad/*.properties; do
    rm -rf "$IT_TMP/h"
    echo "JkWorkersFile \"$f\"" | httpd_conf "$IT_TMP/h" "$port"
    same_as_configtest "$(basename "$(dirname "$f")")/$(basename "$f")"
done

# Mount errors and the virtual-host warning come from the mount maps.
cat >"$IT_TMP/m.properties" <<'P'
worker.list=w1
worker.w1.host=127.0.0.1
worker.w1.port=8009
worker.w1.secret=s
worker.w2.host=127.0.0.1
worker.w2.secret=s
P
rm -rf "$IT_TMP/h"
httpd_conf "$IT_TMP/h" "$port" <<CONF
JkWorkersFile "$IT_TMP/m.properties"
JkMount /a/* w1
JkMount /b/* nosuch
JkMount /c/* w2
<VirtualHost 127.0.0.1:$port>
ServerName v.example
</VirtualHost>
CONF
same_as_configtest "mounts to unknown and unlisted workers, vhost warning"
rm -rf "$IT_TMP/h"
httpd_conf "$IT_TMP/h" "$port" <<CONF
JkWorkersFile "$IT_TMP/m.properties"
JkMount /a/* w1;reply_timeout=x
JkMount /d/* w1;nosuch=1
CONF
same_as_configtest "bad and unknown rule extensions"

# The main server's mounts do not reach a <VirtualHost> without JkMountCopy,
# also one without any Jk* directive (as in mod_jk; test_directives.sh
# runs both): the warning names each such host, also when the main mount
# is a JkMount inside <Location>.
for main_mount in "JkMount /a/* w1" "<Location /a>
JkMount w1
</Location>"; do
    rm -rf "$IT_TMP/h"
    httpd_conf "$IT_TMP/h" "$port" <<CONF
JkWorkersFile "$IT_TMP/m.properties"
$main_mount
<VirtualHost 127.0.0.1:$port>
ServerName nojk.example
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
ServerName opts.example
JkOptions +ForwardKeySize
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
ServerName copy.example
JkMountCopy On
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
ServerName own.example
JkMount /own/* w1
</VirtualHost>
CONF
    same_as_configtest "virtual hosts without the main mounts ($(echo \
        "$main_mount" | sed -n 2p | grep -q . && echo '<Location>' \
        || echo JkMount))"
    check "... warned for the two hosts that say nothing" 2 \
        "$("$AJPLB" check -f "$IT_TMP/h/httpd.conf" \
           | grep -c "main server's JkMount rules do not apply")"
done
rm -rf "$IT_TMP/h"
httpd_conf "$IT_TMP/h" "$port" <<CONF
JkWorkersFile "$IT_TMP/m.properties"
JkMount /a/* w1
JkMountCopy All
<VirtualHost 127.0.0.1:$port>
ServerName nojk.example
</VirtualHost>
CONF
same_as_configtest "JkMountCopy All reaches a host without Jk directives"

# JkOptions ForwardURICompat, with and without '+', in the main server and
# in a virtual host; ForwardURICompatUnparsed does not warn.
rm -rf "$IT_TMP/h"
httpd_conf "$IT_TMP/h" "$port" <<CONF
JkWorkersFile "$IT_TMP/m.properties"
JkMount /a/* w1
JkOptions +ForwardURICompat +ForwardKeySize
<VirtualHost 127.0.0.1:$port>
ServerName v.example
JkMountCopy On
JkOptions ForwardURICompat
JkOptions +ForwardURICompatUnparsed
</VirtualHost>
CONF
same_as_configtest "JkOptions ForwardURICompat warns in every server"
check "... twice" 2 "$("$AJPLB" check -f "$IT_TMP/h/httpd.conf" \
    | grep -c 'ForwardURICompat forwards')"

# The warning for a writable status worker that nothing protects (T-G8):
# check names the same mounts as configtest, and a <Location> with
# Require (ip, or authentication), a user= list or read_only=true
# silences it.  Each case also mounts an unprotected one, so check must
# warn there and nowhere else.
cat >"$IT_TMP/st.properties" <<'P'
worker.list=jkm,jkopen,jkro,jkusers
worker.jkm.type=status
worker.jkm.read_only=false
worker.jkopen.type=status
worker.jkopen.read_only=false
worker.jkro.type=status
worker.jkro.read_only=true
worker.jkusers.type=status
worker.jkusers.read_only=false
worker.jkusers.user=ops
P
# status_case NAME WANT: configtest and check agree on $IT_TMP/h (made
# from stdin) and warn for exactly the mounts WANT (sorted, blank-joined).
status_case() {
    rm -rf "$IT_TMP/h"
    {
        cat <<CONF
LoadModule authz_host_module $MODDIR/mod_authz_host.so
LoadModule authz_user_module $MODDIR/mod_authz_user.so
LoadModule authn_core_module $MODDIR/mod_authn_core.so
LoadModule authn_file_module $MODDIR/mod_authn_file.so
LoadModule auth_basic_module $MODDIR/mod_auth_basic.so
JkWorkersFile "$IT_TMP/st.properties"
CONF
        cat
    } | httpd_conf "$IT_TMP/h" "$port"
    same_as_configtest "status worker access: $1"
    check "check warns for: $2" "$2" "$("$AJPLB" check -f \
        "$IT_TMP/h/httpd.conf" | sed -n "s/.*status worker '[a-z]*' at '\([^']*\)'.*/\1/p" \
        | sort | tr '\n' ' ' | sed 's/ $//')"
}
status_case "an unprotected writable status worker" "/jkm" <<CONF
JkMount /jkm jkm
CONF
status_case "protected by <Location> Require ip" "/open/*" <<CONF
JkMount /jkm jkm
JkMount /open/* jkopen
<Location "/jkm">
    Require ip 127.0.0.1
</Location>
CONF
status_case "protected by <LocationMatch> and authentication" "/open" <<CONF
JkMount /jkm/* jkm
JkMount /open jkopen
<LocationMatch "^/jk(m|status)">
    AuthType Basic
    AuthName ops
    AuthUserFile "$IT_TMP/none.htpasswd"
    Require valid-user
</LocationMatch>
<Location "/open">
    Require all granted
</Location>
CONF
status_case "read_only=true, and a user= list" "/open" <<CONF
JkMount /ro jkro
JkMount /users jkusers
JkMount /open jkopen
CONF
status_case "a <Location> protects its own virtual host only" "/jkm" <<CONF
JkMount /jkm jkm
<VirtualHost 127.0.0.1:$port>
    ServerName v.example
    JkMount /jkm jkm
    <Location "/jkm">
        Require local
    </Location>
</VirtualHost>
CONF

# Directive errors httpd itself reports (not as mod_ajplb: lines): both
# fail and name the same line.
for bad_line in "JkOptions +NoSuchOption" "JkMountCopy Maybe"; do
    rm -rf "$IT_TMP/h"
    httpd_conf "$IT_TMP/h" "$port" <<CONF
JkWorkersFile "$IT_TMP/m.properties"
$bad_line
CONF
    httpd_test "$IT_TMP/h"
    line=$(grep -n "^$bad_line\$" "$IT_TMP/h/httpd.conf" | cut -d: -f1)
    got=$("$AJPLB" check -f "$IT_TMP/h/httpd.conf")
    rc=$?
    if [ "$HTTPD_RC" != 0 ] && [ "$rc" = 1 ] \
       && printf '%s' "$HTTPD_OUT" | grep -q "line $line of" \
       && printf '%s' "$got" | grep -q "httpd.conf:$line: error: "; then
        ok "check fails like configtest on '$bad_line' (line $line)"
    else
        not_ok "check fails like configtest on '$bad_line'" \
            "apache2 -t (rc $HTTPD_RC): $HTTPD_OUT" "ajplb (rc $rc): $got"
    fi
done

# check --json and exit codes.
out=$("$AJPLB" check --json "$data/bad/lb-cycle.properties")
check "check exits 1 on errors" 1 $?
check_grep "check --json names file and line" \
    '"ok":false.*"file":"[^"]*lb-cycle.properties","line":[0-9]+' "$out"
"$AJPLB" check "$IT_TMP/none.properties" >"$IT_TMP/o" 2>&1
check_grep "a missing file is named" "none.properties" "$(cat "$IT_TMP/o")"

# --- explain against the running module -----------------------------------
start_backend b1 --secret s
p1=$BACKEND_PORT
start_backend m2 --secret s
p2=$BACKEND_PORT
start_backend m3 --secret s
p3=$BACKEND_PORT
cat >"$IT_TMP/workers.properties" <<P
worker.list=w1,lb
worker.lb.secret=s
worker.w1.secret=s
worker.w1.host=127.0.0.1
worker.w1.port=$p1
worker.w1.mount=/wmount/*
worker.lb.type=lb
worker.lb.balance_workers=m2,m3
worker.m2.host=127.0.0.1
worker.m2.port=$p2
worker.m3.host=127.0.0.1
worker.m3.port=$p3
P
printf '/mf/*=w1\n!/mf/skip/*=w1\n/mf/lb|/*=lb\n' >"$IT_TMP/uriworkermap.properties"
mkdir -p "$IT_TMP/docs/static" "$IT_TMP/docs/app"
echo hi >"$IT_TMP/docs/index.html"
rm -rf "$IT_TMP/h"
H=$IT_TMP/h
httpd_conf "$H" "$port" <<CONF
DocumentRoot "$IT_TMP/docs"
JkWorkersFile "$IT_TMP/workers.properties"
JkMount /app/* w1
JkUnMount /app/admin/* w1
JkUnMount /app/static/* *
JkMount /*.jsp w1
JkMount /shop/* lb
JkMount /shop lb
JkMount /api/v?/* lb
JkMount /status w1
JkMountFile "$IT_TMP/uriworkermap.properties"
<Location "/docs/live">
    JkMount w1
</Location>
<VirtualHost 127.0.0.1:$port>
    ServerName 127.0.0.1
    JkMountCopy On
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
    ServerName shop.example
    JkMount /only/* lb
    JkMount /shop/* lb
    JkUnMount /shop/x lb
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
    ServerName nojk.example
</VirtualHost>
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
python3 "$IT_ROOT/tests/integration/cli_explain.py" "$AJPLB" \
    "$H/httpd.conf" "$port" b1=w1 m2=lb:m2 m3=lb:m3 >"$IT_TMP/corpus.out"
rc=$?
n=$(grep -c '^ok - ' "$IT_TMP/corpus.out")
if [ "$rc" = 0 ] && [ "$n" -ge 200 ]; then
    ok "explain decides like the module on $n URIs"
else
    not_ok "explain decides like the module on every URI ($n agree)" \
        "$(grep -v '^ok - ' "$IT_TMP/corpus.out" | head -n 20)"
fi

# The human form names the rule's file:line, the member and why.
out=$("$AJPLB" explain -f "$H/httpd.conf" -H 'Cookie: JSESSIONID=abc.m3' \
      /shop/cart)
check_grep "explain names the rule and its file:line" \
    "rule: +JkMount /shop/\\* lb \\($H/httpd.conf:[0-9]+\\)" "$out"
check_grep "explain names the sticky member" "member: +m3" "$out"
check_grep "explain says why" "why: +sticky" "$out"
out=$("$AJPLB" explain -f "$H/httpd.conf" /app/admin/x)
check_grep "explain names the exclusion" "excluded: +JkUnMount /app/admin/\\*" "$out"
out=$("$AJPLB" explain -f "$H/httpd.conf" /App/x)
check_grep "explain shows a near miss in another case" \
    "almost: +JkMount /app/\\* w1 .*another case" "$out"
"$AJPLB" explain -f "$H/httpd.conf" >/dev/null 2>&1
check "explain without a URI exits 2" 2 $?
out=$("$AJPLB" explain -f "$H/httpd.conf" --host nojk.example /app/x)
check_grep "explain: a host without Jk directives serves it itself" \
    "^result: +local" "$out"
check_grep "... and names the main server's rule that does not apply there" \
    "almost: +JkMount /app/\\* w1 \\($H/httpd.conf:[0-9]+\\): matches in \
the main server, whose mounts do not apply in this <VirtualHost> \
\\($H/httpd.conf:[0-9]+\\); add 'JkMountCopy On'" \
    "$out"
it_done
