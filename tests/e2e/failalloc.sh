#!/usr/bin/env bash
# Allocation failure, end to end (programs built with -DLEDE_FAILALLOC=ON; see
# tests/failalloc/failalloc.c). A reference run of each command counts its
# allocations (N); then the command is run again with LEDE_FAIL_ALLOC=k, which
# fails exactly the k-th, for every k up to FIRST and a stride over the rest.
# Every run must either succeed exactly like the reference, or exit 2 with a
# message saying "out of memory": never another status, a signal, or a
# sanitizer report (with LEDE_SANITIZE, LeakSanitizer checks every run for
# leaks). After a failed write the index must pass `check` and hold exactly
# the documents of one of its committed generations.
#
# The commands: lede-index adding to an index (JSON Lines with updates, an
# article, gzip; commits and merges; -j1 so that k names the same call every
# run, and a few -j3 runs), delete, optimize; lede-search with several queries
# on standard input, with --json --explain --any, --timeline, --batch, --doc.
# Exits 77 (skipped) when the programs are not built with LEDE_FAILALLOC.
. "$(dirname "$0")/lib.sh"
FIRST=${LEDE_FAILALLOC_FIRST:-100}  # every k up to this for the add and the search run
MORE=${LEDE_FAILALLOC_MORE:-40}     # then this many k spread over the rest

: >"$TMP/probe"
LEDE_FAIL_ALLOC_COUNT=$TMP/probe "$LEDE_INDEX" --help >/dev/null
if [ ! -s "$TMP/probe" ]; then
  echo "lede-index is not built with LEDE_FAILALLOC: skipped" >&2
  exit 77
fi
export ASAN_OPTIONS="exitcode=99:${ASAN_OPTIONS:-}" UBSAN_OPTIONS="exitcode=99:${UBSAN_OPTIONS:-}"
unset LEDE_FAIL_ALLOC LEDE_FAIL_ALLOC_COUNT LEDE_FAIL_ALLOC_TRACE
# the commands that verify are not under test: no leak check at their exit
verify() { ASAN_OPTIONS="detect_leaks=0:$ASAN_OPTIONS" "$@"; }

# --- inputs and the base index ---------------------------------------------------------
gen_docs 15 f >"$TMP/base.jsonl"
{ gen_docs 3 f 9; gen_docs 12 g 2; } >"$TMP/run.jsonl"   # 3 updates, 12 new
cp "$LEDE_TEST_DATA/000_6360e9c39130a038.txt" "$TMP/seed.txt"
gen_docs 4 h 3 | gzip >"$TMP/more.jsonl.gz"
verify "$LEDE_INDEX" -q -j1 --commit-every 5 "$TMP/base" "$TMP/base.jsonl" 2>/dev/null || fail "base index"
mapfile -t base_ids < <(verify "$LEDE_INDEX" ids "$TMP/base")
mapfile -t input_ids < <(awk -F'"' '{print $4}' "$TMP/run.jsonl"; echo "$TMP/seed.txt"
                         gzip -dc "$TMP/more.jsonl.gz" | awk -F'"' '{print $4}')
INPUTS=("$TMP/ix" "$TMP/run.jsonl" "$TMP/seed.txt" "$TMP/more.jsonl.gz")

# ids_after N: the live ids, in order, once the first N input documents are
# committed (an update moves a document to the end)
ids_after() {
  local n=$1 id j newer=" ${input_ids[*]:0:$1} "
  for id in "${base_ids[@]}"; do
    [[ $newer == *" $id "* ]] || echo "$id"
  done
  for ((j = 0; j < n; j++)); do echo "${input_ids[j]}"; done
}

# k_list N FIRST MORE: 1..min(N, FIRST), then MORE values spread over the rest, N, N + 1
k_list() {
  local n=$1 first=$2 more=$3 k
  ((first > n)) && first=$n
  for ((k = 1; k <= first; k++)); do echo $k; done
  if ((n > first && more > 0)); then
    local stride=$(( (n - first + more - 1) / more ))
    for ((k = first + 1 + stride / 2; k < n; k += stride)); do echo $k; done
  fi
  ((n > first)) && echo "$n"
  echo $((n + 1))
}

