#!/usr/bin/env bash
# kill -9 at random moments while lede-index adds (with commits and merges),
# optimizes and deletes. After every kill the index must open at a committed
# generation, pass `check`, and hold exactly a committed prefix of the input
# (adding), or all of the documents (optimize), or the documents before or
# after the whole delete (delete). The optimize and delete kills are spread
# over the measured duration of the operation; the test counts how many
# landed while it held the index (the LOCK names its pid) and before it
# completed, and requires a minimum. Under load a run's duration varies
# several-fold, so the window of kill moments adapts (see window_*), and up to
# three times the planned runs are made until the minimum is reached. After
# every kill lede-search must answer from the index as it was committed.
. "$(dirname "$0")/lib.sh"
# Under valgrind a killed run reports nothing (SIGKILL), and the kills would
# land in runs 30 times as long: the other e2e tests cover these paths there.
if [ "${LEDE_VALGRIND:-0}" = 1 ]; then echo "skipped under valgrind" >&2; exit 77; fi
N_ADD=${LEDE_CRASH_ITERATIONS:-24}
# Forking sleep(1) or date(1) costs milliseconds, as long as a delete takes:
# time with $EPOCHREALTIME and nap with a builtin read on a pipe nobody writes.
exec {nap_fd}<> <(:)
nap_ns() { local s; printf -v s '%d.%09d' $(($1 / 1000000000)) $(($1 % 1000000000)); read -r -t "$s" -u "$nap_fd" _; }
now_us() { now=${EPOCHREALTIME/./}; }
rand_below() { rnd=$(( ((RANDOM << 30) | (RANDOM << 15) | RANDOM) % ($1 + 1) )); }
EVERY=97
# The window [win_lo, win_hi] (ns) the kill moment is drawn from. A kill that
# came too early (before the first commit, before the lock) raises win_lo to its
# moment; a run that was over by its kill moment lowers win_hi to it. When the
# two cross, the other bound gives way, so noise cannot close the window.
window_reset() { win_lo=0; win_hi=$1; }
window_draw() { rand_below $((win_hi - win_lo)); rnd=$((win_lo + rnd)); }
window_early() { win_lo=$1; [ "$win_hi" -gt $((win_lo + win_lo / 4)) ] || win_hi=$((win_lo * 2)); }
window_late() { win_hi=$1; [ "$win_lo" -lt $((win_hi - win_hi / 4)) ] || win_lo=$((win_hi / 2)); }
gen_docs 3000 k >"$TMP/in.jsonl"
awk -F'"' '{print $4}' "$TMP/in.jsonl" >"$TMP/all_ids"

# how long a full run takes, to spread the kills over it
now_us; start=$now
"$LEDE_INDEX" -q -j1 --commit-every $EVERY --memory 1M --merge-factor 3 "$TMP/full" "$TMP/in.jsonl" 2>/dev/null || fail "full run"
now_us; full_ns=$(( (now - start) * 1000 ))
cmp -s <("$LEDE_INDEX" ids "$TMP/full") "$TMP/all_ids" || fail "full run lost documents"

