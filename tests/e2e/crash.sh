#!/usr/bin/env bash
# kill -9 at random moments while lede-index adds (with commits and merges),
# optimizes and deletes. After every kill the index must open at a committed
# generation, pass `check`, and hold exactly a committed prefix of the input
# (adding), or all of the documents (optimize), or the documents before or
# after the whole delete (delete).
. "$(dirname "$0")/lib.sh"
N_ADD=${LEDE_CRASH_ITERATIONS:-24}
EVERY=97
gen_docs 3000 k >"$TMP/in.jsonl"
awk -F'"' '{print $4}' "$TMP/in.jsonl" >"$TMP/all_ids"

# how long a full run takes, to spread the kills over it
start=$(date +%s%N)
"$LEDE_INDEX" -q -j1 --commit-every $EVERY --memory 1M --merge-factor 3 "$TMP/full" "$TMP/in.jsonl" || fail "full run"
full_ns=$(( $(date +%s%N) - start ))
cmp -s <("$LEDE_INDEX" ids "$TMP/full") "$TMP/all_ids" || fail "full run lost documents"

kills=0; mid=0
for i in $(seq 1 "$N_ADD"); do
  rm -rf "$TMP/ix"
  "$LEDE_INDEX" -q -j$(( 1 + i % 2 )) --commit-every $EVERY --memory 1M --merge-factor 3 "$TMP/ix" "$TMP/in.jsonl" &
  pid=$!
  delay_ns=$(( (RANDOM * 32768 + RANDOM) % (full_ns + 1) ))
  sleep "$(printf '%d.%09d' $((delay_ns / 1000000000)) $((delay_ns % 1000000000)))"
  kill -9 $pid 2>/dev/null && kills=$((kills + 1))
  wait $pid 2>/dev/null
  [ -f "$TMP/ix/MANIFEST" ] || continue   # killed before the first commit
  if ! "$LEDE_INDEX" check "$TMP/ix" >"$TMP/check" 2>&1; then
    fail "iteration $i: check failed after kill -9: $(head -c 800 "$TMP/check")"; continue
  fi
  "$LEDE_INDEX" ids "$TMP/ix" >"$TMP/got" || { fail "iteration $i: ids"; continue; }
  n=$(wc -l <"$TMP/got")
  [ "$n" -gt 0 ] && [ "$n" -lt 3000 ] && mid=$((mid + 1))
  if [ $((n % EVERY)) -ne 0 ] && [ "$n" -ne 3000 ]; then fail "iteration $i: $n documents is not a committed prefix"; fi
  head -n "$n" "$TMP/all_ids" | cmp -s - "$TMP/got" || fail "iteration $i: the documents are not the first $n of the input"
  # a rerun completes what was lost
  if [ $((i % 6)) -eq 0 ]; then
    "$LEDE_INDEX" -q "$TMP/ix" "$TMP/in.jsonl" || fail "iteration $i: rerun after kill"
    cmp -s <("$LEDE_INDEX" ids "$TMP/ix") "$TMP/all_ids" || fail "iteration $i: rerun did not complete the index"
  fi
done
echo "adding: $kills kill -9s in $N_ADD runs; $mid left a partial committed index, each checked" >&2
[ "$mid" -ge $((N_ADD / 4)) ] || fail "too few kills landed between commits ($mid); the timing is off"

# optimize and delete, killed
opt_kills=0; del_kills=0; mid=0
for i in $(seq 1 8); do
  rm -rf "$TMP/ix"; cp -r "$TMP/full" "$TMP/ix"
  "$LEDE_INDEX" -q optimize "$TMP/ix" &
  pid=$!; sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
  kill -9 $pid 2>/dev/null && opt_kills=$((opt_kills + 1)); wait $pid 2>/dev/null
  "$LEDE_INDEX" check "$TMP/ix" >"$TMP/check" 2>&1 || fail "optimize kill $i: check: $(head -c 800 "$TMP/check")"
  cmp -s <("$LEDE_INDEX" ids "$TMP/ix") "$TMP/all_ids" || fail "optimize kill $i: documents changed"

  rm -rf "$TMP/ix"; cp -r "$TMP/full" "$TMP/ix"
  "$LEDE_INDEX" -q delete "$TMP/ix" $(seq -f 'k%g' 100 2 900) &
  pid=$!; sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
  kill -9 $pid 2>/dev/null && del_kills=$((del_kills + 1)); wait $pid 2>/dev/null
  "$LEDE_INDEX" check "$TMP/ix" >"$TMP/check" 2>&1 || fail "delete kill $i: check: $(head -c 800 "$TMP/check")"
  n=$("$LEDE_INDEX" ids "$TMP/ix" | wc -l)
  [ "$n" -eq 3000 ] || [ "$n" -eq 2599 ] || fail "delete kill $i: $n documents (want 3000 or 2599: all or nothing)"
done
echo "optimize: $opt_kills kills, delete: $del_kills kills" >&2
finish
