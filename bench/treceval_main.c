/* treceval_main.c - bench_treceval: trec_eval's nDCG@10, MAP (cut at 1000),
 * P@10 and Recall@100 of a TREC run against qrels (definitions: treceval.h).
 * Argument parsing and output only. Built as bench_treceval (bench/, used by
 * bench/relevance.sh) and, from the same source, as e2e_treceval for the
 * relevance regression test (tests/e2e/relevance.sh), which must run where
 * bench/ is not built.
 *
 * usage: bench_treceval [-q] QRELS RUN
 * Output (TSV, one header line starting with '#'): with -q a line per query
 * (qrels order), then always the line for "all" (measures averaged over the
 * qrels' queries, counts summed):
 *   qid  ndcg_cut_10  map  P_10  recall_100  num_rel  num_ret  num_rel_ret
 * Exit status: 0, or 2 for a bad argument or an unreadable/malformed file. */
#include <stdio.h>
#include <string.h>

#include "treceval.h"

static void print_row(const treceval_query *m)
{
    printf("%s\t%.4f\t%.4f\t%.4f\t%.4f\t%zu\t%zu\t%zu\n", m->qid, m->ndcg10, m->ap, m->p10,
           m->recall100, m->n_rel, m->n_ret, m->n_rel_ret);
}

int main(int argc, char **argv)
{
    int per_query = 0, i = 1;
    if (i < argc && strcmp(argv[i], "-q") == 0) {
        per_query = 1;
        i++;
    }
    if (argc - i != 2) {
        fputs("usage: bench_treceval [-q] QRELS RUN\n"
              "prints nDCG@10, MAP (cut at 1000), P@10 and Recall@100 as trec_eval defines\n"
              "them (ndcg_cut.10, map, P.10, recall.100 with -c -M1000); -q: per query too\n",
              stderr);
        return 2;
    }
    char msg[512] = "";
    treceval_qrels *q = NULL;
    treceval_run *r = NULL;
    treceval_result res;
    memset(&res, 0, sizeof res);
    int rc = treceval_qrels_load(&q, argv[i], msg, sizeof msg);
    if (rc == 0)
        rc = treceval_run_load(&r, argv[i + 1], msg, sizeof msg);
    if (rc == 0)
        rc = treceval_evaluate(&res, q, r, msg, sizeof msg);
    if (rc == 0) {
        puts("#qid\tndcg_cut_10\tmap\tP_10\trecall_100\tnum_rel\tnum_ret\tnum_rel_ret");
        for (size_t k = 0; per_query && k < res.n_queries; k++)
            print_row(&res.queries[k]);
        print_row(&res.mean);
    } else {
        fprintf(stderr, "bench_treceval: %s\n", msg[0] ? msg : "out of memory");
    }
    treceval_result_free(&res);
    treceval_run_free(r);
    treceval_qrels_free(q);
    return rc ? 2 : 0;
}
