#!/usr/bin/env bash
# Every shared corpus indexes completely and passes check (label slow;
# skipped without ../shared).
. "$(dirname "$0")/lib.sh"
[ -d "$LEDE_SHARED/corpora" ] || exit 77
for f in "$LEDE_SHARED"/corpora/*/*.jsonl.gz; do
  name=$(basename "$f" .jsonl.gz)
  "$LEDE_INDEX" -q --keep-duplicates "$TMP/$name" "$f"; st=$?
  [ $st -le 1 ] || { fail "$name: lede-index exited $st"; continue; }
  "$LEDE_INDEX" check "$TMP/$name" >"$TMP/check" || fail "$name: $(cat "$TMP/check")"
  ok "$name: $(cat "$TMP/check")"
  rm -rf "$TMP/$name"
done
# the editorial layout, from the tarballs
for t in "$LEDE_SHARED"/corpora/*/*.gtlayout.tar.gz; do
  name=$(basename "$t" .gtlayout.tar.gz)
  mkdir -p "$TMP/src-$name" && tar xzf "$t" -C "$TMP/src-$name"
  "$LEDE_INDEX" -q --keep-duplicates "$TMP/gt-$name" "$TMP/src-$name"; st=$?
  [ $st -le 1 ] || { fail "$name (layout): lede-index exited $st"; continue; }
  "$LEDE_INDEX" check "$TMP/gt-$name" >"$TMP/check" || fail "$name (layout): $(cat "$TMP/check")"
  ok "$name (layout): $(cat "$TMP/check")"
  rm -rf "$TMP/gt-$name" "$TMP/src-$name"
done
finish
