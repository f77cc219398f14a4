/* fuzz_query.c - fuzz target for the query parser and renderer
 * (searcher/query.c, docs/QUERY.md).
 *
 * Input: a mode byte, then the query text.
 *   mode & 1   any_default (--any)
 *   mode & 2   free_text (--batch), with the stop-word list (mode >> 2) & 3
 *   mode & 16  stemming (english)
 *
 * Oracle: never crashes or hangs; query_parse returns 0 with a tree, or
 * LEDE_EQUERY (malformed) or LEDE_ELIMIT (over a limit of docs/LIMITS.md)
 * with a message and a column between 1 and the query's length + 1 (a query over the length limit: QUERY_MAX_BYTES + 1), and no tree;
 * nothing else. A tree follows query.h and QUERY.md:
 *  - the root is MUST; every Q_BOOL has kids, not only MUST_NOT ones (a Q_ALL
 *    stands in), and no Q_BOOL is deeper than QUERY_MAX_DEPTH;
 *  - a Q_TERM has one term and a Q_PREFIX one term, a Q_PHRASE 2 to 64
 *    terms with relative positions starting at 0 and increasing, a slop of
 *    at most 1000 (always 0 outside phrases); terms are 1 to 128 bytes of
 *    valid UTF-8 without NUL or ASCII capitals; a prefix's term is what the
 *    unstemmed analyzer makes of it;
 *  - a Q_DATE has lo <= hi within years 1 to 9999;
 *  - fields are QFIELD_DEFAULT or a field of field.h; columns lie inside
 *    the query; there are at most QUERY_MAX_CLAUSES leaves;
 *  - free-text mode gives one Q_BOOL of SHOULD terms (or a single term);
 *  - parsing is deterministic and query_render succeeds with valid UTF-8;
 *  - the canonical form is canonical: without stemming, with --any, when
 *    the render is itself valid syntax (no date, no '*' leaf, no gap '?')
 *    and each term analyzes to itself, parsing the render renders the same. */
#include <string.h>

#include "analyze.h"
#include "buf.h"
#include "err.h"
#include "field.h"
#include "fuzz.h"
#include "query.h"
#include "utf8.h"

#define DATE_LO_MIN (-62135596800LL)   /* 0001-01-01T00:00:00 */
#define DATE_HI_MAX 253402300799LL     /* 9999-12-31T23:59:59 */

struct walk {
    size_t len;          /* of the query */
    size_t n_leaves;
    int free_text;
    int round_trip_ok;   /* the render can be parsed back (see above) */
    analyzer *plain;     /* unstemmed, for prefixes */
    analyzer *a;         /* the query's analyzer */
    int stemmed;
};

static void check_term(struct walk *w, const char *t, int prefix)
{
    size_t n = strlen(t);
    FUZZ_CHECK(n >= 1 && n <= ANALYZE_MAX_TERM, "term of %zu bytes", n);
    FUZZ_CHECK(utf8_valid(t, n), "term '%s' is not valid UTF-8", t);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(!(t[i] >= 'A' && t[i] <= 'Z'), "term '%s' has capitals", t);
    char again[ANALYZE_MAX_TERM + 1];
    size_t m = analyzer_term(prefix ? w->plain : w->a, t, n, again, sizeof again);
    if (prefix)
        FUZZ_CHECK(m == n && memcmp(again, t, n) == 0, "prefix '%s' re-analyzes to '%s'", t,
                   again);
    else if (m != n || memcmp(again, t, n) != 0)
        w->round_trip_ok = 0; /* e.g. "a's's" -> "a's" -> "a" */
}

static void check_node(struct walk *w, const qnode *q, int depth)
{
    FUZZ_CHECK(q->field == QFIELD_DEFAULT || (q->field >= 0 && q->field < N_FIELDS),
               "field %d", q->field);
    FUZZ_CHECK(q->column >= 1 && q->column <= w->len + 1, "column %u of a %zu-byte query",
               q->column, w->len);
    FUZZ_CHECK(q->kind == Q_PHRASE || q->slop == 0, "slop %u outside a phrase", q->slop);
    switch (q->kind) {
    case Q_TERM:
    case Q_PREFIX:
        FUZZ_CHECK(q->n_terms == 1 && q->terms && q->terms[0], "%zu terms in a term or prefix",
                   q->n_terms);
        FUZZ_CHECK(q->n_kids == 0, "a leaf with kids");
        check_term(w, q->terms[0], q->kind == Q_PREFIX);
        w->n_leaves++;
        break;
    case Q_PHRASE:
        FUZZ_CHECK(q->n_terms >= 2 && q->n_terms <= QUERY_MAX_PHRASE_TERMS && q->rel_pos,
                   "phrase of %zu terms", q->n_terms);
        FUZZ_CHECK(q->slop <= 1000, "slop %u", q->slop);
        FUZZ_CHECK(q->rel_pos[0] == 0, "phrase starts at %u", q->rel_pos[0]);
        for (size_t i = 0; i < q->n_terms; i++) {
            check_term(w, q->terms[i], 0);
            if (i > 0) {
                FUZZ_CHECK(q->rel_pos[i] > q->rel_pos[i - 1], "phrase positions do not increase");
                if (q->rel_pos[i] != q->rel_pos[i - 1] + 1)
                    w->round_trip_ok = 0; /* rendered with '?' */
            }
        }
        w->n_leaves++;
        break;
    case Q_DATE:
        FUZZ_CHECK(q->date_lo <= q->date_hi && q->date_lo >= DATE_LO_MIN &&
                       q->date_hi <= DATE_HI_MAX,
                   "date range [%lld, %lld]", (long long)q->date_lo, (long long)q->date_hi);
        FUZZ_CHECK(q->field == QFIELD_DEFAULT, "a date with a field");
        w->n_leaves++;
        w->round_trip_ok = 0;
        break;
    case Q_ALL:
        w->round_trip_ok = 0;
        break;
    case Q_BOOL: {
        FUZZ_CHECK(depth <= QUERY_MAX_DEPTH, "a Q_BOOL at depth %d", depth);
        FUZZ_CHECK(q->n_kids >= 1 && q->kids, "an empty Q_BOOL");
        size_t n_not = 0;
        for (size_t i = 0; i < q->n_kids; i++) {
            const qnode *k = q->kids[i];
            FUZZ_CHECK(k->occur == Q_SHOULD || k->occur == Q_MUST || k->occur == Q_MUST_NOT,
                       "occur %d", (int)k->occur);
            n_not += k->occur == Q_MUST_NOT;
            if (w->free_text)
                FUZZ_CHECK(k->kind == Q_TERM && k->occur == Q_SHOULD,
                           "free text gave a kid of kind %d, occur %d", (int)k->kind,
                           (int)k->occur);
            check_node(w, k, depth + 1);
        }
        FUZZ_CHECK(n_not < q->n_kids, "a Q_BOOL of only exclusions");
        break;
    }
    default:
        FUZZ_CHECK(0, "node kind %d", (int)q->kind);
    }
}

