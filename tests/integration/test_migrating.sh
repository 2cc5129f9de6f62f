#!/bin/sh
# tests/integration/test_migrating.sh -- the configuration pairs of
# docs/MIGRATING.md, extracted from the page as written (only ports and
# directories replaced): for each pair an httpd with mod_ajplb and an httpd
# with mod_proxy_ajp (+ mod_proxy_balancer) run in front of the same fake
# backends, and the same requests must be routed the same way: mounted and
# unmounted URIs, the URI and query Tomcat sees, the spread without a
# session, the member chosen for a session id (cookie and path parameter),
# the route in a new session's cookie, failover when a member stops, 503
# when all are down, and a hot standby.
. "$(dirname "$0")/lib.sh"

for m in mod_proxy mod_proxy_ajp mod_proxy_balancer mod_slotmem_shm \
         mod_lbmethod_byrequests; do
    if [ ! -f "$MODDIR/$m.so" ]; then
        not_ok "$m is installed" "$MODDIR/$m.so is missing"
        it_done
    fi
done

start_backend b1 --secret change-me --route worker1; P1=$BACKEND_PORT
start_backend b2 --secret change-me --route worker2; P2=$BACKEND_PORT
DOCS=$IT_TMP/doc
files=$(doc_blocks "$IT_ROOT/docs/MIGRATING.md" "$DOCS")
for f in pair1/ajplb.conf pair1/workers.properties pair1/proxy.conf \
         pair2/ajplb.conf pair2/workers.properties pair2/proxy.conf \
         pair3/ajplb.conf pair3/workers.properties pair3/proxy.conf; do
    case " $(echo $files) " in
    *" $DOCS/$f "*) ok "docs/MIGRATING.md has $f" ;;
    *) not_ok "docs/MIGRATING.md has $f" "blocks found: $files" ;;
    esac
done
# The page's ports and paths become this run's.
for f in $files; do
    sed -i -e "s#/usr/lib/apache2/modules/mod_ajplb.so#$MODULE#g" \
        -e "s#/usr/lib/apache2/modules/#$MODDIR/#g" \
        -e "s#/etc/apache2/#$DOCS/#g" \
        -e "s#/var/log/apache2/#logs/#g" \
        -e "s/\\b8009\\b/$P1/g" -e "s/\\b8010\\b/$P2/g" "$f"
done
chmod -R a+rX "$DOCS"

# httpd serves the static files: the same document root for every front.
mkdir -p "$IT_TMP/www/app/static"
echo STATIC >"$IT_TMP/www/index.html"
echo STATIC >"$IT_TMP/www/app/static/logo.png"
chmod -R a+rX "$IT_TMP/www"
echo "DocumentRoot \"$IT_TMP/www\"" >"$IT_TMP/common.conf"

# start_front NAME CONF: an httpd including CONF; sets its URL in $URL.
start_front() {
    port=$(free_port)
    front_conf "$IT_TMP/$1" "$port" "$IT_TMP/common.conf" "$2"
    if ! httpd_start "$IT_TMP/$1"; then
        not_ok "httpd '$1' starts with $(basename "$2") as written" \
            "$(cat "$IT_TMP/$1/logs/error.log" 2>/dev/null)"
        it_done
    fi
    wait_http "$port"
    URL=http://127.0.0.1:$port
}

# who URL [curl args]: "STATUS BACKEND URI QUERY" for one request.
who() {
    u=$1; shift
    out=$(curl -s -D "$IT_TMP/who.hdr" "$@" "$u")
    code=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$IT_TMP/who.hdr")
    be=$(printf '%s\n' "$out" | sed -n 's/^backend: //p' | head -n 1)
    uri=$(printf '%s\n' "$out" | sed -n 's/^uri: //p' | head -n 1)
    q=$(printf '%s\n' "$out" | sed -n 's/^query: //p' | head -n 1)
    echo "$code ${be:--} ${uri:--} ${q:--}"
}

# same NAME PATH EXPECTED [curl args]: PATH answered alike by both fronts,
# and as EXPECTED.
same() {
    s_name=$1 s_path=$2 s_want=$3; shift 3
    s_jk=$(who "$JK$s_path" "$@")
    s_px=$(who "$PX$s_path" "$@")
    check "$s_name: mod_ajplb" "$s_want" "$s_jk"
    check "$s_name: mod_proxy gives the same" "$s_jk" "$s_px"
}

# ---------------------------------------------------------------- pair 1
start_front jk1 "$DOCS/pair1/ajplb.conf"; JK=$URL
start_front px1 "$DOCS/pair1/proxy.conf"; PX=$URL
same "pair1: /index.jsp goes to Tomcat" /index.jsp "200 b1 /index.jsp -"
same "pair1: a JSP in a directory with a query" "/dir/page.jsp?q=1" \
    "200 b1 /dir/page.jsp q=1"
same "pair1: /index.html is served by httpd" /index.html "200 - - -"
same "pair1: a directory named jsp stays in httpd" /jsp/ "404 - - -"
check "pair1: mod_ajplb writes mod_jk.log where the page says" yes \
    "$([ -f "$IT_TMP/jk1/logs/mod_jk.log" ] && echo yes)"
