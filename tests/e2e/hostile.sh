#!/usr/bin/env bash
# Hostile input (docs/LIMITS.md): documents and queries made to hurt, and ids
# that look like paths. Each gets a bounded answer or a clear error naming
# where and why, within the memory budget; ids never become paths; the
# searcher writes nothing.
#
# Peak RSS is measured with /usr/bin/time (not under the sanitizers, whose
# shadow memory would dominate) and must stay under the budget of
# docs/LIMITS.md: lede-index --memory M -j 2 under M + 64 MiB, lede-search
# under 64 MiB here. Each case prints its exit status, time and peak RSS.
#
# LEDE_HOSTILE_BIG=1 adds the full-size cases of the issue (a 200 MB article,
# ten million distinct terms, the 200 MB article indexed with --memory 8G):
# minutes, and about 1 GB in $TMPDIR.
. "$(dirname "$0")/lib.sh"
BIG=${LEDE_HOSTILE_BIG:-0}
MEASURE=0
if [ -x /usr/bin/time ] && [ "${LEDE_SANITIZE:-OFF}" != "ON" ] && [ "${LEDE_VALGRIND:-0}" != 1 ]; then
  MEASURE=1
fi
OVERHEAD_KB=$((64 * 1024))   # docs/LIMITS.md: peak RSS <= --memory + 64 MiB (-j 2)
SEARCH_KB=$((64 * 1024))     # lede-search on the small index of these tests

# run WANT LABEL CMD...: runs CMD, checks its exit status, sets RSS (KB) and
# SECS, and prints a line with the figures.
run() {
  local want=$1 label=$2; shift 2
  RSS=0 SECS=0
  local got
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M %e' -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    read -r RSS SECS < <(tail -n 1 "$TMP/time")
  else
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
  fi
  echo "case: $label: exit $got, $SECS s, peak RSS $((RSS / 1024)) MiB" >&2
  if [ "$got" -ne "$want" ]; then
    fail "$label: exited $got, expected $want; stderr: $(head -c 600 "$TMP/err")"
    return 1
  fi
  return 0
}

# under LABEL KB: the last run's peak RSS is under KB (when measured).
under() {
  [ "$MEASURE" -eq 1 ] || return 0
  [ "$RSS" -le "$2" ] || fail "$1: peak RSS $RSS KB, over the budget of $2 KB"
}

# count_is WANT LABEL QUERY...: lede-search --count on $SIX prints WANT.
count_is() {
  local want=$1 label=$2; shift 2
  local got
  got=$("$LEDE_SEARCH" "$SIX" --count "$@" 2>"$TMP/cerr")
  [ "$got" = "$want" ] || fail "$label: count '$got', expected '$want' ($(head -c 300 "$TMP/cerr"))"
}

mkdir -p "$TMP/in"
printf '{"id":"good","title":"A good document","body":"Kim and Putin met."}\n' >"$TMP/in/good.jsonl"

# --- a document over the size limit: skipped at once, the limit named -----------------------
mb=20
[ "$BIG" = 1 ] && mb=200
awk -v mb="$mb" 'BEGIN {
  printf("A giant article\n\nSource:Test Published: 2019/4/25 21:18:40\n\n");
  line = "putin kim summit korea peninsula talks sanctions trade china russia economy vote";
  n = mb * 1048576 / (length(line) + 8);
  for (j = 0; j < n; j++) printf("%s %07d\n", line, j);
}' >"$TMP/in/giant.txt"
run 1 "a ${mb} MB article, default limits" "$LEDE_INDEX" -j 2 "$TMP/ix1" "$TMP/in/giant.txt" "$TMP/in/good.jsonl" &&
  expect_grep "giant.txt: skipped: document larger than the limit of 8388608 bytes" "$TMP/err" "giant article message" &&
  expect_grep "the limit is 8M: --max-doc-size raises it, up to --memory / 32" "$TMP/err" "giant article hint" &&
  expect_grep "indexed 1 document (" "$TMP/err" "the good document beside it"
under "giant article" $((256 * 1024 + OVERHEAD_KB))
# the same as one JSON line on standard input: read through, never held
awk -v mb="$mb" 'BEGIN {
  printf("{\"id\":\"giant\",\"title\":\"giant\",\"body\":\"");
  for (j = 0; j < mb * 16384; j++) printf("putin kim summit korea peninsula talks sanctions trade china russia %06d ", j % 1000000);
  printf("\"}\n{\"id\":\"after\",\"title\":\"after\",\"body\":\"the line after\"}\n");
}' | run 1 "a ${mb} MB JSON line on stdin" "$LEDE_INDEX" -j 2 "$TMP/ix2" - &&
  expect_grep "^-:1: skipped: JSON line longer than the limit of 8388608 bytes" "$TMP/err" "giant JSON line" &&
  expect_grep "indexed 1 document (" "$TMP/err" "the line after the giant one"
under "giant JSON line" $((256 * 1024 + OVERHEAD_KB))
# a limit the memory budget cannot hold is refused before anything is read
run 2 "--max-doc-size 256M" "$LEDE_INDEX" --max-doc-size 256M "$TMP/ix3" "$TMP/in/giant.txt" &&
  expect_grep "max-doc-size 256M needs --memory 8G or more (a document takes up to 32 times its size" "$TMP/err" "max-doc-size over memory / 32"
[ -e "$TMP/ix3" ] && fail "--max-doc-size refused, yet $TMP/ix3 was created"

# --- documents at the size limit, within a small budget --------------------------------------
# --memory 64M admits documents up to 2 MiB: 4 of "a b c ..." (one token per
# 2 bytes, 2.0 MB) and 4 of distinct short words (one new term per 7 bytes).
awk 'BEGIN {
  for (d = 0; d < 4; d++) {
    printf("{\"id\":\"dense%d\",\"title\":\"dense\",\"body\":\"", d);
    for (j = 0; j < 50000; j++) printf("a b c d e f g h i j k l m n o p q r s %c ", 97 + (d + j) % 26);
    printf("\"}\n");
  }
  for (d = 0; d < 4; d++) {
    printf("{\"id\":\"distinct%d\",\"title\":\"distinct\",\"body\":\"", d);
    for (j = 0; j < 250000; j++) printf("w%x ", d * 250000 + j);
    printf("\"}\n");
  }
}' >"$TMP/in/near-limit.jsonl"
run 0 "8 documents of 2 MB, --memory 64M" "$LEDE_INDEX" -j 2 --memory 64M --stem none "$TMP/ix4" "$TMP/in/near-limit.jsonl" &&
  expect_grep "indexed 8 documents" "$TMP/err" "documents at the limit"
under "documents at the limit" $((64 * 1024 + OVERHEAD_KB))
SIX=$TMP/ix4
count_is 4 "dense documents found" "title:dense"
count_is 1 "a distinct word" "w4f8e2"
# one byte over the limit: skipped
awk 'BEGIN { printf("{\"id\":\"over\",\"title\":\"o\",\"body\":\""); for (j = 0; j < 2097152 - 34; j++) printf("a"); printf("\"}\n") }' >"$TMP/in/over.jsonl"
[ "$(wc -c <"$TMP/in/over.jsonl")" -eq $((2097152 + 2)) ] || fail "over.jsonl is not a line of 2 MiB + 1 bytes"
run 2 "a line of 2 MiB + 1 with --memory 64M" "$LEDE_INDEX" --memory 64M "$TMP/ix5" "$TMP/in/over.jsonl" &&
  expect_grep "over.jsonl:1: skipped: JSON line longer than the limit of 2097152 bytes" "$TMP/err" "limit follows --memory"

# --- a 1 MB word: not a term, but it holds its position -------------------------------------
awk 'BEGIN { printf("A long word\n\nbefore "); for (i = 0; i < 16384; i++) printf("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"); printf(" after\n") }' >"$TMP/in/word.txt"
run 0 "a 1 MB word" "$LEDE_INDEX" -j 2 "$TMP/ix6" "$TMP/in/word.txt"
under "1 MB word" $((256 * 1024 + OVERHEAD_KB))
SIX=$TMP/ix6
count_is 1 "the words around a 1 MB word" "before after"
count_is 0 "no phrase across a dropped word" '"before after"'
count_is 0 "the 1 MB word is not a term" "abcdefghijklmnop*"

