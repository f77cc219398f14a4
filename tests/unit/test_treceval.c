/* test_treceval.c - the relevance measures (bench/treceval.c) against small
 * cases computed by hand; the arithmetic is written out beside each case.
 * treceval.c is compiled into this test (it uses libc only) so the test runs
 * in every configuration, also those without bench/ (-DLEDE_BENCH=OFF). */
#include <math.h>

#include "../../bench/treceval.c"
#include "t.h"

#define CHECK_NEAR(a, b)                                                      \
    do {                                                                      \
        double t_a_ = (a), t_b_ = (b);                                        \
        if (!(fabs(t_a_ - t_b_) <= 1e-9))                                     \
            T_FAIL("%s == %.12f, expected %s == %.12f", #a, t_a_, #b, t_b_);  \
    } while (0)

/* A qrels text and a run text evaluated; the result borrows qids from q. */
struct ev {
    treceval_qrels *q;
    treceval_result res;
};

static int ev_run(struct ev *e, const char *qrels, const char *run)
{
    memset(e, 0, sizeof *e);
    treceval_run *r = NULL;
    char msg[256];
    int rc = treceval_qrels_parse(&e->q, qrels, strlen(qrels), "qrels", msg, sizeof msg);
    if (rc == 0)
        rc = treceval_run_parse(&r, run, strlen(run), "run", msg, sizeof msg);
    if (rc == 0)
        rc = treceval_evaluate(&e->res, e->q, r, msg, sizeof msg);
    if (rc)
        fprintf(stderr, "ev_run: %s\n", msg);
    treceval_run_free(r);
    return rc;
}

static void ev_free(struct ev *e)
{
    treceval_result_free(&e->res);
    treceval_qrels_free(e->q);
    e->q = NULL;
}

TEST(test_treceval__graded)
{
    /* Judgments: d1 3, d2 2, d3 0, d4 1, d5 2 (d5 never retrieved).
     * Ranking by score: d3 (0), d1 (3), d2 (2), d9 (unjudged: 0), d4 (1).
     * DCG@10 = 0/log2(2) + 3/log2(3) + 2/log2(4) + 0/log2(5) + 1/log2(6)
     *        = 0 + 1.892789261 + 1 + 0 + 0.386852807 = 3.279642068
     * ideal gains 3, 2, 2, 1:
     * IDCG@10 = 3/log2(2) + 2/log2(3) + 2/log2(4) + 1/log2(5)
     *         = 3 + 1.261859507 + 1 + 0.430676558 = 5.692536065
     * nDCG@10 = 3.279642068 / 5.692536065 = 0.576130222
     * relevant (rel >= 1): d1 d2 d4 d5, so 4; found at ranks 2, 3, 5:
     * AP = (1/2 + 2/3 + 3/5) / 4 = 1.766666667 / 4 = 0.441666667
     * P@10 = 3 / 10 = 0.3 (5 retrieved, still divided by 10); R@100 = 3/4. */
    const char *qrels = "q1 0 d1 3\nq1 0 d2 2\nq1 0 d3 0\nq1 0 d4 1\nq1 0 d5 2\n";
    /* the rank column is ignored: it is deliberately wrong here */
    const char *run = "q1 Q0 d4 1 1.0 t\n"
                      "q1 Q0 d1 2 4.0 t\n"
                      "q1 Q0 d9 3 2.0 t\n"
                      "q1 Q0 d3 4 5.0 t\n"
                      "q1 Q0 d2 5 3.0 t\n";
    struct ev e;
    REQUIRE(ev_run(&e, qrels, run) == 0);
    REQUIRE(e.res.n_queries == 1);
    const treceval_query *m = &e.res.queries[0];
    CHECK_STR(m->qid, "q1");
    CHECK_INT(m->n_rel, 4);
    CHECK_INT(m->n_ret, 5);
    CHECK_INT(m->n_rel_ret, 3);
    CHECK_NEAR(m->ndcg10, (3 / log2(3) + 2 / log2(4) + 1 / log2(6)) /
                              (3 + 2 / log2(3) + 2 / log2(4) + 1 / log2(5)));
    CHECK(fabs(m->ndcg10 - 0.576130222) < 1e-8);
    CHECK_NEAR(m->ap, (1.0 / 2 + 2.0 / 3 + 3.0 / 5) / 4);
    CHECK(fabs(m->ap - 0.441666667) < 1e-8);
    CHECK_NEAR(m->p10, 0.3);
    CHECK_NEAR(m->recall100, 0.75);
    /* one query: the mean is that query */
    CHECK_NEAR(e.res.mean.ndcg10, m->ndcg10);
    CHECK_NEAR(e.res.mean.ap, m->ap);
    ev_free(&e);
}

TEST(test_treceval__ideal_cut_at_10)
{
    /* 12 relevant documents r1..r12 (rel 1); the run finds r1 at rank 1, an
     * unjudged x at 2, r2 at 3.
     * DCG@10  = 1/log2(2) + 1/log2(4) = 1 + 0.5 = 1.5
     * IDCG@10 = sum over i = 1..10 of 1/log2(i + 1) = 4.543559338 (only 10 of
     *           the 12 count)
     * nDCG@10 = 1.5 / 4.543559338 = 0.330137649
     * AP = (1/1 + 2/3) / 12 = 0.138888889; P@10 = 2/10; R@100 = 2/12. */
    char qrels[512] = "";
    for (int i = 1; i <= 12; i++)
        snprintf(qrels + strlen(qrels), sizeof qrels - strlen(qrels), "7 0 r%d 1\n", i);
    const char *run = "7 Q0 r1 1 3 t\n7 Q0 x 2 2 t\n7 Q0 r2 3 1 t\n";
    struct ev e;
    REQUIRE(ev_run(&e, qrels, run) == 0);
    REQUIRE(e.res.n_queries == 1);
    const treceval_query *m = &e.res.queries[0];
    double idcg = 0;
    for (int i = 1; i <= 10; i++)
        idcg += 1 / log2(i + 1);
    CHECK(fabs(idcg - 4.543559338) < 1e-8);
    CHECK_NEAR(m->ndcg10, 1.5 / idcg);
    CHECK(fabs(m->ndcg10 - 0.330137649) < 1e-8);
    CHECK_NEAR(m->ap, (1 + 2.0 / 3) / 12);
    CHECK_NEAR(m->p10, 0.2);
    CHECK_NEAR(m->recall100, 2.0 / 12);
    ev_free(&e);
}

TEST(test_treceval__ties_by_docid_descending)
{
    /* Equal scores: trec_eval orders by docid in decreasing strcmp order,
     * whatever the rank column says. Docids 10, 9, 100 and b with score 1:
     * strcmp order is "10" < "100" < "9" < "b", so the ranking is
     * b, 9, 100, 10. Only "10" is relevant: found at rank 4.
     * AP = (1/4) / 1 = 0.25; nDCG@10 = (1/log2(5)) / (1/log2(2)) = 0.430676558;
     * P@10 = 0.1; R@100 = 1. */
    const char *qrels = "1 0 10 1\n1 0 9 0\n";
    const char *run = "1 Q0 10 1 1.0 t\n1 Q0 9 2 1.0 t\n1 Q0 100 3 1.0 t\n1 Q0 b 4 1 t\n";
    struct ev e;
    REQUIRE(ev_run(&e, qrels, run) == 0);
    REQUIRE(e.res.n_queries == 1);
    CHECK_NEAR(e.res.queries[0].ap, 0.25);
    CHECK_NEAR(e.res.queries[0].ndcg10, 1 / log2(5));
    CHECK_NEAR(e.res.queries[0].p10, 0.1);
    CHECK_NEAR(e.res.queries[0].recall100, 1.0);
    ev_free(&e);

    /* A higher score wins over the docid: "a" (2.5) before "z" (2.0). Only
     * "a" relevant: AP = 1, nDCG@10 = 1. Scores in exponent form parse. */
    REQUIRE(ev_run(&e, "1 0 a 1\n", "1 Q0 z 1 2.0 t\n1 Q0 a 2 2.5e0 t\n") == 0);
    CHECK_NEAR(e.res.queries[0].ap, 1.0);
    CHECK_NEAR(e.res.queries[0].ndcg10, 1.0);
    ev_free(&e);
}

TEST(test_treceval__query_sets)
{
    /* qrels: queries 2 (first in the file), 1, and 3 (judged only 0).
     * run: query 1 and query 9 (not in the qrels: ignored); query 2 absent.
     * q2: nothing retrieved: every measure 0 (trec_eval -c).
     * q1: relevant a, b; run a (rank 1), c (2): AP = (1/1)/2 = 0.5,
     *     nDCG@10 = 1 / (1 + 1/log2(3)) = 1 / 1.630929754 = 0.613147193,
     *     P@10 = 0.1, R@100 = 1/2.
     * q3: no relevant document: counts, with 0 everywhere (as trec_eval).
     * Means over the 3 qrels queries: MAP = (0 + 0.5 + 0) / 3 = 0.166666667,
     * nDCG@10 = 0.613147193 / 3 = 0.204382398, P@10 = 0.1/3, R@100 = 0.5/3. */
    const char *qrels = "2 0 x 1\n1 0 a 1\n1 0 b 2\n3 0 y 0\n";
    const char *run = "1 Q0 a 1 2 t\n1 Q0 c 2 1 t\n9 Q0 x 1 5 t\n";
    struct ev e;
    REQUIRE(ev_run(&e, qrels, run) == 0);
    REQUIRE(e.res.n_queries == 3);
    CHECK_STR(e.res.queries[0].qid, "2"); /* qrels order */
    CHECK_STR(e.res.queries[1].qid, "1");
    CHECK_STR(e.res.queries[2].qid, "3");
    CHECK_INT(e.res.queries[0].n_ret, 0);
    CHECK_NEAR(e.res.queries[0].ap, 0);
    CHECK_NEAR(e.res.queries[0].ndcg10, 0);
    /* rel 2 for b: the ideal is b (2) then a (1): IDCG = 2 + 1/log2(3);
     * DCG = 1 (a at rank 1). */
    CHECK_NEAR(e.res.queries[1].ndcg10, 1 / (2 + 1 / log2(3)));
    CHECK_NEAR(e.res.queries[1].ap, 0.5);
    CHECK_INT(e.res.queries[2].n_rel, 0);
    CHECK_NEAR(e.res.queries[2].ndcg10, 0);
    CHECK_NEAR(e.res.mean.ap, 0.5 / 3);
    CHECK_NEAR(e.res.mean.ndcg10, 1 / (2 + 1 / log2(3)) / 3);
    CHECK_NEAR(e.res.mean.p10, 0.1 / 3);
    CHECK_NEAR(e.res.mean.recall100, 0.5 / 3);
    CHECK_INT(e.res.mean.n_rel, 3);
    CHECK_INT(e.res.mean.n_ret, 2);
    CHECK_STR(e.res.mean.qid, "all");
    ev_free(&e);
}

TEST(test_treceval__depth_1000)
{
    /* 1001 documents d0..d1000 with scores 1001 - i: the only relevant one,
     * d1000, is ranked 1001st, past the cut at 1000: AP = 0, R@100 = 0,
     * 1000 retrieved. */
    size_t cap = 1001 * 32, len = 0;
    char *run = malloc(cap);
    REQUIRE(run);
    for (int i = 0; i <= 1000; i++)
        len += (size_t)snprintf(run + len, cap - len, "5 Q0 d%d %d %d t\n", i, i + 1, 1001 - i);
    struct ev e;
    int rc = ev_run(&e, "5 0 d1000 1\n", run);
    free(run);
    REQUIRE(rc == 0);
    CHECK_INT(e.res.queries[0].n_ret, 1000);
    CHECK_INT(e.res.queries[0].n_rel_ret, 0);
    CHECK_NEAR(e.res.queries[0].ap, 0);
    ev_free(&e);
}

TEST(test_treceval__formats)
{
    /* comments, blank lines, CRLF, tabs, extra fields after the tag, no final
     * newline: one relevant doc at rank 1, AP 1. */
    struct ev e;
    REQUIRE(ev_run(&e, "# judged\r\n\r\n1\t0\ta\t1\r\n",
                   "1 Q0 a 1 3 tag extra\n\n# x\n1 Q0 b 2 1 tag") == 0);
    CHECK_NEAR(e.res.queries[0].ap, 1);
    CHECK_INT(e.res.queries[0].n_ret, 2);
    ev_free(&e);

    char msg[256];
    treceval_qrels *q = (treceval_qrels *)(uintptr_t)1;
    CHECK_INT(treceval_qrels_parse(&q, "1 0 a 1\n1 0 b\n", 14, "x.qrels", msg, sizeof msg),
              TRECEVAL_EFORMAT);
    CHECK(q == NULL);
    CHECK_STR(msg, "x.qrels:2: expected 'qid iter docid rel' (4 fields), found 3 fields");
    CHECK_INT(treceval_qrels_parse(&q, "1 0 a x\n", 8, "x.qrels", msg, sizeof msg),
              TRECEVAL_EFORMAT);
    CHECK_STR(msg, "x.qrels:1: the relevance 'x' is not an integer");
    CHECK_INT(treceval_qrels_parse(&q, "1 0 a 1\n2 0 a 1\n1 0 a 0\n", 24, "x.qrels", msg,
                                   sizeof msg),
              TRECEVAL_EFORMAT);
    CHECK_STR(msg, "x.qrels:3: docid 'a' appears twice for query '1' in the qrels (also line 1)");

    treceval_run *r = (treceval_run *)(uintptr_t)1;
    CHECK_INT(treceval_run_parse(&r, "1 Q0 a 1 2\n", 11, "x.run", msg, sizeof msg),
              TRECEVAL_EFORMAT);
    CHECK(r == NULL);
    CHECK_STR(msg, "x.run:1: expected 'qid Q0 docid rank score tag' (6 fields), found 5 fields");
    CHECK_INT(treceval_run_parse(&r, "1 Q0 a 1 nan t\n", 15, "x.run", msg, sizeof msg),
              TRECEVAL_EFORMAT);
    CHECK_STR(msg, "x.run:1: the score 'nan' is not a finite number");
    CHECK_INT(treceval_run_parse(&r, "1 Q0 a 1 2 t\n1 Q0 a 2 1 t\n", 26, "x.run", msg, sizeof msg),
              TRECEVAL_EFORMAT);
    CHECK_STR(msg, "x.run:2: docid 'a' appears twice for query '1' in the run (also line 1)");
    CHECK_INT(treceval_run_load(&r, "/nonexistent/run", msg, sizeof msg), TRECEVAL_EIO);
    CHECK(strstr(msg, "cannot open /nonexistent/run") != NULL);

    /* Empty files are valid and evaluate to nothing. */
    REQUIRE(ev_run(&e, "", "") == 0);
    CHECK_INT(e.res.n_queries, 0);
    CHECK_NEAR(e.res.mean.ap, 0);
    ev_free(&e);
}

TEST_MAIN()
