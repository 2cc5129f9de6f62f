#!/bin/sh
# tests/integration/test_status.sh -- the status worker through the real
# httpd (prefork, 4 children): every format parses with a real parser and
# moves with traffic; disable/stop/start a member through POST + nonce and
# see every child obey at once; GETs, missing nonces, foreign origins and
# read-only workers change nothing; no unescaped input in HTML; the dump
# hides secrets; changes logged through a rotatelogs pipe; a screenshot of
# the page rendered by headless Chromium.
# T-G8: the origin must be the ServerName and port (a DNS-rebinding
# Host/Origin pair is refused); a nonce allows one change, replays over
# several children are refused.  T-G11: the AJP secret, written through a
# $(var), appears in no status format, no error page, neither log at
# trace level.  Log forging: a decoded %0a writes no line of its own.
. "$(dirname "$0")/lib.sh"

IT_MPM=prefork
PARSE="python3 $(dirname "$0")/status_render.py"
start_backend b1 --secret s3cr3t-value --route w1; P1=$BACKEND_PORT
start_backend b2 --secret s3cr3t-value --route w2; P2=$BACKEND_PORT
start_backend b3 --secret s3cr3t-value --route x1; P3=$BACKEND_PORT
dead=$(free_port)
port=$(free_port)
H=$IT_TMP/h
cat >"$IT_TMP/workers.properties" <<WP
worker.list=lb,lbx,solo,gone,jkstatus,jkstatus_ro
worker.maintain=60
tcpass=s3cr3t-value
worker.template.type=ajp13
worker.template.host=127.0.0.1
worker.template.secret=\$(tcpass)
worker.template.socket_connect_timeout=300
worker.w1.reference=worker.template
worker.w1.port=$P1
worker.w2.reference=worker.template
worker.w2.port=$P2
worker.lb.type=lb
worker.lb.balance_workers=w1,w2
worker.x1.reference=worker.template
worker.x1.port=$P3
worker.xdead.reference=worker.template
worker.xdead.port=$dead
worker.lbx.type=lb
worker.lbx.balance_workers=x1,xdead
worker.lbx.recover_time=600
worker.solo.reference=worker.template
worker.solo.port=$P3
worker.gone.reference=worker.template
worker.gone.port=$dead
worker.jkstatus.type=status
worker.jkstatus.read_only=false
worker.jkstatus_ro.type=status
WP
httpd_conf "$H" "$port" <<CONF
StartServers 4
MinSpareServers 4
MaxSpareServers 8
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile "|/usr/bin/rotatelogs $H/logs/mod_jk.%Y%m%d.log 86400"
JkLogLevel trace
LogLevel warn ajplb:trace8
JkRequestLogFormat "%w %V %U %q %s"
JkMount /app/* lb
JkMount /gone/* gone
JkMount /x/* lbx
JkMount /solo/* solo
JkMount /jkstatus jkstatus
JkMount /jkstatus-ro jkstatus_ro
JkUnMount /app/static/* lb
JkMountFile "$IT_TMP/uriworkermap.properties"
CONF
printf '/mf/*=solo;reply_timeout=5000\n' >"$IT_TMP/uriworkermap.properties"
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port
S=$U/jkstatus
ORIGIN="Origin: http://127.0.0.1:$port"

nchildren=$(child_pids "$H" | wc -l)
if [ "$nchildren" -ge 4 ]; then
    ok "prefork runs several children ($nchildren)"
else
    not_ok "prefork runs several children" "got $nchildren"
fi

who() { curl -s "$@" | sed -n 's/^backend: //p'; }
count() {
    n=$1; shift
    i=0
    while [ $i -lt "$n" ]; do who "$@"; i=$((i + 1)); done \
        | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}'
}
# get FORMAT [args]: fetch into $IT_TMP/doc.FORMAT
get() {
    f=$1; shift
    curl -s -o "$IT_TMP/doc.$f" "$S?mime=$f$*"
}
val() {
    # val FORMAT key...: values from the last fetched document
    $PARSE "$1" "$IT_TMP/doc.$1" "$@" 2>&1 | sed "s/^$1 //"
}
field() { f=$1; shift; $PARSE "$f" "$IT_TMP/doc.$f" "$@"; }
nonce() {
    curl -s -D - -o /dev/null "$S?mime=txt" | tr -d '\r' \
        | sed -n 's/^[Xx]-[Aa][Jj][Pp][Ll][Bb]-[Nn]once: //p'
}
# post DATA [curl args]: POST a form to the status worker; prints the code
post() {
    d=$1; shift
    curl -s -o "$IT_TMP/post.out" -w '%{http_code}' "$@" --data "$d" "$S"
}

# --- formats parse and move with traffic ------------------------------------
count 10 "$U/app/x" >/dev/null
for f in xml json prop txt prometheus; do
    get $f
    key=elected
    [ $f = prometheus ] && key=requests_total
    out=$(field $f lb/w1/$key 2>&1)
    case "$out" in
        "PARSE ERROR"*|*MISSING*|"") not_ok "mime=$f parses with a real parser" "$out" ;;
        *) ok "mime=$f parses with a real parser (w1 elected=$out)" ;;
    esac
done
get json
before=$(( $(field json lb/w1/elected) + $(field json lb/w2/elected) ))
count 12 "$U/app/x" >/dev/null
for f in xml json prop txt prometheus; do
    get $f
    if [ $f = prometheus ]; then
        after=$(( $(field $f lb/w1/requests_total) + $(field $f lb/w2/requests_total) ))
    else
        after=$(( $(field $f lb/w1/elected) + $(field $f lb/w2/elected) ))
    fi
    check "mime=$f: requests of lb grew by 12" "$((before + 12))" "$after"
done
get json
check "json: state, activation, route of w1" "OK ACT w1" \
    "$(field json lb/w1/state lb/w1/activation lb/w1/route)"
check_grep "json: bytes and connections are numbers" '^[0-9]+ [0-9]+ -?[0-9]+$' \
    "$(field json lb/w1/read lb/w1/transferred lb/w1/connected)"
check "3 requests to the plain ajp13 worker" "b3=3 " "$(count 3 "$U/solo/x")"
get json
check "json: plain ajp13 worker listed with host and port" "127.0.0.1 $P3" \
    "$(field json ajp/solo/host ajp/solo/port)"
solo_before=$(field json ajp/solo/used)
count 4 "$U/solo/y" >/dev/null
get json
check "json: the plain ajp13 worker's requests move with traffic" \
    "$((solo_before + 4))" "$(field json ajp/solo/used)"
get xml
check_grep "xml uses the jk: namespace" '<jk:status xmlns:jk="http://tomcat.apache.org">' \
    "$(cat "$IT_TMP/doc.xml")"
get prop
check_grep "prop keys are mod_jk's" '^worker\.lb\.balance_workers=w1$' \
    "$(cat "$IT_TMP/doc.prop")"
check_grep "prop: worker.w1.activation" '^worker\.w1\.activation=ACT$' \
    "$(cat "$IT_TMP/doc.prop")"
code=$(curl -s -o "$IT_TMP/doc.html" -w '%{http_code}' "$S")
check "html list answers 200" 200 "$code"
check_grep "html has a row per member" 'w2</td>' "$(cat "$IT_TMP/doc.html")"
curl -s -o "$IT_TMP/doc.html" "$S?re=5"
check_grep "html auto refresh with re" '<meta http-equiv="refresh" content="5">' \
    "$(cat "$IT_TMP/doc.html")"
curl -s -o "$IT_TMP/doc.html" "$U/jkstatus-ro"
if grep -q 'name="nonce"' "$IT_TMP/doc.html"; then
    not_ok "read-only page offers no change forms"
else
    ok "read-only page offers no change forms"
fi

# --- dump and version -------------------------------------------------------
dump=$(curl -s "$S?cmd=dump&mime=txt")
check_grep "dump shows each property with file:line" \
    "# $IT_TMP/workers.properties:[0-9]+" "$dump"
check_grep "dump shows worker.w1.port" "^worker\.w1\.port=$P1\$" "$dump"
# T-G11: every format of every command, the edit form, error documents
# and the module's own error page.
: >"$IT_TMP/all.out"
for f in html xml json txt prop prometheus; do
    for c in list show dump version; do
        curl -s "$S?cmd=$c&mime=$f" >>"$IT_TMP/all.out"
        curl -s "$S?cmd=$c&mime=$f&w=lb" "$S?cmd=$c&mime=$f&w=solo" \
            >>"$IT_TMP/all.out"
    done
    curl -s -H "$ORIGIN" --data "cmd=update&w=lb&sw=w1&vwf=0&mime=$f" \
        "$S" >>"$IT_TMP/all.out"
done
curl -s "$S?cmd=edit&w=lb&sw=w1" >>"$IT_TMP/all.out"
curl -s "$S?cmd=nope" >>"$IT_TMP/all.out"
code=$(curl -s -o "$IT_TMP/gone.out" -w '%{http_code}' "$U/gone/x")
check "a dead backend gives the module's 503 page" 503 "$code"
cat "$IT_TMP/gone.out" >>"$IT_TMP/all.out"
check_grep "the dump lists the variable the secret came from" \
    '^tcpass=\(hidden\)$' "$(curl -s "$S?cmd=dump&mime=txt")"
if grep -q 's3cr3t-value' "$IT_TMP/all.out"; then
    not_ok "T-G11: no status output or error page shows the secret" \
        "$(grep -o '.\{0,60\}s3cr3t-value' "$IT_TMP/all.out" | head -n 3)"
else
    ok "T-G11: no status output or error page shows the secret ($(wc -c <"$IT_TMP/all.out") bytes)"
fi
curl -s -o "$IT_TMP/doc.json" "$S?cmd=dump&mime=json"
check "dump json parses, secret hidden" "(hidden)" \
    "$(field json prop/worker.template.secret/value)"
check_grep "version" "mod_ajplb/" "$(curl -s "$S?cmd=version&mime=txt")"

# The dump lists every mount rule with its server, kind, source,
# extensions and file:line, in each format (text forms as '# Mount:'
# comments, so the properties still read back).
app_line=$(grep -n '^JkMount /app/\* lb$' "$H/httpd.conf" | cut -d: -f1)
M=mount/127.0.0.1
want="lb JkMount $H/httpd.conf $app_line False uriworkermap reply_timeout=5000 $IT_TMP/uriworkermap.properties lb wildcard exact"
for f in xml json txt prop prometheus; do
    curl -s -o "$IT_TMP/dump.$f" "$S?cmd=dump&mime=$f"
    p=$f
    case $f in txt|prop|prometheus) p=dump ;; esac
    check "dump mime=$f lists the mounts" "$want" "$($PARSE $p \
        "$IT_TMP/dump.$f" "$M/mount /app/*/worker" "$M/mount /app/*/source" \
        "$M/mount /app/*/file" "$M/mount /app/*/line" \
        "$M/mount /app/*/virtual" "$M/mount /mf/*/source" \
        "$M/mount /mf/*/extensions" "$M/mount /mf/*/file" \
        "$M/unmount /app/static/*/worker" "$M/unmount /app/static/*/match" \
        "$M/mount /jkstatus/match")"
done
check "dump mime=prop still reads back: worker.w1.port" "$P1" \
    "$($PARSE dump "$IT_TMP/dump.prop" prop/worker.w1.port/value)"
check_grep "dump mime=html lists the mounts" \
    "<tr><td>\(main server\)</td><td>/mf/\*</td><td>solo</td><td>mount</td><td>wildcard</td><td></td><td>uriworkermap</td><td>reply_timeout=5000</td><td>$IT_TMP/uriworkermap.properties:1</td></tr>" \
    "$(curl -s "$S?cmd=dump")"
curl -s -o "$IT_TMP/dump.json" "$S?cmd=dump&mime=json&opt=2"
check "opt=2 (mod_jk's no maps) hides the mounts, not the properties" \
    "MISSING $P1" "$($PARSE json "$IT_TMP/dump.json" \
                     "$M/mount /app/*/worker" prop/worker.w1.port/value)"

