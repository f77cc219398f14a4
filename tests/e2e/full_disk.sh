#!/usr/bin/env bash
# A full disk (RLIMIT_FSIZE) or an unwritable directory stops indexing (and
# optimize) with a clear message and exit 2; the previous commit stays intact
# and searchable; a rerun with room completes.
. "$(dirname "$0")/lib.sh"
gen_docs 200 a >"$TMP/a.jsonl"
gen_docs 400 b 7 >"$TMP/b.jsonl"   # its segment is larger than 64 KiB
# into_full_disk WHAT CMD...: CMD, with files limited to 64 KiB, exits 2 with
# a clear message, and the last commit ($TMP/before, $TMP/count_before) is
# intact, checked and answers as before, with no temporary file left behind.
into_full_disk() {
  local what=$1 st; shift
  ( ulimit -f 64; exec "$@" ) 2>"$TMP/err"
  st=$?
  [ $st -eq 2 ] || fail "$what into a full disk exited $st, expected 2"
  grep -q -i -E "File too large|No space" "$TMP/err" || fail "$what: no clear message: $(cat "$TMP/err")"
  grep -q "stays at its last commit" "$TMP/err" || fail "$what: message does not say the index is intact: $(cat "$TMP/err")"
  "$LEDE_INDEX" check "$TMP/ix" >/dev/null || fail "check after $what into a full disk"
  "$LEDE_INDEX" ids "$TMP/ix" | cmp -s - "$TMP/before" || fail "documents changed after $what into a full disk"
  "$LEDE_SEARCH" --count "$TMP/ix" 'korea OR peace' | cmp -s - "$TMP/count_before" ||
    fail "lede-search after $what into a full disk does not answer as before"
  ls "$TMP/ix" | grep -q '\.tmp$' && fail "$what left a temporary file behind: $(ls "$TMP/ix")"
  return 0
}

"$LEDE_INDEX" -q "$TMP/ix" "$TMP/a.jsonl" || fail "first commit"
"$LEDE_INDEX" ids "$TMP/ix" >"$TMP/before"
"$LEDE_SEARCH" --count "$TMP/ix" 'korea OR peace' >"$TMP/count_before" || fail "search before"
# files may not grow past 64 KiB: the segment of b cannot be written
into_full_disk indexing "$LEDE_INDEX" -q "$TMP/ix" "$TMP/b.jsonl"
"$LEDE_SEARCH" "$TMP/ix" --doc a199 >/dev/null || fail "lede-search --doc after the full disk"
"$LEDE_INDEX" -q "$TMP/ix" "$TMP/b.jsonl" || fail "rerun with room"
[ "$("$LEDE_INDEX" ids "$TMP/ix" | wc -l)" -eq 600 ] || fail "rerun did not complete"

# optimize into a full disk: the merged segment cannot be written
"$LEDE_INDEX" -q --merge-factor 1 delete "$TMP/ix" a1 b2 b300 || fail "deletes before optimize"
"$LEDE_INDEX" ids "$TMP/ix" >"$TMP/before"
"$LEDE_SEARCH" --count "$TMP/ix" 'korea OR peace' >"$TMP/count_before" || fail "search before optimize"
n_segs=$(ls "$TMP/ix" | grep -c '\.lseg$')
[ "$n_segs" -gt 1 ] || fail "optimize test needs more than one segment: $(ls "$TMP/ix")"
into_full_disk optimize "$LEDE_INDEX" -q optimize "$TMP/ix"
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
