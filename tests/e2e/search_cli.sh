#!/usr/bin/env bash
# lede-search from the command line: what it says about totals (exact or a
# lower bound), TREC runs with awkward ids, --help, and the memory a hit in a
# large article costs.
. "$(dirname "$0")/lib.sh"
IX=$TMP/ix
gen_docs 1000 d | "$LEDE_INDEX" -q "$IX" - || fail "index 1000 generated documents"

# --- totals: exact, or "at least" -----------------------------------------------------------
# With relevance ranking the search stops counting once the top hits are
# certain; a text summary must then not state the lower bound as the total.
q='k* p*'
expect_status 0 "$LEDE_SEARCH" "$IX" --count --any "$q" && exact=$(cat "$TMP/out")
expect_status 0 "$LEDE_SEARCH" "$IX" --json --any -n 1 "$q" &&
  expect_grep '"summary":true,"total":[0-9]*,"exact":false' "$TMP/out" "a pruned total is marked inexact in JSON (the case this test needs)"
expect_status 0 "$LEDE_SEARCH" "$IX" --color never --any -n 1 "$q"
summary=$(tail -n 1 "$TMP/out")
case $summary in
  "at least "[0-9]*" matching document"*"(--count counts them all); showing 1 from 1 "*) ok "pruned total: $summary" ;;
  *) fail "a pruned total must read 'at least N matching documents': '$summary' (--count: $exact)" ;;
esac
shown=$(echo "$summary" | sed -n 's/^at least \([0-9]*\) .*/\1/p')
[ -n "$shown" ] && [ "$shown" -le "$exact" ] || fail "lower bound $shown over the exact count $exact"
# an exact total is said plainly, and agrees with --count
expect_status 0 "$LEDE_SEARCH" "$IX" --color never --fragments 0 -n 5000 --any "$q"
[ "$(tail -n 1 "$TMP/out" | sed 's/;.*//')" = "$exact matching documents" ] ||
  fail "exact total: '$(tail -n 1 "$TMP/out")', --count says $exact"
expect_status 0 "$LEDE_SEARCH" "$IX" --json --sort date -n 1 --any "$q" &&
  expect_grep "\"summary\":true,\"total\":$exact,\"exact\":true" "$TMP/out" "sorted by date: every match counted"
# --count, --timeline: always exact, and their JSON summaries say so
expect_status 0 "$LEDE_SEARCH" "$IX" --count --json --any "$q" &&
  expect_grep "\"summary\":true,\"total\":$exact,\"exact\":true" "$TMP/out" "--count --json summary"
expect_status 0 "$LEDE_SEARCH" "$IX" --timeline --color never --any "$q" &&
  expect_grep "^$exact matching documents (" "$TMP/out" "--timeline total"
expect_status 0 "$LEDE_SEARCH" "$IX" --timeline --json --any "$q" &&
  expect_grep "\"summary\":true,\"total\":$exact,\"exact\":true" "$TMP/out" "--timeline --json summary"

# --- --batch: TREC runs whatever the ids hold ------------------------------------------------
printf '%s\n' '{"id":"van Buren-1837","title":"annual message","body":"tariff bank"}' \
  '{"id":"tab\tid","title":"tariff","body":"bank"}' \
  '{"id":"100%","title":"tariff","body":"full bank"}' \
  '{"id":"plain","title":"tariff","body":"bank bank"}' \
  '{"id":"line\nbreak","title":"tariff","body":"tariff"}' >"$TMP/ids.jsonl"
"$LEDE_INDEX" -q "$TMP/ids" "$TMP/ids.jsonl" || fail "index awkward ids"
# one match: singular
expect_status 0 "$LEDE_SEARCH" "$TMP/ids" --color never full &&
  expect_grep "^1 matching document; showing 1 from 1 " "$TMP/out" "one match, exact"
printf 'q1\ttariff bank\n' >"$TMP/batch.tsv"
expect_status 0 "$LEDE_SEARCH" "$TMP/ids" --batch "$TMP/batch.tsv" -k 10
[ "$(wc -l <"$TMP/out")" -eq 5 ] || fail "5 run lines expected: $(cat "$TMP/out")"
awk 'NF != 6 || $1 != "q1" || $2 != "Q0" || $4 != NR || $6 != "lede" { bad = 1; print "bad run line " NR ": " $0 > "/dev/stderr" }
     END { exit bad }' "$TMP/out" || fail "every run line has 6 columns"
