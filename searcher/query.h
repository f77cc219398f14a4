/* query.h - the query language (docs/QUERY.md): text in, a tree out.
 *
 * Close to Lucene's classic syntax: bare terms (all required by default,
 * or any with `any_default`), +term, -term, AND / OR / NOT with the usual
 * precedence (NOT > AND > OR), parentheses, "exact phrases", "a b"~N
 * proximity, prefix*, field scoping (title: body: source: section:, also
 * before a phrase or a parenthesized group), and date filters (date:2019-04-25,
 * date:2019-01-01..2019-06-30, date:>=2019, date:<2019-06).
 * Words go through the same analyzer as the documents, so case, diacritics,
 * hyphens and stemming match. Called by the searcher (search.c). */
#ifndef LEDE_QUERY_H
#define LEDE_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "arena.h"

enum qkind {
    Q_TERM,       /* one analyzed term in `field` (or title and body) */
    Q_PHRASE,     /* terms at consecutive positions (slop 0), or within slop */
    Q_PREFIX,     /* every term starting with terms[0] */
    Q_BOOL,       /* kids with their occur flags */
    Q_DATE,       /* documents dated in [date_lo, date_hi]: a filter, no score */
    Q_ALL         /* every document (e.g. a query of only filters or exclusions) */
};

enum qoccur {
    Q_SHOULD,     /* optional: adds to the score; a Q_BOOL with no MUST
                     child needs at least one SHOULD child to match */
    Q_MUST,       /* required */
    Q_MUST_NOT    /* excluded */
};

#define QFIELD_DEFAULT (-1) /* title and body */

typedef struct qnode {
    enum qkind kind;
    enum qoccur occur;     /* role in the parent Q_BOOL (MUST at the root) */
    int field;             /* enum field (field.h), or QFIELD_DEFAULT */
    char **terms;          /* Q_TERM: 1, Q_PREFIX: 1 (the analyzed prefix),
                              Q_PHRASE: n_terms >= 2, in order; NUL-terminated */
    char **stems;          /* Q_PREFIX: the terms of the words the prefix
                              may begin that do not start with it, on a
                              stemmed index ("presiden*": "presid", the stem
                              of "president"); they match too */
    size_t n_stems;
    size_t n_terms;
    uint32_t *rel_pos;     /* Q_PHRASE: position of each term relative to the
                              first (gaps where a dropped token stood) */
    uint32_t slop;         /* Q_PHRASE: "..."~N; 0 = exact */
    int64_t date_lo, date_hi; /* Q_DATE: inclusive, seconds (date.h) */
    struct qnode **kids;   /* Q_BOOL */
    size_t n_kids;
    uint32_t column;       /* 1-based byte column where the node starts */
} qnode;

typedef struct query_opts {
    int any_default;       /* juxtaposed bare terms are SHOULD (else MUST) */
    int free_text;         /* evaluation mode: every word is a SHOULD term;
                              no operators, quotes, fields or dates (syntax
                              characters and AND/OR/NOT are plain words) */
    int stopwords;         /* with free_text: the stop words to leave out, an
                              enum stopwords_list (stopwords.h; 0 keeps every
                              word), judged on the folded, unstemmed word; a
                              text of only stop words keeps them all */
} query_opts;

typedef struct query_error {
    uint32_t column;       /* 1-based byte column of the problem */
    char message[256];     /* e.g. "unbalanced quote: the phrase opened here never closes" */
} query_error;

/* Limits (docs/LIMITS.md): larger queries are refused with LEDE_ELIMIT.
 * QUERY_MAX_DEPTH bounds both parenthesis nesting and the depth of Q_BOOL
 * nodes in the tree, so evaluators may recurse over the tree. The number of
 * terms bounds a query's work (one postings cursor per term and field, like
 * Lucene's maxClauseCount); each prefix may read the postings of every word
 * it matches, so they have a smaller limit of their own. */
#define QUERY_MAX_BYTES 65536
#define QUERY_MAX_DEPTH 100
#define QUERY_MAX_CLAUSES 1024
#define QUERY_MAX_TERMS 1024
#define QUERY_MAX_PHRASE_TERMS 64
#define QUERY_MAX_PREFIXES 64

/* Parses text[0..len) with analyzer `a` (the index's). On success *out is the
 * tree (free with query_free). LEDE_EQUERY with *err filled for a malformed
 * query: unbalanced quote or parenthesis, unknown field, bad date or range,
 * an operator without an operand, a query with no searchable term and no
 * filter; LEDE_ELIMIT with *err filled for a query over one of the limits
 * above; LEDE_ENOMEM. Never accepts silently what it cannot honour. */
int query_parse(qnode **out, const char *text, size_t len, analyzer *a, const query_opts *o,
                query_error *err);
/* Frees a tree from query_parse, all of it (NULL is fine). Only the root
 * query_parse returned: never a subtree, nor a tree from query_parse_in. */
void query_free(qnode *q);

/* query_parse with the tree (every node, array and term) allocated in the
 * caller's arena `mem`, together with the parser's temporary buffers (a
 * small multiple of the query's length, bounded by the limits above): the
 * tree lives until the caller resets or frees mem, and must NOT be passed to
 * query_free. On failure, what the parse allocated stays in mem until then.
 * The same results and errors as query_parse; LEDE_EINVAL when mem is NULL.
 * For the searcher, which resets its arena after each query. */
int query_parse_in(arena *mem, qnode **out, const char *text, size_t len, analyzer *a,
                   const query_opts *o, query_error *err);

/* Appends a canonical, fully parenthesized rendering of q to out (the form
 * is defined in docs/QUERY.md, "Canonical form"), e.g.
 * (+putin +title:"korean peninsula" -date:[2019-01-01T00:00:00Z..2019-12-31T23:59:59Z]).
 * For tests, --explain and messages. */
struct buf;
int query_render(const qnode *q, struct buf *out);

#endif
