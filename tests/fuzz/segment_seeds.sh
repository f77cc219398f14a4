#!/usr/bin/env bash
# Writes the seed inputs of fuzz_segment (tests/fuzz/corpus/segment/seed-*)
# from the current format, for when a format change makes the old ones
# unreadable (docs/TESTING.md, "Fuzzing"):
#
#   tests/fuzz/segment_seeds.sh [RELEASE_BUILD [TINY_BUILD]]
#
# (defaults build/release and build/tiny, both built). Four segments:
#   seed-golden-article       the seed article, production blocks (as golden-vN)
#   seed-production-140docs   tests/data/synthetic-140.jsonl (as golden-v4-blocks):
#                             body terms span two postings blocks (a full one:
#                             packed lanes, skip data) and position chunks
#   seed-tiny-blocks          the seed article with LEDE_TINY_BLOCKS, no stemming
#   seed-tiny-blocks-stemmed  the same, stemmed
# Afterwards, run scripts/fuzz segment SECONDS to grow the corpus around them.
set -euo pipefail
cd "$(dirname "$0")/../.."
release=${1:-build/release}
tiny=${2:-build/tiny}
for b in "$release" "$tiny"; do
  [ -x "$b/indexer/lede-index" ] || { echo "segment_seeds.sh: build $b first" >&2; exit 2; }
done
out=tests/fuzz/corpus/segment
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

index() { # BUILD DIR INPUT [OPTIONS...]: from tests/data, so ids are file names
  local b=$1 d=$2 in=$3
  shift 3
  (cd tests/data && "../../$b/indexer/lede-index" -q -j 1 "$@" "$d" "$in") >/dev/null 2>&1
}

index "$release" "$tmp/golden" 000_6360e9c39130a038.txt
index "$release" "$tmp/140" synthetic-140.jsonl
index "$tiny" "$tmp/tiny" 000_6360e9c39130a038.txt --stem none
index "$tiny" "$tmp/tinys" 000_6360e9c39130a038.txt
cp "$tmp/golden/seg_000001.lseg" "$out/seed-golden-article.lseg"
cp "$tmp/140/seg_000001.lseg" "$out/seed-production-140docs.lseg"
cp "$tmp/tiny/seg_000001.lseg" "$out/seed-tiny-blocks.lseg"
cp "$tmp/tinys/seg_000001.lseg" "$out/seed-tiny-blocks-stemmed.lseg"
ls -l "$out"/seed-*
