#!/bin/sh
# tests/interop/run.sh -- differential test: Debian's mod_jk 1.2.48 and
# mod_ajplb, each in its own httpd started from the same configuration text
# (only the LoadModule line and the log paths differ), in front of one real
# Tomcat 10.  driver.py sends the same requests to both and compares what
# the client got and what the servlet saw; every difference must be listed
# in expected-differences.txt, and every listed one must still occur.
#
#   tests/interop/run.sh [OUT]      (make check-interop)
# Environment: RESULTS (results file), KEEP_TMP=1 keeps the temp dir on
# failure, INTEROP_ONLY=REGEX runs only the matching cases (no stale check),
# INTEROP_SHOW=1 prints every compared value, INTEROP_JOBS=N cases at once
# (default 4), INTEROP_EXPECTED=FILE uses
# another list.
[ -n "${1:-}" ] && OUT=$1
. "$(dirname "$0")/../integration/lib.sh"
IT_NAME=interop
HERE=$IT_ROOT/tests/interop
TOMCAT_SH=$HERE/run.sh
. "$IT_ROOT/tests/tomcat/tomcat.sh"
JK_SO=${JK_SO:-$MODDIR/mod_jk.so}

for need in "$CATALINA_HOME/bin/catalina.sh" "$JK_SO" "$MODULE" \
            "$MODDIR/mod_http2.so" "$MODDIR/mod_ssl.so"; do
    if [ ! -e "$need" ]; then
        not_ok "$need exists (scripts/deps.sh check installs the packages; make builds the module)"
        it_done
    fi
done

SECRET=interopS3cret
T0=$(date +%s)
ajp=$(free_port)
thttp=$(free_port)
T=$IT_TMP/tomcat
tomcat_make "$T" "$ajp" "$thttp" worker1 "$SECRET"
# The remote user httpd authenticated must reach getRemoteUser().
sed -i 's|protocol="AJP/1.3"|protocol="AJP/1.3" tomcatAuthentication="false"|' \
    "$T/conf/server.xml"