for want in 'van%20Buren-1837' 'tab%09id' '100%25' 'plain' 'line%0Abreak'; do
  awk -v w="$want" '$3 == w { f = 1 } END { exit !f }' "$TMP/out" || fail "docid $want not in the run: $(cat "$TMP/out")"
done
# a query id or a tag that would split the columns is refused, naming it
printf 'q 2\ttariff\nq3\ttariff\n\tbank\n' >"$TMP/batch2.tsv"
expect_status 2 "$LEDE_SEARCH" "$TMP/ids" --batch "$TMP/batch2.tsv" &&
  expect_grep "batch2.tsv:1: the query id 'q 2' is empty or holds white space" "$TMP/err" "qid with a space" &&
  expect_grep "batch2.tsv:3: the query id '' is empty" "$TMP/err" "empty qid" &&
  expect_grep "^q3 Q0 " "$TMP/out" "the batch goes on after a bad qid"
grep -q "^q 2" "$TMP/out" && fail "a qid with a space reached the run"
expect_status 2 "$LEDE_SEARCH" "$TMP/ids" --batch "$TMP/batch.tsv" --tag "my run" &&
  expect_grep "tag wants one word" "$TMP/err" "--tag with a space"
expect_status 0 "$LEDE_SEARCH" --help &&
  expect_grep "%XX" "$TMP/out" "--help documents the docid escape"

# --- --help reads well ----------------------------------------------------------------------
for prog in "$LEDE_SEARCH" "$LEDE_INDEX"; do
  expect_status 0 "$prog" --help && expect_grep "exit status" "$TMP/out" "$(basename "$prog") --help: exit statuses"
  [ "$(awk 'length > 80' "$TMP/out" | wc -l)" -eq 0 ] || fail "$(basename "$prog") --help has lines over 80 columns"
done
expect_status 0 "$LEDE_SEARCH" --help && expect_grep "examples:" "$TMP/out" "lede-search --help examples"

# --- a query may start with '-' --------------------------------------------------------------
# -word excludes (docs/QUERY.md), so an argument starting with '-' is a query
# word unless it is --NAME, -h, -n/-k with a value, or comes after "--".
for q in '-putin' '-nato russia' '-kremlin russia' '-korea -kim' '-n5x putin'; do
  want=$("$LEDE_SEARCH" "$IX" --count -- "$q")
  expect_status 0 "$LEDE_SEARCH" "$IX" --count "$q" &&
    [ "$(cat "$TMP/out")" = "$want" ] || fail "query '$q': '$(cat "$TMP/out")', with -- before it $want"
done
want=$("$LEDE_SEARCH" "$IX" --count -- 'putin -kim')
expect_status 0 "$LEDE_SEARCH" "$IX" --count putin -kim &&
  [ "$(cat "$TMP/out")" = "$want" ] || fail "unquoted putin -kim: '$(cat "$TMP/out")', expected $want"
# options keep working before and after the query, with their values
for args in "-n 3 putin" "-n3 putin" "putin -n 3" "putin --limit 3" "--limit=3 putin" \
  "--lim 3 putin" "putin -k 7 -n3" "-n 3 -- putin"; do
  # shellcheck disable=SC2086
  expect_status 0 "$LEDE_SEARCH" "$IX" --color never $args &&
    expect_grep "; showing 3 from 1 " "$TMP/out" "options in '$args'"
done
expect_status 0 "$LEDE_SEARCH" "$IX" putin --json &&
  expect_grep '^{"summary":true' "$TMP/out" "--json after the query"
expect_status 1 "$LEDE_SEARCH" "$IX" --doc -x &&
  expect_grep "no document with id '-x'" "$TMP/err" "--doc's value may start with '-'"
expect_status 2 "$LEDE_SEARCH" "$IX" - && expect_grep "'-' at column 1" "$TMP/err" "'-' alone is a query"
expect_status 2 "$LEDE_SEARCH" "$IX" putin --frobnicate && expect_grep "unrecognized option '--frobnicate'" "$TMP/err" "unknown long option"
expect_status 2 "$LEDE_SEARCH" "$IX" putin -n && expect_grep "requires an argument -- 'n'" "$TMP/err" "-n without its value"
expect_status 0 "$LEDE_SEARCH" "$IX" -h && expect_grep "'-obama sanctions'" "$TMP/out" "--help: a query starting with '-'"