# --- many distinct terms: flushes and merges within the budget ------------------------------
n_terms=1000000
[ "$MEASURE" = 0 ] && n_terms=300000 # under the sanitizers: the same paths, 4 times faster
[ "${LEDE_VALGRIND:-0}" = 1 ] && n_terms=50000 # under valgrind, some 30 times slower
[ "$BIG" = 1 ] && n_terms=10000000
awk -v n="$n_terms" 'BEGIN {
  per = 1000; c = 0;
  for (d = 0; c < n; d++) {
    printf("{\"id\":\"t%d\",\"title\":\"distinct\",\"body\":\"", d);
    for (k = 0; k < per && c < n; k++) printf("q%x ", c++);
    printf("\"}\n");
  }
}' >"$TMP/in/terms.jsonl"
mem=16M mem_kb=$((16 * 1024))
if [ "$BIG" = 1 ]; then mem=256M mem_kb=$((256 * 1024)); fi
run 0 "$n_terms distinct terms, --memory $mem" "$LEDE_INDEX" -j 2 --memory $mem --merge-factor 4 --stem none "$TMP/ix7" "$TMP/in/terms.jsonl"
under "distinct terms" $((mem_kb + OVERHEAD_KB))
run 0 "optimize $n_terms terms" "$LEDE_INDEX" optimize "$TMP/ix7"
under "optimize distinct terms" $((mem_kb + OVERHEAD_KB))
expect_status 0 "$LEDE_INDEX" stats "$TMP/ix7" &&
  expect_grep "^dictionary keys  *$((n_terms + 1))\$" "$TMP/out" "every distinct term (and title:distinct) indexed"
SIX=$TMP/ix7
count_is 1 "a term of the last document" "q$(printf '%x' $((n_terms - 1)))"

# --- the 200 MB article indexed, with the budget it needs ------------------------------------
if [ "$BIG" = 1 ]; then
  run 0 "a 200 MB article, --memory 8G --max-doc-size 256M" "$LEDE_INDEX" -j 2 --memory 8G --max-doc-size 256M "$TMP/ix8" "$TMP/in/giant.txt"
  under "200 MB article indexed" $((8 * 1024 * 1024 + OVERHEAD_KB))
  SIX=$TMP/ix8
  count_is 1 "the 200 MB article found" '"korea peninsula talks"'
  run 0 "a hit in the 200 MB article" "$LEDE_SEARCH" "$TMP/ix8" --color never putin
  under "a hit in the 200 MB article (its text once: 223 MiB)" $((300 * 1024))
  run 0 "--doc of the 200 MB article" "$LEDE_SEARCH" "$TMP/ix8" --color never --doc "$TMP/in/giant.txt"
  under "--doc of the 200 MB article (its text once: 213 MiB)" $((300 * 1024))
  rm -rf "$TMP/ix8"
fi
rm -f "$TMP/in/giant.txt" "$TMP/in/terms.jsonl"

# --- JSON nested deeply; binary; NUL; overlong UTF-8 and surrogates --------------------------
awk 'BEGIN {
  split("999 1000 100000", n, " ");
  for (k = 1; k <= 3; k++) {
    printf("{\"id\":\"deep%d\",\"title\":\"deep\",\"body\":\"b\",\"x\":", k);
    for (i = 0; i < n[k]; i++) printf("[");
    if (k < 3) { printf("1"); for (i = 0; i < n[k]; i++) printf("]"); printf("}"); }
    printf("\n");
  }
}' >"$TMP/in/deep.jsonl"
# The head {"id":"deepK","title":"deep","body":"b","x": is 44 bytes: level
# 1001 (the root object is level 1) opens at column 44 + 1000.
run 1 "JSON nested 1000, 1001 and 100,000 deep" "$LEDE_INDEX" -j 2 "$TMP/ix9" "$TMP/in/deep.jsonl" &&
  expect_grep "deep.jsonl:2: skipped: JSON nested more than 1000 levels deep at column 1044" "$TMP/err" "1001 levels" &&
  expect_grep "deep.jsonl:3: skipped: JSON nested more than 1000 levels deep at column 1044" "$TMP/err" "100,000 levels, unclosed" &&
  expect_grep "indexed 1 document (" "$TMP/err" "1000 levels are fine"
