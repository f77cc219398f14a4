#!/usr/bin/env bash
# bench/search.sh - query latency of lede next to SQLite FTS5 and Xapian.
#
# How to run:
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release -j
#   bench/search.sh [--runs R] [--keep] [BUILD_DIR]      (defaults: 5 runs, build/release)
#   bench/search.sh --table RESULTS.jsonl                 (the table again, from a kept run)
#   WORK=DIR bench/search.sh --reuse [--runs R]            (time again on DIR's kept indexes)
# It needs ../shared/corpora and ../shared/queries beside the repository, and
# the bench programs (libsqlite3-dev, libxapian-dev: ./scripts/setup).
# A full run takes several minutes (most of it building the FTS5 and Xapian
# indexes); --runs 3 shortens the timing part. WORK=DIR keeps the indexes and
# per-query times in DIR (default: a temporary directory removed at the end,
# unless --keep).
#
# What it measures, for two document sets: wikipedia-sample alone ("wikipedia")
# and all the news corpora together ("news": webis-editorials, bbc-news,
# uk-immigration-news-2014, reuters21578, 20newsgroups, sotu):
#   - bench_search (bench/search.c) reads the inputs once through lede's
#     ingestion and builds lede's index, an FTS5 table and a dump from which
#     xapian_peer (bench/xapian_peer.cc) builds a Xapian database: the same
#     documents, unstemmed, case-folded, in all three;
#   - queries: the search-benchmark-game file (term, intersection "+a +b",
#     union "a b" top 10, phrase "a b", negated "+a -b") plus, generated from
#     the corpus with a fixed seed, 200 each of term, negated, prefix ("abc*")
#     and date-filtered ("+word date:A..B"; only where documents have dates);
#   - each engine opens its index once, runs every query once to warm up, then
#     R passes; a query's time is the median of its R runs (monotonic clock,
#     in the process, top 10 by score, no exact total count); lede's and
#     FTS5's passes alternate, so that a drift of the host's speed weighs on
#     both alike (Xapian, a separate program, runs after them);
#   - per query type: median and p99 over queries, in microseconds, and the mean
#     number of hits returned (should agree across engines: same documents).
# Output: one JSON object per line (build and per-type results) in
# WORK/results.jsonl and on standard output, then one table with the ratios
# FTS5/lede and Xapian/lede. Targets (issue 4): lede's median at most 1/10 of
# FTS5's and 1/2 of Xapian's for every type; lede's phrase p99 at most 5 ms.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5 keep=0 build=build/release table_only="" reuse=""
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --reuse) reuse=--skip-build; shift ;;
    --table) table_only=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) build=$1; shift ;;
  esac
