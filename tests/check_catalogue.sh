#!/bin/sh
# tests/check_catalogue.sh -- every id of the fault catalogue has a test.
# docs/SECURITY.md keeps the catalogue's id list and a table of guarantees
# (guarantee | ids | test files).  Fails when an id of the list is not in
# the table, when no file under tests/ names a table id as a whole word,
# when none of the test files of its row names it, or when the shared
# reference beside the repository lists other ids than docs/SECURITY.md.
set -u
cd "$(dirname "$0")/.."
doc=docs/SECURITY.md
ref=${CATALOGUE_REF:-../shared/reference/security-and-faults.md}
self=tests/check_catalogue.sh
: "${RESULTS:=out/results.txt}"
mkdir -p "$(dirname "$RESULTS")"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_catalogue.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
errors=0

fail() {
    echo "catalogue: $*"
    errors=$((errors + 1))
}

# The ids a text names as whole words, as grep -w sees words (letters,
# digits, '_'): T-B4 is not named by "T-B4b", T-C20 is by "T-C20-shaped".
# scan() prints "id" or "id FILENAME" for each one on the current line.
awk_scan='
function scan(line, tag,    tok, pre, post, last) {
    last = ""
    while (match(line, /T-[A-Z][0-9]+[a-z]?/)) {
        tok = substr(line, RSTART, RLENGTH)
        pre = RSTART > 1 ? substr(line, RSTART - 1, 1) : last
        post = substr(line, RSTART + RLENGTH, 1)
        if (pre !~ /[A-Za-z0-9_]/ && post !~ /[A-Za-z0-9_]/)
            print tok (tag == "" ? "" : " " tag)
        last = substr(line, RSTART + RLENGTH - 1, 1)
        line = substr(line, RSTART + RLENGTH)
    }
}'
ids_in() {
    awk "$awk_scan"' { scan($0, "") }' | sort -u
}

if [ ! -f "$doc" ]; then
    echo "catalogue: $doc is missing"
    echo "catalogue 0 1" >>"$RESULTS"
    exit 1
fi

# The id list: the fenced block under "## The catalogue's ids".
awk '/^## The catalogue.s ids/ {s = 1; next}
     s && /^```/ {n++; if (n == 2) exit; next}
     s && n == 1' "$doc" | ids_in >"$tmp/list"
# The table: rows "| guarantee | ids | tests |" under "## Guarantees".
awk '/^## Guarantees/ {s = 1; next} /^## / {s = 0}
     s && /^\| / && !/^\|---/ && !/^\| Guarantee/' "$doc" >"$tmp/rows"
awk -F'|' '{print $3}' "$tmp/rows" | ids_in >"$tmp/table"

if [ ! -s "$tmp/list" ]; then
    fail "no id list found in $doc (a fenced block under \"## The catalogue's ids\")"
fi

# 1. Every id of the list has a row, and every row id is in the list.
for id in $(comm -23 "$tmp/list" "$tmp/table"); do
    fail "$id is in the catalogue but in no row of the table in $doc: add a row (guarantee | $id | test file)"
done
for id in $(comm -13 "$tmp/list" "$tmp/table"); do
    fail "$id is in the table of $doc but not in its id list: add it to the list or fix the typo"
done

# 2. The shared reference, when it is there, lists the same ids.
if [ -f "$ref" ]; then
    ids_in <"$ref" >"$tmp/ref"
    for id in $(comm -23 "$tmp/ref" "$tmp/list"); do
        fail "$id is in $ref but not in the id list of $doc"
    done
    for id in $(comm -13 "$tmp/ref" "$tmp/list"); do
        fail "$id is in the id list of $doc but not in $ref"
    done
fi

# 3. Some test names each id, and so does a file of its row: every
# "id file" pair once, then one pass over the rows.
find tests -type f ! -path "$self" ! -path 'tests/fuzz/corpus/*' \
    ! -path 'tests/fuzz/crashes/*' ! -path 'tests/data/*' \
    ! -path 'tests/*/docs/*' | sort >"$tmp/files"
# shellcheck disable=SC2046
awk "$awk_scan"' { scan($0, FILENAME) }' $(cat "$tmp/files") /dev/null \
    | sort -u >"$tmp/named"
awk -v doc="$doc" '
    NR == FNR { named[$1] = 1; pair[$1 " " $2] = 1; next }
    {
        split($0, col, "|")
        ni = split(col[3], ids, /[ ,]+/)
        nf = split(col[4], files, /[ ,]+/)
        for (i = 1; i <= ni; i++) {
            id = ids[i]
            if (id !~ /^T-[A-Z][0-9]+[a-z]?$/) continue
            if (!(id in named)) {
                printf "%s has no test: no file under tests/ names it " \
                    "(write the test and name %s in a comment or check " \
                    "message)\n", id, id
                continue
            }
            ok = 0; list = ""
            for (j = 1; j <= nf; j++) {
                if (files[j] == "") continue
                list = list (list == "" ? "" : " ") files[j]
                if ((id " " files[j]) in pair) ok = 1
            }
            if (!ok)
                printf "%s: none of the files in its row of %s (%s) " \
                    "names it; fix the row\n", id, doc, list
        }
    }' "$tmp/named" "$tmp/rows" >"$tmp/problems"
while IFS= read -r line; do
    fail "$line"
done <"$tmp/problems"

n=$(wc -l <"$tmp/list" | tr -d ' ')
if [ "$errors" -gt 0 ]; then
    echo "catalogue: $errors problem(s) with the $n catalogue ids in $doc"
    echo "catalogue 0 1" >>"$RESULTS"
    exit 1
fi
echo "catalogue: $n ids, each in $doc and named by a test"
echo "catalogue 1 0" >>"$RESULTS"