# --- GET never changes anything ---------------------------------------------
N=$(nonce)
check_grep "a read/write page hands out a nonce" '^[0-9a-f]{16}-[0-9a-f]{16}-[0-9a-f]{40}$' "$N"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$ORIGIN" \
       "$S?cmd=update&w=lb&sw=w1&vwa=D&nonce=$N")
check "GET cmd=update is refused (405)" 405 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$S?cmd=reset&w=lb&nonce=$N")
check "GET cmd=reset is refused (405)" 405 "$code"
get json
check "after the GETs w1 is still active" ACT "$(field json lb/w1/activation)"

# --- POST without nonce / wrong origin / read-only ----------------------------
check "POST without a nonce is refused (403)" 403 \
    "$(post "cmd=update&w=lb&sw=w1&vwa=D" -H "$ORIGIN")"
check "POST with a wrong nonce is refused (403)" 403 \
    "$(post "cmd=update&w=lb&sw=w1&vwa=D&nonce=0000000000000000-0000000000000000-0000000000000000000000000000000000000000" -H "$ORIGIN")"
check "POST from another origin is refused (403)" 403 \
    "$(post "cmd=update&w=lb&sw=w1&vwa=D&nonce=$N" -H "Origin: http://evil.example")"
check "POST with a foreign Referer and no Origin is refused (403)" 403 \
    "$(post "cmd=update&w=lb&sw=w1&vwa=D&nonce=$N" -H "Referer: http://evil.example/x")"