kills=0; mid=0; runs=0
window_reset "$full_ns"
for ((i = 1; i <= 3 * N_ADD; i++)); do
  [ "$i" -le "$N_ADD" ] || [ "$mid" -lt $((N_ADD / 4)) ] || break
  runs=$i
  rm -rf "$TMP/ix"
  "$LEDE_INDEX" -q -j$(( 1 + i % 2 )) --commit-every $EVERY --memory 1M --merge-factor 3 "$TMP/ix" "$TMP/in.jsonl" &
  pid=$!
  window_draw; at=$rnd; nap_ns "$at"
  if kill -9 $pid 2>/dev/null; then kills=$((kills + 1)); else window_late "$at"; fi
  wait $pid 2>/dev/null
  if [ ! -f "$TMP/ix/MANIFEST" ]; then window_early "$at"; continue; fi   # killed before the first commit
  if ! "$LEDE_INDEX" check "$TMP/ix" >"$TMP/check" 2>&1; then
    fail "iteration $i: check failed after kill -9: $(head -c 800 "$TMP/check")"; continue
  fi
  "$LEDE_INDEX" ids "$TMP/ix" >"$TMP/got" || { fail "iteration $i: ids"; continue; }
  n=$(wc -l <"$TMP/got")
  [ "$n" -gt 0 ] && [ "$n" -lt 3000 ] && mid=$((mid + 1))
  [ "$n" -lt 3000 ] || window_late "$at"
  if [ $((n % EVERY)) -ne 0 ] && [ "$n" -ne 3000 ]; then fail "iteration $i: $n documents is not a committed prefix"; fi
  head -n "$n" "$TMP/all_ids" | cmp -s - "$TMP/got" || fail "iteration $i: the documents are not the first $n of the input"
  # a searcher opens the killed index and finds its last committed document
  if [ "$n" -gt 0 ]; then
    "$LEDE_SEARCH" "$TMP/ix" --doc "$(tail -n 1 "$TMP/got")" >/dev/null 2>"$TMP/serr" ||
      fail "iteration $i: lede-search --doc $(tail -n 1 "$TMP/got"): $(head -c 400 "$TMP/serr")"
  fi
  # a rerun completes what was lost
  if [ $((i % 6)) -eq 0 ]; then
    "$LEDE_INDEX" -q "$TMP/ix" "$TMP/in.jsonl" || fail "iteration $i: rerun after kill"
    cmp -s <("$LEDE_INDEX" ids "$TMP/ix") "$TMP/all_ids" || fail "iteration $i: rerun did not complete the index"
  fi
done
echo "adding: $kills kill -9s in $runs runs; $mid left a partial committed index, each checked" >&2
[ "$mid" -ge $((N_ADD / 4)) ] || fail "too few kills landed between commits ($mid); the timing is off"


# --- optimize and delete, killed ------------------------------------------------------
# The base index has 50 segments (no automatic merging) and deleted documents, so
# optimize merges many segments and drops deletions, and delete writes a deletion
# file per segment before the manifest that names them, then (default merge
# factor) merges the segments it left in a few rounds, each committed.
N_OP=${LEDE_CRASH_OP_ITERATIONS:-20}
"$LEDE_INDEX" -q -j1 --commit-every 60 --merge-factor 1 "$TMP/base" "$TMP/in.jsonl" 2>/dev/null || fail "base"
mapfile -t gone < <(awk 'NR % 7 == 5' "$TMP/all_ids")
"$LEDE_INDEX" -q --merge-factor 1 delete "$TMP/base" "${gone[@]}" || fail "base deletions"
"$LEDE_INDEX" ids "$TMP/base" >"$TMP/base_ids"
mapfile -t del_ids < <(awk 'NR % 3 == 1' "$TMP/base_ids")
grep -vxF -f <(printf '%s\n' "${del_ids[@]}") "$TMP/base_ids" >"$TMP/deleted_ids"
generation() { "$LEDE_INDEX" stats "$1" | awk '$1 == "generation" {print $2}'; }
base_gen=$(generation "$TMP/base")
QUERY='korea OR peace'

# op_cmd OP: sets cmd to the command under test, on $TMP/ix
op_cmd() {
  case $1 in
    optimize) cmd=("$LEDE_INDEX" -q optimize "$TMP/ix") ;;
    delete) cmd=("$LEDE_INDEX" -q delete "$TMP/ix" "${del_ids[@]}") ;;
  esac
}

