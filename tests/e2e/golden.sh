#!/usr/bin/env bash
# The golden index (tests/data/golden-v2, format version 2, built from the
# seed article) must keep opening; a newer version is refused clearly, and so
# is the older golden-v1 (keys with the field byte first).
. "$(dirname "$0")/lib.sh"
G=$LEDE_TEST_DATA/golden-v2
[ -f "$G/MANIFEST" ] || { fail "golden index missing"; finish; }
cp -r "$G" "$TMP/g"
expect_status 0 "$LEDE_INDEX" check "$TMP/g" && ok "golden index checks"
expect_status 0 "$LEDE_INDEX" ids "$TMP/g" && [ "$(cat "$TMP/out")" = "000_6360e9c39130a038.txt" ] || fail "golden ids: $(cat "$TMP/out")"
expect_status 0 "$LEDE_INDEX" dump "$TMP/g" title:korean && expect_grep "title:korean df 1 cf 1" "$TMP/out" "golden title term"
expect_status 0 "$LEDE_SEARCH" "$TMP/g" 'korean' && expect_grep "000_6360e9c39130a038.txt" "$TMP/out" "golden index answers"
# version 3 in the manifest header (bytes 8..11, little-endian)
cp -r "$G" "$TMP/v3"
printf '\003' | dd of="$TMP/v3/MANIFEST" bs=1 seek=8 conv=notrunc 2>/dev/null
expect_status 2 "$LEDE_INDEX" check "$TMP/v3"
expect_grep "unsupported format version 3 (this build reads 2)" "$TMP/out" "version bump refused"
expect_status 2 "$LEDE_INDEX" "$TMP/v3" "$LEDE_TEST_DATA/000_6360e9c39130a038.txt"
expect_grep "unsupported format version 3" "$TMP/err" "writer refuses a newer version"
# the previous format: refused by reader and writer, with what to do
G1=$LEDE_TEST_DATA/golden-v1
if [ -f "$G1/MANIFEST" ]; then
  cp -r "$G1" "$TMP/v1"
  expect_status 2 "$LEDE_SEARCH" "$TMP/v1" korean
  expect_grep "unsupported format version 1, older than this build's 2; index the articles again" "$TMP/err" "reader refuses version 1"
  expect_status 2 "$LEDE_INDEX" "$TMP/v1" "$LEDE_TEST_DATA/000_6360e9c39130a038.txt"
  expect_grep "unsupported format version 1, older than this build's 2" "$TMP/err" "writer refuses version 1"
  cmp -s "$G1/MANIFEST" "$TMP/v1/MANIFEST" && cmp -s "$G1/seg_000001.lseg" "$TMP/v1/seg_000001.lseg" &&
    [ "$(ls "$TMP/v1" | grep -v '^LOCK$' | tr '\n' ' ')" = "MANIFEST seg_000001.lseg " ] ||
    fail "the writer changed a version-1 index: $(ls "$TMP/v1")"
fi
finish
