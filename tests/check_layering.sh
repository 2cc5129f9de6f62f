#!/bin/sh
# tests/check_layering.sh -- the layers follow the folders: the core
# (src/core/, include/) includes no httpd header and nothing of the adapter
# (src/httpd/) or the command (src/cli/); the command includes no httpd
# header either, so only src/httpd/ depends on httpd.
set -u
cd "$(dirname "$0")/.."
httpd_hdrs='httpd\.h|http_[a-z_]*\.h|ap_[a-z_]*\.h|util_[a-z_]*\.h|mod_[a-z_]*\.h|mpm_common\.h|scoreboard\.h'
inc='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]'
core=$(ls src/core/*.c include/*.h 2>/dev/null)
cli=$(ls src/cli/*.c src/cli/*.h 2>/dev/null)
# The core may not include the command's headers; the command includes its
# own (ajplb_cli*.h) but, like the core, no httpd header.
bad=$(grep -nE "$inc($httpd_hdrs|ajplb_cli[a-z_]*\.h)[>\"]" $core 2>/dev/null;
      grep -nE "$inc($httpd_hdrs)[>\"]" $cli 2>/dev/null)
: "${RESULTS:=out/results.txt}"
mkdir -p "$(dirname "$RESULTS")"
if [ -n "$bad" ]; then
    echo "layering: core or command files include httpd or adapter headers (move this code to src/httpd/):"
    echo "$bad"
    echo "layering 0 1" >>"$RESULTS"
    exit 1
fi
n=$(echo $core $cli | wc -w)
echo "layering: $n core and command files include no httpd header"
echo "layering 1 0" >>"$RESULTS"