# kill_runs OP EXPECTED_IDS...: N_OP runs of OP on a copy of the base, each killed
# at a moment drawn uniformly from the operation's measured duration.
kill_runs() {
  local op=$1 done_gen kills=0 mid=0 after=0 early=0 i
  shift
  op_cmd "$op"
  # the reference: the operation run to completion (best of three timings)
  local best=0 t ns
  for t in 1 2 3; do
    rm -rf "$TMP/ix"; cp -r "$TMP/base" "$TMP/ix"
    now_us; local start=$now
    "${cmd[@]}" || fail "$op: the uninterrupted run failed"
    now_us; ns=$(( (now - start) * 1000 ))
    [ "$best" -eq 0 ] || [ "$ns" -lt "$best" ] && best=$ns
  done
  done_gen=$(generation "$TMP/ix")
  "$LEDE_INDEX" ids "$TMP/ix" | cmp -s - "$last" || fail "$op: the uninterrupted run left other documents"
  local done_count base_count
  done_count=$("$LEDE_SEARCH" --count "$TMP/ix" "$QUERY")
  base_count=$("$LEDE_SEARCH" --count "$TMP/base" "$QUERY")
  local need=$((N_OP / 3)) runs=0 at
  window_reset "$best"
  for ((i = 1; i <= 3 * N_OP; i++)); do
    [ "$i" -le "$N_OP" ] || [ "$mid" -lt "$need" ] || break
    runs=$i
    rm -rf "$TMP/ix"; cp -r "$TMP/base" "$TMP/ix"
    window_draw; at=$rnd
    "${cmd[@]}" &
    local pid=$!
    nap_ns "$at"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    local st=$?
    if ! "$LEDE_INDEX" check "$TMP/ix" >"$TMP/check" 2>&1; then
      fail "$op kill $i: check failed: $(head -c 800 "$TMP/check")"; continue
    fi
    local gen
    gen=$(sed -n 's/.*: ok: generation \([0-9]*\),.*/\1/p' "$TMP/check")
    "$LEDE_INDEX" ids "$TMP/ix" >"$TMP/got" || { fail "$op kill $i: ids"; continue; }
    local want=""
    for e in "$@"; do cmp -s "$TMP/got" "$e" && want=$e; done
    [ -n "$want" ] || fail "$op kill $i: the live documents are neither before nor after the whole $op ($(wc -l <"$TMP/got") documents)"
    # a searcher answers from the killed index, as committed
    local count
    count=$("$LEDE_SEARCH" --count "$TMP/ix" "$QUERY" 2>"$TMP/serr")
    local sst=$?
    [ $sst -eq 0 ] || fail "$op kill $i: lede-search exited $sst: $(head -c 400 "$TMP/serr")"
    if [ "$gen" -eq "$base_gen" ] || [ "$op" = optimize ]; then
      [ "$count" = "$base_count" ] || fail "$op kill $i: lede-search counts $count, the base $base_count"
    else
      [ "$count" = "$done_count" ] || fail "$op kill $i: lede-search counts $count, the completed $op $done_count"
    fi
    if [ $st -ne 137 ]; then
      [ $st -eq 0 ] || fail "$op kill $i: exited $st before the kill"
      window_late "$at"
    else
      kills=$((kills + 1))
      if ! grep -q "^pid $pid " "$TMP/ix/LOCK" 2>/dev/null; then
        early=$((early + 1))   # before it took the lock
        window_early "$at"
      elif [ "$gen" -lt "$done_gen" ]; then
        mid=$((mid + 1))       # holding the index, before its last commit
      else
        after=$((after + 1))   # after its last commit, before exit
        window_late "$at"
      fi
    fi
    # a rerun after the kill completes the operation
    if [ $((i % 6)) -eq 0 ]; then
      "${cmd[@]}" 2>"$TMP/rerr"
      st=$?
      if [ "$op" = delete ] && [ "$want" != "$TMP/base_ids" ]; then
        [ $st -eq 1 ] || fail "$op kill $i: a rerun of a completed delete exited $st, expected 1 (ids gone)"
      else
        [ $st -eq 0 ] || fail "$op kill $i: rerun exited $st: $(head -c 400 "$TMP/rerr")"
      fi
      "$LEDE_INDEX" check "$TMP/ix" >/dev/null 2>&1 || fail "$op kill $i: check after the rerun"
      "$LEDE_INDEX" ids "$TMP/ix" | cmp -s - "$last" || fail "$op kill $i: the rerun did not complete the $op"
    fi
  done
  echo "$op: $runs runs, kills drawn within $((best / 1000000)) ms at first, $((win_lo / 1000000))-$((win_hi / 1000000)) ms at last (generation $base_gen to $done_gen); $kills kill -9s: $early before it locked the index, $mid mid-$op, $after after its last commit" >&2
  [ "$mid" -ge "$need" ] || fail "$op: too few kills landed mid-$op ($mid in $runs runs, $need needed); the timing is off"
}

last=$TMP/base_ids
kill_runs optimize "$TMP/base_ids"
last=$TMP/deleted_ids
kill_runs delete "$TMP/base_ids" "$TMP/deleted_ids"
finish