static void render(const qnode *q, buf *out)
{
    buf_clear(out);
    FUZZ_CHECK(query_render(q, out) == 0 && out->data, "query_render failed");
    FUZZ_CHECK(utf8_valid(out->data, out->len), "the render is not valid UTF-8");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_src s = fuzz_src_make(data, size);
    uint8_t mode = fuzz_u8(&s);
    const char *text = (const char *)s.p + s.pos;
    size_t len = fuzz_left(&s);
    query_opts o = {mode & 1, (mode & 2) != 0, (mode >> 2) & 3};
    int stemmed = (mode & 16) != 0;

    analyzer_opts plain_opts = {NULL}, stem_opts = {"english"};
    analyzer *plain = NULL, *a = NULL;
    FUZZ_CHECK(analyzer_new(&plain, &plain_opts) == 0, "analyzer_new");
    if (stemmed)
        FUZZ_CHECK(analyzer_new(&a, &stem_opts) == 0, "analyzer_new(english)");
    else
        a = plain;

    qnode *q = (qnode *)1;
    query_error err;
    memset(&err, 0x55, sizeof err);
    int rc = query_parse(&q, text, len, a, &o, &err);
    FUZZ_CHECK(rc == 0 || rc == LEDE_EQUERY || rc == LEDE_ELIMIT, "query_parse returned %d", rc);
    buf r1 = {0}, r2 = {0};
    if (rc == LEDE_EQUERY || rc == LEDE_ELIMIT) { /* malformed, or over a limit of LIMITS.md */
        FUZZ_CHECK(q == NULL, "a tree with an error");
        FUZZ_CHECK(memchr(err.message, '\0', sizeof err.message) && err.message[0],
                   "an error without a message");
        size_t max_col = len > QUERY_MAX_BYTES ? QUERY_MAX_BYTES + 1 : len + 1;
        FUZZ_CHECK(err.column >= 1 && err.column <= max_col, "error column %u of %zu bytes: %s",
                   err.column, len, err.message);
    } else {
        FUZZ_CHECK(q != NULL, "no tree and no error");
        FUZZ_CHECK(q->occur == Q_MUST, "the root is not MUST");
        struct walk w = {len, 0, o.free_text, !stemmed && o.any_default && !o.free_text,
                         plain, a, stemmed};
        check_node(&w, q, 0);
        FUZZ_CHECK(w.n_leaves <= QUERY_MAX_CLAUSES, "%zu leaves", w.n_leaves);
        if (o.free_text)
            FUZZ_CHECK(q->kind == Q_BOOL || q->kind == Q_TERM, "free text gave kind %d",
                       (int)q->kind);
        render(q, &r1);

        /* The same text parses to the same tree. */
        qnode *q2 = NULL;
        FUZZ_CHECK(query_parse(&q2, text, len, a, &o, NULL) == 0 && q2, "a second parse failed");
        render(q2, &r2);
        FUZZ_CHECK(r1.len == r2.len && memcmp(r1.data, r2.data, r1.len) == 0,
                   "two parses render differently: %s | %s", r1.data, r2.data);
        query_free(q2);

        if (w.round_trip_ok) {
            qnode *q3 = NULL;
            query_error e3;
            int rc3 = query_parse(&q3, r1.data, r1.len, a, &o, &e3);
            FUZZ_CHECK(rc3 == 0, "the canonical form '%s' does not parse: %s", r1.data,
                       e3.message);
            render(q3, &r2);
            FUZZ_CHECK(r1.len == r2.len && memcmp(r1.data, r2.data, r1.len) == 0,
                       "the canonical form is not canonical: '%.*s' -> '%s' -> '%s'", (int)len,
                       text, r1.data, r2.data);
            query_free(q3);
        }
    }
    query_free(q);
    buf_free(&r1);
    buf_free(&r2);
    if (a != plain)
        analyzer_free(a);
    analyzer_free(plain);
    return 0;
}
