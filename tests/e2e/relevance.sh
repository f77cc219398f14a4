#!/usr/bin/env bash
# Ranking quality does not regress (issue 5; label slow; skipped without
# ../shared): each judged collection is indexed with lede-index's defaults
# (plus --keep-duplicates, as bench/relevance.sh does, so every judged
# document can be found), its queries run with lede-search --batch -k 1000 and
# no other option, and the run scored with e2e_treceval (bench/treceval.c,
# built by tests/ so this runs in every configuration). Fails when a
# collection's nDCG@10 is more than 0.005 below tests/data/relevance-baseline.tsv.
. "$(dirname "$0")/lib.sh"
[ -d "$LEDE_SHARED/corpora" ] || exit 77
BASELINE=$LEDE_TEST_DATA/relevance-baseline.tsv
TOLERANCE=0.005
[ -x "${LEDE_TRECEVAL:-}" ] || { fail "LEDE_TRECEVAL (the e2e_treceval program) is not set"; finish; }
[ -f "$BASELINE" ] || { fail "$BASELINE missing"; finish; }
while IFS=$'\t' read -r c want _; do
  case $c in ''|'#'*) continue ;; esac
  dir=$LEDE_SHARED/corpora/$c
  [ -f "$dir/$c.jsonl.gz" ] || { fail "$c: $dir/$c.jsonl.gz missing"; continue; }
  "$LEDE_INDEX" -q --keep-duplicates "$TMP/$c" "$dir/$c.jsonl.gz" >"$TMP/index.out" 2>&1; st=$?
  [ $st -le 1 ] || { fail "$c: lede-index exited $st: $(head -c 600 "$TMP/index.out")"; continue; }
  "$LEDE_SEARCH" "$TMP/$c" --batch "$dir/$c.queries.tsv" -k 1000 >"$TMP/$c.run" 2>"$TMP/err" ||
    { fail "$c: lede-search --batch failed: $(head -c 600 "$TMP/err")"; continue; }
  got=$("$LEDE_TRECEVAL" "$dir/$c.qrels" "$TMP/$c.run" 2>"$TMP/err" | awk -F'\t' '$1 == "all" { print $2 }')
  [ -n "$got" ] || { fail "$c: no evaluation: $(head -c 600 "$TMP/err")"; continue; }
  verdict=$(awk -v g="$got" -v w="$want" -v t="$TOLERANCE" \
    'BEGIN { print (g < w - t) ? "worse" : (g > w + t) ? "better" : "same" }')
  case $verdict in
    worse) fail "$c: nDCG@10 $got, more than $TOLERANCE below the baseline $want" ;;
    better) ok "$c: nDCG@10 $got, above the baseline $want: update $BASELINE if this is meant" ;;
    *) ok "$c: nDCG@10 $got (baseline $want)" ;;
  esac
  rm -rf "$TMP/$c" "$TMP/$c.run"
done <"$BASELINE"
finish
