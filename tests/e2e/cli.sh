#!/usr/bin/env bash
# lede-index from the command line: the seed article, JSON Lines, every
# command, exit statuses and the messages users see.
. "$(dirname "$0")/lib.sh"
IX=$TMP/ix
seed=$LEDE_TEST_DATA/000_6360e9c39130a038.txt

expect_status 0 "$LEDE_INDEX" --help && expect_grep "usage: lede-index" "$TMP/out" "--help"
expect_status 2 "$LEDE_INDEX" && ok "no arguments: exit 2"
expect_status 2 "$LEDE_INDEX" --memory lots "$IX" "$seed" && expect_grep "memory" "$TMP/err" "bad --memory"
expect_status 2 "$LEDE_INDEX" --memory -1M "$IX" "$seed" && expect_grep "memory" "$TMP/err" "a negative --memory"
expect_status 2 "$LEDE_INDEX" --commit-every -5 "$IX" "$seed" && expect_grep "commit-every" "$TMP/err" "a negative --commit-every (strtoull took it as 2^64 - 5)"
expect_status 2 "$LEDE_INDEX" --stem klingon "$IX" "$seed" && expect_grep "klingon" "$TMP/err" "unknown stemmer"

# the seed article: one document, its id is the path as given
expect_status 0 "$LEDE_INDEX" -q "$IX" "$seed" && ok "index the seed article"
expect_status 0 "$LEDE_INDEX" ids "$IX" && expect_grep "000_6360e9c39130a038.txt" "$TMP/out" "ids"
expect_status 0 "$LEDE_INDEX" check "$IX" && expect_grep ": ok:" "$TMP/out" "check"
# 'Putin' occurs in the seed's body this many times (counted by grep, not by lede)
want=$(sed -n '5,$p' "$seed" | grep -o -i -w 'putin' | wc -l)
expect_status 0 "$LEDE_INDEX" dump "$IX" body:Putin
expect_grep "body:putin df 1 cf $want" "$TMP/out" "dump body:putin"
expect_status 0 "$LEDE_INDEX" dump "$IX" title:peninsula && expect_grep "title:peninsula df 1 cf 1" "$TMP/out" "dump title:"