check "POST with neither Origin nor Referer is refused (403)" 403 \
    "$(post "cmd=update&w=lb&sw=w1&vwa=D&nonce=$N")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$ORIGIN" \
       --data "cmd=update&w=lb&sw=w1&vwa=D&nonce=$N" "$U/jkstatus-ro")
check "read-only worker refuses update (403)" 403 "$code"
for c in reset recover edit; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "$ORIGIN" \
           --data "cmd=$c&w=lb&sw=w1&nonce=$N" "$U/jkstatus-ro")
    check "read-only worker refuses $c (403)" 403 "$code"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$ORIGIN" \
       --data "cmd=update&w=lb&sw=w1&vwa=D&opt=32&nonce=$N" "$S")
check "opt=0x20 makes the request read-only (403)" 403 "$code"
get json
check "after the refused POSTs w1 is still active" ACT "$(field json lb/w1/activation)"
check_grep "a refused change is logged at warn" \
    '\[warn\].*refused POST /jkstatus from 127\.0\.0\.1: the request.s Origin' \
    "$(cat "$H"/logs/mod_jk.*.log)"

# --- T-G8: DNS rebinding, nonces spent once -------------------------------------
check "T-G8: Host and Origin both naming another site are refused (403)" 403 \
    "$(post "cmd=update&w=lb&sw=w1&vwd=7&nonce=$(nonce)" \
       -H "Host: evil.example:$port" -H "Origin: http://evil.example:$port")"
