#!/usr/bin/env bash
# The golden index (tests/data/golden-v4, format version 4, built from the
# seed article) must keep opening; a newer version is refused clearly, and so
# are the older golden-v3 (the remainder of a positions sequence as varints),
# golden-v2 (no key prefixes in TERMINDEX, chunk widths inside the positions)
# and golden-v1 (keys with the field byte first).
. "$(dirname "$0")/lib.sh"
G=$LEDE_TEST_DATA/golden-v4
[ -f "$G/MANIFEST" ] || { fail "golden index missing"; finish; }
cp -r "$G" "$TMP/g"
expect_status 0 "$LEDE_INDEX" check "$TMP/g" && ok "golden index checks"
expect_status 0 "$LEDE_INDEX" ids "$TMP/g" && [ "$(cat "$TMP/out")" = "000_6360e9c39130a038.txt" ] || fail "golden ids: $(cat "$TMP/out")"
expect_status 0 "$LEDE_INDEX" dump "$TMP/g" title:korean && expect_grep "title:korean df 1 cf 1" "$TMP/out" "golden title term"
expect_status 0 "$LEDE_SEARCH" "$TMP/g" 'korean' && expect_grep "000_6360e9c39130a038.txt" "$TMP/out" "golden index answers"
expect_status 0 "$LEDE_SEARCH" "$TMP/g" '"korean peninsula"' && expect_grep "000_6360e9c39130a038.txt" "$TMP/out" "golden index answers a phrase"
# golden-v4-blocks: the 140 synthetic articles of tests/data/synthetic-140.jsonl,
# where body terms fill a postings block of 128 and position chunks (the lane
# layout of packed values); the expected counts come from the articles' text
GB=$LEDE_TEST_DATA/golden-v4-blocks
J=$LEDE_TEST_DATA/synthetic-140.jsonl
if [ -f "$GB/MANIFEST" ] && [ -f "$J" ]; then
  cp -r "$GB" "$TMP/gb"
  expect_status 0 "$LEDE_INDEX" check "$TMP/gb" && ok "golden blocks index checks"
  want=$(grep -cw sanctions "$J")
  expect_status 0 "$LEDE_SEARCH" "$TMP/gb" --count sanctions
  [ "$(cat "$TMP/out")" = "$want" ] && ok "golden blocks: term count $want" ||
    fail "golden blocks: sanctions counted $(cat "$TMP/out"), the articles have $want"
  want=$(grep -c "trade talks" "$J")
  expect_status 0 "$LEDE_SEARCH" "$TMP/gb" --count '"trade talks"'
  [ "$(cat "$TMP/out")" = "$want" ] && ok "golden blocks: phrase count $want" ||
    fail "golden blocks: \"trade talks\" counted $(cat "$TMP/out"), the articles have $want"
else
  fail "golden-v4-blocks or synthetic-140.jsonl missing"
fi
# version 5 in the manifest header (bytes 8..11, little-endian)
cp -r "$G" "$TMP/v5"
printf '\005' | dd of="$TMP/v5/MANIFEST" bs=1 seek=8 conv=notrunc 2>/dev/null
expect_status 2 "$LEDE_INDEX" check "$TMP/v5"
expect_grep "unsupported format version 5 (this build reads 4)" "$TMP/out" "version bump refused"
expect_status 2 "$LEDE_INDEX" "$TMP/v5" "$LEDE_TEST_DATA/000_6360e9c39130a038.txt"
expect_grep "unsupported format version 5" "$TMP/err" "writer refuses a newer version"
# the previous formats: refused by reader and writer, with what to do
for v in 1 2 3; do
  Gv=$LEDE_TEST_DATA/golden-v$v
  [ -f "$Gv/MANIFEST" ] || { fail "golden-v$v missing"; continue; }
  cp -r "$Gv" "$TMP/v$v"
  expect_status 2 "$LEDE_SEARCH" "$TMP/v$v" korean
  expect_grep "unsupported format version $v, older than this build's 4; index the articles again" "$TMP/err" "reader refuses version $v"
  expect_status 2 "$LEDE_INDEX" "$TMP/v$v" "$LEDE_TEST_DATA/000_6360e9c39130a038.txt"
  expect_grep "unsupported format version $v, older than this build's 4" "$TMP/err" "writer refuses version $v"
  cmp -s "$Gv/MANIFEST" "$TMP/v$v/MANIFEST" && cmp -s "$Gv/seg_000001.lseg" "$TMP/v$v/seg_000001.lseg" &&
    [ "$(ls "$TMP/v$v" | grep -v '^LOCK$' | tr '\n' ' ')" = "MANIFEST seg_000001.lseg " ] ||
    fail "the writer changed a version-$v index: $(ls "$TMP/v$v")"
done
finish
