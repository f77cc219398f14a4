#!/usr/bin/env bash
# Damaged indexes from the command line: what the user sees. lede-search
# exits 3 with "index corrupt: FILE: WHAT"; lede-index check exits 3 and
# names the file. (tests/unit/test_corrupt.c sweeps thousands of cases
# through the library; this checks the programs' messages and statuses.)
. "$(dirname "$0")/lib.sh"
IX=$TMP/ix
gen_docs 150 a >"$TMP/a.jsonl"
gen_docs 40 b 1 >"$TMP/b.jsonl"
expect_status 0 "$LEDE_INDEX" -q --merge-factor 1 "$IX" "$TMP/a.jsonl"
expect_status 0 "$LEDE_INDEX" -q --merge-factor 1 "$IX" "$TMP/b.jsonl"
expect_status 0 "$LEDE_INDEX" delete "$IX" a3
expect_status 0 "$LEDE_INDEX" check "$IX" && ok "intact index checks"
expect_status 0 "$LEDE_SEARCH" "$IX" korea && ok "intact index answers"
SEG=$IX/seg_000001.lseg
DEL=$(ls "$IX"/seg_000001_*.ldel)
[ -f "$SEG" ] && [ -f "$DEL" ] && [ -f "$IX/seg_000002.lseg" ] || { fail "unexpected files: $(ls "$IX")"; finish; }
cp -r "$IX" "$TMP/intact"
restore() { rm -rf "$IX"; cp -r "$TMP/intact" "$IX"; }

u32() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
u64() { od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '; }
# section FILE ID: prints "offset length" of section ID from the segment's TOC
section() {
  local f=$1 id=$2 size toc n i e
  size=$(stat -c %s "$f")
  toc=$(u64 "$f" $((size - 24)))
  n=$(u32 "$f" "$toc")
  for ((i = 0; i < n; i++)); do
    e=$((toc + 4 + i * 20))
    if [ "$(u32 "$f" "$e")" -eq "$id" ]; then
      echo "$(u64 "$f" $((e + 4))) $(u64 "$f" $((e + 12)))"
      return
    fi
  done
}
# fill FILE OFFSET LENGTH [OCTAL]: overwrites the bytes with 0xff (or OCTAL)
fill() { head -c "$3" /dev/zero | tr '\0' "\\${4:-377}" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
# poke FILE OFFSET OCTAL: overwrites one byte
poke() { printf "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }

# search_corrupt WHAT ARGS...: lede-search exits 3 naming FILE: WHAT
search_corrupt() {
  local what=$1; shift
  expect_status 3 "$LEDE_SEARCH" "$IX" "$@" && expect_grep "index corrupt: $what" "$TMP/err" "lede-search $*"
}
# check_finds WHAT: lede-index check exits 3 and prints WHAT
check_finds() {
  expect_status 3 "$LEDE_INDEX" check "$IX" && expect_grep "$1" "$TMP/out" "check"
  expect_grep "problem" "$TMP/out" "check summary"
}

# MANIFEST and deletion files are checksummed on open
restore; poke "$IX/MANIFEST" 20 001
search_corrupt "$IX/MANIFEST: checksum mismatch" korea
check_finds "$IX/MANIFEST: checksum mismatch"
restore; poke "$DEL" 30 377
search_corrupt "$DEL: checksum mismatch" korea
check_finds "$DEL: checksum mismatch"

# a segment's envelope, table of contents and META are checked on open
restore; truncate -s 1000 "$SEG"
search_corrupt "$SEG: bad footer (truncated or overwritten)" korea
check_finds "$SEG: bad footer (truncated or overwritten)"
restore; : >"$SEG"
search_corrupt "$SEG: file too short to be a lede index file (truncated?)" korea
restore; poke "$SEG" 8 377
search_corrupt "$SEG: format version differs from the manifest's (a damaged header)" korea
check_finds "$SEG: format version differs"
restore; rm "$IX/seg_000002.lseg"
search_corrupt "$IX/seg_000002.lseg: missing (the manifest names it)" korea
check_finds "seg_000002.lseg: missing"

# the rest of a segment is checked as it is decoded: the query that meets
# the damage fails, the others still answer; check verifies everything
restore; read -r off len < <(section "$SEG" 4)   # POSTINGS
[ -n "$off" ] && [ "$len" -gt 100 ] || fail "POSTINGS not found in the TOC"
fill "$SEG" "$off" "$len"
search_corrupt "$SEG: " korea && expect_grep "(run lede-index check $IX)" "$TMP/err" "advice"
search_corrupt "$SEG: " --any korea kim trade
expect_status 0 "$LEDE_SEARCH" "$IX" --doc a5 && expect_grep "id: a5" "$TMP/out" "--doc still works"
check_finds "$SEG: checksum mismatch"
expect_grep "$SEG: postings of term" "$TMP/out" "check decodes the postings too"

restore; read -r off len < <(section "$SEG" 11)  # STORE
fill "$SEG" "$off" "$len"
search_corrupt "$SEG: malformed stored-text block header" --doc a5
search_corrupt "$SEG: malformed stored-text block header" korea
expect_status 0 "$LEDE_SEARCH" "$IX" --count korea && ok "counting needs no stored text"
check_finds "$SEG: stored text of document 0 cannot be read"

restore; read -r off len < <(section "$SEG" 7)   # DOCDATE: dates far outside years 1..9999
fill "$SEG" "$off" 64 177
search_corrupt "$SEG: a date in DOCDATE is out of range" --timeline korea
check_finds "$SEG: date of document 0 is out of range"

restore
expect_status 0 "$LEDE_INDEX" check "$IX" && ok "restored index checks"
finish