count_allocs() { # count_allocs CMD...: N of a run (its output discarded)
  : >"$TMP/count"
  LEDE_FAIL_ALLOC_COUNT=$TMP/count "$@" >/dev/null 2>&1
  local n
  read -r n <"$TMP/count"
  echo "${n:-0}"
}

runs=0; failed_clean=0; succeeded=0
declare -A outcome took
clock() { now=${EPOCHREALTIME/./}; }

# judge FAMILY K STATUS: the exit status and stderr of one run; 0 if it was clean
judge() {
  local fam=$1 k=$2 st=$3 err=""
  runs=$((runs + 1))
  read -r -d '' err <"$TMP/err"
  if [[ $err == *Sanitizer* || $err == *"runtime error"* ]]; then
    fail "$fam k=$k: sanitizer report: ${err:0:1200}"; return 1
  fi
  case $st in
    0) succeeded=$((succeeded + 1)); outcome[$fam]+="s" ;;
    2) if [[ $err == *"out of memory"* ]]; then
         failed_clean=$((failed_clean + 1)); outcome[$fam]+="f"
       else
         fail "$fam k=$k: exit 2 without 'out of memory': ${err:0:400}"; return 1
       fi ;;
    *) fail "$fam k=$k: exit $st: ${err:0:600}"; return 1 ;;
  esac
  return 0
}

# --- writers: add, delete, optimize -----------------------------------------------------
# write_family NAME START_DIR CANDIDATES_VAR K... ; the command is in the array CMD
write_family() {
  local fam=$1 start=$2 k st ids c ok now t0
  local -n cands=$3
  shift 3
  clock; t0=$now
  for k in "$@"; do
    rm -rf "$TMP/ix"; cp -r "$start" "$TMP/ix"
    LEDE_FAIL_ALLOC=$k "${CMD[@]}" >/dev/null 2>"$TMP/err" </dev/null
    st=$?
    judge "$fam" "$k" $st || continue
    if ! verify "$LEDE_INDEX" check "$TMP/ix" >"$TMP/check" 2>&1; then
      fail "$fam k=$k (exit $st): check: $(head -c 600 "$TMP/check")"; continue
    fi
    ids=$(verify "$LEDE_INDEX" ids "$TMP/ix")
    ok=0
    if [ $st -eq 0 ]; then
      [ "$ids" = "${cands[-1]}" ] && ok=1
    else
      for c in "${cands[@]}"; do [ "$ids" = "$c" ] && ok=1; done
    fi
    [ $ok -eq 1 ] || fail "$fam k=$k (exit $st): the live documents are not those of a committed generation: $(echo $ids | head -c 300)"
  done
  clock; took[$fam]=$(( (now - t0) / 1000000 ))
}

# adding: committed generations after 0, 5, 10, 15 and all 20 input documents
add_states=()
for n in 0 5 10 15 20; do add_states+=("$(ids_after $n)"); done
CMD=("$LEDE_INDEX" -q -j1 --commit-every 5 --merge-factor 2 "${INPUTS[@]}")
rm -rf "$TMP/ix"; cp -r "$TMP/base" "$TMP/ix"
N_ADD=$(count_allocs "${CMD[@]}")
[ "$(verify "$LEDE_INDEX" ids "$TMP/ix")" = "${add_states[-1]}" ] || fail "the reference add run"
cp -r "$TMP/ix" "$TMP/full"
write_family add "$TMP/base" add_states $(k_list "$N_ADD" "$FIRST" "$MORE")

# the same with three threads: k names a different call from run to run
CMD=("$LEDE_INDEX" -q -j3 --commit-every 5 --merge-factor 2 "${INPUTS[@]}")
write_family add-j3 "$TMP/base" add_states $(k_list "$N_ADD" 0 10)

# delete (one commit: before or after) and optimize (the same documents)
mapfile -t del_ids < <(printf '%s\n' "${add_states[-1]}" | awk 'NR % 4 == 2')
CMD=("$LEDE_INDEX" -q delete "$TMP/ix" "${del_ids[@]}")
rm -rf "$TMP/ix"; cp -r "$TMP/full" "$TMP/ix"
N_DEL=$(count_allocs "${CMD[@]}")
del_states=("${add_states[-1]}" "$(printf '%s\n' "${add_states[-1]}" | grep -vxF -f <(printf '%s\n' "${del_ids[@]}"))")
[ "$(verify "$LEDE_INDEX" ids "$TMP/ix")" = "${del_states[-1]}" ] || fail "the reference delete run"
cp -r "$TMP/ix" "$TMP/deleted"
write_family delete "$TMP/full" del_states $(k_list "$N_DEL" 60 0)

