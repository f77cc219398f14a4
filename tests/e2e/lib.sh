# lib.sh - helpers for the end-to-end tests (sourced).
set -u
TMP=$(mktemp -d /tmp/lede-e2e-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
FAILED=0

fail() { echo "FAIL: $*" >&2; FAILED=1; }
ok() { echo "ok: $*" >&2; }

# LEDE_VALGRIND=1: every lede-index and lede-search the test runs goes through
# valgrind memcheck. An error or a definite leak makes the run exit 99, and
# its report is kept in $TMP/valgrind.PID.log, which finish checks (a test
# that ignores an exit status still fails on a report).
if [ "${LEDE_VALGRIND:-0}" = 1 ]; then
  for var in LEDE_INDEX LEDE_SEARCH; do
    wrapper=$TMP/valgrind-$(basename "${!var}")
    printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --log-file=%s/valgrind.%%p.log %s "$@"\n' \
      "$TMP" "${!var}" >"$wrapper"
    chmod +x "$wrapper"
    export "$var=$wrapper"
  done
fi
valgrind_reports() {
  local f bad=0
  for f in "$TMP"/valgrind.*.log; do
    [ -s "$f" ] || continue
    echo "FAIL: valgrind: $(head -c 3000 "$f")" >&2
    bad=1
  done
  return $bad
}
finish() {
  [ "${LEDE_VALGRIND:-0}" = 1 ] && ! valgrind_reports && FAILED=1
  [ "$FAILED" -eq 0 ] || exit 1
  exit 0
}

# expect_status WANT CMD...: runs CMD, checks its exit status.
expect_status() {
  local want=$1; shift
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    fail "'$*' exited $got, expected $want; stderr: $(head -c 600 "$TMP/err")"
    return 1
  fi
  return 0
}

# expect_grep PATTERN FILE WHAT
expect_grep() {
  grep -q -- "$1" "$2" || fail "$3: '$1' not found in: $(head -c 600 "$2")"
}

# gen_docs N PREFIX [VARIANT]: N JSON Lines documents with ids PREFIX0..
gen_docs() {
  awk -v n="$1" -v p="$2" -v v="${3:-0}" 'BEGIN {
    split("korea peninsula putin kim summit talks the of and sanctions trade china russia economy election vote minister policy market peace", w, " ");
    srand(42 + v);
    for (i = 0; i < n; i++) {
      body = "";
      m = 20 + int(rand() * 300);
      for (k = 0; k < m; k++) body = body (k ? " " : "") w[1 + int(rand() * 20)] (rand() < 0.1 ? "x" int(rand() * 3000) : "");
      printf("{\"id\":\"%s%d\",\"title\":\"%s %s v%d\",\"date\":\"2019-%02d-%02d\",\"body\":\"%s\"}\n",
             p, i, w[1 + int(rand() * 20)], w[1 + int(rand() * 20)], v, 1 + int(rand() * 12), 1 + int(rand() * 28), body);
    }
  }'
}
