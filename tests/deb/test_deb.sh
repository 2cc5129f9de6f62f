#!/bin/sh
# tests/deb/test_deb.sh -- make check-deb: the Debian package as an admin
# uses it.  lintian; dpkg -i into the real system; then, in a copy of
# /etc/apache2 (APACHE_CONFDIR, Debian's multi-instance mechanism, so the
# system's apache2 and its configuration are never touched): a2dismod jk,
# a2enmod ajplb, apache2ctl configtest, start, a request through to a real
# Tomcat 10 and to the status page, graceful restart; dpkg --purge, and
# nothing of the package is left behind.
#
#   tests/deb/test_deb.sh DEBDIR        (root; DEBDIR holds the built .deb)
#
# It installs into the real system, so it needs root and runs one at a
# time (a lock); whatever happens, the trap stops what it started and
# purges the package.  Other tests' throwaway httpds (apache2 -f ...) are
# not affected: this one has its own config root, pid file, logs and port.
. "$(dirname "$0")/../integration/lib.sh"
TOMCAT_SH=$0
. "$IT_ROOT/tests/tomcat/tomcat.sh"

DEBDIR=${1:-$OUT/deb}
case "$DEBDIR" in /*) ;; *) DEBDIR=$IT_ROOT/$DEBDIR ;; esac
PKG=libapache2-mod-ajplb
C=$IT_TMP/apache2              # the copy of /etc/apache2
INSTALLED_BY_US=0

deb_cleanup() {
    # httpd and Tomcat are stopped by it_cleanup (IT_PIDFILES); the
    # package goes first so a failure half-way leaves no trace.
    if [ "$INSTALLED_BY_US" = 1 ] &&
       dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q installed; then
        echo "# cleanup: dpkg --purge $PKG"
        dpkg --purge "$PKG" >/dev/null 2>&1
    fi
    it_cleanup
}
trap deb_cleanup EXIT

if [ "$(id -u)" != 0 ]; then
    not_ok "runs as root (it installs the package with dpkg -i)"
    it_done
fi
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "ok installed"; then
    not_ok "$PKG is not installed before the test (the test purges it)" \
        "remove it first: dpkg --purge $PKG"
    it_done
fi
# One check-deb at a time on a machine.
exec 9>/run/lock/ajplb-check-deb.lock
flock -w 900 9 || { not_ok "got the check-deb lock"; it_done; }

# dpkg_run ARGS...: dpkg, waiting while apt or dpkg holds its lock.
dpkg_run() {
    for _ in $(seq 1 60); do
        DPKG_OUT=$(dpkg "$@" 2>&1); DPKG_RC=$?
        case "$DPKG_OUT" in *"lock"*) sleep 2 ;; *) return 0 ;; esac
    done
}

# --- the package file ---------------------------------------------------------
version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$IT_ROOT/configure.ac")
arch=$(dpkg --print-architecture)
deb=$DEBDIR/${PKG}_${version}_$arch.deb
if [ ! -s "$deb" ]; then
    not_ok "make deb built ${PKG}_${version}_$arch.deb" "not in $DEBDIR: $(ls "$DEBDIR" 2>&1 | tr '\n' ' ')"
    it_done
fi
ok "make deb built ${PKG}_${version}_$arch.deb (the version of configure.ac)"
check "the package's Version field is the project's version" "$version" \
    "$(dpkg-deb -f "$deb" Version)"
check_grep "it depends on the Apache module API (dh_apache2)" \
    "apache2-api-[0-9]+" "$(dpkg-deb -f "$deb" Depends)"
contents=$(dpkg-deb -c "$deb")
for f in ./usr/lib/apache2/modules/mod_ajplb.so \
         ./etc/apache2/mods-available/ajplb.load \
         ./etc/apache2/mods-available/ajplb.conf \
         ./etc/libapache2-mod-ajplb/workers.properties \
         ./usr/share/doc/$PKG/examples/workers.properties.example \
         ./usr/share/doc/$PKG/README.Debian \
         ./usr/share/doc/$PKG/copyright \
         ./usr/bin/ajplb \
         ./usr/share/man/man1/ajplb.1.gz; do
    check_grep "the package holds ${f#.}" " $f\$" "$contents"
done
check_grep "workers.properties (AJP secrets) is not world-readable" \
    "^-rw-r----- root/root .* ./etc/libapache2-mod-ajplb/workers.properties" \
    "$contents"

changes=$DEBDIR/${PKG}_${version}_$arch.changes
lint=$(lintian -I --pedantic "$changes" 2>&1 | grep -v "running with root privileges")
check "lintian (pedantic, info) has nothing to say (overrides: debian/*.lintian-overrides)" \
    "" "$lint"

# --- dpkg -i into the real system -----------------------------------------------
enabled_before=$(ls /etc/apache2/mods-enabled)
state_before=$(find /var/lib/apache2 -type f 2>/dev/null | sort)
jk_enabled=0
[ -e /etc/apache2/mods-enabled/jk.load ] && jk_enabled=1
INSTALLED_BY_US=1
dpkg_run -i "$deb"
check "dpkg -i $PKG succeeds" 0 "$DPKG_RC" "$DPKG_OUT"
check "dpkg says it is installed" "install ok installed" \
    "$(dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null)"
if [ "$jk_enabled" = 1 ]; then
    check_grep "with mod_jk enabled, postinst leaves mod_ajplb off and says how to switch" \
        "mod_jk is enabled, so mod_ajplb was not.*" "$DPKG_OUT"
    check "... and /etc/apache2 is as it was (both modules would not start)" \
        "$enabled_before" "$(ls /etc/apache2/mods-enabled)"
else
    check "without mod_jk, postinst enables mod_ajplb (a2enmod)" yes \
        "$([ -L /etc/apache2/mods-enabled/ajplb.load ] && echo yes)"
fi
check_grep "its /etc files are conffiles" \
    "/etc/apache2/mods-available/ajplb.conf.*/etc/libapache2-mod-ajplb/workers.properties" \
    "$(dpkg-query -W -f='${Conffiles}' "$PKG" | tr '\n' ' ')"