CMD=("$LEDE_INDEX" -q optimize "$TMP/ix")
opt_states=("${del_states[-1]}")
rm -rf "$TMP/ix"; cp -r "$TMP/deleted" "$TMP/ix"
N_OPT=$(count_allocs "${CMD[@]}")
write_family optimize "$TMP/deleted" opt_states $(k_list "$N_OPT" 5 15)

# check reads every file of the index
CMD=("$LEDE_INDEX" check "$TMP/ix")
rm -rf "$TMP/ix"; cp -r "$TMP/deleted" "$TMP/ix"
write_family check "$TMP/deleted" opt_states $(k_list "$(count_allocs "${CMD[@]}")" 0 10)

# --- lede-search ---------------------------------------------------------------------------
printf '%s\n' 'korea' 'putin OR kim' '"korea peninsula"' 'sanctions -trade' 'summ*' 'title:talks' \
  'date:2019-03..2019-06 peace' 'peninsula AND (kim OR putin) NOT election' '"putin kim"~5' \
  'nosuchword' >"$TMP/queries"
printf 'q1\tkorea peninsula summit\nq2\tputin trade war\n' >"$TMP/batch.tsv"
IX=$TMP/deleted

# read_out: the output of the last run without its timings
read_out() { out=$(sed -E 's/\([0-9.]+ ms\)//; s/"micros":[0-9.]+//' "$TMP/out"); }

# search_family NAME STDIN K...; the command is in the array CMD
search_family() {
  local fam=$1 in=$2 k st out ref now t0
  shift 2
  clock; t0=$now
  "${CMD[@]}" <"$in" >"$TMP/out" 2>"$TMP/err" || fail "$fam: the reference run exited $?: $(head -c 300 "$TMP/err")"
  read_out; ref=$out
  for k in "$@"; do
    LEDE_FAIL_ALLOC=$k "${CMD[@]}" <"$in" >"$TMP/out" 2>"$TMP/err"
    st=$?
    judge "$fam" "$k" $st || continue
    if [ $st -eq 0 ]; then
      read_out
      [ "$out" = "$ref" ] || fail "$fam k=$k: exit 0 but the output differs from the reference"
    fi
  done
  clock; took[$fam]=$(( (now - t0) / 1000000 ))
}

CMD=("$LEDE_SEARCH" "$IX")
N=$(count_allocs "${CMD[@]}" <"$TMP/queries")
n_search=$N
search_family search "$TMP/queries" $(k_list "$N" "$FIRST" $((MORE + 20)))
CMD=("$LEDE_SEARCH" --json --explain --any --fragments 2 -n 3 "$IX")
search_family search-json "$TMP/queries" $(k_list "$(count_allocs "${CMD[@]}" <"$TMP/queries")" 0 30)
CMD=("$LEDE_SEARCH" --timeline --sort date "$IX" korea)
search_family timeline /dev/null $(k_list "$(count_allocs "${CMD[@]}")" 100 0)
CMD=("$LEDE_SEARCH" "$IX" --batch "$TMP/batch.tsv" -k 5)
search_family batch /dev/null $(k_list "$(count_allocs "${CMD[@]}")" 0 30)
CMD=("$LEDE_SEARCH" "$IX" --doc "$TMP/seed.txt")
search_family doc /dev/null $(k_list "$(count_allocs "${CMD[@]}")" 100 0)

for fam in add add-j3 delete optimize check search search-json timeline batch doc; do
  o=${outcome[$fam]:-}
  f=${o//s/}
  echo "$fam: ${#o} runs in ${took[$fam]:-?} s: ${#f} failed cleanly (exit 2, out of memory), $(( ${#o} - ${#f} )) succeeded" >&2
done
echo "allocations per run: add $N_ADD, delete $N_DEL, optimize $N_OPT, search $n_search; $runs runs: $failed_clean exit 2 (out of memory), $succeeded exit 0" >&2
[ "$runs" -ge 500 ] || [ "$FIRST" -lt 100 ] || fail "only $runs runs"
finish