check "T-G8: the right name on another port is refused (403)" 403 \
    "$(post "cmd=update&w=lb&sw=w1&vwd=7&nonce=$(nonce)" \
       -H "Origin: http://127.0.0.1:1")"
get json
check "T-G8: ... and nothing changed" 0 "$(field json lb/w1/distance)"
N1=$(nonce)
N2=$(nonce)
check "T-G8: a fresh nonce allows a change" 200 \
    "$(post "cmd=update&w=lb&sw=w1&vwd=1&mime=txt&nonce=$N1" -H "$ORIGIN")"
check "T-G8: a second nonce handed out before it is void" 403 \
    "$(post "cmd=update&w=lb&sw=w1&vwd=2&mime=txt&nonce=$N2" -H "$ORIGIN")"
check "T-G8: a new nonce sets distance back" 200 \
    "$(post "cmd=update&w=lb&sw=w1&vwd=0&mime=txt&nonce=$(nonce)" -H "$ORIGIN")"
codes=""
for _ in 1 2 3 4 5 6 7 8; do
    codes="$codes$(post "cmd=update&w=lb&sw=w1&vwd=1&mime=txt&nonce=$N1" \
                   -H "$ORIGIN") "
done
check "T-G8: 8 replays of a spent nonce (new connections, 4 children) are refused" \
    "403 403 403 403 403 403 403 403 " "$codes"
get json
check "T-G8: ... and the replays changed nothing" 0 "$(field json lb/w1/distance)"
check_grep "T-G8: the refusal says the nonce is spent or wrong" \
    'used or expired nonce' "$(cat "$IT_TMP/post.out")"

# --- disable a member: every child obeys at once, sticky sessions stay -------
check "POST + nonce + Origin disables w1" 200 \
    "$(post "cmd=update&w=lb&sw=w1&vwa=D&mime=json&nonce=$(nonce)" -H "$ORIGIN")"
cp "$IT_TMP/post.out" "$IT_TMP/doc.json"
check "the answer shows w1 disabled" DIS "$(field json lb/w1/activation)"
check "40 new sessions over 4 children all avoid disabled w1" "b2=40 " \
    "$(count 40 "$U/app/new")"
check "sticky sessions of disabled w1 stay on w1" "b1=10 " \
    "$(count 10 -H 'Cookie: JSESSIONID=abc.w1' "$U/app/x")"
log=$(cat "$H"/logs/mod_jk.*.log 2>/dev/null)
check_grep "the change is logged with who and old -> new" \
    "\[info\].*status worker jkstatus: 127\.0\.0\.1 set activation of lb/w1: ACT -> DIS" "$log"

