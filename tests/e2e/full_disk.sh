#!/usr/bin/env bash
# A full disk (RLIMIT_FSIZE) or an unwritable directory stops indexing (and
# optimize) with a clear message and exit 2; the previous commit stays intact
# and searchable; a rerun with room completes.
. "$(dirname "$0")/lib.sh"
gen_docs 200 a >"$TMP/a.jsonl"
gen_docs 400 b 7 >"$TMP/b.jsonl"   # its segment is larger than 64 KiB
"$LEDE_INDEX" -q "$TMP/ix" "$TMP/a.jsonl" || fail "first commit"
"$LEDE_INDEX" ids "$TMP/ix" >"$TMP/before"
"$LEDE_SEARCH" --count "$TMP/ix" 'korea OR peace' >"$TMP/count_before" || fail "search before"
# files may not grow past 64 KiB: the segment of b cannot be written
( ulimit -f 64; exec "$LEDE_INDEX" -q "$TMP/ix" "$TMP/b.jsonl" ) 2>"$TMP/err"
st=$?
[ $st -eq 2 ] || fail "indexing into a full disk exited $st, expected 2"
grep -q -i -E "File too large|No space" "$TMP/err" || fail "no clear message: $(cat "$TMP/err")"
grep -q "stays at its last commit" "$TMP/err" || fail "message does not say the index is intact: $(cat "$TMP/err")"
"$LEDE_INDEX" check "$TMP/ix" >/dev/null || fail "check after the full disk"
"$LEDE_INDEX" ids "$TMP/ix" | cmp -s - "$TMP/before" || fail "documents changed after the failed run"
ls "$TMP/ix" | grep -q '\.tmp$' && fail "a temporary file was left behind: $(ls "$TMP/ix")"
"$LEDE_SEARCH" --count "$TMP/ix" 'korea OR peace' | cmp -s - "$TMP/count_before" ||
  fail "lede-search after the full disk does not answer as before"
"$LEDE_SEARCH" "$TMP/ix" --doc a199 >/dev/null || fail "lede-search --doc after the full disk"
"$LEDE_INDEX" -q "$TMP/ix" "$TMP/b.jsonl" || fail "rerun with room"
[ "$("$LEDE_INDEX" ids "$TMP/ix" | wc -l)" -eq 600 ] || fail "rerun did not complete"

# optimize into a full disk: the merged segment cannot be written
"$LEDE_INDEX" -q --merge-factor 1 delete "$TMP/ix" a1 b2 b300 || fail "deletes before optimize"
"$LEDE_INDEX" ids "$TMP/ix" >"$TMP/before"
"$LEDE_SEARCH" --count "$TMP/ix" 'korea OR peace' >"$TMP/count_before" || fail "search before optimize"
n_segs=$(ls "$TMP/ix" | grep -c '\.lseg$')
[ "$n_segs" -gt 1 ] || fail "optimize test needs more than one segment: $(ls "$TMP/ix")"
( ulimit -f 64; exec "$LEDE_INDEX" -q optimize "$TMP/ix" ) 2>"$TMP/err"
st=$?
[ $st -eq 2 ] || fail "optimize into a full disk exited $st, expected 2"
grep -q -i -E "File too large|No space" "$TMP/err" || fail "optimize: no clear message: $(cat "$TMP/err")"
grep -q "stays at its last commit" "$TMP/err" || fail "optimize: message does not say the index is intact: $(cat "$TMP/err")"
"$LEDE_INDEX" check "$TMP/ix" >/dev/null || fail "check after optimize into a full disk"
"$LEDE_INDEX" ids "$TMP/ix" | cmp -s - "$TMP/before" || fail "documents changed after the failed optimize"
"$LEDE_SEARCH" --count "$TMP/ix" 'korea OR peace' | cmp -s - "$TMP/count_before" ||
  fail "lede-search after the failed optimize does not answer as before"
ls "$TMP/ix" | grep -q '\.tmp$' && fail "optimize left a temporary file behind: $(ls "$TMP/ix")"
"$LEDE_INDEX" -q optimize "$TMP/ix" || fail "optimize with room"
[ "$(ls "$TMP/ix" | grep -c '\.lseg$')" -eq 1 ] || fail "optimize with room left $(ls "$TMP/ix")"
"$LEDE_INDEX" ids "$TMP/ix" | cmp -s - "$TMP/before" || fail "documents changed by optimize"
"$LEDE_INDEX" check "$TMP/ix" >/dev/null || fail "check after optimize with room"
# permission denied (not meaningful as root, who may write anywhere)
if [ "$(id -u)" -ne 0 ]; then
  chmod 555 "$TMP/ix"
  "$LEDE_INDEX" -q "$TMP/ix" "$TMP/a.jsonl" 2>"$TMP/err"; st=$?
  chmod 755 "$TMP/ix"
  [ $st -eq 2 ] && grep -q "Permission denied" "$TMP/err" || fail "permission denied: exit $st: $(cat "$TMP/err")"
fi
finish
