#!/bin/sh
# tests/check_messages.sh -- every message the module writes has an entry in
# docs/TROUBLESHOOTING.md (tests/check_messages.py reads the messages from
# the C sources and the entries from the page, and fails naming each message
# without an entry and each entry whose message is gone).  Before trusting
# a pass it proves the check can fail: a copy of the page without one entry,
# and one with an entry for a message that does not exist, must both be
# refused, naming that message.
set -u
cd "$(dirname "$0")/.."
: "${RESULTS:=out/results.txt}"
mkdir -p "$(dirname "$RESULTS")"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_messages.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
doc=docs/TROUBLESHOOTING.md

selftest() {
    # $1: name, $2: edited copy, $3: text the failure must name
    if MESSAGES_DOC="$2" RESULTS=/dev/null python3 tests/check_messages.py \
        >"$tmp/out" 2>&1; then
        echo "messages: self-test '$1' passed but must fail"
        return 1
    fi
    if ! grep -qF -- "$3" "$tmp/out"; then
        echo "messages: self-test '$1' failed without naming: $3"
        cat "$tmp/out"
        return 1
    fi
}

bad=0
if [ -f "$doc" ]; then
    first=$(grep -m1 '^> `' "$doc")
    grep -vxF -- "$first" "$doc" >"$tmp/missing.md"
    selftest "entry removed" "$tmp/missing.md" "$first" || bad=1
    { cat "$doc"; echo '> `no such message … ever`'; } >"$tmp/stale.md"
    selftest "stale entry" "$tmp/stale.md" 'no such message … ever' || bad=1
fi
[ "$bad" -eq 0 ] || echo "messages-selftest 0 1" >>"$RESULTS"
python3 tests/check_messages.py || bad=1
exit $bad