httpd_stop "$IT_TMP/jk1"
httpd_stop "$IT_TMP/px1"

# ---------------------------------------------------------------- pair 2
start_front jk2 "$DOCS/pair2/ajplb.conf"; JK=$URL
start_front px2 "$DOCS/pair2/proxy.conf"; PX=$URL

# Without a session: both Tomcats get requests (round robin: each gets
# about half; counted, not timed).
for front in JK PX; do
    eval base=\$$front
    n1=0 n2=0
    for _ in $(seq 1 20); do
        case $(who "$base/app/page") in
        "200 b1 "*) n1=$((n1 + 1)) ;;
        "200 b2 "*) n2=$((n2 + 1)) ;;
        esac
    done
    if [ "$n1" -ge 5 ] && [ "$n2" -ge 5 ] && [ $((n1 + n2)) -eq 20 ]; then
        ok "pair2 $front: 20 requests without a session spread ($n1/$n2)"
    else
        not_ok "pair2 $front: 20 requests without a session spread" \
            "worker1 $n1, worker2 $n2 (each at least 5 of 20 expected)"
    fi
done

for r in 1 2; do
    got=""
    for _ in 1 2 3 4 5; do
        got="$got|$(who "$JK/app/cart" -H "Cookie: JSESSIONID=ABC.worker$r")"
    done
    check "pair2: JSESSIONID=ABC.worker$r sticks (mod_ajplb)" \
        "|200 b$r /app/cart -|200 b$r /app/cart -|200 b$r /app/cart -|200 b$r /app/cart -|200 b$r /app/cart -" \
        "$got"
    gotp=""
    for _ in 1 2 3 4 5; do
        gotp="$gotp|$(who "$PX/app/cart" -H "Cookie: JSESSIONID=ABC.worker$r")"
    done
    check "pair2: JSESSIONID=ABC.worker$r sticks the same (mod_proxy)" \
        "$got" "$gotp"
done
same "pair2: ;jsessionid path parameter routes" \
    "/app/cart;jsessionid=XYZ.worker2?x=1" "200 b2 /app/cart;jsessionid=XYZ.worker2 x=1"
same "pair2: the bare prefix /app is forwarded" "/app" "200 b2 /app -" \
    -H "Cookie: JSESSIONID=ABC.worker2"
same "pair2: /app/static/ is served by httpd" /app/static/logo.png \
    "200 - - -"
same "pair2: outside /app stays in httpd" /other/page "404 - - -"
for front in JK PX; do
    eval base=\$$front
    c=$(curl -s -D - -o /dev/null "$base/app/session" | tr -d '\r' \
        | sed -n 's/^[Ss]et-[Cc]ookie: JSESSIONID=[0-9a-f]*\.\(worker[12]\);.*/\1/p')
    case $c in
    worker1|worker2) ok "pair2 $front: a new session's cookie names its route ($c)" ;;
    *) not_ok "pair2 $front: a new session's cookie names its route" "got '$c'" ;;
    esac
done

# worker1 stops: its sessions move to worker2 through both.
stop_backend b1
same "pair2: worker1 down, its session moves to worker2" /app/cart \
    "200 b2 /app/cart -" -H "Cookie: JSESSIONID=ABC.worker1"
same "pair2: worker1 down, again" /app/cart "200 b2 /app/cart -" \
    -H "Cookie: JSESSIONID=ABC.worker1"
same "pair2: worker1 down, new requests go to worker2" /app/new \
    "200 b2 /app/new -"
# Both stopped: 503 through both.
stop_backend b2
same "pair2: both down is 503" /app/cart "503 - - -" \
    -H "Cookie: JSESSIONID=ABC.worker2"
check_grep "pair2: mod_jk.log says why" "cannot connect to 127.0.0.1:$P2" \
    "$(cat "$IT_TMP/jk2/logs/mod_jk.log")"
httpd_stop "$IT_TMP/jk2"
httpd_stop "$IT_TMP/px2"

# ---------------------------------------------------------------- pair 3
# The page's ports were fixed at extraction: the backends come back there.
BACKEND_FIXED_PORT=$P1 start_backend b1 --secret change-me --route main
BACKEND_FIXED_PORT=$P2 start_backend b2 --secret change-me --route standby
start_front jk3 "$DOCS/pair3/ajplb.conf"; JK=$URL
start_front px3 "$DOCS/pair3/proxy.conf"; PX=$URL
for front in JK PX; do
    eval base=\$$front
    got=""
    for _ in 1 2 3 4 5 6; do
        got="$got $(who "$base/shop/item" | cut -d' ' -f1,2)"
    done
    check "pair3 $front: both up, every request goes to main" \
        " 200 b1 200 b1 200 b1 200 b1 200 b1 200 b1" "$got"
done
same "pair3: a session of main goes to main" /shop/cart \
    "200 b1 /shop/cart -" -H "Cookie: JSESSIONID=ABC.main"
stop_backend b1
same "pair3: main down, a new request goes to the standby" /shop/item \
    "200 b2 /shop/item -"
same "pair3: main down, main's session goes to the standby" /shop/cart \
    "200 b2 /shop/cart -" -H "Cookie: JSESSIONID=ABC.main"
it_done
