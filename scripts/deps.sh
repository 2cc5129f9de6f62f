#!/bin/sh
# scripts/deps.sh -- make sure the Debian packages a make target needs are
# installed.  As root on Debian it installs what is missing with apt-get;
# otherwise it prints the exact command and fails.
#
#   scripts/deps.sh build|check|demo|bench|chaos|deb
set -eu

want=${1:-build}
# The ajplb command (src/cli/) links libcurl and jansson; make builds it.
build_pkgs="gcc make autoconf pkg-config apache2-dev libapr1-dev libaprutil1-dev libssl-dev libcurl4-openssl-dev libjansson-dev"
# make check-deb (CI runs it) builds and installs the Debian package;
# dh_apache2 comes with apache2-dev.
deb_pkgs="debhelper dpkg-dev fakeroot lintian"
check_pkgs="$build_pkgs apache2 apache2-utils tomcat10 check clang libclang-rt-14-dev curl python3 openssl procps chromium strace libapache2-mod-jk default-jdk-headless $deb_pkgs"
demo_pkgs="$build_pkgs apache2 tomcat10 curl python3"
# nginx: make bench's peer front in the Tomcat cases (HTTP to Tomcat); the
# bench runs its own instances and never uses the packaged service (which,
# like apache2's and tomcat10's, Debian may start on install).
bench_pkgs="$check_pkgs wrk gnuplot-nox valgrind nginx"

case "$want" in
    build) pkgs=$build_pkgs ;;
    check) pkgs=$check_pkgs ;;
    demo)  pkgs=$demo_pkgs ;;
    bench) pkgs=$bench_pkgs ;;
    chaos) pkgs="$check_pkgs wrk" ;;
    deb)   pkgs="$build_pkgs $deb_pkgs" ;;
    *) echo "usage: $0 build|check|demo|bench|chaos|deb" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: not a Debian system; make sure these are installed: $pkgs" >&2
    exit 0
fi

missing=""
for p in $pkgs; do
    # python3 may come from outside Debian's packages (pyenv); a working
    # interpreter on PATH is enough.
    if [ "$p" = python3 ] && command -v python3 >/dev/null 2>&1; then
        continue
    fi
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: missing packages:$missing" >&2
    echo "deps: install them with: sudo apt-get install -y$missing" >&2
    exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing
