/* bench/qcost.c - how much work does lede do per query of one type? Meant to
 * run under callgrind, whose instruction counts do not depend on the load of
 * the machine (wall-clock latency against the peers is bench/search.sh).
 *
 * usage: bench_qcost INDEX TYPE REPS < WORKDIR/queries.tsv
 *   valgrind --tool=callgrind bench_qcost WORK/wikipedia/lede phrase 1 \
 *       < WORK/wikipedia/queries.tsv
 * Reads bench/search.sh's queries file (type, source, words, date lo, hi),
 * renders the queries of TYPE as bench/search.c does (phrase: "a b";
 * intersection: +a +b; prefix: a*; others: the words; date filters are
 * left out), and answers each REPS times through searcher_search with the
 * bench's settings (bare words ranked OR, top 10). Prints the mean time per
 * query, the median over queries of each query's median round (the
 * statistic bench/search.sh reports), and the hits, so runs can be checked
 * to do the same work. QCOST_COLD=N writes N MiB between queries (outside
 * the timed region): 2 evicts the caches a core has to itself (as the
 * peers' turns in bench/search.sh do), 64 every cache; the difference to a
 * plain run is what the query's cache misses cost, code and data.
 * QCOST_REPEAT=1 runs each query REPS times back to back instead of the
 * queries in turn REPS times: caches and branch predictors then know the
 * query (with QCOST_COLD, only the predictors do). QCOST_ALL=1 runs the
 * queries of every type (but date) in the file's order, untimed but for
 * TYPE's: the state of the caches that bench/search.sh's queries find (a
 * phrase runs after the term, intersection and union queries of its words).
 * QCOST_PRE=same (or next) with QCOST_PRE_INDEX=COPY, a copy of INDEX (cp -r):
 * just before each timed query, the same query (or the next one of TYPE)
 * runs untimed on the copy. Its data lie elsewhere in memory, so this warms
 * no data of INDEX, only the code and the processor's predictors: with
 * `same` they have seen this very query's branches, with `next` only the
 * code path of TYPE (docs/TESTING.md). bench/qcost_ab.sh compares two
 * builds with this program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "search.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Renders the words of one queries.tsv line as a lede query of `type`. */
static int render(buf *q, const char *type, char *words)
{
    buf_clear(q);
    int rc = 0, i = 0;
    for (char *save = NULL, *w = strtok_r(words, " ", &save); w && !rc;
         w = strtok_r(NULL, " ", &save), i++) {
        if (i)
            rc = buf_putc(q, ' ');
        if (!rc && !strcmp(type, "intersection"))
            rc = buf_putc(q, '+');
        if (!rc)
            rc = buf_puts(q, w);
        if (!rc && !strcmp(type, "prefix"))
            rc = buf_putc(q, '*');
    }
    if (!rc && !strcmp(type, "phrase")) {
        buf quoted = {0};
        rc = buf_printf(&quoted, "\"%s\"", q->data ? q->data : "");
        if (!rc) {
            buf_clear(q);
            rc = buf_puts(q, quoted.data);
        }
        buf_free(&quoted);
    }
    return rc;
}

/* One query, out of line (with link-time optimization searcher_search is
 * inlined): callgrind --toggle-collect=one_query counts the queries alone,
 * QCOST_ALL's untimed ones too (timed_query counts only TYPE's). */
static __attribute__((noinline)) int one_query(searcher *s, const char *q, const search_params *p,
                                               search_result *res, query_error *qe)
{
    return searcher_search(s, q, strlen(q), p, res, qe);
}

/* The timed query, a frame of its own: callgrind --toggle-collect=timed_query
 * (or perf's call chains) leave out QCOST_ALL's untimed queries. */