# --- queries on standard input: a bad line says which, and keeps its place -------------------
awk 'BEGIN { printf("putin\n((\n\nkim \"a\nkorea\n"); for (i = 0; i < 70000; i++) printf("k"); printf("\n") }' >"$TMP/lines"
expect_status 2 "$LEDE_SEARCH" "$IX" --count <"$TMP/lines" &&
  expect_grep "^stdin:2: query error at column 2: unbalanced parenthesis" "$TMP/err" "stdin line 2" &&
  expect_grep "^stdin:4: query error at column 5: unbalanced quote" "$TMP/err" "stdin line 4 (after a blank line)" &&
  expect_grep "^stdin:6: query error at column 65537: the query is 70000 bytes long" "$TMP/err" "stdin line 6, too long"
# one output line per non-blank input line: the 2nd, 3rd and 5th are bad
[ "$(grep -n '^error$' "$TMP/out" | tr '\n' ' ')" = "2:error 3:error 5:error " ] && [ "$(wc -l <"$TMP/out")" -eq 5 ] ||
  fail "--count: 'error' on output lines 2, 3 and 5 of 5 expected: $(cat "$TMP/out")"
expect_status 2 "$LEDE_SEARCH" "$IX" --json -n 0 <"$TMP/lines" &&
  expect_grep '^{"line":2,"error":"unbalanced parenthesis: [^"]*","column":2}$' "$TMP/out" "--json: line 2" &&
  expect_grep '^{"line":4,"error":"unbalanced quote: .*add a closing \\"","column":5}$' "$TMP/out" "--json: line 4, its quote escaped" &&
  expect_grep '^{"line":6,"error":"the query is 70000 bytes long, [^"]*","column":65537}$' "$TMP/out" "--json: line 6"
[ "$(wc -l <"$TMP/out")" -eq 5 ] || fail "--json: one line per non-blank input line expected: $(cat "$TMP/out")"
printf 'date:2019\377\n' | "$LEDE_SEARCH" "$IX" --json 2>/dev/null | grep -q "^{\"line\":1,\"error\":\"bad date '2019$(printf '\357\277\275')'" ||
  fail "--json: invalid UTF-8 in an error message is replaced"
expect_status 0 "$LEDE_SEARCH" --help && expect_grep "blank lines are skipped" "$TMP/out" "--help: blank lines"

# --- options that would ignore each other, and --sort's words --------------------------------
expect_status 2 "$LEDE_SEARCH" "$IX" --count --timeline putin &&
  expect_grep "^lede-search: --count .* does not combine with --timeline" "$TMP/err" "--count --timeline"
expect_status 2 "$LEDE_SEARCH" "$IX" --doc d1 putin &&
  expect_grep "^lede-search: --doc prints one article; it takes no QUERY" "$TMP/err" "--doc with a QUERY"
expect_status 2 "$LEDE_SEARCH" "$IX" --doc d1 --batch "$TMP/batch.tsv" &&
  expect_grep "^lede-search: --doc .* does not combine with --batch" "$TMP/err" "--doc --batch"
expect_status 2 "$LEDE_SEARCH" "$IX" --batch "$TMP/batch.tsv" putin &&
  expect_grep "^lede-search: --batch .* it takes no QUERY" "$TMP/err" "--batch with a QUERY"
expect_status 0 "$LEDE_SEARCH" "$IX" --doc d1 && expect_grep "^id: d1$" "$TMP/out" "--doc alone"
expect_status 2 "$LEDE_SEARCH" "$IX" --sort newest putin &&
  expect_grep "'date' or 'relevance' (or 'score', the same), not 'newest'" "$TMP/err" "--sort's words"
expect_status 0 "$LEDE_SEARCH" "$IX" --sort score --count putin