done
print_table() {
  echo
  echo "Query latency in microseconds (median and p99 over queries of each query's median of $(grep -m1 -o '"runs":[0-9]*' "$1" | cut -d: -f2) runs);"
  echo "ratios are the peer's time over lede's (higher = lede faster); hits = mean results returned (<= 10);"
  echo "agree = mean share of lede's top 10 that the peer also returns (1.00 = same documents; ranked"
  echo "types differ by BM25 variant, see bench/search.c); n = queries of the type"
  echo "target: lede median <= FTS5/10 and <= Xapian/2 for every type, lede phrase p99 <= 5000 us"
awk '
function get(key,   r) {
  if (match($0, "\"" key "\":(\"[^\"]*\"|[-0-9.]+)")) {
    r = substr($0, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
    gsub(/"/, "", r); return r
  }
  return ""
}
function ratio(a, b) { return (b > 0) ? sprintf("%.1fx", a / b) : "-" }
FILENAME ~ /times-[a-z0-9]+\.tsv$/ {
  # per-query top-10 ids: index type time hits ids
  f = FILENAME; sub(/\/times-[a-z0-9]+\.tsv$/, "", f); sub(/.*\//, "", f)
  e = FILENAME; sub(/.*\/times-/, "", e); sub(/\.tsv$/, "", e)
  split($0, col, "\t"); ids[f, col[1], e] = col[5]; qtype[f, col[1]] = col[2]
  if (col[1] + 1 > nq[f]) nq[f] = col[1] + 1
  next
}
/"type":/ {
  c = get("corpus"); t = get("type"); e = get("engine")
  if (!((c, t) in seen)) { seen[c, t] = 1; order[++n] = c SUBSEP t }
  med[c, t, e] = get("median_us"); p99[c, t, e] = get("p99_us"); hits[c, t, e] = get("mean_hits")
  q[c, t] = get("queries")
}
function agree(c, i, e,   a, b, na, nb, k, m, s, x, y) {
  if (!((c, i, "lede") in ids) || !((c, i, e) in ids)) return -1
  a = ids[c, i, "lede"]; b = ids[c, i, e]
  if (a == "" || b == "") return -1
  na = (a == "-") ? 0 : split(a, x, ","); nb = (b == "-") ? 0 : split(b, y, ",")
  if (na == 0 && nb == 0) return 1
  for (k = 1; k <= na; k++) s[x[k]] = 1
  m = 0
  for (k = 1; k <= nb; k++) if (y[k] in s) m++
  return m / (na > nb ? na : nb)
}
END {
  for (c in nq) for (i = 0; i < nq[c]; i++)
    for (ei = 1; ei <= 2; ei++) {
      e = (ei == 1) ? "fts5" : "xapian"; v = agree(c, i, e)
      if (v >= 0) { agsum[c, qtype[c, i], e] += v; agn[c, qtype[c, i], e]++ }
    }
  printf "%-9s %-12s %4s | %8s %8s | %8s %8s | %8s %8s | %9s %9s | %9s %9s | %-14s | %-9s | %s\n",
    "corpus", "type", "n", "lede med", "p99", "fts5 med", "p99", "xap med", "p99",
    "fts5/lede", "p99", "xap/lede", "p99", "hits l/f/x", "agree f/x", "target"
  for (i = 1; i <= n; i++) {
    split(order[i], k, SUBSEP); c = k[1]; t = k[2]
    have = ((c, t, "lede") in med) && ((c, t, "fts5") in med) && ((c, t, "xapian") in med)
    lm = med[c, t, "lede"] + 0; lp = p99[c, t, "lede"] + 0
    fm = med[c, t, "fts5"] + 0; fp = p99[c, t, "fts5"] + 0
    xm = med[c, t, "xapian"] + 0; xp = p99[c, t, "xapian"] + 0
    ok = (have && lm * 10 <= fm && lm * 2 <= xm) ? "ok" : "MISS"
    if (t == "phrase" && lp > 5000) ok = ok " p99-MISS"
    af = agn[c, t, "fts5"] ? sprintf("%.2f", agsum[c, t, "fts5"] / agn[c, t, "fts5"]) : "-"
    ax = agn[c, t, "xapian"] ? sprintf("%.2f", agsum[c, t, "xapian"] / agn[c, t, "xapian"]) : "-"
    printf "%-9s %-12s %4s | %8.1f %8.1f | %8.1f %8.1f | %8.1f %8.1f | %9s %9s | %9s %9s | %4.1f/%4.1f/%4.1f | %4s/%-4s | %s\n",
      c, t, q[c, t], lm, lp, fm, fp, xm, xp, ratio(fm, lm), ratio(fp, lp), ratio(xm, lm), ratio(xp, lp),
      hits[c, t, "lede"], hits[c, t, "fts5"], hits[c, t, "xapian"], af, ax, ok
  }
}' "$1" $(ls "$(dirname "$1")"/*/times-*.tsv 2>/dev/null)
}

if [ -n "$table_only" ]; then print_table "$table_only"; exit 0; fi
shared=../shared/corpora
game=../shared/queries/search-benchmark-game/queries.jsonl
for p in bench_search xapian_peer; do
  [ -x "$build/bench/$p" ] || { echo "bench/search.sh: $build/bench/$p is missing; build first: cmake --build $build" >&2; exit 2; }
done
[ -d "$shared" ] && [ -f "$game" ] || { echo "bench/search.sh: ../shared/corpora or $game is absent" >&2; exit 2; }

[ -z "$reuse" ] || [ -n "${WORK:-}" ] || { echo "bench/search.sh: --reuse needs WORK=DIR of a kept run" >&2; exit 2; }
if [ -n "${WORK:-}" ]; then
  work=$WORK; mkdir -p "$work"; keep=1
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/lede-bench-search.XXXXXX")
fi
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
results=$work/results.jsonl
: >"$results"

news=""
for c in webis-editorials bbc-news uk-immigration-news-2014 reuters21578 20newsgroups sotu; do
  news="$news $shared/$c/$c.jsonl.gz"
done
sets=("wikipedia:$shared/wikipedia-sample/wikipedia-sample.jsonl.gz" "news:$news")

for spec in "${sets[@]}"; do
  name=${spec%%:*}; files=${spec#*:}
  echo "== $name: ${reuse:+reusing}${reuse:-building} the three indexes, then timing lede, FTS5, Xapian ($runs runs)" >&2
  # shellcheck disable=SC2086
  "$build/bench/bench_search" $reuse --runs "$runs" --game "$game" --name "$name" "$work/$name" $files | tee -a "$results"
  "$build/bench/xapian_peer" $reuse --runs "$runs" --name "$name" "$work/$name" | tee -a "$results"
  # the indexes are large; keep only the queries and per-query times
  [ "$keep" = 1 ] || rm -rf "$work/$name/lede" "$work/$name/fts5.db" "$work/$name/xapian" "$work/$name/xapian.tsv"
done

print_table "$results"
[ "$keep" = 1 ] && echo "(indexes, queries.tsv and times-*.tsv kept in $work)" >&2
exit 0
