/* iter.h - document-at-a-time iterators over one segment, and the scoring
 * they carry. A query tree (query.h) becomes a tree of iterators
 * (search.c); each yields the segment's local doc ids in increasing order.
 *
 *   next()              the next matching document, or ITER_END
 *   advance(target)     the first matching document >= target (never back)
 *   score()             the score of the current document (0 for filters)
 *   max_score()         an upper bound of score() over all documents
 *
 * Deleted documents are not filtered here: the caller skips them.
 *
 * Memory: each constructor takes the arena that holds the iterator, its
 * arrays and the scratch it grows while evaluating (one query's arena, see
 * arena.h); the arena must outlive the iterator, and a failed constructor may
 * leave some of its memory there. iter_free does not release that memory
 * but must still be called on every iterator built, before the arena is
 * reset: it returns term iterators' postings cursors to their segment's pool.
 * A constructor that takes child iterators over owns them from the call on,
 * success or not. */
#ifndef LEDE_ITER_H
#define LEDE_ITER_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "segread.h"

#define ITER_END UINT32_MAX

typedef struct iter iter;

struct iter_ops {
    uint32_t (*next)(iter *it);
    uint32_t (*advance)(iter *it, uint32_t target);
    double (*score)(iter *it);
    void (*free)(iter *it);        /* NULL: nothing to release */
    double (*max_score)(iter *it); /* NULL: the max_score field holds it */
};

struct iter {
    const struct iter_ops *ops;
    uint32_t doc;      /* current document; ITER_END before the first next()
                          is also fine: callers always call next/advance first */
    double max_score;  /* upper bound of score(), unless ops->max_score computes
                          it (term iterators do so lazily: it reads all the
                          skip data, which most queries never need) */
    uint64_t cost;     /* estimated number of matches (for ordering) */
    int error;         /* 0, or the first error (LEDE_ECORRUPT: corrupt postings,
                          LEDE_ENOMEM); the iterator then ends */
    int empty;         /* known to match nothing (iter_empty) */
};

static inline uint32_t iter_next(iter *it) { return it->ops->next(it); }
static inline uint32_t iter_advance(iter *it, uint32_t t) { return it->ops->advance(it, t); }
static inline double iter_score(iter *it) { return it->ops->score(it); }
static inline double iter_max_score(iter *it)
{
    return it->ops->max_score ? it->ops->max_score(it) : it->max_score;
}
/* Releases the iterator's cursors and its children's (not its memory, which
 * is its arena's); accepts NULL. */
void iter_free(iter *it);

/* BM25 for one (term, field): score = weight * tf / (tf + k1 * (1 - b + b * len / avglen)),
 * with weight = field_weight * idf * (k1 + 1). */
typedef struct bm25 {
    double weight;
    double k1, b, avglen;
    int field;         /* 0 title, 1 body: whose length normalizes */
} bm25;

double bm25_score(const bm25 *m, uint32_t tf, uint32_t len);

/* A term's postings; scored with m (NULL: the iterator only matches, score 0).
 * with_positions: iter_term_positions may be called. */
int iter_term(iter **out, arena *a, segread *s, const term_info *ti, const bm25 *m,
              int with_positions);
/* The positions of the current document of a term iterator. */
const uint32_t *iter_term_positions(iter *it, uint32_t *n);
uint32_t iter_term_tf(iter *it);
/* postings_locate_positions for the current document; an error is kept as
 * the iterator's. */
int iter_term_locate_positions(iter *it, positions_loc *loc);
/* Bounds of a term iterator's postings: largest tf, shortest field length. */
void iter_term_bounds(iter *it, uint32_t *max_tf, uint32_t *min_len);

/* BM25F over title and body for one term: tf = w * tf(title) + tf(body),
 * len = w * len(title) + len(body), avglen = w * avg(title) + avg(body);
 * score = idf * (k1 + 1) * tf / (tf + k1 * (1 - b + b * len / avglen)). */
typedef struct bm25f {
    double idf;
    double k1, b, w_title, avglen;
} bm25f;

/* The combined-field term: title and body are unscored term iterators (either
 * may be NULL, not both); takes them over. */
int iter_bm25f(iter **out, arena *a, iter *title, iter *body, segread *s, const bm25f *m);

/* Matches any child; score = sum of the children on the current document. */
int iter_or(iter **out, arena *a, iter **kids, size_t n);
/* Matches all children; score = sum. Kids are reordered cheapest first. */
int iter_and(iter **out, arena *a, iter **kids, size_t n);
/* Matches `pos` minus documents matched by `neg`; score = pos's. */
int iter_not(iter **out, arena *a, iter *pos, iter *neg);
/* Requires `req`, adds `opt`'s score when it matches too. */
int iter_req_opt(iter **out, arena *a, iter *req, iter *opt);

#define ITER_PHRASE_MAX 1024

/* A phrase: term iterators (with positions) t[i] at relative positions
 * rel[i]; slop 0 means exact and in order, slop N > 0 means all the words
 * within a window of n + N consecutive positions, in any order
 * (docs/QUERY.md). Scored with m as if tf were the phrase frequency (exact:
 * number of occurrences; slop: 1). Takes ownership of the term iterators. */
int iter_phrase(iter **out, arena *a, iter **t, const uint32_t *rel, size_t n, uint32_t slop,
                const bm25 *m);

/* Tells a phrase iterator its segment (for length normalization) and, for
 * each term index, the index of the first term equal to it (repeated words). */
void iter_phrase_set_segment(iter *it, segread *s, const uint32_t *first_of);

/* The documents listed in a bitmap (prefix expansions), constant score.
 * bits (n_docs bits) is borrowed: it must outlive the iterator (it may sit in
 * the same arena). */
int iter_bitmap(iter **out, arena *a, const uint64_t *bits, uint32_t n_docs, double score);
/* Every document of the segment. */
int iter_all(iter **out, arena *a, uint32_t n_docs);
/* Documents whose date is in [lo, hi]. */
int iter_date(iter **out, arena *a, segread *s, int64_t lo, int64_t hi);
/* Nothing. */
int iter_empty(iter **out, arena *a);

#endif
