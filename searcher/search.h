/* search.h - the searcher library: open an index read-only, run queries,
 * get ranked hits, a timeline of matches, explanations, documents.
 *
 * Ranking is BM25 (k1, b settable) summed over the query's terms and over
 * the fields they are searched in, title matches weighted by title_weight
 * (docs/QUERY.md "Ranking"); statistics (N, df, average lengths) are those
 * of the live documents of the whole index. Ties go to the lower internal
 * doc id, so results are deterministic. One searcher serves many queries;
 * it is not thread-safe (open one per thread). */
#ifndef LEDE_SEARCH_H
#define LEDE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "buf.h"
#include "query.h"
#include "segread.h"
#include "stopwords.h"

/* BM25F over title and body (a term occurrence in the title counts twice),
 * k1 1.3, b 0.72: the only setting measured that reaches Lucene 8.8's nDCG@10
 * and MAP on all six judged collections (docs/RELEVANCE.md, "BM25F"). The
 * per-field sum with k1 1.2, b 0.75 and title weight 0.5 (the defaults
 * before) left cacm 0.020 below: half of cacm's documents are titles only. */
#define SEARCH_DEFAULT_K1 1.3
#define SEARCH_DEFAULT_B 0.72
#define SEARCH_DEFAULT_TITLE_WEIGHT 2.0
#define SEARCH_DEFAULT_COMBINED_FIELDS 1
/* Free text (--batch) leaves out Snowball's 127 English stop words: +0.01 to
 * +0.02 nDCG@10 over Lucene's 33 on the verbose collections (cisi, cacm,
 * cranfield), the same elsewhere (docs/RELEVANCE.md). */
#define SEARCH_DEFAULT_STOPWORDS "snowball"
#define SEARCH_DEFAULT_LIMIT 10

typedef struct searcher searcher;

typedef struct search_params {
    double k1, b, title_weight;
    int any_default;   /* bare terms are optional (ranked OR) instead of required */
    int free_text;     /* evaluation mode (query.h) */
    const char *stopwords; /* free_text: the stop words left out: "lucene",
                              "snowball" or "none" (stopwords.h); NULL means
                              SEARCH_DEFAULT_STOPWORDS */
    int sort_date;     /* newest first instead of by score */
    size_t offset, limit;
    int exact_count;   /* count every match (disables pruning) */
    int combined_fields; /* a term without a field scores with BM25F over title
                            and body, not the sum of two per-field BM25 scores */
} search_params;

void search_params_default(search_params *p);

typedef struct search_hit {
    uint32_t doc;      /* global internal doc id */
    double score;
} search_hit;

typedef struct timeline_bucket {
    int year, month;   /* month 0: the whole year */
    uint64_t count;
} timeline_bucket;

typedef struct search_result {
    search_hit *hits;  /* best first; at most limit, after skipping offset */
    size_t n_hits;
    uint64_t total;    /* matching documents */
    int total_exact;   /* total is exact (else a lower bound) */
    char **terms;      /* the terms to highlight in the body: those of the
                          positive clauses that search it, a prefix as its
                          bytes and a '*' (snippet.h); one allocation with
                          term_lens and the strings */
    size_t *term_lens;
    size_t n_terms;
    timeline_bucket *timeline; /* with searcher_timeline */
    size_t n_buckets;
    uint64_t undated;  /* matches without a date (timeline) */
} search_result;

/* Opens DIR read-only. On failure msg says why (no index, corrupt, version). */
int searcher_open(searcher **out, const char *dir, char *msg, size_t cap);
void searcher_close(searcher *s);

/* Runs a query. LEDE_EQUERY: *qerr says where the query is malformed.
 * LEDE_ECORRUPT: the index is damaged (msg in qerr->message). */
int searcher_search(searcher *s, const char *q, size_t len, const search_params *p,
                    search_result *out, query_error *qerr);
/* Counts matches per month (or per year when they span more than three
 * years), oldest first. */
int searcher_timeline(searcher *s, const char *q, size_t len, const search_params *p,
                      search_result *out, query_error *qerr);
void search_result_free(search_result *r);

/* Appends a human-readable BM25 breakdown of doc's score for query q. */
int searcher_explain(searcher *s, const char *q, size_t len, const search_params *p,
                     uint32_t doc, buf *out, query_error *qerr);

/* Stored fields of a global doc id (borrowed: valid until searcher_close). */
int searcher_doc(searcher *s, uint32_t doc, docrec *out, int64_t *date);
/* Appends the stored body. */
int searcher_body(searcher *s, uint32_t doc, buf *out);
/* Points *out at the stored body (*len bytes, not NUL-terminated) without
 * copying it: borrowed, valid until the next searcher_body or
 * searcher_body_ref on s, or searcher_close. On failure *out is NULL. */
int searcher_body_ref(searcher *s, uint32_t doc, const char **out, size_t *len);
/* The live document with external id id[0..len): 1 found, 0 not. */
int searcher_find_id(searcher *s, const char *id, size_t len, uint32_t *doc);

/* After LEDE_ECORRUPT from any function here: writes "index corrupt: FILE:
 * WHAT (run lede-index check DIR)" into msg (cap bytes), naming the first
 * segment whose decoders found damage and what they found. */
void searcher_corrupt_message(const searcher *s, char *msg, size_t cap);

analyzer *searcher_analyzer(searcher *s);
uint64_t searcher_live_docs(const searcher *s);

#endif