# a NUL at offset 4, then every byte value; gzip magic, then a deflate block
# of the reserved type 3 (0xFF): damaged from its first byte
{
  printf 'some\0text\n'
  awk 'BEGIN { for (i = 0; i < 100000; i++) printf("%c", i % 256) }'
} >"$TMP/in/binary.dat"
{
  printf '\037\213\010\000\000\000\000\000\000\003'
  awk 'BEGIN { for (i = 0; i < 1000; i++) printf("\377") }'
} >"$TMP/in/garbage.jsonl.gz"
awk 'BEGIN { for (i = 0; i < 1000; i++) printf("{\"id\":\"f%d\",\"title\":\"filler %d\",\"body\":\"filler text of a line\"}\n", i, i) }' >"$TMP/in/bytes.jsonl"
{
  printf '{"id":"nul","title":"raw nul \0 here","body":"b"}\n'
  printf '{"id":"overlong","title":"overlong \300\257 \340\200\257 \360\200\200\257 end","body":"b"}\n'
  printf '{"id":"surrogates","title":"surrogates \355\240\200 raw, \\ud800 and \\udfff escaped, \\u0000","body":"b"}\n'
  printf '{"id":"pair","title":"a proper pair \\ud83d\\ude00","body":"b"}\n'
} >>"$TMP/in/bytes.jsonl"
run 1 "binary, garbage gzip, NUL, overlong UTF-8, surrogates" "$LEDE_INDEX" -j 2 "$TMP/ix10" "$TMP/in/binary.dat" "$TMP/in/garbage.jsonl.gz" "$TMP/in/bytes.jsonl" &&
  expect_grep "binary.dat: skipped: binary file (NUL byte at offset 4)" "$TMP/err" "binary file" &&
  expect_grep "garbage.jsonl.gz: skipped: cannot read: damaged or truncated gzip data" "$TMP/err" "garbage gzip" &&
  expect_grep "bytes.jsonl:1001: repaired: 1 invalid UTF-8 sequence replaced with U+FFFD" "$TMP/err" "raw NUL past the head" &&
  expect_grep "bytes.jsonl:1002: repaired: 9 invalid UTF-8 sequences replaced with U+FFFD" "$TMP/err" "overlong forms (C0 AF: 2, E0 80 AF: 3, F0 80 80 AF: 4)" &&
  expect_grep "bytes.jsonl:1003: repaired: 6 invalid UTF-8 sequences replaced with U+FFFD" "$TMP/err" "surrogates (ED A0 80: 3, and 3 escapes)" &&
  expect_grep "indexed 1004 documents" "$TMP/err" "repaired documents kept"
grep -q "bytes.jsonl:1004" "$TMP/err" && fail "a proper surrogate pair reported as a problem"
SIX=$TMP/ix10
count_is 1 "a repaired document is searchable" "overlong end"
expect_status 0 "$LEDE_SEARCH" "$TMP/ix10" --doc overlong &&
  [ "$(grep -o $'\xef\xbf\xbd' "$TMP/out" | wc -l)" -eq 9 ] || fail "overlong: 9 U+FFFD expected in: $(cat "$TMP/out")"

# --- hostile queries -------------------------------------------------------------------------
gen_docs 2000 d >"$TMP/in/docs.jsonl"
"$LEDE_INDEX" -q -j 2 --stem none "$TMP/ix" "$TMP/in/docs.jsonl" || fail "index the query corpus"
SIX=$TMP/ix
q=$(awk 'BEGIN { for (i = 0; i < 10000; i++) printf("a ") }')
run 2 "10,000 terms" "$LEDE_SEARCH" "$SIX" "$q" &&
  expect_grep "query error at column 2049: too many clauses: the query has more than 1024 words" "$TMP/err" "10,000 terms"
under "10,000 terms" $SEARCH_KB
q=$(awk 'BEGIN { for (i = 0; i < 10000; i++) printf("("); printf("putin"); for (i = 0; i < 10000; i++) printf(")") }')
run 2 "parentheses 10,000 deep" "$LEDE_SEARCH" "$SIX" "$q" &&
  expect_grep "query error at column 101: parentheses nested more than 100 deep at column 101" "$TMP/err" "10,000 parentheses"
under "10,000 parentheses" $SEARCH_KB
q=$(awk 'BEGIN { printf("\""); for (i = 0; i < 1000; i++) printf("putin "); printf("\"") }')
run 2 "a phrase of 1,000 words" "$LEDE_SEARCH" "$SIX" "$q" &&
  expect_grep "query error at column 1: the phrase at column 1 has more than 64 words" "$TMP/err" "1,000-word phrase"
q=$(awk 'BEGIN { for (i = 0; i < 65; i++) printf("k* ") }')
run 2 "65 prefixes" "$LEDE_SEARCH" "$SIX" "$q" &&
  expect_grep "query error at column 193: too many prefixes: the query has more than 64 words ending in '\*'" "$TMP/err" "65 prefixes"
