#!/usr/bin/env bash
# bench/relevance.sh - how good is lede's ranking? nDCG@10, MAP, P@10 and
# Recall@100 on the six judged collections of ../shared/corpora (issue 5).
#
# How to run:
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release -j
#   bench/relevance.sh [--quick] [BUILD_DIR]        (default BUILD_DIR: build/release)
#   bench/relevance.sh --table RESULTS.tsv          (the tables again, from a kept run)
# A full run takes about three minutes on two cores; --quick skips the
# parameter sweep (ten seconds). WORK=DIR keeps the indexes, runs and
# results in DIR (default: a temporary directory, removed at the end).
#
# What it does, for cranfield, cisi, medline, cacm, npl and time:
#   - indexes the collection with lede-index (--keep-duplicates: every judged
#     document must be findable) three times: --stem none, --stem english,
#     --stem porter; and once more with lede-index's shipped defaults;
#   - runs its queries (<name>.queries.tsv) with lede-search --batch -k 1000
#     (free text: the words OR'ed and ranked) and scores the TREC run with
#     bench_treceval (bench/treceval.h: trec_eval's ndcg_cut.10, map, P.10,
#     recall.100 with -c -M1000) against <name>.qrels;
#   - configurations: "before" (no stemming, no stop words, per-field BM25 sum,
#     k1 1.2 b 0.75, title weight 2: lede before issue 5); "fields sum" (stemming,
#     stop words, per-field sum, k1 1.2 b 0.75, title weight 0.5: the first
#     defaults of issue 5); "stem off", "stem english" and
#     "stem porter" (lede-search's shipped defaults on an index built with
#     that --stem); "defaults" (no options at all: whatever lede-index and
#     lede-search ship); and a sweep over stemming (english, porter), stop
#     words (lucene, snowball), k1 (0.9 1.2 1.5), b (0.4 0.75) and title
#     weight (0.25 0.5 0.75 1 2 3).
# Output: WORK/relevance.tsv, one line per configuration and collection:
#   config  collection  stem  stopwords  k1  b  title_weight  ndcg10  map  p10  r100
# and on standard output the tables (markdown): per configuration, the four
# measures per collection; the nDCG@10 and MAP of each against Lucene 8.8's
# (issue 5's targets); the sweep ranked by mean nDCG@10 with each setting's
# largest loss against the best setting of the sweep for a collection
# ("worst"), the robustness criterion docs/RELEVANCE.md uses.
set -euo pipefail
cd "$(dirname "$0")/.."

COLLECTIONS="cranfield cisi medline cacm npl time"
# Lucene 8.8 (EnglishAnalyzer, title and body in one field, BM25), the better
# of k1 0.9 b 0.4 and k1 1.2 b 0.75 per collection: issue 5's targets. Issue 5
# gives nDCG@10 to three decimals; these four-decimal values and the MAP come
# from re-running Lucene (Debian's liblucene8-java) the issue's way, which
# reproduced its table exactly (docs/RELEVANCE.md).
LUCENE_NDCG="cranfield 0.3675 cisi 0.3845 medline 0.6895 cacm 0.4941 npl 0.4368 time 0.7106"
LUCENE_MAP="cranfield 0.3053 cisi 0.2183 medline 0.5263 cacm 0.3405 npl 0.2857 time 0.6478"

quick=0 build=build/release table_only=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --table) table_only=${2:?--table needs a file}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "relevance.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1 ;;
  esac
  shift
done