# --- a hit in a large article holds its text once --------------------------------------------
# 7.5 MB of body in one article (the default limit is 8 MB): a hit's peak RSS
# over that of a tiny index, less the index's own size (its mapped pages count
# in RSS too, and a tiny-block build's index is 40% larger), must stay under
# 1.8 times the body. Holding the text twice adds one more body.
if [ -x /usr/bin/time ] && [ "${LEDE_SANITIZE:-OFF}" != "ON" ] && [ "${LEDE_VALGRIND:-0}" != 1 ]; then
  awk 'BEGIN {
    printf("{\"id\":\"big\",\"title\":\"big\",\"body\":\"");
    for (j = 0; j < 7.5 * 1048576 / 80; j++) printf("putin kim summit korea peninsula talks sanctions trade china russia %07d ", j);
    printf("\"}\n");
  }' >"$TMP/big.jsonl"
  body=$(($(stat -c %s "$TMP/big.jsonl") / 1024))
  "$LEDE_INDEX" -q "$TMP/big" "$TMP/big.jsonl" || fail "index a 7.5 MB article"
  /usr/bin/time -f %M -o "$TMP/rss0" "$LEDE_SEARCH" "$TMP/ids" --color never bank >/dev/null
  /usr/bin/time -f %M -o "$TMP/rss1" "$LEDE_SEARCH" "$TMP/big" --color never putin >"$TMP/out" ||
    fail "search the 7.5 MB article"
  grep -q '^1 matching document' "$TMP/out" || fail "the 7.5 MB article found: $(head -c 600 "$TMP/out")"
  mapped=$(du -sk "$TMP/big" | cut -f1)
  extra=$(($(tail -n 1 "$TMP/rss1") - $(tail -n 1 "$TMP/rss0") - mapped))
  echo "a hit in a ${body} KB article: $extra KB over a small index, less the index's $mapped KB" >&2
  [ "$extra" -lt $((body * 9 / 5)) ] || fail "a hit in a ${body} KB article costs $extra KB: its text is held twice"
  # --doc prints it piece by piece (it was held three times: 3.3 times the body)
  for fmt in --color=never --json; do
    /usr/bin/time -f %M -o "$TMP/rss1" "$LEDE_SEARCH" "$TMP/big" $fmt --doc big >"$TMP/out" ||
      fail "--doc $fmt of the 7.5 MB article"
    [ "$(stat -c %s "$TMP/out")" -gt $((body * 1024)) ] || fail "--doc $fmt printed $(stat -c %s "$TMP/out") bytes"
    extra=$(($(tail -n 1 "$TMP/rss1") - $(tail -n 1 "$TMP/rss0") - mapped))
    echo "--doc $fmt of a ${body} KB article: $extra KB over a small index, less the index" >&2
    [ "$extra" -lt $((body * 9 / 5)) ] || fail "--doc $fmt of a ${body} KB article costs $extra KB"
  done
fi

# --- --doc: the pieces it is printed in do not show --------------------------------------------
# Bodies with a CRLF (kept as a newline) and a C1 control U+0085 (shown as
# U+FFFD) straddling each 64 KiB piece boundary, at every offset around it.
awk 'BEGIN {
  for (p = 0; p < 7; p++) {
    printf("{\"id\":\"crlf%d\",\"title\":\"crlf\",\"body\":\"", p);
    for (i = 0; i < p; i++) printf("x");
    for (k = 0; k < 40000; k++) printf("abcde\\r\\n");
    printf("\"}\n{\"id\":\"cone%d\",\"title\":\"cone\",\"body\":\"", p);
    for (i = 0; i < p; i++) printf("x");
    for (k = 0; k < 40000; k++) printf("abcd\\u0085\\n");
    printf("\"}\n");
  }
}' >"$TMP/pieces.jsonl"
"$LEDE_INDEX" -q "$TMP/pieces" "$TMP/pieces.jsonl" || fail "index CRLF and C1 bodies"
for p in 0 1 2 3 4 5 6; do
  expect_status 0 "$LEDE_SEARCH" "$TMP/pieces" --color never --doc crlf$p
  [ "$(grep -c '^x*abcde$' "$TMP/out")" -eq 40000 ] && ! grep -q "$(printf '\r')" "$TMP/out" ||
    fail "crlf$p: 40000 lines 'abcde' expected, no CR and no trailing space: $(grep -v '^x*abcde$' "$TMP/out" | sort | uniq -c | head -5)"
  expect_status 0 "$LEDE_SEARCH" "$TMP/pieces" --color never --doc cone$p
  [ "$(grep -c "^x*abcd$(printf '\357\277\275')\$" "$TMP/out")" -eq 40000 ] ||
    fail "cone$p: 40000 lines 'abcd' U+FFFD expected: $(grep -v '^x*abcd' "$TMP/out" | head -c 300 | od -c | head -5)"
  expect_status 0 "$LEDE_SEARCH" "$TMP/pieces" --json --doc crlf$p
  awk -v p="$p" 'BEGIN { printf("\"body\":\""); for (i = 0; i < p; i++) printf("x");
    for (k = 0; k < 40000; k++) printf("abcde\\r\\n"); printf("\"}\n") }' >"$TMP/want"
  sed 's/^.*"title":"crlf",//' "$TMP/out" | cmp -s - "$TMP/want" || fail "crlf$p --json: the body differs"
