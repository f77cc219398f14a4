#!/usr/bin/env bash
# The golden index (tests/data/golden-v1, format version 1, built from the
# seed article) must keep opening; a version bump is refused clearly.
. "$(dirname "$0")/lib.sh"
G=$LEDE_TEST_DATA/golden-v1
[ -f "$G/MANIFEST" ] || { fail "golden index missing"; finish; }
cp -r "$G" "$TMP/g"
expect_status 0 "$LEDE_INDEX" check "$TMP/g" && ok "golden index checks"
expect_status 0 "$LEDE_INDEX" ids "$TMP/g" && [ "$(cat "$TMP/out")" = "000_6360e9c39130a038.txt" ] || fail "golden ids: $(cat "$TMP/out")"
expect_status 0 "$LEDE_INDEX" dump "$TMP/g" title:korean && expect_grep "title:korean df 1 cf 1" "$TMP/out" "golden title term"
# version 2 in the manifest header (bytes 8..11, little-endian)
cp -r "$G" "$TMP/v2"
printf '\002' | dd of="$TMP/v2/MANIFEST" bs=1 seek=8 conv=notrunc 2>/dev/null
expect_status 2 "$LEDE_INDEX" check "$TMP/v2"
expect_grep "unsupported format version 2" "$TMP/out" "version bump refused"
expect_status 2 "$LEDE_INDEX" "$TMP/v2" "$LEDE_TEST_DATA/000_6360e9c39130a038.txt"
expect_grep "unsupported format version 2" "$TMP/err" "writer refuses a newer version"
finish