# JSON Lines with problems: exit 1, file:line messages, good documents kept
cat >"$TMP/mixed.jsonl" <<'JSON'
{"id":"a","title":"First","body":"Alpha beta."}
{"id":"b","title":"Broken", "body":
{"id":"c","title":"","body":""}
{"id":"d","title":"Fourth","date":"someday","body":"Gamma delta."}
JSON
expect_status 1 "$LEDE_INDEX" "$TMP/ix2" "$TMP/mixed.jsonl"
expect_grep "mixed.jsonl:2: skipped" "$TMP/err" "malformed line reported with its line"
expect_grep "mixed.jsonl:3: skipped" "$TMP/err" "empty document reported"
expect_grep "mixed.jsonl:4: repaired" "$TMP/err" "bad date reported"
expect_grep "indexed 2 documents" "$TMP/err" "summary"
expect_status 0 "$LEDE_INDEX" ids "$TMP/ix2" && [ "$(cat "$TMP/out")" = "$(printf 'a\nd')" ] || fail "ids after mixed input: $(cat "$TMP/out")"

# nothing usable: exit 2
printf '{"id":"x"}\n' >"$TMP/empty.jsonl"
expect_status 2 "$LEDE_INDEX" "$TMP/ix3" "$TMP/empty.jsonl" && ok "nothing usable: exit 2"

# standard input, updates, delete, optimize
gen_docs 300 s | "$LEDE_INDEX" -q "$TMP/ix4" - || fail "index from stdin"
gen_docs 50 s 1 | "$LEDE_INDEX" "$TMP/ix4" - 2>"$TMP/err" || fail "update from stdin"
expect_grep "50 replaced older versions" "$TMP/err" "updates counted"
expect_status 0 "$LEDE_INDEX" delete "$TMP/ix4" s3 s299
expect_status 1 "$LEDE_INDEX" delete "$TMP/ix4" no-such-id && expect_grep "no document with id 'no-such-id'" "$TMP/err" "delete of a missing id"
expect_status 0 "$LEDE_INDEX" ids "$TMP/ix4"
[ "$(wc -l <"$TMP/out")" -eq 298 ] || fail "298 documents expected after 2 deletes, got $(wc -l <"$TMP/out")"
grep -qx 's3' "$TMP/out" && fail "s3 still listed after delete"
expect_status 0 "$LEDE_INDEX" optimize "$TMP/ix4"
expect_status 0 "$LEDE_INDEX" check "$TMP/ix4"
expect_status 0 "$LEDE_INDEX" stats "$TMP/ix4" && expect_grep "live documents  298" "$TMP/out" "stats after optimize"
[ "$(ls "$TMP/ix4" | grep -c '\.lseg$')" -eq 1 ] || fail "optimize should leave one segment: $(ls "$TMP/ix4")"

# stemming is recorded and cannot change
expect_status 0 "$LEDE_INDEX" -q --stem english "$TMP/ix5" "$seed"
expect_status 0 "$LEDE_INDEX" dump "$TMP/ix5" && expect_grep "stem english" "$TMP/out" "stem recorded"
expect_status 2 "$LEDE_INDEX" --stem porter "$TMP/ix5" "$seed" && expect_grep "built with stemming 'english'" "$TMP/err" "stem mismatch"
expect_status 2 "$LEDE_INDEX" --stem none "$TMP/ix5" "$seed" && expect_grep "cannot take --stem none" "$TMP/err" "--stem none on a stemmed index"
# without --stem a new index gets English stemming, an existing one keeps its own
expect_status 0 "$LEDE_INDEX" dump "$IX" && expect_grep "stem english" "$TMP/out" "default stemming of a new index"
expect_status 0 "$LEDE_INDEX" -q --stem none "$TMP/ix6" "$seed"
expect_status 0 "$LEDE_INDEX" -q "$TMP/ix6" "$seed" && ok "no --stem: an unstemmed index takes more documents"
expect_status 0 "$LEDE_INDEX" dump "$TMP/ix6" && expect_grep "stem none" "$TMP/out" "an unstemmed index stays unstemmed"

# not an index; a second writer
mkdir -p "$TMP/plain"
expect_status 2 "$LEDE_INDEX" check "$TMP/plain" && expect_grep "holds no lede index" "$TMP/out" "check of a non-index"
# delete and optimize change an index: they make none where there is none
expect_status 2 "$LEDE_INDEX" delete "$TMP/none" x && expect_grep "holds no lede index" "$TMP/err" "delete without an index"
expect_status 2 "$LEDE_INDEX" optimize "$TMP/none" && expect_grep "holds no lede index" "$TMP/err" "optimize without an index"
[ ! -e "$TMP/none" ] || fail "delete or optimize created $TMP/none"

# segment files without a MANIFEST are kept aside, never deleted
expect_status 0 "$LEDE_INDEX" -q "$TMP/lost" "$seed"
rm "$TMP/lost/MANIFEST"
seg=$(cd "$TMP/lost" && ls seg_*.lseg)
expect_status 0 "$LEDE_INDEX" "$TMP/lost" "$seed" &&
  expect_grep "warning: .*held 1 segment file but no MANIFEST.*kept in .*/orphaned-1" "$TMP/err" "a lost MANIFEST is reported"
[ -s "$TMP/lost/orphaned-1/$seg" ] ||
  fail "the segment of the index whose MANIFEST was lost is gone: $(ls -R "$TMP/lost")"
expect_status 0 "$LEDE_INDEX" check "$TMP/lost" && ok "a new index starts beside the kept segment"
# a merge verifies its inputs: a damaged segment is not rewritten into a sound one
expect_status 0 "$LEDE_INDEX" -q "$TMP/dmg" "$seed"
expect_status 0 "$LEDE_INDEX" -q --keep-duplicates "$TMP/dmg" - < <(printf '%s\n' '{"id":"d2","title":"t","body":"alpha beta gamma"}')
seg=$(cd "$TMP/dmg" && ls seg_*.lseg | head -n 1)
size=$(stat -c %s "$TMP/dmg/$seg")
printf '\377' | dd of="$TMP/dmg/$seg" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect_status 3 "$LEDE_INDEX" optimize "$TMP/dmg" &&
  expect_grep "$seg fails its checksum.*nothing was merged" "$TMP/err" "optimize refuses a damaged segment"
expect_status 3 "$LEDE_INDEX" check "$TMP/dmg" && ok "check still sees the damage after the refused optimize"
# duplicates: reported one by one; an update is never one
printf '%s\n' '{"id":"a","title":"t","body":"the meeting is on Monday."}' \
  '{"id":"b","title":"t","body":"the meeting is on Sunday, WRONG DAY."}' >"$TMP/dup1.jsonl"
expect_status 0 "$LEDE_INDEX" -q "$TMP/dup" "$TMP/dup1.jsonl"
echo '{"id":"b","title":"t","body":"The meeting is on MONDAY!"}' >"$TMP/dup2.jsonl"
expect_status 0 "$LEDE_INDEX" "$TMP/dup" "$TMP/dup2.jsonl" && expect_grep "1 replaced older version, 0 exact duplicates" "$TMP/err" "an update reading like another document"
expect_status 0 "$LEDE_SEARCH" "$TMP/dup" --doc b && expect_grep "MONDAY" "$TMP/out" "the update is the live version"
echo '{"id":"c","title":"T","body":"the meeting is on monday"}' >"$TMP/dup3.jsonl"
expect_status 0 "$LEDE_INDEX" "$TMP/dup" "$TMP/dup3.jsonl" &&
  expect_grep "dup3.jsonl:1: skipped: 'c' has the same words in its title and body as '[ab]'" "$TMP/err" "a duplicate is reported"
# an index inside the tree it reads is not read (its LOCK was a document), nor is another one
mkdir -p "$TMP/tree" && cp "$seed" "$TMP/tree/"
expect_status 1 "$LEDE_INDEX" "$TMP/tree/idx" "$TMP/tree" &&
  expect_grep "^indexed 1 document " "$TMP/err" "the article only, not the index's own files" &&
  expect_grep "tree/idx: skipped: a lede index, not articles" "$TMP/err" "its own index skipped"
expect_status 1 "$LEDE_INDEX" "$TMP/other" "$TMP/tree" &&
  expect_grep "^indexed 1 document " "$TMP/err" "another index in the tree is not read either"
# the same id twice in one run: the later wins, with a warning
mkdir -p "$TMP/days/d1" "$TMP/days/d2"
cp "$seed" "$TMP/days/d1/editorial.txt"
printf 'Another editorial\nSource: Global Times Published: 2019-04-26 10:00:00\nA different text.\n' >"$TMP/days/d2/editorial.txt"
expect_status 0 "$LEDE_INDEX" "$TMP/days/ix" "$TMP/days/d1" "$TMP/days/d2" &&
  expect_grep "d2/editorial.txt:1: warning: id 'editorial.txt' came earlier in this run too" "$TMP/err" "an id met twice in one run"
# check looks at every DIR given; the others refuse an extra argument
expect_status 3 "$LEDE_INDEX" check "$TMP/lost" "$TMP/dmg" && expect_grep "ok: generation" "$TMP/out" "check: the sound index" &&
  expect_grep "problems\? found" "$TMP/out" "check: the damaged one, after it"
expect_status 2 "$LEDE_INDEX" ids "$TMP/lost" "$TMP/dmg" && expect_grep "takes no argument" "$TMP/err" "ids with two DIRs"
# daily adds of alternating sizes still merge (15 and 5 documents a day left 40 segments)
for d in $(seq 1 40); do
  n=$(( d % 2 ? 15 : 5 ))
  for k in $(seq 1 $n); do echo "{\"id\":\"d$d-$k\",\"title\":\"day $d\",\"body\":\"story $k of day $d w$d$k\"}"; done |
    "$LEDE_INDEX" -q "$TMP/daily" - 2>/dev/null || fail "daily add $d"
done
expect_status 0 "$LEDE_INDEX" stats "$TMP/daily" &&
  segs=$(sed -n 's/^segments  *//p' "$TMP/out") &&
  [ "$segs" -lt 10 ] || fail "40 daily adds at merge factor 10 left $segs segments"
# a run that changes nothing commits nothing: the generation stays
gen_of() { "$LEDE_INDEX" check "$1" | sed -n 's/.*: ok: generation \([0-9]*\),.*/\1/p'; }
g0=$(gen_of "$TMP/daily")
expect_status 1 "$LEDE_INDEX" delete "$TMP/daily" no-such-id
"$LEDE_INDEX" optimize "$TMP/daily" 2>/dev/null && "$LEDE_INDEX" optimize "$TMP/daily" 2>/dev/null || fail "optimize twice"
g1=$(gen_of "$TMP/daily")
[ "$g1" = "$((g0 + 1))" ] || fail "generation $g0 -> $g1: an unknown id and a second optimize must not commit (the first optimize does)"
# standard input without ids: said once, since the next run's lines get the same ids
printf '%s\n' '{"title":"Day one","body":"first"}' '{"title":"Day one b","body":"second"}' >"$TMP/noid.jsonl"
expect_status 0 "$LEDE_INDEX" "$TMP/noid" - <"$TMP/noid.jsonl" &&
  [ "$(grep -c "lines without an id get '-:LINE'" "$TMP/err")" = 1 ] || fail "one warning for stdin lines without ids: $(cat "$TMP/err")"
# files a tree holds that are no articles: reported, not read; named, read
mkdir -p "$TMP/mixed" && cp "$seed" "$TMP/mixed/a.txt"
printf 'id,title\n1,x\n' >"$TMP/mixed/list.csv"
printf '<html><body>page</body></html>\n' >"$TMP/mixed/page.HTML"
expect_status 1 "$LEDE_INDEX" "$TMP/mixed-ix" "$TMP/mixed" &&
  expect_grep "^indexed 1 document " "$TMP/err" "the article only" &&
  expect_grep "list.csv: skipped: a .csv file is no article" "$TMP/err" "a .csv in a tree" &&
  expect_grep "page.HTML: skipped: a .html file is no article" "$TMP/err" "an .HTML in a tree"
expect_status 0 "$LEDE_INDEX" "$TMP/mixed-ix" "$TMP/mixed/list.csv" && expect_grep "^indexed 1 document " "$TMP/err" "a named .csv is read"
finish
