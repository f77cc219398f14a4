#!/usr/bin/env bash
# One writer, many readers. A second lede-index on the same DIR (add, delete or
# optimize) is refused with exit 2 and a message naming the holder's pid; the
# lock dies with its holder (kill -9 it, and the next writer gets in). While
# lede-index adds (committing and merging), optimizes and deletes, a lede-search
# loop in the same DIR answers every query with 0 or 1: never an error, a
# corrupt index (3) or a signal.
. "$(dirname "$0")/lib.sh"
exec {nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$nap_fd" _; }
# valgrind slows the writers and the readers alike: fewer documents, fewer searches
if [ "${LEDE_VALGRIND:-0}" = 1 ]; then N_DOCS=600 MIN_SEARCHES=10; else N_DOCS=2000 MIN_SEARCHES=30; fi
gen_docs $N_DOCS c >"$TMP/in.jsonl"
gen_docs 300 c 3 >"$TMP/upd.jsonl"
awk -F'"' '{print $4}' "$TMP/in.jsonl" >"$TMP/all_ids"

# wait_lock DIR PID: until DIR/LOCK names PID (it has taken the lock), at most 20 s
wait_lock() {
  local t
  for t in $(seq 1 2000); do
    grep -q "^pid $2 " "$1/LOCK" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    nap 0.01
  done
  return 1
}

# --- a second writer is refused, naming the holder ------------------------------------
"$LEDE_INDEX" -q "$TMP/ix" "$TMP/upd.jsonl" 2>/dev/null || fail "first commit"
# a slow writer: a commit and merges every 20 documents
"$LEDE_INDEX" -q -j1 --commit-every 20 --merge-factor 2 "$TMP/ix" "$TMP/in.jsonl" 2>/dev/null &
holder=$!
if wait_lock "$TMP/ix" $holder; then
  for second in "$TMP/ix $TMP/upd.jsonl" "delete $TMP/ix c1" "optimize $TMP/ix"; do
    # shellcheck disable=SC2086
    expect_status 2 "$LEDE_INDEX" -q $second &&
      expect_grep "being written by another lede-index (pid $holder on " "$TMP/err" "second writer ($second)"
  done
  # the holder dies without releasing anything: its lock goes with it
  kill -9 $holder
  wait $holder 2>/dev/null
  expect_status 0 "$LEDE_INDEX" -q delete "$TMP/ix" c1 && ok "a writer gets in after the holder was killed"
  expect_status 0 "$LEDE_INDEX" check "$TMP/ix" || fail "check after the killed holder"
  grep -q "^pid $holder " "$TMP/ix/LOCK" && fail "LOCK still names the killed holder"
else
  fail "the slow writer never took the lock"
  kill -9 $holder 2>/dev/null; wait $holder 2>/dev/null
fi

# --- readers through commits, merges, optimize and delete ------------------------------
rm -rf "$TMP/ix"
"$LEDE_INDEX" -q "$TMP/ix" "$TMP/upd.jsonl" 2>/dev/null || fail "first commit"
# searches until $TMP/stop appears; one line per search: its exit status
reader() {
  local q n=0
  local queries=('korea' 'putin OR kim' '"korea peninsula"' 'sanctions -trade' 'summ*'
                 'title:talks' 'date:2019-03..2019-06 peace' 'election vote minister')
  while [ ! -e "$TMP/stop" ]; do
    q=${queries[$((n % ${#queries[@]}))]}
    "$LEDE_SEARCH" -n 5 "$TMP/ix" "$q" >/dev/null 2>>"$TMP/reader$1.err"
    echo "$? $q" >>"$TMP/reader$1.st"
    "$LEDE_SEARCH" "$TMP/ix" --doc "c$((n * 37 % 300))" >/dev/null 2>>"$TMP/reader$1.err"
    echo "$? --doc c$((n * 37 % 300))" >>"$TMP/reader$1.st"
    n=$((n + 1))
  done
}
reader 1 & r1=$!
reader 2 & r2=$!
"$LEDE_INDEX" -q -j1 --commit-every 50 --merge-factor 3 "$TMP/ix" "$TMP/in.jsonl" 2>/dev/null ||
  fail "adding while searched"
"$LEDE_INDEX" -q "$TMP/ix" "$TMP/upd.jsonl" 2>/dev/null || fail "updating while searched"
mapfile -t del_ids < <(awk 'NR % 5 == 0' "$TMP/all_ids")
"$LEDE_INDEX" -q --merge-factor 1 delete "$TMP/ix" "${del_ids[@]}" || fail "deleting while searched"
"$LEDE_INDEX" -q optimize "$TMP/ix" || fail "optimizing while searched"
"$LEDE_INDEX" -q delete "$TMP/ix" c1 c2 c3 || fail "deleting again while searched"
# Under heavy load the readers may have started few searches by now: a few
# more writes (optimize changes no document) while they catch up.
searches() { cat "$TMP"/reader*.st 2>/dev/null | wc -l; }
for extra in 1 2 3 4 5 6 7 8 9 10; do
  [ "$(searches)" -lt $MIN_SEARCHES ] || break
  "$LEDE_INDEX" -q optimize "$TMP/ix" || fail "optimizing (extra round $extra) while searched"
  nap 0.2
done
touch "$TMP/stop"
wait $r1 $r2
cat "$TMP"/reader*.st >"$TMP/all.st"
n=$(wc -l <"$TMP/all.st")
bad=$(awk '$1 != 0 && $1 != 1' "$TMP/all.st" | sort | uniq -c | head -5)
[ -z "$bad" ] || fail "searches during writes exited other than 0 or 1: $bad; stderr: $(sort -u "$TMP"/reader*.err | head -c 600)"
[ "$n" -ge $MIN_SEARCHES ] || fail "only $n searches ran during the writes"
echo "readers: $n searches during add, update, delete, optimize; exit statuses: $(cut -d' ' -f1 "$TMP/all.st" | sort | uniq -c | tr -s ' \n' ' ')" >&2
"$LEDE_INDEX" check "$TMP/ix" >/dev/null || fail "check after the concurrent run"
[ "$("$LEDE_INDEX" ids "$TMP/ix" | wc -l)" -eq $((N_DOCS - N_DOCS / 5 - 3)) ] || fail "documents after the concurrent run: $("$LEDE_INDEX" ids "$TMP/ix" | wc -l)"
finish
