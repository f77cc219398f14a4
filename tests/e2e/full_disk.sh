#!/usr/bin/env bash
# A full disk (RLIMIT_FSIZE) or an unwritable directory stops indexing with
# a clear message and exit 2; the previous commit stays intact and
# searchable; a rerun with room completes.
. "$(dirname "$0")/lib.sh"
gen_docs 500 a >"$TMP/a.jsonl"
gen_docs 4000 b 7 >"$TMP/b.jsonl"
"$LEDE_INDEX" -q "$TMP/ix" "$TMP/a.jsonl" || fail "first commit"
"$LEDE_INDEX" ids "$TMP/ix" >"$TMP/before"
# files may not grow past 256 KiB: the segment of b cannot be written
( ulimit -f 256; exec "$LEDE_INDEX" -q "$TMP/ix" "$TMP/b.jsonl" ) 2>"$TMP/err"
st=$?
[ $st -eq 2 ] || fail "indexing into a full disk exited $st, expected 2"
grep -q -i -E "File too large|No space" "$TMP/err" || fail "no clear message: $(cat "$TMP/err")"
grep -q "stays at its last commit" "$TMP/err" || fail "message does not say the index is intact: $(cat "$TMP/err")"
"$LEDE_INDEX" check "$TMP/ix" >/dev/null || fail "check after the full disk"
"$LEDE_INDEX" ids "$TMP/ix" | cmp -s - "$TMP/before" || fail "documents changed after the failed run"
ls "$TMP/ix" | grep -q '\.tmp$' && fail "a temporary file was left behind: $(ls "$TMP/ix")"
"$LEDE_INDEX" -q "$TMP/ix" "$TMP/b.jsonl" || fail "rerun with room"
[ "$("$LEDE_INDEX" ids "$TMP/ix" | wc -l)" -eq 4500 ] || fail "rerun did not complete"
# permission denied (not meaningful as root, who may write anywhere)
if [ "$(id -u)" -ne 0 ]; then
  chmod 555 "$TMP/ix"
  "$LEDE_INDEX" -q "$TMP/ix" "$TMP/a.jsonl" 2>"$TMP/err"; st=$?
  chmod 755 "$TMP/ix"
  [ $st -eq 2 ] && grep -q "Permission denied" "$TMP/err" || fail "permission denied: exit $st: $(cat "$TMP/err")"
fi
finish
