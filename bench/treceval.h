/* treceval.h - trec_eval's ndcg_cut.10, map, P_10 and recall_100 over a TREC
 * qrels file and a TREC run, per query and averaged.
 *
 * Used by bench/treceval_main.c (bench_treceval, behind bench/relevance.sh),
 * tests/unit/test_treceval.c and the relevance regression test
 * (tests/e2e/relevance.sh). Depends on libc only, so that tests can compile
 * it into configurations where bench/ is not built.
 *
 * The definitions are trec_eval 9.0.8's (usnistgov/trec_eval, files
 * form_res_rels.c, m_ndcg_cut.c, m_map.c, m_P.c, m_recall.c), relevance
 * level 1, with -c (average over every query of the qrels) and -M 1000:
 *  - qrels lines "qid iter docid rel" (iter ignored; rel an integer); a
 *    document is relevant when rel >= 1; rel <= 0 is judged non-relevant;
 *  - run lines "qid Q0 docid rank score tag" (Q0 and rank ignored, extra
 *    fields after tag ignored); blank lines and lines starting with '#' are
 *    skipped in both files;
 *  - each query's run lines are ranked by score, highest first, ties broken by
 *    docid in DECREASING strcmp order (trec_eval's comp_sim_docno; the rank
 *    column is ignored), then cut to the first TRECEVAL_DEPTH;
 *  - nDCG@10 = DCG@10 / IDCG@10, DCG@10 = sum over ranks i = 1..10 of
 *    rel_i / log2(i + 1) with gain = the qrels value (not 2^rel - 1),
 *    unjudged documents gain 0; IDCG@10 the same over the qrels' values sorted
 *    in decreasing order; 0 when the query has no document with rel >= 1;
 *  - AP = (sum of precision@i over the ranks i holding a relevant document)
 *    / (number of relevant documents in the qrels); MAP its mean;
 *  - P@10 = relevant documents in the top 10 / 10 (also when fewer were
 *    retrieved); R@100 = relevant documents in the top 100 / relevant in qrels;
 *  - the queries are those of the qrels (in the order they first appear); a
 *    query absent from the run scores 0 everywhere; a query in the run but
 *    not in the qrels is ignored; a query whose judgments are all rel <= 0
 *    counts with 0 everywhere (as trec_eval does);
 *  - a docid twice for one query, in the qrels or in the run, is an error
 *    (trec_eval refuses it too). */
#ifndef LEDE_TRECEVAL_H
#define LEDE_TRECEVAL_H

#include <stddef.h>

#define TRECEVAL_DEPTH 1000  /* documents per query evaluated (trec_eval -M 1000) */
#define TRECEVAL_NDCG_CUT 10
#define TRECEVAL_P_CUT 10
#define TRECEVAL_RECALL_CUT 100

/* Return codes (0 is success). */
#define TRECEVAL_ENOMEM (-1)
#define TRECEVAL_EIO (-2)      /* cannot read the file */
#define TRECEVAL_EFORMAT (-3)  /* a malformed line or a duplicate docid */

typedef struct treceval_qrels treceval_qrels;
typedef struct treceval_run treceval_run;

/* Parses qrels text[0..len) (need not be NUL-terminated). `name` (a file name)
 * prefixes messages. On failure *out is NULL and msg says what and where
 * ("NAME:LINE: ..."). */
int treceval_qrels_parse(treceval_qrels **out, const char *text, size_t len, const char *name,
                         char *msg, size_t cap);
/* Reads and parses the qrels file at path. */
int treceval_qrels_load(treceval_qrels **out, const char *path, char *msg, size_t cap);
void treceval_qrels_free(treceval_qrels *q);

/* The same for a run. */
int treceval_run_parse(treceval_run **out, const char *text, size_t len, const char *name,
                       char *msg, size_t cap);
int treceval_run_load(treceval_run **out, const char *path, char *msg, size_t cap);
void treceval_run_free(treceval_run *r);

typedef struct treceval_query {
    const char *qid;     /* borrowed from the qrels: valid until treceval_qrels_free */
    size_t n_rel;        /* documents with rel >= 1 in the qrels */
    size_t n_ret;        /* documents retrieved (at most TRECEVAL_DEPTH) */
    size_t n_rel_ret;    /* relevant among them */
    double ndcg10, ap, p10, recall100;
} treceval_query;

typedef struct treceval_result {
    treceval_query *queries; /* one per qrels query, in qrels order */
    size_t n_queries;
    treceval_query mean;     /* qid "all"; counts summed, measures averaged */
} treceval_result;

/* Evaluates run against qrels. On success out owns queries (free with
 * treceval_result_free); on failure (TRECEVAL_ENOMEM) out is empty and msg
 * says why. */
int treceval_evaluate(treceval_result *out, const treceval_qrels *q, const treceval_run *r,
                      char *msg, size_t cap);
void treceval_result_free(treceval_result *r);

#endif