static __attribute__((noinline)) int timed_query(searcher *s, const char *q, const search_params *p,
                                                 search_result *res, query_error *qe)
{
    int rc = one_query(s, q, p, res, qe);
    __asm__ volatile("" ::: "memory"); /* not a tail call: the frame stays */
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_qcost INDEX TYPE REPS < queries.tsv\n");
        return 2;
    }
    const char *type = argv[2];
    int reps = atoi(argv[3]);
    char msg[512];
    searcher *s;
    if (searcher_open(&s, argv[1], msg, sizeof msg)) {
        fprintf(stderr, "bench_qcost: %s\n", msg);
        return 2;
    }
    /* QCOST_ALL: every query of the file runs, in its order, as
     * bench/search.sh runs them (the types of one line of the game file
     * follow one another, so a phrase finds its words' postings warm);
     * only those of TYPE are timed */
    int all = getenv("QCOST_ALL") != NULL;
    char **qs = NULL, **others = NULL; /* others[i]: the untimed queries before qs[i] */
    size_t n = 0, cap = 0;
    char line[8192];
    buf q = {0}, pending = {0};
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        char *save = NULL, *t = strtok_r(line, "\t", &save);
        strtok_r(NULL, "\t", &save); /* source */
        char *words = strtok_r(NULL, "\t", &save);
        int timed = t && !strcmp(t, type);
        if (!t || !words || (!timed && (!all || !strcmp(t, "date"))) || render(&q, t, words))
            continue;
        if (!timed) { /* QCOST_ALL: run before the next timed query */
            if (q.len > 0 && buf_append(&pending, q.data, q.len + 1))
                return 2;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            char **p = realloc(qs, cap * sizeof *p), **o = p ? realloc(others, cap * sizeof *o) : NULL;
            if (p)
                qs = p;
            if (!p || !o)
                return 2;
            others = o;
        }
        others[n] = pending.len ? buf_detach(&pending) : NULL;
        buf_clear(&pending);
        qs[n++] = buf_detach(&q);
    }
    search_params p;
    search_params_default(&p);
    p.any_default = 1;
    p.limit = 10;
    unsigned long long hits = 0;
    /* each query's time in each round: the median query's median round */
    double *qt = calloc(n * (reps > 0 ? reps : 1) + 1, sizeof *qt), *med = calloc(n + 1, sizeof *med);
    if (!qt || !med)
        return 2;
    size_t cold_len = getenv("QCOST_COLD") ? (size_t)strtoul(getenv("QCOST_COLD"), NULL, 10) << 20 : 0;
    unsigned char *cold = cold_len ? malloc(cold_len) : NULL;
    if (cold_len && !cold)
        return 2;
    int back_to_back = getenv("QCOST_REPEAT") != NULL;
    const char *pre = getenv("QCOST_PRE"), *pre_index = getenv("QCOST_PRE_INDEX");
    searcher *copy = NULL; /* QCOST_PRE's */
    int pre_next = pre && !strcmp(pre, "next");
    if (pre && !pre_next && strcmp(pre, "same")) {
        fprintf(stderr, "bench_qcost: QCOST_PRE is same or next\n");
        return 2;
    }
    if (pre && (!pre_index || searcher_open(&copy, pre_index, msg, sizeof msg))) {
        fprintf(stderr, "bench_qcost: QCOST_PRE needs QCOST_PRE_INDEX, a copy of INDEX: %s\n",
                pre_index ? msg : "not set");
        return 2;
    }
    double t0 = now_us(), t_untimed = 0; /* evicting caches, QCOST_ALL's other queries */
    for (int k = 0; k < reps; k++)
        for (size_t j = 0; j < n; j++) {
            /* in turn: round r runs every query; back to back: query i r times */
            size_t i = back_to_back ? ((size_t)k * n + j) / (size_t)reps : j;
            int r = back_to_back ? (int)(((size_t)k * n + j) % (size_t)reps) : k;
            search_result res;
            query_error qe;
            if (cold) {
                double c0 = now_us();
                memset(cold, (int)(i + (size_t)r), cold_len);
                t_untimed += now_us() - c0;
            }
            double o0 = now_us();
            for (const char *o = others[i]; o && *o; o += strlen(o) + 1)
                if (one_query(s, o, &p, &res, &qe) == 0)
                    search_result_free(&res);
            if (copy && one_query(copy, qs[pre_next ? (i + 1) % n : i], &p, &res, &qe) == 0)
                search_result_free(&res);
            t_untimed += now_us() - o0;
            double q0 = now_us();
            if (timed_query(s, qs[i], &p, &res, &qe) == 0) {
                hits += res.n_hits;
                search_result_free(&res);
            }
            qt[i * reps + r] = now_us() - q0;
        }
    double t = now_us() - t0 - t_untimed;
    free(cold);
    for (size_t i = 0; i < n && reps > 0; i++) {
        qsort(qt + i * reps, (size_t)reps, sizeof *qt, cmp_double);
        med[i] = qt[i * reps + reps / 2];
        if (getenv("QCOST_EACH")) /* each query's median, for picking sets */
            fprintf(stderr, "%.2f\t%s\n", med[i], qs[i]);
    }
    qsort(med, n, sizeof *med, cmp_double);
    printf("%s: %zu queries x %d: %.2f us/query, median %.2f us, %llu hits\n", type, n, reps,
           n && reps ? t / ((double)n * reps) : 0.0, n ? med[n / 2] : 0.0, hits);
    free(qt);
    free(med);
    for (size_t i = 0; i < n; i++) {
        free(qs[i]);
        free(others[i]);
    }
    free(qs);
    free(others);
    buf_free(&q);
    buf_free(&pending);
    searcher_close(s);
    searcher_close(copy);
    return 0;
}