# --- stop and start -------------------------------------------------------------
check "stop w1 (from the HTML form: 303 back to the page)" 303 \
    "$(post "cmd=update&w=lb&sw=w1&vwa=S&from=list&nonce=$(nonce)" -H "Referer: $S?cmd=edit&w=lb&sw=w1")"
check "sticky sessions of stopped w1 move to w2" "b2=10 " \
    "$(count 10 -H 'Cookie: JSESSIONID=abc.w1' "$U/app/x")"
check "start w1 again" 200 \
    "$(post "cmd=update&w=lb&sw=w1&vwa=A&mime=txt&nonce=$(nonce)" -H "$ORIGIN")"
spread=$(count 20 "$U/app/new")
check_grep "started w1 gets new sessions again" 'b1=[0-9]+' "$spread"

# --- lb settings, validation, unsupported changes --------------------------------
check "update lb settings" 200 \
    "$(post "cmd=update&w=lb&vlr=3&vlt=120&vlm=B&vll=P&vls=0&mime=json&nonce=$(nonce)" -H "$ORIGIN")"
cp "$IT_TMP/post.out" "$IT_TMP/doc.json"
check "lb settings changed" "3 120 Busyness Pessimistic False" \
    "$(field json lb/-/retries lb/-/recover_time lb/-/method lb/-/lock lb/-/sticky_session)"
check "a bad lbfactor is refused (400)" 400 \
    "$(post "cmd=update&w=lb&sw=w1&vwf=0&nonce=$(nonce)" -H "$ORIGIN")"
check "a duplicate route is refused (400)" 400 \
    "$(post "cmd=update&w=lb&sw=w1&vwn=w2&nonce=$(nonce)" -H "$ORIGIN")"
check "host/port changes are refused (400)" 400 \
    "$(post "cmd=update&w=lb&sw=w1&vaprt=1&nonce=$(nonce)" -H "$ORIGIN")"
check_grep "... saying why" "cannot be changed at run time" "$(cat "$IT_TMP/post.out")"
check "att/val: lbfactor of every member" 200 \
    "$(post "cmd=update&w=lb&att=vwf&val0=3&val1=1&mime=json&nonce=$(nonce)" -H "$ORIGIN")"
cp "$IT_TMP/post.out" "$IT_TMP/doc.json"
check "att/val applied" "3 1" "$(field json lb/w1/lbfactor lb/w2/lbfactor)"
post "cmd=update&w=lb&vls=1&att=vwf&val0=1&val1=1&nonce=$(nonce)" -H "$ORIGIN" >/dev/null
post "cmd=update&w=lb&vls=1&nonce=$(nonce)" -H "$ORIGIN" >/dev/null

# --- reset and recover -----------------------------------------------------------
count 4 "$U/x/y" >/dev/null
get json
check "dead member of lbx is in error" ERR "$(field json lbx/xdead/state)"
check "recover puts it to ERR/REC" 200 \
    "$(post "cmd=recover&w=lbx&sw=xdead&mime=json&nonce=$(nonce)" -H "$ORIGIN")"
cp "$IT_TMP/post.out" "$IT_TMP/doc.json"
check "... which shows" ERR/REC "$(field json lbx/xdead/state)"
count 2 "$U/x/y" >/dev/null
check "reset lb statistics" 200 \
    "$(post "cmd=reset&w=lb&mime=json&nonce=$(nonce)" -H "$ORIGIN")"
cp "$IT_TMP/post.out" "$IT_TMP/doc.json"
check "elected back to 0" "0 0" "$(field json lb/w1/elected lb/w2/elected)"

# --- escaping ----------------------------------------------------------------------
XSS='<script>alert(1)</script>'
check "a route with markup is accepted (as the config reader would)" 200 \
    "$(post "cmd=update&w=lb&sw=w2&vwn=%3Cscript%3Ealert(1)%3C/script%3E&mime=txt&nonce=$(nonce)" -H "$ORIGIN")"
curl -s -o "$IT_TMP/doc.html" "$S?cmd=list&x=%3Cscript%3E&re=2"
curl -s "$S?cmd=edit&w=lb&sw=w2" >>"$IT_TMP/doc.html"
curl -s "$S?cmd=show&w=lb&sw=%3Cscript%3E" >>"$IT_TMP/doc.html"
curl -s "$S?cmd=%3Cscript%3E" >>"$IT_TMP/doc.html"
curl -s "$S?mime=%3Cscript%3E" >>"$IT_TMP/doc.html"
if grep -qi '<script' "$IT_TMP/doc.html"; then
    not_ok "HTML output has no unescaped markup from input" \
        "$(grep -i '<script' "$IT_TMP/doc.html" | head -n 3)"
