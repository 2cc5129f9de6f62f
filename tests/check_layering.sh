#!/bin/sh
# tests/check_layering.sh -- the core (src/ajplb_*.c, include/*.h) must not
# include httpd headers; only the adapter files src/mod_ajplb*.c may.
set -u
cd "$(dirname "$0")/.."
httpd_hdrs='httpd\.h|http_[a-z_]*\.h|ap_[a-z_]*\.h|util_[a-z_]*\.h|mod_[a-z_]*\.h|mpm_common\.h|scoreboard\.h'
bad=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($httpd_hdrs)[>\"]" \
      src/ajplb_*.c include/*.h 2>/dev/null)
: "${RESULTS:=out/results.txt}"
mkdir -p "$(dirname "$RESULTS")"
if [ -n "$bad" ]; then
    echo "layering: core files include httpd headers (move this code to an adapter file src/mod_ajplb*.c):"
    echo "$bad"
    echo "layering 0 1" >>"$RESULTS"
    exit 1
fi
n=$(ls src/ajplb_*.c include/*.h | wc -l)
echo "layering: $n core files include no httpd header"
echo "layering 1 0" >>"$RESULTS"