# ---- tables ------------------------------------------------------------------------------
tables() {
  awk -F'\t' -v tn="$LUCENE_NDCG" -v tm="$LUCENE_MAP" '
  BEGIN {
    n = split(tn, t, " "); for (i = 1; i < n; i += 2) target[t[i]] = t[i + 1]
    n = split(tm, t, " "); for (i = 1; i < n; i += 2) tmap[t[i]] = t[i + 1]
  }
  /^#/ { next }
  {
    cfg = $1; c = $2
    if (!(cfg in seen)) {
      seen[cfg] = 1; order[++n_cfg] = cfg
      desc[cfg] = $3 == "-" ? "no options: what lede-index and lede-search ship" : \
                  $4 == "-" ? sprintf("--stem %s; lede-search as shipped", $3) : \
                  sprintf("stem %s, stop words %s, k1 %s, b %s, title weight %s", $3, $4, $5, $6, $7)
    }
    if (!(c in cseen)) { cseen[c] = 1; corder[++n_c] = c }
    nd[cfg, c] = $8; mp[cfg, c] = $9; p10[cfg, c] = $10; r100[cfg, c] = $11
  }
  function mean(arr, cfg,   i, s) { s = 0; for (i = 1; i <= n_c; i++) s += arr[cfg, corder[i]]; return s / n_c }
  END {
    main["before"]; main["fields sum"]; main["stem off"]; main["stem english"]; main["stem porter"]; main["defaults"]
    for (k = 1; k <= n_cfg; k++) {
      cfg = order[k]
      if (!(cfg in main)) continue
      printf("\n### %s (%s)\n\n| collection | nDCG@10 | MAP | P@10 | R@100 |\n|---|---|---|---|---|\n", cfg, desc[cfg])
      for (i = 1; i <= n_c; i++) { c = corder[i]; printf("| %s | %.3f | %.3f | %.3f | %.3f |\n", c, nd[cfg, c], mp[cfg, c], p10[cfg, c], r100[cfg, c]) }
      printf("| mean | %.3f | %.3f | %.3f | %.3f |\n", mean(nd, cfg), mean(mp, cfg), mean(p10, cfg), mean(r100, cfg))
    }
    # side by side with the Lucene targets (x: below the target)
    printf("\n### nDCG@10 / MAP against Lucene 8.8 (x: below it)\n\n| configuration |")
    for (i = 1; i <= n_c; i++) printf(" %s |", corder[i]); printf("\n|---|"); for (i = 1; i <= n_c; i++) printf("---|"); printf("\n")
    printf("| Lucene 8.8 (target) |"); for (i = 1; i <= n_c; i++) printf(" %s / %s |", target[corder[i]], tmap[corder[i]]); printf("\n")
    for (k = 1; k <= n_cfg; k++) {
      cfg = order[k]; if (!(cfg in main)) continue
      printf("| %s |", cfg)
      for (i = 1; i <= n_c; i++) {
        c = corder[i]
        printf(" %.4f%s / %.4f%s |", nd[cfg, c], nd[cfg, c] + 1e-9 >= target[c] ? "" : " x", mp[cfg, c], mp[cfg, c] + 1e-9 >= tmap[c] ? "" : " x")
      }
      printf("\n")
    }
    # the sweep: best per collection, then each setting ranked by mean nDCG@10
    n_sw = 0
    for (k = 1; k <= n_cfg; k++) if (order[k] ~ /^sweep /) sw[++n_sw] = order[k]
    if (n_sw == 0) exit
    for (i = 1; i <= n_c; i++) { c = corder[i]; best[c] = -1; for (k = 1; k <= n_sw; k++) if (nd[sw[k], c] > best[c]) best[c] = nd[sw[k], c] }
    for (k = 1; k <= n_sw; k++) {
      cfg = sw[k]; worst[cfg] = 1; for (i = 1; i <= n_c; i++) { c = corder[i]; d = nd[cfg, c] - best[c]; if (d < worst[cfg]) worst[cfg] = d }
      m[cfg] = mean(nd, cfg)
    }
    # rank by mean nDCG@10 (insertion sort; the sweep is small)
    for (k = 1; k <= n_sw; k++) rank[k] = sw[k]
    for (k = 2; k <= n_sw; k++) { x = rank[k]; j = k - 1; while (j >= 1 && m[rank[j]] < m[x]) { rank[j + 1] = rank[j]; j-- } rank[j + 1] = x }
    printf("\n### Sweep: nDCG@10, ranked by the mean over the collections\n\n")
    printf("The %d best of %d settings (all of them are in relevance.tsv). worst: the setting'"'"'s largest\n", n_sw < 20 ? n_sw : 20, n_sw)
    printf("loss on one collection against the best setting of the sweep for that collection.\n\n")
    printf("| scoring | stem | stop words | k1 | b | title weight |"); for (i = 1; i <= n_c; i++) printf(" %s |", corder[i]); printf(" mean | mean MAP | worst |\n")
    printf("|---|---|---|---|---|---|"); for (i = 1; i <= n_c; i++) printf("---|"); printf("---|---|---|\n")
    for (k = 1; k <= n_sw && k <= 20; k++) {
      cfg = rank[k]; split(cfg, f, " ")
      printf("| %s | %s | %s | %s | %s | %s |", f[2], f[3], f[4], f[5], f[6], f[7])
      for (i = 1; i <= n_c; i++) printf(" %.3f |", nd[cfg, corder[i]])
      printf(" %.4f | %.4f | %.3f |\n", m[cfg], mean(mp, cfg), worst[cfg])
    }
    printf("| best per collection | | | | | |"); for (i = 1; i <= n_c; i++) printf(" %.3f |", best[corder[i]]); printf(" | | |\n")
  }' "$1"
}

if [ -n "$table_only" ]; then
  tables "$table_only"
  exit 0
fi

# ---- runs --------------------------------------------------------------------------------
shared=../shared/corpora
[ -d "$shared" ] || { echo "relevance.sh: $shared not found (the judged collections live there)" >&2; exit 2; }
index=$build/indexer/lede-index search=$build/searcher/lede-search treceval=$build/bench/bench_treceval
for p in "$index" "$search" "$treceval"; do
  [ -x "$p" ] || { echo "relevance.sh: $p not built (cmake --build $build)" >&2; exit 2; }
done
if [ -n "${WORK:-}" ]; then
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/lede-relevance-XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi
out=$WORK/relevance.tsv
printf '#config\tcollection\tstem\tstopwords\tk1\tb\ttitle_weight\tndcg10\tmap\tp10\tr100\n' >"$out"

# build_index COLLECTION NAME [lede-index options]: WORK/idx/COLLECTION-NAME
build_index() {
  local c=$1 name=$2; shift 2
  local dir=$WORK/idx/$c-$name
  [ -f "$dir/MANIFEST" ] && return 0
  mkdir -p "$WORK/idx"
  "$index" -q --keep-duplicates "$@" "$dir" "$shared/$c/$c.jsonl.gz" || [ $? -eq 1 ]
}

# evaluate CONFIG INDEX-NAME STEM STOP K1 B TW [lede-search options]: one line per collection
evaluate() {
  local cfg=$1 ix=$2 stem=$3 stop=$4 k1=$5 b=$6 tw=$7; shift 7
  local c run
  for c in $COLLECTIONS; do
    run=$WORK/runs/$c.$(echo "$cfg" | tr ' +' '_p').run
    mkdir -p "$WORK/runs"
    "$search" "$WORK/idx/$c-$ix" --batch "$shared/$c/$c.queries.tsv" -k 1000 --tag lede "$@" >"$run"
    "$treceval" "$shared/$c/$c.qrels" "$run" | awk -F'\t' -v cfg="$cfg" -v c="$c" -v s="$stem" \
      -v st="$stop" -v k1="$k1" -v b="$b" -v tw="$tw" \
      '$1 == "all" { printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cfg, c, s, st, k1, b, tw, $2, $3, $4, $5) }' >>"$out"
  done
}

echo "relevance.sh: indexing into $WORK" >&2
for c in $COLLECTIONS; do
  build_index "$c" none --stem none
  build_index "$c" english --stem english
  build_index "$c" porter --stem porter
  build_index "$c" default
done

echo "relevance.sh: running the queries" >&2
evaluate before none none none 1.2 0.75 2 --stopwords none --k1 1.2 --b 0.75 --title-weight 2 --scoring fields
evaluate "fields sum" english english snowball 1.2 0.75 0.5 --scoring fields --k1 1.2 --b 0.75 --title-weight 0.5
evaluate "stem off" none none - - - -
evaluate "stem english" english english - - - -
evaluate "stem porter" porter porter - - - -
evaluate defaults default - - - - -
if [ "$quick" -eq 0 ]; then
  for stem in english porter; do
    for stop in lucene snowball; do
      for k1 in 0.9 1.2 1.5; do
        for b in 0.4 0.75; do
          for tw in 0.25 0.5 0.75 1 2 3; do
            evaluate "sweep fields $stem $stop $k1 $b $tw" "$stem" "$stem" "$stop" "$k1" "$b" "$tw" \
              --stopwords "$stop" --k1 "$k1" --b "$b" --title-weight "$tw" --scoring fields
          done
        done
      done
    done
    echo "relevance.sh: sweep with --stem $stem done" >&2
  done
  # BM25F (the shipped scoring) around its defaults
  for k1 in 1.2 1.3 1.4; do
    for b in 0.7 0.72 0.75 0.8; do
      for tw in 1 2 3; do
        evaluate "sweep bm25f english snowball $k1 $b $tw" english english snowball "$k1" "$b" "$tw" \
          --k1 "$k1" --b "$b" --title-weight "$tw" --scoring bm25f
      done
    done
  done
  echo "relevance.sh: BM25F sweep done" >&2
fi

tables "$out"
echo >&2
echo "relevance.sh: results in $out" >&2