done
# --- highlighting: what the body's snippet marks -------------------------------------------
# a clause limited to the title marks nothing in the body; a prefix marks the
# words it matches, on a stemmed index those indexed under a stem too
printf '%s\n' '{"id":"h1","title":"Putin visit","body":"Putin met Kim. The presidents spoke of denuclearization."}' \
  >"$TMP/hl.jsonl"
"$LEDE_INDEX" -q "$TMP/hl" "$TMP/hl.jsonl" || fail "index the highlighting document"
expect_status 0 "$LEDE_SEARCH" "$TMP/hl" --color never 'title:putin kim' &&
  expect_grep '^   Putin met \[Kim\]\.' "$TMP/out" "title:putin leaves the body's Putin unmarked"
expect_status 0 "$LEDE_SEARCH" "$TMP/hl" --color never 'presiden* denucl*' &&
  expect_grep 'The \[presidents\] spoke of \[denuclearization\]\.' "$TMP/out" "prefixes marked, presiden* through the stem presid"
expect_status 0 "$LEDE_SEARCH" "$TMP/hl" --json --explain kim &&
  expect_grep '"explain":"  BM25F over title+body[^"]*\\n *[0-9.]*  kim  BM25F' "$TMP/out" "--explain --json: the breakdown in the hit's object"
expect_status 0 "$LEDE_SEARCH" "$TMP/hl" --json 'presiden*' &&
  expect_grep '"matches":\[\[19,29\]\]' "$TMP/out" "a prefix match's offsets in JSON"
# --- --timeline: a long empty stretch is one line ------------------------------------------
printf '%s\n' '{"id":"a","title":"t","date":"0001-01-01","body":"alpha one"}' \
  '{"id":"b","title":"t","date":"1970-01-01","body":"alpha two"}' \
  '{"id":"c","title":"t","date":"1972-06-01","body":"alpha three"}' \
  '{"id":"d","title":"t","date":"9999-12-31","body":"alpha four"}' >"$TMP/tl.jsonl"
"$LEDE_INDEX" -q "$TMP/tl" "$TMP/tl.jsonl" || fail "index the timeline documents"
expect_status 0 "$LEDE_SEARCH" "$TMP/tl" --color never --timeline alpha &&
  [ "$(wc -l <"$TMP/out")" -eq 8 ] &&
  expect_grep '^\.\.\. *(1968 years without a match)$' "$TMP/out" "years 2..1969 in one line" &&
  expect_grep '^1971 *0 *$' "$TMP/out" "a single empty year keeps its row" &&
  expect_grep '^\.\.\. *(8026 years without a match)$' "$TMP/out" "years 1973..9998 in one line" ||
  fail "--timeline over 9999 years: $(head -c 600 "$TMP/out")"
# --- a query error echoes the query as typed, the caret under its column -------------------
expect_status 2 "$LEDE_SEARCH" "$IX" 'Erdoğan Zürich "unclosed' &&
  [ "$(tail -n 2 "$TMP/err")" = "  Erdoğan Zürich \"unclosed
                 ^" ] || fail "caret under the quote after two accented words: $(cat "$TMP/err")"
expect_status 2 "$LEDE_SEARCH" "$IX" '北京 foo:bar' &&
  [ "$(tail -n 1 "$TMP/err")" = "       ^" ] || fail "two wide characters take four columns: $(cat "$TMP/err")"
expect_status 2 "$LEDE_SEARCH" "$IX" "$(printf 'date:2019\033[2J')" &&
  ! grep -q "$(printf '\033')" "$TMP/err" && expect_grep "bad date '2019?\[2J'" "$TMP/err" "an escape in the message is a '?'"
finish