q=$(awk 'BEGIN { for (i = 0; i < 205; i++) printf("\"korea peninsula putin kim summit\" ") }')
run 2 "1,025 terms in phrases" "$LEDE_SEARCH" "$SIX" "$q" &&
  expect_grep "too many terms: the words of this query and of its phrases pass 1024 at column 7141" "$TMP/err" "1,025 terms"
# p* matches 4 of gen_docs' 20 words and their thousands of wordxN variants:
# a bounded answer, the number of documents with a word starting with p in
# the title or body (counted here by awk)
want=$(awk '{ sub(/.*"title":"/, ""); if ($0 ~ /(^|[^a-z0-9])p/) n++ } END { print n + 0 }' "$TMP/in/docs.jsonl")
run 0 "a prefix over a large part of the dictionary" "$LEDE_SEARCH" "$SIX" --count 'p*' &&
  [ "$(cat "$TMP/out")" = "$want" ] || fail "p*: count $(cat "$TMP/out"), expected $want"
under "p*" $SEARCH_KB
q=$(awk 'BEGIN { for (i = 0; i < 64; i++) printf("%c* ", 97 + i % 26) }')
run 0 "64 one-letter prefixes" "$LEDE_SEARCH" "$SIX" --count --any "$q"
under "64 prefixes" $SEARCH_KB
# NUL is white space; invalid UTF-8 is punctuation inside a word, which then
# splits into a phrase (docs/QUERY.md, "Words")
want=$("$LEDE_SEARCH" "$SIX" --count 'putin kim')
want_ph=$("$LEDE_SEARCH" "$SIX" --count '"putin kim"')
printf 'putin\0kim\nputin\377\376kim\nputin\300\257kim\n' >"$TMP/q.txt"
run 0 "NUL and invalid UTF-8 in queries" "$LEDE_SEARCH" "$SIX" --count <"$TMP/q.txt" &&
  [ "$(tr '\n' ' ' <"$TMP/out")" = "$want $want_ph $want_ph " ] ||
  fail "NUL/invalid UTF-8 queries: $(tr '\n' ' ' <"$TMP/out"), expected $want $want_ph $want_ph"
# a 1 MB query line: refused, and never held whole
awk 'BEGIN { for (i = 0; i < 131072; i++) printf("putin kim"); printf("\nputin\n") }' >"$TMP/q.txt"
run 2 "a 1 MB query line on stdin" "$LEDE_SEARCH" "$SIX" --count <"$TMP/q.txt" &&
  expect_grep "query error at column 65537: the query is 1179648 bytes long, over the limit of 65536 bytes" "$TMP/err" "1 MB query" &&
  [ "$(cat "$TMP/out")" = "error
$("$LEDE_SEARCH" "$SIX" --count putin)" ] || fail "the query after the 1 MB line: $(cat "$TMP/out")"
under "1 MB query" $((16 * 1024))
# --batch: a query over a limit is reported, the others answered
{
  printf 'q1\t%s\n' "$(awk 'BEGIN { for (i = 0; i < 1100; i++) printf("putin ") }')"
  printf 'q2\tputin kim\n'
} >"$TMP/batch.tsv"
run 2 "--batch with a query over the limits" "$LEDE_SEARCH" "$SIX" --batch "$TMP/batch.tsv" &&
  expect_grep "batch.tsv:1: query 'q1' skipped: too many clauses" "$TMP/err" "batch limit reported" &&
  expect_grep "^q2 Q0 " "$TMP/out" "batch goes on"
# paging past the end of any index: nothing shown, no huge allocation
run 0 "--offset 1e9 -n 1e9" "$LEDE_SEARCH" "$SIX" --offset 1000000000 -n 1000000000 putin &&
  expect_grep "showing 0 from 1000000001 " "$TMP/out" "paging past the end"
under "offset 1e9" $SEARCH_KB

# --- stored text cannot drive the terminal ---------------------------------------------------
printf '{"id":"esc\\u001b]0;pwned\\u0007","title":"bell \\u0007 and \\u001b[2J clear","source":"s\\u001b[31m","body":"escape \\u001b[31m red \\u009b c1 \\b back"}\n' >"$TMP/in/esc.jsonl"
"$LEDE_INDEX" -q "$TMP/ixe" "$TMP/in/esc.jsonl"
for args in "red" "--explain red" "--doc $(printf 'esc\033]0;pwned\007')"; do
  # shellcheck disable=SC2086
  expect_status 0 "$LEDE_SEARCH" "$TMP/ixe" --color never $args
  if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$TMP/out"; then
    fail "control characters reach the terminal with '$args': $(od -c "$TMP/out" | head -5)"
  fi
done
expect_status 0 "$LEDE_SEARCH" "$TMP/ixe" --json red && expect_grep '\\u001b' "$TMP/out" "JSON escapes ESC"

# --- ids that look like paths; the searcher writes nothing -----------------------------------
mkdir -p "$TMP/w/a/b"
cat >"$TMP/w/a/b/ids.jsonl" <<JSON
{"id":"../../etc/passwd","title":"passwd","body":"root entry"}
{"id":"../../pwned","title":"relative","body":"relative entry"}
{"id":"$TMP/abs-pwned","title":"absolute","body":"absolute entry"}
{"id":"seg_000001.lseg","title":"segment","body":"segment entry"}
{"id":"MANIFEST","title":"manifest","body":"manifest entry"}
{"id":"LOCK","title":"lock","body":"lock entry"}
{"id":"../ix/seg_000002.lseg","title":"sibling","body":"sibling entry"}
JSON
(cd "$TMP/w/a/b" && "$LEDE_INDEX" -q ix ids.jsonl) || fail "index ids that look like paths"
got=$(cd "$TMP/w" && find . | grep -v '^\./a/b/ix/' | sort | tr '\n' ' ')
[ "$got" = ". ./a ./a/b ./a/b/ids.jsonl ./a/b/ix " ] || fail "files appeared outside the index: $got"
got=$(ls "$TMP/w/a/b/ix" | tr '\n' ' ')
case "$got" in
  "LOCK MANIFEST seg_000001.lseg ") ;;
  *) fail "the index directory holds more than its own files: $got" ;;
