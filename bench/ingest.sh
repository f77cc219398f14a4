#!/usr/bin/env bash
# Ingestion + analysis throughput on the shared corpora, 1 thread and all
# cores, without and with stemming. Prints one JSON line per run, labelled.
# usage: bench/ingest.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
shared=../shared/corpora
[ -x "$build/bench/bench_ingest" ] || { echo "build first: cmake --build $build" >&2; exit 2; }
[ -d "$shared" ] || { echo "bench/ingest.sh: ../shared/corpora is absent" >&2; exit 2; }
cores=$(nproc)
largest=$shared/wikipedia-sample/wikipedia-sample.jsonl.gz
for spec in "wikipedia-sample:$largest" "all-corpora:$(ls $shared/*/*.jsonl.gz | tr '\n' ' ')"; do
  name=${spec%%:*}; files=${spec#*:}
  for j in 1 "$cores"; do
    for stem in none english; do
      printf '{"corpus":"%s",' "$name"
      # shellcheck disable=SC2086
      "$build/bench/bench_ingest" -j "$j" --stem "$stem" --runs 3 $files | tail -n 1 | cut -c2-
    done
  done
done