mkdir -p "$T/webapps/ctx/WEB-INF"
cp "$HERE/ctx-web.xml" "$T/webapps/ctx/WEB-INF/web.xml"
cp "$IT_ROOT/tests/tomcat/webapp/interop_dump.jsp" "$T/webapps/ctx/"
# A CA, a server certificate and a client certificate it signed (EC keys:
# quick to make), made while Tomcat starts.
C=$IT_TMP/certs
mkdir -p "$C"
printf 'subjectAltName=IP:127.0.0.1\n' >"$C/san.ext"
EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
(
    openssl req -x509 $EC -days 2 -subj "/CN=interop-ca" \
        -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=keyCertSign,cRLSign \
        -keyout "$C/ca.key" -out "$C/ca.crt" &&
    openssl req $EC -subj "/CN=127.0.0.1" \
        -keyout "$C/server.key" -out "$C/server.csr" &&
    openssl x509 -req -in "$C/server.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" \
        -CAcreateserial -days 2 -extfile "$C/san.ext" -out "$C/server.crt" &&
    openssl req $EC -subj "/O=interop/CN=interop-client" \
        -keyout "$C/client.key" -out "$C/client.csr" &&
    openssl x509 -req -in "$C/client.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" \
        -CAcreateserial -days 2 -out "$C/client.crt" &&
    chmod 644 "$C"/*
) >"$C/openssl.log" 2>&1 &
certs_pid=$!

IT_PIDFILES="$IT_PIDFILES $T/pid"
tomcat_start "$T" || { not_ok "tomcat starts" "$(tail -n 20 "$T/logs/catalina.out")"; it_done; }
echo "# tomcat up after $(( $(date +%s) - T0 ))s"
# Both contexts answer directly (a broken web.xml would make every case a
# same-on-both-sides 404).
for u in /interop_dump.jsp /ctx/srv/check; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$thttp$u")
    check "Tomcat serves $u directly" 200 "$code" \
        "$(grep SEVERE "$T/logs/catalina.out" | head -n 5)"
done

wait "$certs_pid" && [ -s "$C/client.crt" ] ||
    { not_ok "openssl makes the certificates" "$(cat "$C/openssl.log")"; it_done; }

# Basic authentication for /ctx/auth/ (user interop, password pw).
python3 -c 'import base64, hashlib
print("interop:{SHA}" + base64.b64encode(hashlib.sha1(b"pw").digest()).decode())' \
    >"$IT_TMP/htpasswd"
chmod 644 "$IT_TMP/htpasswd"

cat >"$IT_TMP/workers.properties" <<WP
worker.list=direct,lb
worker.direct.type=ajp13
worker.direct.host=127.0.0.1
worker.direct.port=$ajp
worker.direct.secret=$SECRET
worker.worker1.type=ajp13
worker.worker1.host=127.0.0.1
worker.worker1.port=$ajp
worker.worker1.secret=$SECRET
worker.lb.type=lb
worker.lb.balance_workers=worker1
WP

# front NAME LOADLINE: write NAME/httpd.conf; sets PORT_P/S1/S2 of NAME.
front() {
    name=$1 load=$2
    d=$IT_TMP/$name
    p=$(free_port) s1=$(free_port) s2=$(free_port)
    eval "P_$name=$p S1_$name=$s1 S2_$name=$s2"
    mkdir -p "$d/logs" "$d/run"
    user_lines=""
    if [ "$(id -u)" = 0 ]; then
        chown www-data "$d/logs"
        user_lines="User www-data
Group www-data"
    fi
    cat >"$d/httpd.conf" <<CONF
ServerRoot "$d"
ServerName 127.0.0.1
Listen 127.0.0.1:$p
Listen 127.0.0.1:$s1
Listen 127.0.0.1:$s2
PidFile "$d/run/httpd.pid"
DefaultRuntimeDir "$d/run"
ErrorLog "$d/logs/error.log"
LogLevel warn
$user_lines
LoadModule mpm_event_module $MODDIR/mod_mpm_event.so
LoadModule authz_core_module $MODDIR/mod_authz_core.so
LoadModule authn_core_module $MODDIR/mod_authn_core.so
LoadModule authn_file_module $MODDIR/mod_authn_file.so
LoadModule authz_user_module $MODDIR/mod_authz_user.so
LoadModule auth_basic_module $MODDIR/mod_auth_basic.so
LoadModule socache_shmcb_module $MODDIR/mod_socache_shmcb.so
LoadModule ssl_module $MODDIR/mod_ssl.so
LoadModule http2_module $MODDIR/mod_http2.so
$load
Protocols h2c http/1.1
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile "$d/logs/mod_jk.log"
JkLogLevel info
JkMount /*.jsp direct
JkMount /ctx lb
JkMount /ctx/* lb
<Location /ctx/auth/>
    AuthType Basic
    AuthName interop
    AuthBasicProvider file
    AuthUserFile "$IT_TMP/htpasswd"
    Require valid-user
</Location>
<Location /ctx/srv/denied>
    Require all denied
</Location>
SSLSessionCache "shmcb:$d/run/ssl_scache(512000)"
<VirtualHost 127.0.0.1:$s1>
    ServerName 127.0.0.1
    JkMountCopy On
    SSLEngine on
    SSLCertificateFile "$C/server.crt"
    SSLCertificateKeyFile "$C/server.key"
    SSLCACertificateFile "$C/ca.crt"
    SSLVerifyClient optional
    SSLVerifyDepth 2
    SSLOptions +StdEnvVars +ExportCertData
</VirtualHost>
<VirtualHost 127.0.0.1:$s2>
    ServerName 127.0.0.1
    JkMountCopy On
    SSLEngine on
    SSLCertificateFile "$C/server.crt"
    SSLCertificateKeyFile "$C/server.key"
    SSLCACertificateFile "$C/ca.crt"
    SSLVerifyClient optional
    SSLVerifyDepth 2
    TraceEnable Off
</VirtualHost>
CONF
}
front jk "LoadModule jk_module $JK_SO"
front ajplb "LoadModule ajplb_module $MODULE"

for f in jk ajplb; do
    IT_PIDFILES="$IT_PIDFILES $IT_TMP/$f/run/httpd.pid"
    if ! "$APACHE2" -f "$IT_TMP/$f/httpd.conf" -k start; then
        not_ok "httpd with $f starts" "$(cat "$IT_TMP/$f/logs/error.log")"
        it_done
    fi
done
eval "wait_http \$P_jk && wait_http \$P_ajplb" || {
    not_ok "both fronts answer" "$(cat "$IT_TMP"/*/logs/error.log)"; it_done; }

echo "# fronts up after $(( $(date +%s) - T0 ))s"
TMPDIR=$IT_TMP python3 "$HERE/driver.py" \
    --tomcat "http://127.0.0.1:$thttp" \
    --front "jk:$P_jk:$S1_jk:$S2_jk" \
    --front "ajplb:$P_ajplb:$S1_ajplb:$S2_ajplb" \
    --certs "$C" --expected "${INTEROP_EXPECTED:-$HERE/expected-differences.txt}" \
    --counts "$IT_TMP/counts" --report "$OUT/interop-differences.txt" ${INTEROP_ONLY:+--only "$INTEROP_ONLY"} ${INTEROP_SHOW:+--show} --jobs "${INTEROP_JOBS:-4}"
rc=$?
echo "# driver done after $(( $(date +%s) - T0 ))s"
if [ -s "$IT_TMP/counts" ]; then
    read -r IT_PASS IT_FAIL <"$IT_TMP/counts"
else
    not_ok "driver.py ran to the end (exit $rc)"
fi
if [ "$IT_FAIL" -gt 0 ]; then
    for f in jk ajplb; do
        echo "# $f error.log:"
        grep -v -e AH01630 -e AH01617 -e AH10244 "$IT_TMP/$f/logs/error.log" \
            | tail -n 5 | sed 's/^/#   /'
    done
fi
for f in jk ajplb; do httpd_stop "$IT_TMP/$f"; done
tomcat_stop "$T"
it_done
