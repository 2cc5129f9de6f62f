#!/bin/sh
# tests/integration/test_examples.sh -- the worked examples of
# docs/EXAMPLES.md, extracted from the page as written (only ports,
# directories and certificate paths replaced: doc_blocks in lib.sh), each
# started with the real httpd in front of fake AJP backends that say which
# Tomcat answered, and checked as the page says: round robin, the secret,
# sticky sessions with failover, TLS in mod_ssl.
. "$(dirname "$0")/lib.sh"

start_backend b1 --secret change-me --route tomcat1; P1=$BACKEND_PORT
start_backend b2 --secret change-me --route tomcat2; P2=$BACKEND_PORT
DOCS=$IT_TMP/doc
WWW=$IT_TMP/www
mkdir -p "$WWW/app/.well-known"
echo STATIC >"$WWW/index.html"
echo CHALLENGE >"$WWW/app/.well-known/token"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -keyout "$IT_TMP/example.key" -out "$IT_TMP/example.crt" 2>/dev/null
sport=$(free_port)

files=$(doc_blocks "$IT_ROOT/docs/EXAMPLES.md" "$DOCS")
for f in rr/app.conf rr/workers.properties secret/app.conf \
         secret/workers.properties sticky/app.conf sticky/workers.properties \
         tls/app.conf tls/workers.properties; do
    case " $(echo $files) " in
    *" $DOCS/$f "*) ok "docs/EXAMPLES.md has $f" ;;
    *) not_ok "docs/EXAMPLES.md has $f" "blocks found: $files" ;;
    esac
done
for f in $files; do
    sed -i -e "s#/usr/lib/apache2/modules/mod_ajplb.so#$MODULE#g" \
        -e "s#/usr/lib/apache2/modules/#$MODDIR/#g" \
        -e "s#/etc/apache2/#$DOCS/#g" \
        -e "s#/var/log/apache2/#logs/#g" \
        -e "s#/var/www/html#$WWW#g" \
        -e "s#/etc/ssl/certs/example.crt#$IT_TMP/example.crt#g" \
        -e "s#/etc/ssl/private/example.key#$IT_TMP/example.key#g" \
        -e "s/\\b8009\\b/$P1/g" -e "s/\\b8010\\b/$P2/g" \
        -e "s/\\b443\\b/$sport/g" "$f"
done
chmod -R a+rX "$DOCS" "$WWW"

# start_front NAME CONF: an httpd including CONF; sets its URL in $URL.
start_front() {
    port=$(free_port)
    front_conf "$IT_TMP/$1" "$port" "$2"
    httpd_test "$IT_TMP/$1"
    CONFIGTEST=$HTTPD_OUT
    if ! httpd_start "$IT_TMP/$1"; then
        not_ok "httpd '$1' starts with $(basename "$2") as written" \
            "$(cat "$IT_TMP/$1/logs/error.log" 2>/dev/null)"
        it_done
    fi
    wait_http "$port"
    URL=http://127.0.0.1:$port
}

# who URL [curl args]: "STATUS BACKEND" for one request ("-" for httpd).
who() {
    u=$1; shift
    out=$(curl -s -D "$IT_TMP/who.hdr" "$@" "$u")
    code=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$IT_TMP/who.hdr")
    be=$(printf '%s\n' "$out" | sed -n 's/^backend: //p' | head -n 1)
    echo "$code ${be:--}"
}

# --------------------------------------------------- 1. round robin
start_front rr "$DOCS/rr/app.conf"; U=$URL
check "rr: configtest has no warning" "" \
    "$(printf '%s\n' "$CONFIGTEST" | grep -i 'warning')"
n1=0 n2=0
for _ in $(seq 1 20); do
    case $(who "$U/index.jsp") in
    "200 b1") n1=$((n1 + 1)) ;;
    "200 b2") n2=$((n2 + 1)) ;;
    esac
done
# Round robin: about half each (counted, not timed; maintenance may shift
# a turn).
if [ "$n1" -ge 7 ] && [ "$n2" -ge 7 ] && [ $((n1 + n2)) -eq 20 ]; then
    ok "rr: 20 requests shared between the Tomcats ($n1/$n2)"
else
    not_ok "rr: 20 requests shared between the Tomcats" \
        "tomcat1 $n1, tomcat2 $n2 (each at least 7 of 20 expected)"
fi
check "rr: /index.html served by httpd" "200 -" "$(who "$U/index.html")"
stop_backend b1
got=""
for _ in 1 2 3 4; do got="$got $(who "$U/index.jsp")"; done
check "rr: tomcat1 stopped, every request goes to tomcat2" \
    " 200 b2 200 b2 200 b2 200 b2" "$got"
