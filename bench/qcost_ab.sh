#!/usr/bin/env bash
# bench/qcost_ab.sh - is build B faster than build A on one query type?
#
# usage: bench/qcost_ab.sh [-r ROUNDS] [-n REPS] [-c CPU] INDEX TYPE QUERIES.tsv QCOST_A QCOST_B
#   e.g. cp build/release/bench/bench_qcost /tmp/qc_a   (before the change)
#        cp build/release/bench/bench_qcost /tmp/qc_b   (after it)
#        bench/qcost_ab.sh WORK/wikipedia/lede phrase WORK/wikipedia/queries.tsv /tmp/qc_a /tmp/qc_b
# (WORK: bench/search.sh's kept directory, WORK=DIR bench/search.sh --keep.)
#
# Runs the two bench_qcost programs in turn, ROUNDS times (default 9; A
# first in odd rounds, B first in even ones), each answering the queries of TYPE in turn REPS times (default
# 3), pinned to one CPU (default 0) when taskset exists. Prints each round's
# median latency for both and the ratio B/A of each round's pair, then the
# median ratio: below 1 means B is faster.
#
# Why this way: on a shared virtual machine the speed of the host drifts by
# tens of percent within minutes, and the two CPUs need not run at the same
# speed, so one run of each, or both at once on different CPUs, compares the
# host's moods more than the builds. Alternating on one CPU and taking the
# median of paired ratios leaves differences of about 3% visible. Anything
# smaller needs instruction counts (callgrind, see bench/qcost.c).
set -euo pipefail
rounds=9 reps=3 cpu=0
while getopts "r:n:c:h" o; do
  case $o in
    r) rounds=$OPTARG ;;
    n) reps=$OPTARG ;;
    c) cpu=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -ne 5 ]; then
  echo "usage: bench/qcost_ab.sh [-r ROUNDS] [-n REPS] [-c CPU] INDEX TYPE QUERIES.tsv QCOST_A QCOST_B" >&2
  exit 2
fi
index=$1 type=$2 queries=$3 a=$4 b=$5
pin=()
command -v taskset >/dev/null && pin=(taskset -c "$cpu")
median_of() { # one run: bench_qcost's "median X us"
  "${pin[@]}" "$1" "$index" "$type" "$reps" <"$queries" | sed -n 's/.*median \([0-9.]*\) us.*/\1/p'
}
for i in $(seq "$rounds"); do
  if [ $((i % 2)) = 1 ]; then ma=$(median_of "$a"); mb=$(median_of "$b")
  else mb=$(median_of "$b"); ma=$(median_of "$a"); fi
  echo "$ma $mb"
done | awk -v type="$type" '
  { ra[NR] = $1; rb[NR] = $2; r[NR] = ($1 > 0) ? $2 / $1 : 0
    printf "round %2d   A %8.2f us   B %8.2f us   B/A %.3f\n", NR, $1, $2, r[NR] }
  END {
    for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
    m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
    printf "%s: median B/A over %d rounds %.3f (%s)\n", type, NR, m, (m < 0.97 ? "B faster" : (m > 1.03 ? "B slower" : "within the noise of about 3%"))
  }'