esac
[ -e "$TMP/abs-pwned" ] && fail "an id became the file $TMP/abs-pwned"
IXP=$TMP/w/a/b/ix
expect_status 0 "$LEDE_SEARCH" "$IXP" --doc ../../etc/passwd &&
  expect_grep "^id: \.\./\.\./etc/passwd$" "$TMP/out" "--doc ../../etc/passwd" &&
  expect_grep "root entry" "$TMP/out" "its body"
expect_status 0 "$LEDE_SEARCH" "$IXP" --doc MANIFEST && expect_grep "manifest entry" "$TMP/out" "--doc MANIFEST"
expect_status 0 "$LEDE_SEARCH" "$IXP" --doc "$TMP/abs-pwned" && expect_grep "absolute entry" "$TMP/out" "--doc of an absolute path"
expect_status 1 "$LEDE_SEARCH" "$IXP" --doc ../../etc/shadow && expect_grep "no document with id '../../etc/shadow'" "$TMP/err" "a missing path-like id"

# Snapshot (names, sizes, modes, times, contents) before and after every kind
# of search, with the index made read-only (which stops a non-root user's
# writes; the snapshot catches root's).
snapshot() {
  (cd "$TMP/w" && find . -printf '%p %s %m %T@ %C@\n' | sort && find . -type f -exec cksum {} + | sort)
}
chmod -R a-w "$IXP"
before=$(snapshot)
sleep 1
(
  cd "$TMP/w/a/b" || exit 1
  S=$LEDE_SEARCH
  "$S" ix entry >/dev/null &&
    "$S" ix --json --explain -n 100 entry >/dev/null &&
    "$S" ix --timeline entry >/dev/null &&
    "$S" ix --count 'title:(passwd OR lock)' >/dev/null &&
    "$S" ix --doc ../../pwned >/dev/null &&
    printf 'entry\nroot\n' | "$S" ix >/dev/null &&
    printf 'q1\tentry\n' | "$S" ix --batch - >/dev/null &&
    ! "$S" ix '((' 2>/dev/null &&
    ! "$S" ix --doc ../../nothing 2>/dev/null
) || fail "searches of the read-only index"
after=$(snapshot)
chmod -R u+w "$IXP"
[ "$before" = "$after" ] || fail "the searcher changed files: $(diff <(echo "$before") <(echo "$after") | head -10)"
# deleting by such an id touches the index only
(cd "$TMP/w/a/b" && "$LEDE_INDEX" -q delete ix ../../pwned) || fail "delete ../../pwned"
expect_status 1 "$LEDE_SEARCH" "$IXP" --doc ../../pwned
[ -e "$TMP/w/pwned" ] || [ -e "$TMP/pwned" ] && fail "delete of ../../pwned touched a file outside the index"

finish