httpd_stop "$IT_TMP/rr"
# The page's ports were fixed at extraction: restart on the same one.
BACKEND_FIXED_PORT=$P1 start_backend b1 --secret change-me --route tomcat1

# --------------------------------------------------- 2. the secret
start_front secret "$DOCS/secret/app.conf"; U=$URL
check "secret: a request reaches Tomcat with the secret" "200 b1" \
    "$(who "$U/app/x")"
sed 's/^worker.tomcat1.secret=.*/worker.tomcat1.secret=wrong/' \
    "$DOCS/secret/workers.properties" >"$DOCS/secret/wrong.properties"
sed "s#secret/workers.properties#secret/wrong.properties#" \
    "$DOCS/secret/app.conf" >"$DOCS/secret/wrong.conf"
chmod a+r "$DOCS/secret/"*
start_front secretwrong "$DOCS/secret/wrong.conf"; UW=$URL
check "secret: a wrong secret gets Tomcat's 403" "403 -" "$(who "$UW/app/x")"
grep -v '^worker.tomcat1.secret=' "$DOCS/secret/workers.properties" \
    >"$DOCS/secret/none.properties"
sed "s#secret/workers.properties#secret/none.properties#" \
    "$DOCS/secret/app.conf" >"$DOCS/secret/none.conf"
chmod a+r "$DOCS/secret/"*
front_conf "$IT_TMP/secretnone" "$(free_port)" "$DOCS/secret/none.conf"
httpd_test "$IT_TMP/secretnone"
check_grep "secret: without it configtest warns NO SECRET" \
    "warning: NO SECRET: worker 'tomcat1'" "$HTTPD_OUT"
httpd_stop "$IT_TMP/secret"
httpd_stop "$IT_TMP/secretwrong"

# --------------------------------------------------- 3. sticky + failover
start_front sticky "$DOCS/sticky/app.conf"; U=$URL
c=$(curl -s -D - -o /dev/null "$U/app/session" | tr -d '\r' \
    | sed -n 's/^[Ss]et-[Cc]ookie: JSESSIONID=[0-9a-f]*\.\(tomcat[12]\);.*/\1/p')
case $c in
tomcat1|tomcat2) ok "sticky: a new session's cookie names its route ($c)" ;;
*) not_ok "sticky: a new session's cookie names its route" "got '$c'" ;;
esac
for r in 1 2; do
    got=""
    for _ in 1 2 3 4; do
        got="$got $(who "$U/app/cart" -H "Cookie: JSESSIONID=ABC.tomcat$r")"
    done
    check "sticky: JSESSIONID=ABC.tomcat$r sticks" \
        " 200 b$r 200 b$r 200 b$r 200 b$r" "$got"
done
check "sticky: ;jsessionid routes" "200 b2" \
    "$(who "$U/app/cart;jsessionid=XYZ.tomcat2")"
stop_backend b1
got=""
for _ in 1 2 3; do
    got="$got $(who "$U/app/cart" -H "Cookie: JSESSIONID=ABC.tomcat1")"
done
check "sticky: tomcat1 stopped, its session goes on at tomcat2" \
    " 200 b2 200 b2 200 b2" "$got"
stop_backend b2
check "sticky: both stopped is 503" "503 -" \
    "$(who "$U/app/cart" -H "Cookie: JSESSIONID=ABC.tomcat2")"
check_grep "sticky: mod_jk.log says all members failed" \
    "worker loadbalancer: all members failed" \
    "$(cat "$IT_TMP/sticky/logs/mod_jk.log")"
httpd_stop "$IT_TMP/sticky"
BACKEND_FIXED_PORT=$P1 start_backend b1 --secret change-me --route tomcat1

# --------------------------------------------------- 4. TLS in mod_ssl
start_front tls "$DOCS/tls/app.conf"; U=$URL
S=https://127.0.0.1:$sport
out=$(curl -sk "$S/app/secure")
check "tls: https reaches Tomcat" "b1" \
    "$(printf '%s\n' "$out" | sed -n 's/^backend: //p')"
check "tls: Tomcat is told the request is secure" 1 \
    "$(printf '%s\n' "$out" | sed -n 's/^is_ssl: //p')"
check_grep "tls: Tomcat gets the cipher" '^ssl_cipher: [A-Z0-9_-]+$' "$out"
check "tls: .well-known served by httpd" "CHALLENGE" \
    "$(curl -sk "$S/app/.well-known/token")"
check "tls: the plain http server forwards nothing" "404 -" \
    "$(who "$U/app/secure")"
it_done