files=$(dpkg -L "$PKG")

# --- a2dismod jk, a2enmod ajplb, configtest in a copy of /etc/apache2 ----------------
cp -a /etc/apache2 "$C"
mkdir -p "$IT_TMP/run" "$IT_TMP/lock" "$IT_TMP/log" "$IT_TMP/state"
chown www-data "$IT_TMP/log" "$IT_TMP/lock"
# envvars: everything the instance writes goes under $IT_TMP.
cat >>"$C/envvars" <<ENV
# check-deb: this instance's own run, lock and log directories.
export APACHE_PID_FILE=$IT_TMP/run/apache2.pid
export APACHE_RUN_DIR=$IT_TMP/run
export APACHE_LOCK_DIR=$IT_TMP/lock
export APACHE_LOG_DIR=$IT_TMP/log
ENV
port=$(free_port)
echo "Listen 127.0.0.1:$port" >"$C/ports.conf"
rm -f "$C"/sites-enabled/*
# a2enmod/a2dismod/apache2ctl follow APACHE_CONFDIR; their state files
# (enabled_by_admin, ...) go to APACHE_STATE_DIRECTORY; apache2ctl starts
# httpd itself instead of asking systemd.
export APACHE_CONFDIR="$C" APACHE_STATE_DIRECTORY="$IT_TMP/state" \
       APACHE_STARTED_BY_SYSTEMD=check-deb
IT_PIDFILES="$IT_PIDFILES $IT_TMP/run/apache2.pid"

if [ -e "$C/mods-enabled/jk.load" ]; then
    out=$(a2enmod ajplb 2>&1)
    check_grep "a2enmod ajplb refuses while jk is enabled (Conflicts: jk)" \
        "Module jk is enabled - cannot proceed due to conflicts" "$out"
    a2dismod -q jk >/dev/null 2>&1
    check "a2dismod jk" no "$([ -e "$C/mods-enabled/jk.load" ] && echo yes || echo no)"
fi
out=$(a2enmod ajplb 2>&1)
check "a2enmod ajplb succeeds" yes \
    "$([ -L "$C/mods-enabled/ajplb.load" ] && [ -L "$C/mods-enabled/ajplb.conf" ] && echo yes)" "$out"
out=$(apache2ctl configtest 2>&1); rc=$?
check "apache2ctl configtest with the package's files as installed" "0" "$rc" "$out"

# Now point the module at a real Tomcat: the test's own workers file.
secret=deb5ecret
ajp=$(free_port); thttp=$(free_port)
tomcat_make "$IT_TMP/tc" "$ajp" "$thttp" worker1 "$secret"
IT_PIDFILES="$IT_PIDFILES $IT_TMP/tc/pid"
tomcat_start "$IT_TMP/tc" || { not_ok "Tomcat starts"; it_done; }
cat >"$IT_TMP/workers.properties" <<WP
worker.list=jk-status,ajp13_worker
worker.jk-status.type=status
worker.ajp13_worker.type=ajp13
worker.ajp13_worker.host=127.0.0.1
worker.ajp13_worker.port=$ajp
worker.ajp13_worker.secret=$secret
WP
sed -i "s|^\( *JkWorkersFile \)/etc/libapache2-mod-ajplb/workers.properties|\1$IT_TMP/workers.properties|" \
    "$C/mods-available/ajplb.conf"
# A site as an admin writes it: a virtual host with its own mount.
cat >"$C/sites-available/ajplb-test.conf" <<SITE
<VirtualHost *:$port>
    ServerName localhost
    # As with mod_jk, the main server's mounts (here /jk-status of
    # ajplb.conf) reach a virtual host only with JkMountCopy.
    JkMountCopy On
    JkMount /*.jsp ajp13_worker
</VirtualHost>
SITE
a2ensite -q ajplb-test >/dev/null 2>&1
out=$(apache2ctl configtest 2>&1); rc=$?
check "apache2ctl configtest with a Tomcat worker and a site" "0" "$rc" "$out"

apache2ctl start >"$IT_TMP/start.out" 2>&1
if ! wait_http "$port"; then
    not_ok "apache2ctl start" "$(cat "$IT_TMP/start.out" "$IT_TMP"/log/error.log 2>/dev/null | tail -n 20)"
    it_done
fi
ok "apache2ctl start (its own pid file, logs and port $port)"
U=http://127.0.0.1:$port
out=$(curl -s -w 'http: %{http_code}\n' "$U/session.jsp")
check "a request goes through mod_ajplb to Tomcat (worker1)" "200 worker1" \
    "$(printf '%s\n' "$out" | sed -n 's/^http: //p') $(printf '%s\n' "$out" | sed -n 's/^route: //p')"
out=$(curl -s -w '\nhttp: %{http_code}\n' "$U/jk-status?mime=json")
check_grep "the status page of ajplb.conf answers on localhost, in JSON" \
    '"ajp_workers".*ajp13_worker' "$(printf '%s' "$out" | tr -d '\n')"
check "mod_ajplb.log is opened in APACHE_LOG_DIR" yes \
    "$([ -f "$IT_TMP/log/mod_ajplb.log" ] && echo yes)" "$(ls "$IT_TMP/log")"

pid=$(cat "$IT_TMP/run/apache2.pid")
apache2ctl graceful >/dev/null 2>&1
n=0
for _ in $(seq 1 100); do
    n=$(grep -c "resuming normal operations" "$IT_TMP/log/error.log")
    [ "$n" -ge 2 ] && break
    sleep 0.1
done
check "apache2ctl graceful restarts the same server" "2 $pid" \
    "$n $(cat "$IT_TMP/run/apache2.pid")"
out=$(curl -s -w 'http: %{http_code}\n' "$U/session.jsp")
check "after the graceful restart requests still reach Tomcat" "200 worker1" \
    "$(printf '%s\n' "$out" | sed -n 's/^http: //p') $(printf '%s\n' "$out" | sed -n 's/^route: //p')"
apache2ctl stop >/dev/null 2>&1
for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
check "apache2ctl stop" stopped "$(kill -0 "$pid" 2>/dev/null && echo running || echo stopped)"
tomcat_stop "$IT_TMP/tc"
unset APACHE_CONFDIR APACHE_STATE_DIRECTORY APACHE_STARTED_BY_SYSTEMD

# --- dpkg --purge leaves nothing behind --------------------------------------------
dpkg_run --purge "$PKG"
check "dpkg --purge $PKG succeeds" 0 "$DPKG_RC" "$DPKG_OUT"
INSTALLED_BY_US=0
left=""
for f in $files /etc/libapache2-mod-ajplb /var/log/apache2/mod_ajplb.log; do
    case "$f" in
        */$PKG*|*ajplb*) [ -e "$f" ] && left="$left $f" ;;
    esac
done
check "no file of the package is left (module, conffiles, docs, log)" "" "$left"
check "dpkg no longer knows it" "" \
    "$(dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep installed)"
check "/etc/apache2/mods-enabled is as before" "$enabled_before" \
    "$(ls /etc/apache2/mods-enabled)"
check "/var/lib/apache2 (a2enmod state) is as before" "$state_before" \
    "$(find /var/lib/apache2 -type f 2>/dev/null | sort)"
it_done