else
    ok "HTML output has no unescaped markup from input"
fi
check_grep "the route is shown escaped" '&lt;script&gt;alert\(1\)&lt;/script&gt;' \
    "$(cat "$IT_TMP/doc.html")"
for f in xml json prop txt prometheus; do
    get $f
    check "mime=$f carries the markup route intact" "$XSS" "$(field $f lb/w2/route)"
done
post "cmd=update&w=lb&sw=w2&vwn=w2&nonce=$(nonce)" -H "$ORIGIN" >/dev/null

# --- headless Chromium screenshot ----------------------------------------------------
post "cmd=update&w=lb&sw=w2&vwa=D&nonce=$(nonce)" -H "$ORIGIN" >/dev/null
count 6 "$U/app/x" >/dev/null
count 3 "$U/x/y" >/dev/null
SHOT_DIR=${SHOT_DIR:-$OUT/artifacts}
mkdir -p "$SHOT_DIR"
shot=$SHOT_DIR/status-screenshot.png
rm -f "$shot"
if command -v chromium >/dev/null 2>&1; then
    prof=$(mktemp -d)
    timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$prof" \
        --screenshot="$shot" --window-size=1280,800 "$S" \
        >"$IT_TMP/chromium.log" 2>&1
    rm -rf "$prof"
    if [ -s "$shot" ] && head -c 8 "$shot" | od -An -c | grep -q 'P   N   G'; then
        ok "headless Chromium renders the status page ($shot)"
    else
        not_ok "headless Chromium renders the status page" \
            "CHROMIUM COULD NOT RUN: $(tail -n 5 "$IT_TMP/chromium.log")"
    fi
else
    not_ok "headless Chromium renders the status page" \
        "CHROMIUM IS NOT INSTALLED: apt-get install chromium (scripts/deps.sh check)"
fi
post "cmd=update&w=lb&sw=w2&vwa=A&nonce=$(nonce)" -H "$ORIGIN" >/dev/null

# --- log forging, and the secret in no log at trace level -------------------------
# A reply with reuse=0 is always logged at debug level ("Tomcat asked to
# close the connection"), so the trace-level check below does not depend on
# a maintenance interval having passed.
curl -s -o /dev/null "$U/app/close?fault=reuse0"
curl -s -o /dev/null "$U/app/a%0aFORGED%20line%0d?q=%0a"
curl -s -o /dev/null "$U/gone/b%0aFORGED%20error%1b"
curl -s -o /dev/null "$S?cmd=nope%0aFORGED"
# rotatelogs writes what the pipe holds: wait until the last request's
# line is there (at most 10 s; the check below fails if it never comes).
for _ in $(seq 1 100); do
    cat "$H"/logs/mod_jk.*.log | grep -q 'nope.*FORGED' && break
    sleep 0.1
done
jklog=$(cat "$H"/logs/mod_jk.*.log)
check_grep "the request log escapes the decoded newline" \
    '/app/a\\nFORGED line\\r' "$jklog"
if printf '%s\n' "$jklog" "$(cat "$H/logs/error.log")" | grep -q '^FORGED'; then
    not_ok "no log line is forged by a decoded %0a" \
        "$(printf '%s\n' "$jklog" | grep -B1 '^FORGED' | head -n 4)"
else
    ok "no log line is forged by a decoded %0a"
fi
check_grep "mod_jk.log ran at trace level" '\[trace\]|\[debug\]' "$jklog"
if cat "$H"/logs/*.log | grep -q 's3cr3t-value'; then
    not_ok "T-G11: neither mod_jk.log nor the error log (ajplb:trace8) shows the secret" \
        "$(cat "$H"/logs/*.log | grep -o '.\{0,60\}s3cr3t-value' | head -n 3)"
else
    ok "T-G11: neither mod_jk.log nor the error log (ajplb:trace8) shows the secret"
fi

# --- piped log through rotatelogs ----------------------------------------------------
if pgrep -f "rotatelogs $H/logs/mod_jk" >/dev/null 2>&1; then
    ok "JkLogFile pipe runs rotatelogs"
else
    not_ok "JkLogFile pipe runs rotatelogs"
fi
check_grep "rotatelogs writes the dated mod_jk log" "mod_jk\.[0-9]{8}\.log" \
    "$(ls "$H/logs")"

it_done
