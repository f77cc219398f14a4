/* test_oracle.c - the searcher end to end against a brute-force oracle.
 *
 * The oracle keeps every live document as per-field token lists (terms and
 * positions from the analyzer, which is tested on its own) and answers a
 * query by scanning every document, implementing docs/RANKING.md (matching
 * and BM25) directly, with its own statistics. Queries are random trees; each
 * is rendered to text in lede's syntax (docs/QUERY.md), the tree is evaluated
 * by the oracle and the text by searcher_search. Compared for every query:
 * the number of matches, the whole match set in rank order (score, then
 * addition order), every score within 1e-6 relative, the top 10 with pruning
 * allowed, paging, and the date sort.
 *
 * Indexes: one commit; many segments (tiny memory budget, merge factor 2);
 * deletes and updates, with and without optimize; an update file naming
 * some ids twice; other BM25 parameters; stemming; a searcher kept open
 * while a writer adds, deletes and optimizes; the shared corpora (each case
 * exits 77, skipped, when ../shared is absent). A last case runs the
 * examples of docs/QUERY.md with the trees the page gives them. Documents
 * and queries come from a seeded PRNG (LEDE_SEED overrides the seed, which
 * is printed on failure); each case prints its query counts by kind. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "buf.h"
#include "date.h"
#include "doc.h"
#include "field.h"
#include "index.h"
#include "ingest.h"
#include "input.h"
#include "ixread.h"
#include "query.h"
#include "search.h"
#include "t.h"

/* ---- small helpers ------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
    return n ? (uint32_t)(rnd() % n) : 0;
}

static int chance(unsigned pct)
{
    return below(100) < pct;
}

static uint64_t seed_from_env(void)
{
    const char *s = getenv("LEDE_SEED");
    return s ? strtoull(s, NULL, 10) : 20261205;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "test_oracle: out of memory\n");
        abort();
    }
    return q;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "test_oracle: out of memory\n");
        abort();
    }
    return p;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/lede-test-oracle-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static void rmrf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        T_FAIL("cannot remove %s", dir);
}

/* ---- a string -> index map (terms, ids) ------------------------------------------------------ */

typedef struct strmap {
    char **key;
    uint32_t *len;
    uint32_t n, cap;
    uint32_t *slot;   /* key index + 1; 0: empty */
    uint32_t n_slot;  /* a power of two */
} strmap;

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static int64_t sm_find(const strmap *m, const char *s, size_t n)
{
    if (!m->n_slot)
        return -1;
    for (uint32_t i = (uint32_t)fnv(s, n) & (m->n_slot - 1);; i = (i + 1) & (m->n_slot - 1)) {
        uint32_t k = m->slot[i];
        if (!k)
            return -1;
        k--;
        if (m->len[k] == n && memcmp(m->key[k], s, n) == 0)
            return k;
    }
}

static void sm_place(uint32_t *slot, uint32_t n_slot, uint64_t h, uint32_t k)
{
    uint32_t i = (uint32_t)h & (n_slot - 1);
    while (slot[i])
        i = (i + 1) & (n_slot - 1);
    slot[i] = k + 1;
}

static uint32_t sm_intern(strmap *m, const char *s, size_t n)
{
    int64_t f = sm_find(m, s, n);
    if (f >= 0)
        return (uint32_t)f;
    if ((m->n + 1) * 2 > m->n_slot) {
        uint32_t ns = m->n_slot ? m->n_slot * 2 : 1024;
        uint32_t *slot = xcalloc(ns, sizeof *slot);
        for (uint32_t k = 0; k < m->n; k++)
            sm_place(slot, ns, fnv(m->key[k], m->len[k]), k);
        free(m->slot);
        m->slot = slot;
        m->n_slot = ns;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->key = xrealloc(m->key, m->cap * sizeof *m->key);
        m->len = xrealloc(m->len, m->cap * sizeof *m->len);
    }
    uint32_t k = m->n++;
    m->key[k] = xstrndup(s, n);
    m->len[k] = (uint32_t)n;
    sm_place(m->slot, m->n_slot, fnv(s, n), k);
    return k;
}

static void sm_free(strmap *m)
{
    for (uint32_t k = 0; k < m->n; k++)
        free(m->key[k]);
    free(m->key);
    free(m->len);
    free(m->slot);
    memset(m, 0, sizeof *m);
}

/* ---- the oracle's documents -------------------------------------------------------------------- */

#define NO_TERM UINT32_MAX

typedef struct otok {
    uint32_t term, pos;
} otok;

typedef struct ofield {
    otok *tok;        /* sorted by (term, pos) */
    uint32_t n_tok;
    uint32_t len;     /* positions used, dropped words included (the BM25 length) */
    uint32_t *at;     /* the term at each position; NO_TERM where a word was dropped */
} ofield;

typedef struct odoc {
    char *id;
    int64_t date;
    ofield f[N_FIELDS];
    size_t ix;        /* its rank in the oracle's internal order (oracle_finish) */
} odoc;

/* The live documents of one index generation, as the oracle sees them. */
typedef struct oracle {
    analyzer *a;      /* the index's analyzer */
    analyzer *plain;  /* without stemming, for prefixes (docs/RANKING.md) */
    strmap terms;
    odoc **doc;       /* live documents in internal order: addition order, an
                         update moving its id to the end, deletes removed */
    size_t n_doc, cap_doc;
    strmap ids;
    odoc **by_id;     /* indexed like ids: the live version, or NULL */
    uint32_t cap_by_id;
    uint32_t *df[N_FIELDS]; /* by term, over live documents (oracle_finish) */
    double avgdl[2];  /* title, body */
    double sum_len[2];
} oracle;

static void oracle_init(oracle *o, const char *stem)
{
    memset(o, 0, sizeof *o);
    analyzer_opts ao = {.stem_language = stem}, po = {.stem_language = NULL};
    if (analyzer_new(&o->a, &ao) != 0 || analyzer_new(&o->plain, &po) != 0) {
        fprintf(stderr, "test_oracle: cannot create an analyzer\n");
        abort();
    }
}

static void odoc_free(odoc *d)
{
    if (!d)
        return;
    for (int f = 0; f < N_FIELDS; f++) {
        free(d->f[f].tok);
        free(d->f[f].at);
    }
    free(d->id);
    free(d);
}

static void oracle_free(oracle *o)
{
    for (size_t i = 0; i < o->n_doc; i++)
        odoc_free(o->doc[i]);
    free(o->doc);
    free(o->by_id);
    for (int f = 0; f < N_FIELDS; f++)
        free(o->df[f]);
    sm_free(&o->terms);
    sm_free(&o->ids);
    analyzer_free(o->a);
    analyzer_free(o->plain);
    memset(o, 0, sizeof *o);
}

struct collect {
    strmap *terms;
    otok *t;
    uint32_t n, cap;
};

static int collect_tok(void *ctx, const token *tk)
{
    struct collect *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->t = xrealloc(c->t, c->cap * sizeof *c->t);
    }
    c->t[c->n++] = (otok){sm_intern(c->terms, tk->term, tk->term_len), tk->pos};
    return 0;
}

static int otok_cmp(const void *a, const void *b)
{
    const otok *x = a, *y = b;
    if (x->term != y->term)
        return x->term < y->term ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void analyze_field(oracle *o, ofield *f, const char *s, size_t n)
{
    struct collect c = {&o->terms, NULL, 0, 0};
    uint32_t n_pos = 0;
    if (analyzer_run(o->a, s, n, 0, collect_tok, &c, &n_pos) != 0) {
        fprintf(stderr, "test_oracle: analyzer_run failed\n");
        abort();
    }
    f->len = n_pos;
    f->at = xcalloc((size_t)n_pos + 1, sizeof *f->at);
    for (uint32_t p = 0; p < n_pos; p++)
        f->at[p] = NO_TERM;
    for (uint32_t i = 0; i < c.n; i++)
        if (c.t[i].pos < n_pos)
            f->at[c.t[i].pos] = c.t[i].term;
    if (c.n)
        qsort(c.t, c.n, sizeof *c.t, otok_cmp);
    f->tok = c.t;
    f->n_tok = c.n;
}

static void oracle_remove(oracle *o, odoc *d)
{
    for (size_t i = o->n_doc; i-- > 0;)
        if (o->doc[i] == d) {
            memmove(o->doc + i, o->doc + i + 1, (o->n_doc - i - 1) * sizeof *o->doc);
            o->n_doc--;
            break;
        }
    odoc_free(d);
}

/* Adds a document the way ixwriter_add does: a live document with the same id
 * is replaced, and the new version comes last. */
static void oracle_add(oracle *o, const char *id, size_t id_len, const char *const text[N_FIELDS],
                       const size_t len[N_FIELDS], int64_t date)
{
    odoc *d = xcalloc(1, sizeof *d);
    d->id = xstrndup(id, id_len);
    d->date = date;
    for (int f = 0; f < N_FIELDS; f++)
        analyze_field(o, &d->f[f], text[f], len[f]);
    uint32_t k = sm_intern(&o->ids, id, id_len);
    if (k >= o->cap_by_id) {
        uint32_t cap = o->cap_by_id ? o->cap_by_id * 2 : 1024;
        while (cap <= k)
            cap *= 2;
        o->by_id = xrealloc(o->by_id, cap * sizeof *o->by_id);
        memset(o->by_id + o->cap_by_id, 0, (cap - o->cap_by_id) * sizeof *o->by_id);
        o->cap_by_id = cap;
    }
    if (o->by_id[k])
        oracle_remove(o, o->by_id[k]);
    o->by_id[k] = d;
    if (o->n_doc == o->cap_doc) {
        o->cap_doc = o->cap_doc ? o->cap_doc * 2 : 1024;
        o->doc = xrealloc(o->doc, o->cap_doc * sizeof *o->doc);
    }
    o->doc[o->n_doc++] = d;
}

static void oracle_add_doc(oracle *o, const doc *d)
{
    const char *text[N_FIELDS] = {d->f[DOC_TITLE], d->f[DOC_BODY], d->f[DOC_SOURCE], d->f[DOC_SECTION]};
    size_t len[N_FIELDS] = {d->f_len[DOC_TITLE], d->f_len[DOC_BODY], d->f_len[DOC_SOURCE],
                            d->f_len[DOC_SECTION]};
    oracle_add(o, d->f[DOC_ID], d->f_len[DOC_ID], text, len, d->date);
}

/* 1 when a live document had that id. */
static int oracle_delete(oracle *o, const char *id)
{
    int64_t k = sm_find(&o->ids, id, strlen(id));
    if (k < 0 || !o->by_id[k])
        return 0;
    oracle_remove(o, o->by_id[k]);
    o->by_id[k] = NULL;
    return 1;
}

static const odoc *oracle_by_id(const oracle *o, const char *id, size_t len)
{
    int64_t k = sm_find(&o->ids, id, len);
    return k < 0 ? NULL : o->by_id[k];
}

/* The statistics of docs/RANKING.md over the live documents. */
static void oracle_finish(oracle *o)
{
    for (int f = 0; f < N_FIELDS; f++) {
        free(o->df[f]);
        o->df[f] = xcalloc(o->terms.n, sizeof *o->df[f]);
    }
    o->sum_len[0] = o->sum_len[1] = 0;
    for (size_t i = 0; i < o->n_doc; i++) {
        odoc *d = o->doc[i];
        d->ix = i;
        for (int f = 0; f < N_FIELDS; f++) {
            const ofield *fl = &d->f[f];
            for (uint32_t j = 0; j < fl->n_tok; j++)
                if (j == 0 || fl->tok[j].term != fl->tok[j - 1].term)
                    o->df[f][fl->tok[j].term]++;
            if (f < 2)
                o->sum_len[f] += fl->len;
        }
    }
    for (int f = 0; f < 2; f++)
        o->avgdl[f] = o->n_doc ? o->sum_len[f] / (double)o->n_doc : 0;
}

/* Occurrences of term t in a field: their number, and where they start in tok. */
static uint32_t lookup(const ofield *f, uint32_t t, uint32_t *first)
{
    uint32_t lo = 0, hi = f->n_tok;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->tok[mid].term < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    uint32_t n = 0;
    while (lo + n < f->n_tok && f->tok[lo + n].term == t)
        n++;
    return n;
}

/* ---- query trees and their evaluation (docs/RANKING.md) ---------------------------------------- */

enum okind { K_TERM, K_PHRASE, K_PREFIX, K_DATE, K_BOOL };

/* How a group is written (the parser's grammar, docs/QUERY.md):
 *   FORM_PM      kids side by side, each with +, - (or NOT) or nothing;
 *   FORM_AND     kids joined by AND (MUST_NOT kids as NOT x or -x);
 *   FORM_OR      kids joined by OR (all SHOULD);
 *   FORM_ANDMIX  (any_default only) MUST kids joined by AND, then SHOULD kids
 *                and -excluded kids side by side: a AND b c -d. */
enum oform { FORM_PM, FORM_AND, FORM_OR, FORM_ANDMIX };

typedef struct onode {
    int kind;
    int occur;           /* enum qoccur in the parent group (MUST at the root) */
    int field;           /* enum field, or QFIELD_DEFAULT (title and body) */
    char *text;          /* as written: the word; the words inside the quotes; the
                            prefix before '*'; the date value after "date:" */
    int bare;            /* K_PHRASE written without quotes (a hyphenated word) */
    int tilde;           /* write ~slop even when it is 0 */
    uint32_t slop;
    int64_t lo, hi;      /* K_DATE, inclusive */
    struct onode **kid;  /* K_BOOL */
    size_t n_kid;
    int form;            /* K_BOOL: enum oform */
    int scope;           /* K_BOOL written field:( ... ); its leaves carry `field` */
    int unparen;         /* K_BOOL kid of a FORM_OR group written without parentheses */
    int flat;            /* K_BOOL of optional words written inline in its parent
                            (with --any, "putin kim date:2019": +date +(putin kim)) */
    int ops;             /* K_BOOL: write && and || instead of AND and OR */
    const char *junk;    /* K_BOOL: a word with no letters written before kid junk_at */
    size_t junk_at;
    int fcase;           /* the field name written capitalized (1) or in capitals (2) */
    int plus;            /* written with '+' (MUST in FORM_PM; meaningless in FORM_OR) */
    int not_word;        /* MUST_NOT written NOT x (1) or !x (2) instead of -x */
    /* analysis for one oracle (prepare) */
    int64_t *term;       /* term ids; -1: in no document */
    uint32_t *rel;
    size_t n_term;
    uint8_t *pfx;        /* K_PREFIX: flags by term id */
} onode;

static onode *onode_new(int kind)
{
    onode *q = xcalloc(1, sizeof *q);
    q->kind = kind;
    q->occur = Q_MUST;
    q->field = QFIELD_DEFAULT;
    return q;
}

static void onode_add(onode *g, onode *k)
{
    g->kid = xrealloc(g->kid, (g->n_kid + 1) * sizeof *g->kid);
    g->kid[g->n_kid++] = k;
}

static void onode_free(onode *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n_kid; i++)
        onode_free(q->kid[i]);
    free(q->kid);
    free(q->text);
    free(q->term);
    free(q->rel);
    free(q->pfx);
    free(q);
}

/* A clause that cannot score: a date, or a group whose kids are all
 * exclusions or filters. The parser makes such a clause required by default
 * and never lets it make the optional words of its list optional. */
static int is_filter(const onode *q)
{
    if (q->kind == K_DATE)
        return 1;
    if (q->kind != K_BOOL)
        return 0;
    for (size_t i = 0; i < q->n_kid; i++)
        if (q->kid[i]->occur != Q_MUST_NOT && !is_filter(q->kid[i]))
            return 0;
    return 1;
}

struct qtoks {
    const strmap *terms;
    int64_t term[QUERY_MAX_PHRASE_TERMS + 1];
    uint32_t pos[QUERY_MAX_PHRASE_TERMS + 1];
    char text[ANALYZE_MAX_TERM + 1];
    size_t n;
};

static int qtoks_take(void *ctx, const token *tk)
{
    struct qtoks *q = ctx;
    if (q->n == QUERY_MAX_PHRASE_TERMS)
        return 1;
    q->term[q->n] = sm_find(q->terms, tk->term, tk->term_len);
    q->pos[q->n] = tk->pos;
    if (q->n == 0) {
        memcpy(q->text, tk->term, tk->term_len);
        q->text[tk->term_len] = '\0';
    }
    q->n++;
    return 0;
}

/* Analyzes the leaves of q for oracle o (term ids, phrase positions, prefix
 * expansions). Returns 0, or -1 when a leaf does not analyze as the
 * generator meant (a generator bug). */
static int prepare(const oracle *o, onode *q)
{
    free(q->term);
    free(q->rel);
    free(q->pfx);
    q->term = NULL;
    q->rel = NULL;
    q->pfx = NULL;
    q->n_term = 0;
    if (q->kind == K_BOOL) {
        for (size_t i = 0; i < q->n_kid; i++)
            if (prepare(o, q->kid[i]))
                return -1;
        return 0;
    }
    if (q->kind == K_DATE)
        return 0;
    struct qtoks k;
    k.terms = &o->terms;
    k.n = 0;
    analyzer *a = q->kind == K_PREFIX ? o->plain : o->a;
    analyzer_run(a, q->text, strlen(q->text), 0, qtoks_take, &k, NULL);
    if (k.n == 0 || (q->kind != K_PHRASE && k.n != 1))
        return -1;
    q->n_term = k.n;
    q->term = xcalloc(k.n, sizeof *q->term);
    q->rel = xcalloc(k.n, sizeof *q->rel);
    for (size_t i = 0; i < k.n; i++) {
        q->term[i] = k.term[i];
        q->rel[i] = k.pos[i] - k.pos[0];
    }
    if (q->kind == K_PREFIX) {
        size_t pl = strlen(k.text);
        q->pfx = xcalloc(o->terms.n, 1);
        for (uint32_t t = 0; t < o->terms.n; t++)
            q->pfx[t] = o->terms.len[t] >= pl && memcmp(o->terms.key[t], k.text, pl) == 0;
        /* and, as docs/QUERY.md says, the terms of the words the prefix may
         * begin: the prefix, and the prefix followed by a whole ending of
         * the short list or by the rest of any ending it already begins,
         * analyzed as the documents' words are ("presiden*": "president",
         * stem "presid") */
        static const char *const whole[] = {"", "s", "es", "e", "ed", "er", "ing"};
        static const char *const endings[] = {
            "ational", "tional", "ization", "ation", "ator", "alism", "ality", "alize",
            "ally", "ance", "ancy", "ence", "ency", "ement", "ment", "ent", "ant", "ible",
            "able", "ism", "ist", "ity", "ive", "ize", "ise", "ous", "ness", "ful", "less",
            "ical", "ic", "al", "er", "ion", "ing", "ed", "ly", "ate", "ies", "ied", "es",
            "s", "e", "y"};
        char word[ANALYZE_MAX_TERM + 16];
        size_t n_words = sizeof whole / sizeof *whole + sizeof endings / sizeof *endings;
        for (size_t i = 0; i < n_words; i++) {
            const char *x = i < sizeof whole / sizeof *whole ? whole[i]
                                                             : endings[i - sizeof whole / sizeof *whole];
            int is_whole = i < sizeof whole / sizeof *whole;
            for (size_t kk = is_whole ? 0 : 1; kk <= (is_whole ? 0 : strlen(x) - 1); kk++) {
                if (kk > pl || memcmp(k.text + pl - kk, x, kk) != 0)
                    continue;
                snprintf(word, sizeof word, "%s%s", k.text, x + kk);
                struct qtoks w;
                w.terms = &o->terms;
                w.n = 0;
                analyzer_run(o->a, word, strlen(word), 0, qtoks_take, &w, NULL);
                if (w.n == 1 && w.term[0] >= 0)
                    q->pfx[w.term[0]] = 1;
            }
        }
    }
    return 0;
}

typedef struct bmp {
    double k1, b, tw;
    int combined; /* BM25F over title and body for terms without a field */
} bmp;

static double o_idf(const oracle *o, int f, int64_t t)
{
    double n = (double)o->n_doc, df = t >= 0 ? (double)o->df[f][t] : 0;
    return log(1.0 + (n - df + 0.5) / (df + 0.5));
}

/* BM25F (docs/RANKING.md): one term over title and body as one field. */
static double o_bm25f(const oracle *o, const bmp *p, int64_t t, uint32_t tf_t, uint32_t tf_b,
                      uint32_t len_t, uint32_t len_b)
{
    double n = (double)o->n_doc;
    double df_t = t >= 0 ? (double)o->df[FIELD_TITLE][t] : 0;
    double df_b = t >= 0 ? (double)o->df[FIELD_BODY][t] : 0;
    double df = df_t > df_b ? df_t : df_b;
    double idf = log(1.0 + (n - df + 0.5) / (df + 0.5));
    double tf = p->tw * tf_t + tf_b;
    double len = p->tw * len_t + len_b;
    double avg = p->tw * o->avgdl[FIELD_TITLE] + o->avgdl[FIELD_BODY];
    if (avg <= 0)
        avg = 1.0;
    double norm = p->k1 * (1.0 - p->b + p->b * len / avg);
    return idf * (p->k1 + 1.0) * tf / (tf + norm);
}

static double o_bm25(const oracle *o, const bmp *p, int f, double idf, double tf, uint32_t len)
{
    double w = f == FIELD_TITLE ? p->tw : f == FIELD_BODY ? 1.0 : 0.0;
    if (w == 0)
        return 0;
    double norm = p->k1 * (1.0 - p->b + p->b * (double)len / o->avgdl[f]);
    return w * idf * (p->k1 + 1.0) * tf / (tf + norm);
}

/* Slop 0: the number of positions p with term i at p + rel(i) for every i. */
static uint32_t phrase_freq(const ofield *f, const onode *q)
{
    uint32_t first, tf = lookup(f, (uint32_t)q->term[0], &first), n = 0;
    for (uint32_t i = 0; i < tf; i++) {
        uint64_t p = f->tok[first + i].pos;
        size_t k = 1;
        for (; k < q->n_term; k++) {
            uint64_t at = p + q->rel[k];
            if (at >= f->len || f->at[at] != (uint32_t)q->term[k])
                break;
        }
        n += k == q->n_term;
    }
    return n;
}

/* Slop N > 0: some window of n + N consecutive positions holds every word,
 * each as many times as the phrase has it. */
static int prox_match(const ofield *f, const onode *q)
{
    uint32_t dt[QUERY_MAX_PHRASE_TERMS], need[QUERY_MAX_PHRASE_TERMS], have[QUERY_MAX_PHRASE_TERMS];
    size_t nd = 0;
    for (size_t i = 0; i < q->n_term; i++) {
        size_t j = 0;
        while (j < nd && dt[j] != (uint32_t)q->term[i])
            j++;
        if (j == nd) {
            dt[nd] = (uint32_t)q->term[i];
            need[nd++] = 0;
        }
        need[j]++;
    }
    for (size_t j = 0; j < nd; j++) {
        uint32_t first;
        if (lookup(f, dt[j], &first) < need[j])
            return 0;
    }
    uint64_t w = q->n_term + q->slop;
    for (uint32_t s = 0; s < f->len; s++) {
        size_t j = 0;
        while (j < nd && dt[j] != f->at[s])
            j++;
        if (j == nd)
            continue;
        memset(have, 0, nd * sizeof *have);
        uint64_t end = s + w < f->len ? s + w : f->len;
        for (uint64_t p = s; p < end; p++)
            for (j = 0; j < nd; j++)
                if (dt[j] == f->at[p])
                    have[j]++;
        for (j = 0; j < nd && have[j] >= need[j]; j++)
            ;
        if (j == nd)
            return 1;
    }
    return 0;
}

/* Does d match q? *score gets q's score on d (docs/RANKING.md, "Scoring"). */
static int ev(const oracle *o, const bmp *p, const onode *q, const odoc *d, double *score)
{
    *score = 0;
    int fields[2], nf = 1;
    if (q->field == QFIELD_DEFAULT) {
        fields[0] = FIELD_TITLE;
        fields[1] = FIELD_BODY;
        nf = 2;
    } else {
        fields[0] = q->field;
    }
    int match = 0;
    switch (q->kind) {
    case K_TERM:
    case K_PHRASE:
        for (size_t i = 0; i < q->n_term; i++)
            if (q->term[i] < 0)
                return 0;
        if (q->kind == K_TERM && q->field == QFIELD_DEFAULT && p->combined) {
            uint32_t first;
            uint32_t tf_t = lookup(&d->f[FIELD_TITLE], (uint32_t)q->term[0], &first);
            uint32_t tf_b = lookup(&d->f[FIELD_BODY], (uint32_t)q->term[0], &first);
            if (tf_t == 0 && tf_b == 0)
                return 0;
            *score = o_bm25f(o, p, q->term[0], tf_t, tf_b, d->f[FIELD_TITLE].len,
                             d->f[FIELD_BODY].len);
            return 1;
        }
        for (int fi = 0; fi < nf; fi++) {
            int f = fields[fi];
            const ofield *fl = &d->f[f];
            uint32_t tf;
            if (q->n_term == 1) {
                uint32_t first;
                tf = lookup(fl, (uint32_t)q->term[0], &first);
            } else if (q->slop == 0) {
                tf = phrase_freq(fl, q);
            } else {
                tf = (uint32_t)prox_match(fl, q);
            }
            if (tf == 0)
                continue;
            match = 1;
            double idf = 0;
            for (size_t i = 0; i < q->n_term; i++)
                idf += o_idf(o, f, q->term[i]);
            *score += o_bm25(o, p, f, idf, (double)tf, fl->len);
        }
        return match;
    case K_PREFIX:
        for (int fi = 0; fi < nf && !match; fi++) {
            const ofield *fl = &d->f[fields[fi]];
            for (uint32_t j = 0; j < fl->n_tok && !match; j++)
                match = q->pfx[fl->tok[j].term];
        }
        *score = match ? 1.0 : 0.0;
        return match;
    case K_DATE:
        return d->date != DATE_NONE && d->date >= q->lo && d->date <= q->hi;
    case K_BOOL: {
        int has_must = 0, has_should = 0, any_should = 0;
        double s = 0, ks;
        for (size_t i = 0; i < q->n_kid; i++) {
            const onode *k = q->kid[i];
            int m = ev(o, p, k, d, &ks);
            switch (k->occur) {
            case Q_MUST:
                has_must = 1;
                if (!m)
                    return 0;
                s += ks;
                break;
            case Q_MUST_NOT:
                if (m)
                    return 0;
                break;
            default:
                has_should = 1;
                if (m) {
                    any_should = 1;
                    s += ks;
                }
                break;
            }
        }
        if (!has_must && has_should && !any_should)
            return 0;
        *score = s;
        return 1;
    }
    }
    return 0;
}

static void put_cased(buf *b, const char *w, int how);

/* ---- rendering a tree as query text ---------------------------------------------------------- */

static void render_group(buf *b, const onode *q, int scope);

static void put_field(buf *b, int field, int fcase)
{
    put_cased(b, field_name((enum field)field), fcase);
    buf_putc(b, ':');
}

/* A leaf; `scope` is the field of the enclosing field:( ) group, if any. */
static void render_leaf(buf *b, const onode *q, int scope)
{
    if (q->kind != K_DATE && q->field >= 0 && q->field != scope)
        put_field(b, q->field, q->fcase);
    switch (q->kind) {
    case K_TERM:
        buf_puts(b, q->text);
        break;
    case K_PHRASE:
        if (q->bare)
            buf_puts(b, q->text);
        else
            buf_printf(b, "\"%s\"", q->text);
        if (!q->bare && (q->slop || q->tilde))
            buf_printf(b, "~%u", (unsigned)q->slop);
        break;
    case K_PREFIX:
        buf_printf(b, "%s*", q->text);
        break;
    case K_DATE:
        if (strchr(q->text, ' '))
            buf_printf(b, "date:\"%s\"", q->text);
        else
            buf_printf(b, "date:%s", q->text);
        break;
    default:
        break;
    }
}

/* One kid of a group written in `form`, with its occurrence marker. */
static void render_kid(buf *b, const onode *k, int form, int scope)
{
    if (k->flat) {
        render_group(b, k, scope);
        return;
    }
    if (k->occur == Q_MUST_NOT)
        buf_puts(b, k->not_word == 1 ? "NOT " : k->not_word == 2 ? "!" : "-");
    else if (k->plus && ((k->occur == Q_MUST && form == FORM_PM) || (form == FORM_OR && !k->unparen)))
        buf_putc(b, '+');
    if (k->kind != K_BOOL) {
        render_leaf(b, k, scope);
    } else if (k->scope && k->field != scope) {
        put_field(b, k->field, k->fcase);
        buf_putc(b, '(');
        render_group(b, k, k->field);
        buf_putc(b, ')');
    } else if (form == FORM_OR && k->unparen) {
        render_group(b, k, scope);
    } else {
        buf_putc(b, '(');
        render_group(b, k, scope);
        buf_putc(b, ')');
    }
}

static void render_group(buf *b, const onode *q, int scope)
{
    const char *or = q->ops ? " || " : " OR ";
    for (size_t i = 0; i < q->n_kid; i++) {
        const onode *k = q->kid[i];
        if (q->junk && q->junk_at == i) {
            if (i > 0)
                buf_puts(b, q->form == FORM_OR ? or : " ");
            buf_printf(b, "%s%s", q->junk, q->form == FORM_OR ? or : " ");
        } else if (i > 0) {
            if (q->form == FORM_AND || (q->form == FORM_ANDMIX && k->occur == Q_MUST))
                buf_puts(b, q->ops ? " && " : " AND ");
            else if (q->form == FORM_OR)
                buf_puts(b, or);
            else if (chance(95))
                buf_putc(b, ' ');
            else /* other white space: tab, line feed, no-break, ideographic */
                buf_puts(b, (const char *const[]){"\t", "\n", "\xc2\xa0", "\xe3\x80\x80"}[below(4)]);
        }
        render_kid(b, k, q->form, scope);
    }
}

/* The query text of a root (a leaf, or a group written without its own
 * parentheses unless `paren`). */
static void render_root(buf *b, const onode *q, int paren)
{
    if (q->kind != K_BOOL) {
        render_leaf(b, q, QFIELD_DEFAULT);
        return;
    }
    if (q->scope) {
        put_field(b, q->field, q->fcase);
        buf_putc(b, '(');
        render_group(b, q, q->field);
        buf_putc(b, ')');
        return;
    }
    if (paren)
        buf_putc(b, '(');
    render_group(b, q, QFIELD_DEFAULT);
    if (paren)
        buf_putc(b, ')');
}

/* The tree itself, fully parenthesized (for failure reports): (+a -b c). */
static void render_tree(buf *b, const onode *q)
{
    if (q->kind != K_BOOL) {
        if (q->kind != K_DATE && q->field >= 0)
            buf_printf(b, "%s:", field_name((enum field)q->field));
        switch (q->kind) {
        case K_TERM: buf_puts(b, q->text); break;
        case K_PHRASE: buf_printf(b, "\"%s\"~%u", q->text, (unsigned)q->slop); break;
        case K_PREFIX: buf_printf(b, "%s*", q->text); break;
        default: {
            char lo[32], hi[32];
            date_format(lo, sizeof lo, q->lo, 0);
            date_format(hi, sizeof hi, q->hi, 0);
            buf_printf(b, "date:[%s..%s]", lo, hi);
        }
        }
        return;
    }
    buf_putc(b, '(');
    for (size_t i = 0; i < q->n_kid; i++) {
        if (i)
            buf_putc(b, ' ');
        if (q->kid[i]->occur != Q_SHOULD)
            buf_putc(b, q->kid[i]->occur == Q_MUST ? '+' : '-');
        render_tree(b, q->kid[i]);
    }
    buf_putc(b, ')');
}

/* ---- generated documents ------------------------------------------------------------------------ */

/* Most frequent first; drawn with Zipf weights 1/(rank + 1). Includes words
 * sharing prefixes, words the analyzer changes (café, naïve, don't) and
 * words it splits (jong-un, u.s.). */
static const char *const vocab[] = {
    "the", "of", "and", "to", "a", "in", "is", "that", "knock", "korea",
    "for", "on", "putin", "summit", "trade", "election", "very", "who", "there", "china",
    "kim", "peace", "war", "policy", "market", "minister", "vote", "police", "talks", "deal",
    "sum", "summer", "summary", "trader", "trades", "trading", "elect", "elections", "electoral",
    "korean",
    "peninsula", "nuclear", "missile", "russia", "moscow", "beijing", "seoul", "new", "york", "tariff",
    "crisis", "growth", "caf\xc3\xa9", "na\xc3\xafve", "don't", "2019", "council", "rights", "court",
    "border",
    "jong-un", "u.s.", "or", "not",
};
#define N_VOCAB (sizeof vocab / sizeof *vocab)

static const char *const sources[] = {"Reuters", "The Guardian", "Al Jazeera", "New York Times"};
static const char *const sections[] = {"World", "Business", "Opinion & Editorials"};
/* Single words and phrases of those names, for source: and section: clauses
 * (some match no document, e.g. "times new"). */
static const char *const source_words[] = {"reuters", "Guardian", "jazeera", "times", "new",
                                           "york", "al", "the", "bbc"};
static const char *const source_phrases[] = {"new york", "york times", "al jazeera",
                                             "the guardian", "times new", "New York Times"};
static const char *const section_words[] = {"world", "Business", "opinion", "editorials", "sport"};
static const char *const section_phrases[] = {"opinion editorials", "Opinion & Editorials",
                                              "editorials opinion"};

static size_t zipf(size_t n)
{
    double h = 0;
    for (size_t i = 0; i < n; i++)
        h += 1.0 / (double)(i + 1);
    double u = (double)(rnd() >> 11) / 9007199254740992.0 * h;
    for (size_t i = 0; i < n; i++) {
        u -= 1.0 / (double)(i + 1);
        if (u < 0)
            return i;
    }
    return n - 1;
}

static int is_operator_word(const char *w)
{
    return strcmp(w, "and") == 0 || strcmp(w, "or") == 0 || strcmp(w, "not") == 0;
}

/* Appends w, capitalized (1) or in capitals (2); only ASCII letters change. */
static void put_cased(buf *b, const char *w, int how)
{
    for (size_t i = 0; w[i]; i++) {
        char c = w[i];
        if (c >= 'a' && c <= 'z' && (how == 2 || (how == 1 && i == 0)))
            c = (char)(c - 'a' + 'A');
        buf_putc(b, c);
    }
}

static void doc_word(buf *b, size_t i, int sentence_start)
{
    const char *w = vocab[i];
    uint32_t r = below(100);
    if (r < 1 && !is_operator_word(w))
        put_cased(b, w, 2);
    else
        put_cased(b, w, sentence_start || r < 6);
    if (chance(2) && w[strlen(w) - 1] >= 'a' && w[strlen(w) - 1] <= 'z')
        buf_puts(b, chance(50) ? "'s" : "\xe2\x80\x99s");
}

/* n words of text: sentences, punctuation, hyphens, quotes, repeated words
 * ("knock knock"), rare words, an occasional over-long word. */
static void gen_text(buf *b, int n, int title)
{
    int start = !title;
    size_t prev = 0;
    for (int k = 0; k < n; k++) {
        if (k)
            buf_putc(b, !title && below(80) == 0 ? '\n' : ' ');
        uint32_t r = below(1000);
        if (r < 20) {
            buf_puts(b, start ? "Knock knock" : "knock knock");
            prev = 8;
            k++;
        } else if (r < 30 && k > 0) {
            doc_word(b, prev, 0);
        } else if (r < 60) {
            size_t i = zipf(N_VOCAB), j = zipf(N_VOCAB);
            doc_word(b, i, start);
            buf_putc(b, '-');
            doc_word(b, j, 0);
            prev = j;
            k++;
        } else if (r < 62 && !title) {
            for (int z = 0; z < 130; z++)
                buf_putc(b, (char)('a' + z % 26));
        } else if (r < 72) {
            buf_putc(b, '"');
            prev = zipf(N_VOCAB);
            doc_word(b, prev, start);
            buf_putc(b, '"');
        } else if (r < 122) {
            buf_printf(b, "w%u", below(1500));
        } else {
            prev = zipf(N_VOCAB);
            doc_word(b, prev, start);
        }
        start = 0;
        if (!title && below(10) == 0) {
            char c = ".,;:!?"[below(6)];
            buf_putc(b, c);
            start = c == '.' || c == '!' || c == '?';
        }
    }
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

typedef struct gdoc {
    char id[64];
    buf title, body;
    const char *source, *section;
    char date[48];    /* as written in the JSON ("" or absent: none) */
    int omit_date;
    int64_t when;
} gdoc;

static void gdoc_free(gdoc *g)
{
    buf_free(&g->title);
    buf_free(&g->body);
}

static void gen_doc(gdoc *g, const char *id)
{
    snprintf(g->id, sizeof g->id, "%s", id);
    buf_clear(&g->title);
    buf_clear(&g->body);
    gen_text(&g->title, 1 + (int)below(8), 1);
    int nb = below(20) == 0 ? 0 : 1 + (int)below(300);
    gen_text(&g->body, nb, 0);
    g->source = below(12) == 0 ? "" : sources[below(4)];
    g->section = below(12) == 0 ? "" : sections[below(3)];
    g->omit_date = 0;
    if (below(10) == 0) {
        g->date[0] = '\0';
        g->omit_date = chance(50);
        g->when = DATE_NONE;
        return;
    }
    int y = 2017 + (int)below(4), m = 1 + (int)below(12);
    int d = 1 + (int)below((uint32_t)days_in_month(y, m));
    int hh = 0, mm = 0, ss = 0;
    switch (below(6)) {
    case 0:
        snprintf(g->date, sizeof g->date, "%04d/%d/%d", y, m, d);
        break;
    case 1:
        hh = (int)below(24), mm = (int)below(60), ss = (int)below(60);
        snprintf(g->date, sizeof g->date, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, hh, mm, ss);
        break;
    case 2:
        hh = (int)below(24), mm = (int)below(60);
        snprintf(g->date, sizeof g->date, "%04d-%02d-%02d %02d:%02d", y, m, d, hh, mm);
        break;
    default:
        snprintf(g->date, sizeof g->date, "%04d-%02d-%02d", y, m, d);
        break;
    }
    g->when = date_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
}

/* A JSON string; some non-ASCII letters as \u escapes. */
static void json_str(buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c == '\n') {
            buf_puts(b, "\\n");
        } else if (c < 0x20) {
            buf_printf(b, "\\u%04x", c);
        } else if (c >= 0xC2 && c < 0xE0 && i + 1 < n && chance(30)) {
            unsigned cp = ((unsigned)(c & 0x1F) << 6) | ((unsigned char)s[i + 1] & 0x3F);
            buf_printf(b, "\\u%04x", cp);
            i++;
        } else {
            buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}

static void write_gdoc(FILE *f, const gdoc *g)
{
    buf b = {0};
    buf_puts(&b, "{\"id\":");
    json_str(&b, g->id, strlen(g->id));
    buf_puts(&b, ",\"title\":");
    json_str(&b, g->title.data ? g->title.data : "", g->title.len);
    if (!g->omit_date) {
        buf_puts(&b, ",\"date\":");
        json_str(&b, g->date, strlen(g->date));
    }
    if (*g->source || chance(50)) {
        buf_puts(&b, ",\"source\":");
        json_str(&b, g->source, strlen(g->source));
    }
    if (*g->section || chance(50)) {
        buf_puts(&b, ",\"section\":");
        json_str(&b, g->section, strlen(g->section));
    }
    buf_puts(&b, ",\"body\":");
    json_str(&b, g->body.data ? g->body.data : "", g->body.len);
    buf_puts(&b, "}\n");
    fputs(b.data, f);
    buf_free(&b);
}

static void oracle_add_gdoc(oracle *o, const gdoc *g)
{
    const char *text[N_FIELDS] = {g->title.data ? g->title.data : "", g->body.data ? g->body.data : "",
                                  g->source, g->section};
    size_t len[N_FIELDS] = {g->title.len, g->body.len, strlen(g->source), strlen(g->section)};
    oracle_add(o, g->id, strlen(g->id), text, len, g->when);
}

/* Writes documents with the given ids to path as JSON Lines and adds each
 * to every oracle of os[0..n_os). */
static void gen_file(const char *path, char *const *ids, size_t n, oracle *const *os, size_t n_os)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        T_FAIL("cannot write %s", path);
        return;
    }
    gdoc g;
    memset(&g, 0, sizeof g);
    for (size_t i = 0; i < n; i++) {
        gen_doc(&g, ids[i]);
        write_gdoc(f, &g);
        for (size_t k = 0; k < n_os; k++)
            oracle_add_gdoc(os[k], &g);
    }
    gdoc_free(&g);
    fclose(f);
}

static char **make_ids(const char *prefix, int first, int n)
{
    char **ids = xcalloc((size_t)n, sizeof *ids);
    for (int i = 0; i < n; i++) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%s%d", prefix, first + i);
        ids[i] = strdup(tmp);
    }
    return ids;
}

static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

/* ---- building indexes through the library ------------------------------------------------------ */

typedef struct wopts {
    size_t memory;          /* 0: the default */
    uint32_t merge_factor;  /* 0: the default */
    const char *stem;
} wopts;

static int add_sink(void *ctx, const ingest_doc *d)
{
    int outcome;
    char msg[512];
    int rc = ixwriter_add(ctx, d, &outcome, msg, sizeof msg);
    if (rc)
        fprintf(stderr, "add: %s\n", msg);
    return rc;
}

static int ingest_into(ixwriter *w, const char *path)
{
    const char *paths[] = {path};
    ingest_opts io;
    memset(&io, 0, sizeof io);
    io.paths = paths;
    io.n_paths = 1;
    io.n_threads = 2;
    io.stem_language = ixwriter_stem_language(w);
    input_stats st;
    return ingest_run(&io, add_sink, w, &st);
}

/* One writer session: adds the documents of path (if any), deletes ids
 * (each must exist exactly when the oracle says so), commits, optimizes on
 * request. The oracle o (may be NULL) applies the same deletes. */
static int session(const char *dir, const wopts *wo, const char *path, char *const *del, size_t n_del,
                   oracle *o, int optimize, ixwriter_stats *st)
{
    ixwriter_opts xo = {.stem_language = wo->stem, .memory = wo->memory, .keep_duplicates = 1,
                        .merge_factor = wo->merge_factor};
    ixwriter *w = NULL;
    char msg[512];
    int rc = ixwriter_open(&w, dir, &xo, msg, sizeof msg);
    if (rc) {
        fprintf(stderr, "open %s: %s\n", dir, msg);
        return rc;
    }
    if (path)
        rc = ingest_into(w, path);
    for (size_t i = 0; rc == 0 && i < n_del; i++) {
        int r = ixwriter_delete(w, del[i], strlen(del[i]), msg, sizeof msg);
        if (r < 0) {
            rc = r;
            break;
        }
        if (o && r != oracle_delete(o, del[i]))
            T_FAIL("ixwriter_delete(%s) returned %d, the oracle disagrees", del[i], r);
    }
    if (rc == 0)
        rc = ixwriter_commit(w, msg, sizeof msg);
    if (rc == 0 && optimize)
        rc = ixwriter_optimize(w, msg, sizeof msg);
    if (rc)
        fprintf(stderr, "session %s: %d %s\n", dir, rc, msg);
    if (st)
        *st = *ixwriter_get_stats(w);
    ixwriter_close(w);
    return rc;
}

static size_t count_segments(const char *dir)
{
    ixread *r = NULL;
    char msg[512];
    if (ixread_open(&r, dir, msg, sizeof msg))
        return 0;
    size_t n = r->n_segs;
    ixread_close(r);
    return n;
}

/* ---- random queries ---------------------------------------------------------------------------- */

/* Where query words come from: the generator's vocabulary (synthetic
 * documents) or the oracle's dictionary (a corpus: frequent, middling and
 * rare terms); phrases are cut from live documents so that they match. */
typedef struct qgen {
    const oracle *o;
    int synthetic;      /* vocabulary, sources and sections of the generator */
    int any;            /* any_default */
    uint32_t *freq, *mid, *rare;
    size_t n_freq, n_mid, n_rare;
} qgen;

struct term_df {
    uint32_t df, term;
};

static int by_df_desc(const void *a, const void *b)
{
    const struct term_df *x = a, *y = b;
    if (x->df != y->df)
        return x->df > y->df ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

/* Term lists of a corpus oracle (after oracle_finish). */
static void qgen_corpus(qgen *g, const oracle *o)
{
    memset(g, 0, sizeof *g);
    g->o = o;
    struct term_df *all = xcalloc(o->terms.n, sizeof *all);
    size_t n = 0;
    for (uint32_t t = 0; t < o->terms.n; t++) {
        uint32_t df = o->df[FIELD_BODY][t] + o->df[FIELD_TITLE][t];
        if (df > 0)
            all[n++] = (struct term_df){df, t};
    }
    qsort(all, n, sizeof *all, by_df_desc);
    g->freq = xcalloc(n, sizeof *g->freq);
    g->mid = xcalloc(n, sizeof *g->mid);
    g->rare = xcalloc(n, sizeof *g->rare);
    for (size_t i = 0; i < n; i++) {
        if (i < 150)
            g->freq[g->n_freq++] = all[i].term;
        else if (all[i].df <= 3)
            g->rare[g->n_rare++] = all[i].term;
        else
            g->mid[g->n_mid++] = all[i].term;
    }
    free(all);
}

static void qgen_free(qgen *g)
{
    free(g->freq);
    free(g->mid);
    free(g->rare);
}

static const char *corpus_term(const qgen *g)
{
    uint32_t r = below(100);
    const uint32_t *from = g->freq;
    size_t n = g->n_freq;
    if (r >= 50 && r < 85 && g->n_mid) {
        from = g->mid;
        n = g->n_mid;
    } else if (r >= 85 && g->n_rare) {
        from = g->rare;
        n = g->n_rare;
    }
    return n ? g->o->terms.key[from[below((uint32_t)n)]] : "the";
}

/* Analyzes w with the index's analyzer: the number of terms. */
static size_t n_terms_of(const oracle *o, const char *w)
{
    struct qtoks k;
    k.terms = &o->terms;
    k.n = 0;
    analyzer_run(o->a, w, strlen(w), 0, qtoks_take, &k, NULL);
    return k.n;
}

/* One word that analyzes to one term, in some spelling (case, possessive). */
static void pick_word(const qgen *g, buf *out)
{
    for (int tries = 0; tries < 100; tries++) {
        size_t mark = out->len;
        if (g->synthetic) {
            if (chance(4)) {
                buf_printf(out, "W%u", below(1500));
                return;
            }
            const char *w = vocab[chance(50) ? zipf(N_VOCAB) : below(N_VOCAB)];
            if (strchr(w, '-') || strchr(w, '.'))
                continue;
            uint32_t r = below(100);
            put_cased(out, w, is_operator_word(w) ? 0 : r < 15 ? 1 : r < 20 ? 2 : 0);
            if (r >= 95 && w[strlen(w) - 1] >= 'a' && w[strlen(w) - 1] <= 'z')
                buf_puts(out, "'s");
        } else {
            put_cased(out, corpus_term(g), chance(10));
        }
        if (n_terms_of(g->o, out->data + mark) == 1)
            return;
        out->len = mark;
        out->data[mark] = '\0';
    }
    buf_puts(out, "the");
}

/* Terms at n consecutive positions of field f of a random live document. */
static int snippet(const qgen *g, int f, uint32_t n, uint32_t *out)
{
    for (int tries = 0; tries < 60 && g->o->n_doc; tries++) {
        const ofield *fl = &g->o->doc[below((uint32_t)g->o->n_doc)]->f[f];
        if (fl->len < n)
            continue;
        uint32_t s = below(fl->len - n + 1), i = 0;
        for (; i < n && fl->at[s + i] != NO_TERM; i++)
            out[i] = fl->at[s + i];
        if (i == n)
            return 1;
    }
    return 0;
}

/* Two or three words around a word repeated at adjacent positions. */
static int repeat_snippet(const qgen *g, buf *out)
{
    for (int tries = 0; tries < 400 && g->o->n_doc; tries++) {
        const ofield *fl = &g->o->doc[below((uint32_t)g->o->n_doc)]->f[FIELD_BODY];
        if (fl->len < 2)
            continue;
        uint32_t s = below(fl->len - 1);
        for (uint32_t p = s; p + 1 < fl->len; p++) {
            if (fl->at[p] == NO_TERM || fl->at[p] != fl->at[p + 1])
                continue;
            uint32_t b = p, e = p + 2;
            if (b > 0 && fl->at[b - 1] != NO_TERM && chance(40))
                b--;
            if (e < fl->len && fl->at[e] != NO_TERM && chance(40))
                e++;
            for (uint32_t i = b; i < e; i++)
                buf_printf(out, "%s%s", i > b ? " " : "", g->o->terms.key[fl->at[i]]);
            return 1;
        }
    }
    return 0;
}

static onode *leaf(int kind, int field, const char *text)
{
    onode *q = onode_new(kind);
    q->field = field;
    q->text = strdup(text);
    q->fcase = chance(10) ? 1 + (int)below(2) : 0;
    return q;
}

static onode *mk_term(const qgen *g, int field)
{
    buf b = {0};
    if (field == FIELD_SOURCE)
        buf_puts(&b, source_words[below(sizeof source_words / sizeof *source_words)]);
    else if (field == FIELD_SECTION)
        buf_puts(&b, section_words[below(sizeof section_words / sizeof *section_words)]);
    else
        pick_word(g, &b);
    onode *q = leaf(K_TERM, field, b.data);
    buf_free(&b);
    return q;
}

static void put_terms(buf *b, const qgen *g, const uint32_t *t, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        buf_printf(b, "%s%s", i ? " " : "", g->o->terms.key[t[i]]);
}

/* A phrase of 2-4 words: cut from a document (so that it matches), made of
 * random words, or with a repeated word ("knock knock"). */
static onode *mk_phrase(const qgen *g, int field, int repeated)
{
    buf b = {0};
    uint32_t t[8], n = 2 + below(3);
    int f = field == FIELD_TITLE || (field == QFIELD_DEFAULT && chance(20)) ? FIELD_TITLE : FIELD_BODY;
    if (field == FIELD_SOURCE) {
        buf_puts(&b, source_phrases[below(sizeof source_phrases / sizeof *source_phrases)]);
    } else if (field == FIELD_SECTION) {
        buf_puts(&b, section_phrases[below(sizeof section_phrases / sizeof *section_phrases)]);
    } else if (repeated) {
        uint32_t r = below(100);
        if (g->synthetic && r < 40) {
            static const char *const knock[] = {"knock knock", "Knock knock knock", "knock knock who",
                                                "knock knock knock knock", "who knock knock"};
            buf_puts(&b, knock[below(5)]);
        } else if (r < 85 && repeat_snippet(g, &b)) {
            /* taken from a document */
        } else {
            buf_clear(&b);
            pick_word(g, &b);
            char *w = strdup(b.data);
            buf_printf(&b, " %s", w);
            free(w);
        }
    } else if (chance(70) && snippet(g, f, n, t)) {
        put_terms(&b, g, t, n);
    } else if (chance(15) && snippet(g, f, 3, t)) {
        /* a word too long to index keeps its position: "a <long> c" needs
         * something (anything) between a and c */
        buf_printf(&b, "%s ", g->o->terms.key[t[0]]);
        for (int z = 0; z < 140; z++)
            buf_putc(&b, (char)('a' + z % 26));
        buf_printf(&b, " %s", g->o->terms.key[t[2]]);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                buf_putc(&b, ' ');
            pick_word(g, &b);
        }
    }
    onode *q = leaf(K_PHRASE, field, b.data);
    buf_free(&b);
    if (n_terms_of(g->o, q->text) < 2) { /* a lone word: make it two */
        buf_puts(&b, q->text);
        buf_puts(&b, " the");
        free(q->text);
        q->text = strdup(b.data);
        buf_free(&b);
    }
    q->tilde = chance(3);
    return q;
}

/* Words taken from a window of a document, in any order, with a slop near
 * the one that just matches. */
static onode *mk_prox(const qgen *g, int field)
{
    if (field == FIELD_SOURCE || field == FIELD_SECTION) {
        onode *q = mk_phrase(g, field, 0);
        q->slop = 1 + below(3);
        return q;
    }
    buf b = {0};
    uint32_t win = 2 + below(5), t[8], n = 2 + below(win < 4 ? win - 1 : 3);
    int f = field == FIELD_TITLE ? FIELD_TITLE : FIELD_BODY;
    if (n > win)
        n = win;
    if (chance(80) && snippet(g, f, win, t)) {
        uint32_t pick[8], np = 0;
        for (uint32_t i = 0; i < win; i++)
            pick[i] = i;
        for (uint32_t i = 0; i < win; i++) { /* shuffle, then keep n */
            uint32_t j = i + below(win - i), x = pick[i];
            pick[i] = pick[j];
            pick[j] = x;
        }
        for (np = 0; np < n; np++)
            buf_printf(&b, "%s%s", np ? " " : "", g->o->terms.key[t[pick[np]]]);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                buf_putc(&b, ' ');
            pick_word(g, &b);
        }
    }
    onode *q = leaf(K_PHRASE, field, b.data);
    buf_free(&b);
    int d = (int)win - (int)n + (int)below(4) - 1;
    q->slop = d < 1 ? 1 : (uint32_t)d;
    if (n_terms_of(g->o, q->text) < 2) {
        free(q->text);
        q->text = strdup("knock peace");
    }
    return q;
}

static onode *mk_prefix(const qgen *g, int field)
{
    buf b = {0};
    if (field == FIELD_SOURCE)
        buf_puts(&b, chance(50) ? "reu" : "guar");
    else if (field == FIELD_SECTION)
        buf_puts(&b, chance(50) ? "opin" : "bus");
    else if (g->synthetic && chance(15))
        buf_printf(&b, "w%u", below(20));
    else {
        for (int tries = 0; tries < 50; tries++) {
            buf_clear(&b);
            pick_word(g, &b);
            if (b.len >= 3 && !strchr(b.data, '\''))
                break;
        }
        /* sometimes the whole word, which a stemmed index holds only as
         * its stem ("running*" must find "running", indexed as "run") */
        size_t cut = chance(25) ? b.len : 1 + below((uint32_t)(b.len > 2 ? b.len - 1 : 1));
        while (cut > 1 && ((unsigned char)b.data[cut] & 0xC0) == 0x80)
            cut--;
        b.len = cut;
        b.data[cut] = '\0';
    }
    onode *q = leaf(K_PREFIX, field, b.data);
    buf_free(&b);
    return q;
}

/* A hyphenated word, written bare: lede reads it as a phrase. */
static onode *mk_hyphen(const qgen *g, int field)
{
    buf b = {0};
    uint32_t t[3];
    int f = field == FIELD_TITLE ? FIELD_TITLE : FIELD_BODY;
    if (g->synthetic && chance(30))
        buf_puts(&b, chance(50) ? "Jong-un" : "u.s.");
    else if (snippet(g, f, 2, t))
        buf_printf(&b, "%s-%s", g->o->terms.key[t[0]], g->o->terms.key[t[1]]);
    else
        buf_puts(&b, "knock-knock");
    onode *q = leaf(K_PHRASE, field, b.data);
    q->bare = 1;
    buf_free(&b);
    return q;
}

/* ---- date filters ---- */

#define OPEN_LO (date_days_from_civil(1, 1, 1) * 86400)
#define OPEN_HI (date_days_from_civil(10000, 1, 1) * 86400 - 1)

/* A period (a year, a month or a day) written into out; [*lo, *hi] is what it covers. */
static void gen_period(const qgen *g, buf *out, int64_t *lo, int64_t *hi)
{
    int64_t y = 2016 + below(6), secs = 0;
    unsigned m = 1 + below(12), d = 1 + below(28);
    for (int tries = 0; tries < 10 && g->o->n_doc && chance(80); tries++) {
        const odoc *x = g->o->doc[below((uint32_t)g->o->n_doc)];
        if (x->date == DATE_NONE)
            continue;
        date_civil_from_days(x->date / 86400, &y, &m, &d);
        secs = x->date % 86400;
        break;
    }
    uint32_t kind = below(3);
    if (kind == 2 && secs && chance(40)) { /* that minute, or that second */
        int64_t day = date_days_from_civil(y, m, d) * 86400;
        int hh = (int)(secs / 3600), mi = (int)(secs / 60 % 60), ss = (int)(secs % 60);
        char sep = chance(30) ? ' ' : 'T';
        if (chance(50)) {
            buf_printf(out, "%04lld-%02u-%02u%c%02d:%02d", (long long)y, m, d, sep, hh, mi);
            *lo = day + hh * 3600 + mi * 60;
            *hi = *lo + 59;
        } else {
            buf_printf(out, "%04lld-%02u-%02u%c%02d:%02d:%02d", (long long)y, m, d, sep, hh, mi, ss);
            *lo = *hi = day + secs;
        }
        return;
    }
    if (kind == 0) {
        buf_printf(out, "%04lld", (long long)y);
        *lo = date_days_from_civil(y, 1, 1) * 86400;
        *hi = date_days_from_civil(y + 1, 1, 1) * 86400 - 1;
    } else if (kind == 1) {
        buf_printf(out, "%04lld-%02u", (long long)y, m);
        *lo = date_days_from_civil(y, m, 1) * 86400;
        int64_t next = m == 12 ? date_days_from_civil(y + 1, 1, 1) : date_days_from_civil(y, m + 1, 1);
        *hi = next * 86400 - 1;
    } else {
        if (chance(25))
            buf_printf(out, "%04lld/%u/%u", (long long)y, m, d);
        else
            buf_printf(out, "%04lld-%02u-%02u", (long long)y, m, d);
        *lo = date_days_from_civil(y, m, d) * 86400;
        *hi = *lo + 86399;
    }
}

static onode *mk_date(const qgen *g)
{
    onode *q = onode_new(K_DATE);
    buf b = {0}, a = {0}, c = {0};
    int64_t alo, ahi, clo, chi;
    gen_period(g, &a, &alo, &ahi);
    uint32_t r = below(100);
    if (r < 35) {
        buf_puts(&b, a.data);
        q->lo = alo;
        q->hi = ahi;
    } else if (r < 55) {
        gen_period(g, &c, &clo, &chi);
        if (alo > chi) {
            buf_printf(&b, "%s..%s", c.data, a.data);
            q->lo = clo;
            q->hi = ahi;
        } else {
            buf_printf(&b, "%s..%s", a.data, c.data);
            q->lo = alo;
            q->hi = chi;
        }
    } else if (r < 62) {
        buf_printf(&b, "%s..", a.data);
        q->lo = alo;
        q->hi = OPEN_HI;
    } else if (r < 69) {
        buf_printf(&b, "..%s", a.data);
        q->lo = OPEN_LO;
        q->hi = ahi;
    } else if (r < 77) {
        buf_printf(&b, ">=%s", a.data);
        q->lo = alo;
        q->hi = OPEN_HI;
    } else if (r < 84) {
        buf_printf(&b, ">%s", a.data);
        q->lo = ahi + 1;
        q->hi = OPEN_HI;
    } else if (r < 92) {
        buf_printf(&b, "<=%s", a.data);
        q->lo = OPEN_LO;
        q->hi = ahi;
    } else {
        buf_printf(&b, "<%s", a.data);
        q->lo = OPEN_LO;
        q->hi = alo - 1;
    }
    q->text = strdup(b.data);
    buf_free(&a);
    buf_free(&b);
    buf_free(&c);
    return q;
}

/* ---- trees ---- */

static int pick_field(const qgen *g)
{
    uint32_t r = below(100);
    if (g->synthetic && r < 12)
        return FIELD_SOURCE;
    if (g->synthetic && r < 22)
        return FIELD_SECTION;
    return r < 62 ? FIELD_TITLE : FIELD_BODY;
}

/* Another field than f (for a clause naming its own field inside f:( )). */
static int other_field(const qgen *g, int f)
{
    int o;
    do
        o = pick_field(g);
    while (o == f);
    return o;
}

static onode *gen_leaf(const qgen *g, int scope)
{
    int field = scope != QFIELD_DEFAULT ? (chance(10) ? other_field(g, scope) : scope)
                : chance(20)            ? pick_field(g)
                                        : QFIELD_DEFAULT;
    uint32_t r = below(100);
    if (r < (scope == QFIELD_DEFAULT ? 8u : 3u))
        return mk_date(g);
    if (r < 50)
        return mk_term(g, field);
    if (r < 62)
        return mk_phrase(g, field, 0);
    if (r < 68)
        return mk_phrase(g, field, 1);
    if (r < 76)
        return mk_prox(g, field);
    if (r < 86)
        return mk_prefix(g, field);
    if (r < 90 && field != FIELD_SOURCE && field != FIELD_SECTION)
        return mk_hyphen(g, field);
    return mk_term(g, field);
}

static void mark_must(onode *k, int any)
{
    k->occur = Q_MUST;
    k->not_word = 0;
    /* with any_default a bare clause is optional, unless it is a filter */
    k->plus = any ? !is_filter(k) || chance(50) : chance(40);
}

static void mark_not(onode *k)
{
    k->occur = Q_MUST_NOT;
    k->plus = 0;
    uint32_t r = below(100);
    k->not_word = r < 20 ? 1 : r < 25 ? 2 : 0;
}

static void mark_should(onode *k)
{
    k->occur = Q_SHOULD;
    k->plus = k->not_word = 0;
}

/* A group that can stand unparenthesized between ORs: written as one
 * and_expr (juxtaposition and AND bind tighter than OR). */
static int and_like(const onode *k)
{
    return k->kind == K_BOOL && !k->scope && !k->junk && k->form != FORM_OR;
}

/* Chooses the occurrence of each kid of q for the way q is written. */
static void set_form(const qgen *g, onode *q, int form)
{
    size_t n = q->n_kid;
    if (form == FORM_ANDMIX && (!g->any || n < 3))
        form = FORM_AND;
    q->form = form;
    int has_must = 0, has_should = 0, real_must = 0;
    switch (form) {
    case FORM_OR:
        q->ops = chance(15);
        if (chance(6)) {
            static const char *const junk[] = {"&", "...", "/", "\xe2\x80\x94", "\"\"", "\"--\""};
            q->junk = junk[below(6)];
            q->junk_at = below((uint32_t)n);
        }
        for (size_t i = 0; i < n; i++) {
            mark_should(q->kid[i]);
            q->kid[i]->unparen = and_like(q->kid[i]) && chance(50);
            q->kid[i]->plus = !q->kid[i]->unparen && chance(8); /* +a OR b is a OR b */
        }
        return;
    case FORM_AND:
        q->ops = chance(15);
        for (size_t i = 0; i < n; i++) {
            if (chance(25)) {
                mark_not(q->kid[i]);
            } else {
                mark_must(q->kid[i], g->any);
                has_must = 1;
            }
        }
        if (!has_must && chance(80))
            mark_must(q->kid[0], g->any);
        return;
    case FORM_PM:
        if (chance(6)) { /* left out: putin & kim is putin kim */
            static const char *const junk[] = {"&", "...", "/", "\xe2\x80\x94", "\"\"", "\",.\""};
            q->junk = junk[below(6)];
            q->junk_at = below((uint32_t)n);
        }
        for (size_t i = 0; i < n; i++) {
            onode *k = q->kid[i];
            uint32_t r = below(100);
            if (!g->any || is_filter(k)) {
                if (r < 65)
                    mark_must(k, g->any);
                else
                    mark_not(k);
            } else if (r < 45) {
                mark_should(k);
            } else if (r < 75) {
                mark_must(k, g->any);
            } else {
                mark_not(k);
            }
            has_should |= k->occur == Q_SHOULD;
            has_must |= k->occur == Q_MUST;
            real_must |= k->occur == Q_MUST && !is_filter(k);
        }
        /* optional words next to only filters would become required together
         * (docs/QUERY.md): keep that shape out of this form */
        if (has_should && has_must && !real_must)
            for (size_t i = 0; i < n; i++)
                if (q->kid[i]->occur == Q_SHOULD) {
                    mark_must(q->kid[i], g->any);
                    break;
                }
        return;
    case FORM_ANDMIX: {
        size_t k = 2 + below((uint32_t)n - 2);
        for (size_t i = 0; i < n; i++) {
            onode *x = q->kid[i];
            if (i < k) {
                mark_must(x, g->any);
                x->plus = 0;
                real_must |= !is_filter(x);
            } else if (!is_filter(x) && chance(70)) {
                mark_should(x);
                has_should = 1;
            } else {
                mark_not(x);
            }
        }
        if (has_should && !real_must)
            set_form(g, q, FORM_AND);
        return;
    }
    }
}

static int random_form(const qgen *g)
{
    uint32_t r = below(100);
    if (g->any)
        return r < 35 ? FORM_PM : r < 55 ? FORM_AND : r < 80 ? FORM_OR : FORM_ANDMIX;
    return r < 40 ? FORM_PM : r < 70 ? FORM_AND : FORM_OR;
}

static int scope_field(const qgen *g)
{
    if (g->synthetic && chance(12))
        return chance(50) ? FIELD_SOURCE : FIELD_SECTION;
    return chance(55) ? FIELD_TITLE : FIELD_BODY;
}

static onode *gen_group(const qgen *g, int depth, int max_depth, int scope, int force_scope)
{
    onode *q = onode_new(K_BOOL);
    if ((scope == QFIELD_DEFAULT && (force_scope || (depth > 0 && chance(12)))) ||
        (scope != QFIELD_DEFAULT && depth > 0 && chance(8))) {
        int f;
        do
            f = scope_field(g);
        while (f == scope);
        q->scope = 1;
        q->field = scope = f;
        q->fcase = chance(10) ? 1 + (int)below(2) : 0;
    }
    size_t n = 2 + below(3);
    for (size_t i = 0; i < n; i++)
        onode_add(q, depth < max_depth && chance(25) ? gen_group(g, depth + 1, max_depth, scope, 0)
                                                     : gen_leaf(g, scope));
    set_form(g, q, random_form(g));
    return q;
}

enum {
    T_TERM, T_AND, T_OR, T_NOT, T_PHRASE, T_REPEAT, T_PROX, T_PREFIX, T_FIELD, T_DATE, T_TREE, T_TREE2,
    N_TEMPLATES
};

static onode *gen_query(const qgen *g, int t)
{
    onode *q = onode_new(K_BOOL);
    size_t n;
    switch (t) {
    case T_TERM:
        onode_free(q);
        return mk_term(g, chance(20) ? pick_field(g) : QFIELD_DEFAULT);
    case T_AND:
        n = 2 + below(2);
        for (size_t i = 0; i < n; i++)
            onode_add(q, chance(85) ? mk_term(g, QFIELD_DEFAULT) : mk_phrase(g, QFIELD_DEFAULT, 0));
        if (chance(50)) {
            q->form = FORM_AND;
        } else {
            q->form = FORM_PM;
            for (size_t i = 0; i < n; i++)
                mark_must(q->kid[i], g->any);
        }
        return q;
    case T_OR:
        n = 2 + below(3);
        for (size_t i = 0; i < n; i++)
            onode_add(q, mk_term(g, QFIELD_DEFAULT));
        set_form(g, q, FORM_OR);
        if (g->any && chance(50)) {
            q->form = FORM_PM; /* bare words are optional */
            for (size_t i = 0; i < n; i++)
                mark_should(q->kid[i]);
        }
        return q;
    case T_NOT: {
        if (chance(15)) { /* a OR -b: a, or anything without b */
            onode *neg = onode_new(K_BOOL);
            neg->form = FORM_PM;
            onode_add(neg, mk_term(g, QFIELD_DEFAULT));
            mark_not(neg->kid[0]);
            onode_add(q, mk_term(g, QFIELD_DEFAULT));
            onode_add(q, neg);
            set_form(g, q, FORM_OR);
            neg->unparen = chance(70);
            return q;
        }
        if (chance(15)) {
            n = 1 + below(2);
            for (size_t i = 0; i < n; i++) {
                onode_add(q, mk_term(g, QFIELD_DEFAULT));
                mark_not(q->kid[i]);
            }
            q->form = FORM_PM;
            return q;
        }
        size_t np = 1 + below(2), nn = 1 + below(2);
        int and_form = chance(50);
        q->form = and_form ? FORM_AND : FORM_PM;
        for (size_t i = 0; i < np + nn; i++) {
            if (i < np) {
                onode *k = mk_term(g, QFIELD_DEFAULT);
                onode_add(q, k);
                if (!and_form && g->any && chance(50))
                    mark_should(k);
                else
                    mark_must(k, g->any);
            } else {
                onode *k = chance(70) ? mk_term(g, QFIELD_DEFAULT) : mk_phrase(g, QFIELD_DEFAULT, 0);
                onode_add(q, k);
                mark_not(k);
            }
        }
        if (!and_form) { /* any order */
            for (size_t i = 0; i < q->n_kid; i++) {
                size_t j = i + below((uint32_t)(q->n_kid - i));
                onode *x = q->kid[i];
                q->kid[i] = q->kid[j];
                q->kid[j] = x;
            }
        }
        return q;
    }
    case T_PHRASE:
    case T_REPEAT:
    case T_PROX:
    case T_PREFIX: {
        onode *k = t == T_PHRASE   ? mk_phrase(g, chance(15) ? pick_field(g) : QFIELD_DEFAULT, 0)
                   : t == T_REPEAT ? mk_phrase(g, QFIELD_DEFAULT, 1)
                   : t == T_PROX   ? mk_prox(g, chance(15) ? pick_field(g) : QFIELD_DEFAULT)
                                   : mk_prefix(g, chance(20) ? pick_field(g) : QFIELD_DEFAULT);
        if (chance(50)) {
            onode_free(q);
            return k;
        }
        onode_add(q, k);
        n = 1 + below(2);
        for (size_t i = 0; i < n; i++)
            onode_add(q, chance(60) ? mk_term(g, QFIELD_DEFAULT) : gen_leaf(g, QFIELD_DEFAULT));
        set_form(g, q, random_form(g));
        return q;
    }
    case T_FIELD: {
        uint32_t r = below(100);
        if (r < 45) {
            onode_free(q);
            int f = pick_field(g);
            uint32_t k = below(100);
            return k < 50 ? mk_term(g, f)
                   : k < 70 ? mk_phrase(g, f, 0)
                   : k < 85 ? mk_prefix(g, f)
                            : mk_prox(g, f);
        }
        if (r < 75) {
            onode_free(q);
            return gen_group(g, 1, 2, QFIELD_DEFAULT, 1);
        }
        n = 2 + below(2);
        for (size_t i = 0; i < n; i++)
            onode_add(q, chance(70) ? mk_term(g, pick_field(g)) : gen_leaf(g, QFIELD_DEFAULT));
        set_form(g, q, random_form(g));
        return q;
    }
    case T_DATE: {
        uint32_t r = below(100);
        if (r < 25) {
            onode_free(q);
            return mk_date(g);
        }
        if (g->any && r < 40) {
            /* with --any, optional words next to only filters are required
             * together: putin kim date:2019 is +date +(putin kim) */
            onode *words = onode_new(K_BOOL), *filter;
            words->form = FORM_PM;
            words->flat = 1;
            n = 2 + below(2);
            for (size_t i = 0; i < n; i++) {
                onode_add(words, mk_term(g, QFIELD_DEFAULT));
                mark_should(words->kid[i]);
            }
            if (chance(70)) {
                filter = mk_date(g);
            } else {
                filter = onode_new(K_BOOL);
                filter->form = FORM_PM;
                onode_add(filter, mk_term(g, QFIELD_DEFAULT));
                mark_not(filter->kid[0]);
            }
            q->form = FORM_PM;
            if (chance(50)) {
                onode_add(q, filter);
                onode_add(q, words);
            } else {
                onode_add(q, words);
                onode_add(q, filter);
            }
            mark_must(filter, 1);
            words->occur = Q_MUST;
            return q;
        }
        n = 1 + below(2);
        for (size_t i = 0; i < n; i++)
            onode_add(q, mk_term(g, QFIELD_DEFAULT));
        onode_add(q, mk_date(g));
        if (r < 70) {
            set_form(g, q, chance(50) ? FORM_AND : FORM_PM);
            if (q->kid[n]->occur != Q_MUST)
                mark_must(q->kid[n], g->any);
        } else if (r < 85) {
            set_form(g, q, chance(50) ? FORM_AND : FORM_PM);
            mark_not(q->kid[n]);
            if (n == 1 || q->kid[0]->occur == Q_MUST_NOT)
                mark_must(q->kid[0], g->any);
        } else {
            set_form(g, q, FORM_OR);
        }
        /* the marks above may have left optional words next to a lone filter */
        if (q->form == FORM_PM) {
            int must = 0, should = 0;
            for (size_t i = 0; i < q->n_kid; i++) {
                must |= q->kid[i]->occur == Q_MUST && !is_filter(q->kid[i]);
                should |= q->kid[i]->occur == Q_SHOULD;
            }
            if (should && !must)
                for (size_t i = 0; i < q->n_kid; i++)
                    if (q->kid[i]->occur == Q_SHOULD) {
                        mark_must(q->kid[i], g->any);
                        break;
                    }
        }
        return q;
    }
    default:
        onode_free(q);
        return gen_group(g, 0, t == T_TREE ? 2 : 3, QFIELD_DEFAULT, 0);
    }
}

/* ---- what a query exercises ---- */

enum {
    KI_TERM, KI_AND, KI_OR, KI_NOT, KI_PLUS, KI_MINUS, KI_PHRASE, KI_REPEAT, KI_COMMON, KI_PROX,
    KI_PREFIX, KI_HYPHEN, KI_FIELD, KI_SRCSEC, KI_DATE, KI_NESTED, KI_PURENEG, KI_ANY, KI_N
};
static const char *const kind_name[KI_N] = {
    "term", "AND", "OR", "NOT", "+", "-", "phrase", "phrase with a repeated word",
    "phrase with a very common word", "proximity", "prefix", "hyphenated word", "field",
    "source/section", "date", "nested group", "only exclusions", "any_default",
};

static void features(const oracle *o, const onode *q, int depth, int any, uint32_t *mask)
{
    if (q->kind != K_BOOL && q->kind != K_DATE && q->field >= 0)
        *mask |= 1u << KI_FIELD | (q->field >= FIELD_SOURCE ? 1u << KI_SRCSEC : 0);
    switch (q->kind) {
    case K_TERM:
        *mask |= 1u << KI_TERM;
        break;
    case K_PHRASE:
        if (q->n_term < 2) {
            *mask |= 1u << KI_TERM;
            break;
        }
        *mask |= 1u << (q->bare ? KI_HYPHEN : q->slop ? KI_PROX : KI_PHRASE);
        for (size_t i = 0; i < q->n_term; i++) {
            for (size_t j = 0; j < i; j++)
                if (q->term[i] == q->term[j])
                    *mask |= 1u << KI_REPEAT;
            if (q->term[i] >= 0 && o->df[FIELD_BODY][q->term[i]] * 3 > o->n_doc)
                *mask |= 1u << KI_COMMON;
        }
        break;
    case K_PREFIX:
        *mask |= 1u << KI_PREFIX;
        break;
    case K_DATE:
        *mask |= 1u << KI_DATE;
        break;
    case K_BOOL: {
        size_t nm = 0, ns = 0, np = 0;
        for (size_t i = 0; i < q->n_kid; i++) {
            const onode *k = q->kid[i];
            nm += k->occur == Q_MUST;
            ns += k->occur == Q_SHOULD;
            np += k->occur == Q_MUST && k->plus && q->form == FORM_PM;
            if (k->occur == Q_MUST_NOT)
                *mask |= 1u << (k->not_word ? KI_NOT : KI_MINUS);
            features(o, k, depth + 1, any, mask);
        }
        if (depth > 0)
            *mask |= 1u << KI_NESTED;
        if (q->scope)
            *mask |= 1u << KI_FIELD | (q->field >= FIELD_SOURCE ? 1u << KI_SRCSEC : 0);
        if (nm + ns == 0)
            *mask |= 1u << KI_PURENEG;
        if (np)
            *mask |= 1u << KI_PLUS;
        if (q->form == FORM_AND || q->form == FORM_ANDMIX || (q->form == FORM_PM && !any && nm >= 2))
            *mask |= 1u << KI_AND;
        if (q->form == FORM_OR || (q->form == FORM_PM && any && ns >= 2))
            *mask |= 1u << KI_OR;
        break;
    }
    }
    if (any)
        *mask |= 1u << KI_ANY;
}

/* ---- running a query both ways and comparing ---------------------------------------------------- */

typedef struct ohit {
    size_t ix;
    double score;
} ohit;

static int ohit_cmp(const void *a, const void *b)
{
    const ohit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->ix < y->ix ? -1 : x->ix > y->ix;
}

typedef struct runner {
    const char *name;
    searcher *s;
    const oracle *o;
    bmp bm;
    uint64_t n_queries, n_failed, n_searches;
    uint64_t n_empty, n_matches; /* queries matching nothing; matches in all */
    uint64_t kinds[KI_N];
    double *score;   /* by oracle doc rank: the oracle's score of the current query */
    uint8_t *hit;    /* ... and whether it matches */
    uint8_t *seen;
    ohit *exp;
    buf text;
} runner;

static void runner_init(runner *r, const char *name, searcher *s, const oracle *o, const bmp *bm)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->s = s;
    r->o = o;
    r->bm = *bm;
    r->score = xcalloc(o->n_doc, sizeof *r->score);
    r->hit = xcalloc(o->n_doc, 1);
    r->seen = xcalloc(o->n_doc, 1);
    r->exp = xcalloc(o->n_doc, sizeof *r->exp);
    if (searcher_live_docs(s) != o->n_doc)
        T_FAIL("[%s] the searcher has %llu live documents, the oracle %zu", name,
               (unsigned long long)searcher_live_docs(s), o->n_doc);
}

static void runner_free(runner *r)
{
    free(r->score);
    free(r->hit);
    free(r->seen);
    free(r->exp);
    buf_free(&r->text);
}

static int near(double a, double b, double rel)
{
    double d = fabs(a - b), m = fmax(fabs(a), fabs(b));
    return d <= rel * m || d <= 1e-12;
}

struct pair {
    size_t ix;
    uint32_t doc;
};

static int pair_cmp(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* The external id of a hit, and the oracle's document with that id (NULL:
 * none live). */
static const odoc *hit_doc(runner *r, const search_hit *h, buf *id, int64_t *date)
{
    docrec rec;
    buf_clear(id);
    if (searcher_doc(r->s, h->doc, &rec, date) != 0) {
        buf_printf(id, "<doc %u unreadable>", h->doc);
        return NULL;
    }
    buf_append(id, rec.id, rec.id_len);
    return oracle_by_id(r->o, rec.id, rec.id_len);
}

static void list_expected(runner *r, buf *why, const ohit *e, size_t n)
{
    buf_puts(why, "\n    expected:");
    for (size_t i = 0; i < n && i < 10; i++)
        buf_printf(why, " %s:%.6f", r->o->doc[e[i].ix]->id, e[i].score);
}

static void list_got(runner *r, buf *why, const search_result *res)
{
    buf id = {0};
    int64_t date;
    buf_puts(why, "\n    got:     ");
    for (size_t i = 0; i < res->n_hits && i < 10; i++) {
        hit_doc(r, &res->hits[i], &id, &date);
        buf_printf(why, " %s:%.6f", id.data, res->hits[i].score);
    }
    buf_free(&id);
}

/* Runs the current text with p and compares with the oracle's ranking
 * exp[0..n_exp) (ranks offset.. for paging). Appends the first problem to
 * why and returns 1 when there is one. */
static int compare(runner *r, const char *label, const search_params *p, const ohit *exp, size_t n_exp,
                   buf *why)
{
    search_result res;
    query_error qe;
    r->n_searches++;
    int rc = searcher_search(r->s, r->text.data, r->text.len, p, &res, &qe);
    if (rc) {
        buf_printf(why, "%s: searcher_search returned %d (column %u: %s)", label, rc, qe.column,
                   qe.message);
        return 1;
    }
    size_t want = n_exp > p->offset ? n_exp - p->offset : 0;
    if (want > p->limit)
        want = p->limit;
    int bad = 0;
    if (p->exact_count || res.total_exact) {
        if (res.total != n_exp) {
            buf_printf(why, "%s: total %llu, expected %zu", label, (unsigned long long)res.total,
                       n_exp);
            bad = 1;
        }
    } else if (res.total > n_exp || res.total < res.n_hits + p->offset) {
        buf_printf(why, "%s: inexact total %llu impossible with %zu matches", label,
                   (unsigned long long)res.total, n_exp);
        bad = 1;
    }
    if (!bad && res.n_hits != want) {
        buf_printf(why, "%s: %zu hits, expected %zu", label, res.n_hits, want);
        bad = 1;
    }
    memset(r->seen, 0, r->o->n_doc);
    struct pair *pairs = xcalloc(res.n_hits, sizeof *pairs);
    size_t n_pairs = 0;
    buf id = {0};
    for (size_t i = 0; !bad && i < res.n_hits && i < want; i++) {
        const search_hit *h = &res.hits[i];
        const ohit *e = &exp[p->offset + i];
        int64_t date;
        const odoc *d = hit_doc(r, h, &id, &date);
        if (!d || !r->hit[d->ix]) {
            buf_printf(why, "%s: rank %zu is %s (score %.9g), which %s", label, p->offset + i, id.data,
                       h->score, d ? "does not match" : "is not a live document");
            bad = 1;
        } else if (r->seen[d->ix]) {
            buf_printf(why, "%s: %s returned twice", label, id.data);
            bad = 1;
        } else if (d->ix != e->ix && !near(r->score[d->ix], e->score, 1e-9)) {
            buf_printf(why, "%s: rank %zu is %s (oracle score %.9g), expected %s (%.9g)", label,
                       p->offset + i, id.data, r->score[d->ix], r->o->doc[e->ix]->id, e->score);
            bad = 1;
        } else if (!near(h->score, r->score[d->ix], 1e-6)) {
            buf_printf(why, "%s: %s at rank %zu scores %.12g, expected %.12g", label, id.data,
                       p->offset + i, h->score, r->score[d->ix]);
            bad = 1;
        } else if (i > 0 && (h->score > res.hits[i - 1].score ||
                             (h->score == res.hits[i - 1].score && h->doc <= res.hits[i - 1].doc))) {
            buf_printf(why, "%s: rank %zu (doc %u, %.17g) is out of order after doc %u (%.17g)", label,
                       p->offset + i, h->doc, h->score, res.hits[i - 1].doc, res.hits[i - 1].score);
            bad = 1;
        } else if (date != d->date) {
            buf_printf(why, "%s: %s has date %lld, expected %lld", label, id.data, (long long)date,
                       (long long)d->date);
            bad = 1;
        }
        if (d) {
            r->seen[d->ix] = 1;
            pairs[n_pairs++] = (struct pair){d->ix, h->doc};
        }
    }
    /* internal doc ids follow the order of addition */
    qsort(pairs, n_pairs, sizeof *pairs, pair_cmp);
    for (size_t i = 1; !bad && i < n_pairs; i++)
        if (pairs[i].doc <= pairs[i - 1].doc) {
            buf_printf(why,
                       "%s: internal doc ids %u and %u do not follow the order of addition (%s, %s)",
                       label, pairs[i - 1].doc, pairs[i].doc, r->o->doc[pairs[i - 1].ix]->id,
                       r->o->doc[pairs[i].ix]->id);
            bad = 1;
        }
    if (bad) {
        list_expected(r, why, exp + (p->offset < n_exp ? p->offset : n_exp),
                      n_exp > p->offset ? n_exp - p->offset : 0);
        list_got(r, why, &res);
    }
    free(pairs);
    buf_free(&id);
    search_result_free(&res);
    return bad;
}

static int date_order(const void *a, const void *b, const oracle *o)
{
    const odoc *x = o->doc[((const ohit *)a)->ix], *y = o->doc[((const ohit *)b)->ix];
    if (x->date != y->date)
        return x->date > y->date ? -1 : 1;
    return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* Newest first, undated last, then by internal order: an insertion sort
 * (the lists are short enough). */
static void sort_by_date(const oracle *o, ohit *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        ohit x = v[i];
        size_t j = i;
        while (j > 0 && date_order(&v[j - 1], &x, o) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static int compare_date_sort(runner *r, const search_params *base, const ohit *exp, size_t n_exp,
                             buf *why)
{
    search_params p = *base;
    p.sort_date = 1;
    p.exact_count = 1;
    p.offset = 0;
    p.limit = n_exp < 200 ? n_exp + 3 : 200;
    ohit *v = xcalloc(n_exp, sizeof *v);
    memcpy(v, exp, n_exp * sizeof *v);
    sort_by_date(r->o, v, n_exp);
    search_result res;
    query_error qe;
    r->n_searches++;
    int rc = searcher_search(r->s, r->text.data, r->text.len, &p, &res, &qe), bad = 0;
    if (rc) {
        buf_printf(why, "date sort: searcher_search returned %d (%s)", rc, qe.message);
        free(v);
        return 1;
    }
    size_t want = n_exp < p.limit ? n_exp : p.limit;
    if (res.total != n_exp || res.n_hits != want) {
        buf_printf(why, "date sort: total %llu, %zu hits; expected %zu, %zu",
                   (unsigned long long)res.total, res.n_hits, n_exp, want);
        bad = 1;
    }
    buf id = {0};
    for (size_t i = 0; !bad && i < res.n_hits; i++) {
        int64_t date;
        const odoc *d = hit_doc(r, &res.hits[i], &id, &date);
        if (!d || d->ix != v[i].ix) {
            buf_printf(why, "date sort: rank %zu is %s, expected %s (dated %lld)", i, id.data,
                       r->o->doc[v[i].ix]->id, (long long)r->o->doc[v[i].ix]->date);
            bad = 1;
        }
    }
    buf_free(&id);
    search_result_free(&res);
    free(v);
    return bad;
}

/* Evaluates q with the oracle, runs its text (rendered from q unless given)
 * with lede in several ways, and reports the first few disagreements. */
static void run_query(runner *r, onode *q, int any, const char *text)
{
    const oracle *o = r->o;
    buf_clear(&r->text);
    if (text)
        buf_puts(&r->text, text);
    else
        render_root(&r->text, q, q->kind == K_BOOL && chance(8));
    if (prepare(o, q) != 0) {
        T_FAIL("[%s] the generator made a query the analyzer reads otherwise: %s", r->name,
               r->text.data);
        return;
    }
    uint32_t mask = 0;
    features(o, q, 0, any, &mask);
    for (int k = 0; k < KI_N; k++)
        r->kinds[k] += (mask >> k) & 1;
    r->n_queries++;

    size_t n_exp = 0;
    for (size_t i = 0; i < o->n_doc; i++) {
        double sc;
        r->hit[i] = (uint8_t)ev(o, &r->bm, q, o->doc[i], &sc);
        r->score[i] = sc;
        if (r->hit[i])
            r->exp[n_exp++] = (ohit){i, sc};
    }
    qsort(r->exp, n_exp, sizeof *r->exp, ohit_cmp);
    r->n_empty += n_exp == 0;
    r->n_matches += n_exp;

    search_params p;
    search_params_default(&p);
    p.k1 = r->bm.k1;
    p.b = r->bm.b;
    p.title_weight = r->bm.tw;
    p.combined_fields = r->bm.combined;
    p.any_default = any;
    buf why = {0};
    /* every match, in order */
    p.limit = n_exp + 5;
    p.exact_count = 1;
    int bad = compare(r, "all matches", &p, r->exp, n_exp, &why);
    /* the top 10, pruning allowed */
    if (!bad) {
        p.limit = 10;
        p.exact_count = 0;
        bad = compare(r, "top 10", &p, r->exp, n_exp, &why);
    }
    /* a page further down */
    if (!bad && r->n_queries % 5 == 0 && n_exp > 0) {
        p.offset = below((uint32_t)n_exp);
        p.limit = 1 + below(9);
        p.exact_count = chance(50);
        bad = compare(r, "page", &p, r->exp, n_exp, &why);
        p.offset = 0;
    }
    if (!bad && r->n_queries % 6 == 0)
        bad = compare_date_sort(r, &p, r->exp, n_exp, &why);
    if (bad) {
        r->n_failed++;
        if (r->n_failed <= 8) {
            buf tree = {0}, parsed = {0};
            render_tree(&tree, q);
            qnode *lq = NULL;
            query_error qe;
            query_opts qo;
            memset(&qo, 0, sizeof qo);
            qo.any_default = any;
            if (query_parse(&lq, r->text.data, r->text.len, searcher_analyzer(r->s), &qo, &qe) == 0)
                query_render(lq, &parsed);
            else
                buf_printf(&parsed, "error at column %u: %s", qe.column, qe.message);
            query_free(lq);
            fprintf(stderr,
                    "[%s] MISMATCH query %llu (any_default %d, k1 %g b %g title weight %g): %s\n"
                    "    oracle tree: %s\n    lede parse:  %s\n    %s\n",
                    r->name, (unsigned long long)r->n_queries, any, r->bm.k1, r->bm.b, r->bm.tw,
                    r->text.data, tree.data, parsed.data ? parsed.data : "", why.data);
            buf_free(&tree);
            buf_free(&parsed);
        }
    }
    buf_free(&why);
}

/* n queries cycling through the templates, half of them with any_default. */
static void run_queries(runner *r, qgen *g, int n)
{
    for (int i = 0; i < n; i++) {
        int t = i % N_TEMPLATES;
        g->any = (i / N_TEMPLATES) % 2;
        onode *q = gen_query(g, t);
        run_query(r, q, g->any, NULL);
        onode_free(q);
    }
}

static void runner_report(runner *r)
{
    fprintf(stderr,
            "[%s] %llu queries (%llu searches; %llu match nothing, %.1f matches on average), "
            "%llu disagreements; by kind:",
            r->name, (unsigned long long)r->n_queries, (unsigned long long)r->n_searches,
            (unsigned long long)r->n_empty,
            r->n_queries ? (double)r->n_matches / (double)r->n_queries : 0.0,
            (unsigned long long)r->n_failed);
    for (int k = 0; k < KI_N; k++)
        fprintf(stderr, "%s %s %llu", k ? "," : "", kind_name[k], (unsigned long long)r->kinds[k]);
    fputc('\n', stderr);
    if (r->n_failed)
        T_FAIL("[%s] lede disagrees with the oracle on %llu of %llu queries (seed %llu)", r->name,
               (unsigned long long)r->n_failed, (unsigned long long)r->n_queries,
               (unsigned long long)seed_from_env());
}

/* ---- the cases --------------------------------------------------------------------------------- */

static const bmp default_bm = {SEARCH_DEFAULT_K1, SEARCH_DEFAULT_B, SEARCH_DEFAULT_TITLE_WEIGHT,
                               SEARCH_DEFAULT_COMBINED_FIELDS};

static void shuffle_ids(char **ids, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        size_t j = i + below((uint32_t)(n - i));
        char *x = ids[i];
        ids[i] = ids[j];
        ids[j] = x;
    }
}

/* n distinct random ids of "d0".."d<n_docs - 1>", then `fresh` new ones
 * with prefix, shuffled together; with `repeat`, some of them twice. */
static char **pick_ids(int n_docs, int n, const char *prefix, int fresh, int repeat, size_t *count)
{
    uint32_t *perm = xcalloc((size_t)n_docs, sizeof *perm);
    for (int i = 0; i < n_docs; i++)
        perm[i] = (uint32_t)i;
    size_t n_rep = repeat ? (size_t)(n + fresh) / 6 : 0, k = 0;
    char **ids = xcalloc((size_t)(n + fresh) + n_rep, sizeof *ids);
    for (int i = 0; i < n && i < n_docs; i++) {
        uint32_t j = (uint32_t)i + below((uint32_t)(n_docs - i)), x = perm[i];
        perm[i] = perm[j];
        perm[j] = x;
        char tmp[64];
        snprintf(tmp, sizeof tmp, "d%u", perm[i]);
        ids[k++] = strdup(tmp);
    }
    for (int i = 0; i < fresh; i++) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%s%d", prefix, i);
        ids[k++] = strdup(tmp);
    }
    for (size_t i = 0, m = k; i < n_rep; i++)
        ids[k++] = strdup(ids[below((uint32_t)m)]);
    free(perm);
    *count = k;
    shuffle_ids(ids, *count);
    return ids;
}

enum { PLAIN, CHANGED, CHANGED_OPTIMIZED, REPEATED };

/* Generates n_docs documents, indexes them (then changes them: updates,
 * deletes, and optimize by `variant`), and runs n_queries queries split over
 * the BM25 parameter sets. */
static void synthetic_case(const char *name, uint64_t seed_offset, int n_docs, const wopts *wo,
                           int variant, const bmp *bms, size_t n_bms, int n_queries)
{
    rng_state = seed_from_env() + seed_offset;
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], u[4200], ix[4200], msg[512];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(u, sizeof u, "%s/u.jsonl", dir);
    snprintf(ix, sizeof ix, "%s/ix", dir);
    oracle o;
    oracle_init(&o, wo->stem);
    oracle *os[] = {&o};
    char **ids = make_ids("d", 0, n_docs);
    gen_file(a, ids, (size_t)n_docs, os, 1);
    ixwriter_stats st;
    CHECK_INT(session(ix, wo, a, NULL, 0, &o, 0, &st), 0);
    if (wo->memory)
        CHECK(st.n_flushes >= 3);
    if (variant != PLAIN) {
        size_t nu, nd, nd2;
        char **uids = pick_ids(n_docs, n_docs / 8, "n", n_docs / 10, variant == REPEATED, &nu);
        char **del = pick_ids(n_docs, n_docs / 12, "n", 6, 0, &nd);
        free(del[0]);
        del[0] = strdup("no-such-id");
        gen_file(u, uids, nu, os, 1);
        CHECK_INT(session(ix, wo, u, del, nd, &o, 0, &st), 0);
        CHECK(st.n_replaced > 0);
        char **del2 = pick_ids(n_docs, 25, "n", 0, 0, &nd2);
        CHECK_INT(session(ix, wo, NULL, del2, nd2, &o, variant == CHANGED_OPTIMIZED, NULL), 0);
        free_ids(uids, nu);
        free_ids(del, nd);
        free_ids(del2, nd2);
    }
    oracle_finish(&o);
    size_t n_segs = count_segments(ix);
    fprintf(stderr, "[%s] %zu live documents, %zu segments\n", name, o.n_doc, n_segs);
    if (wo->memory && variant == PLAIN)
        CHECK(n_segs >= 2);
    if (variant == CHANGED_OPTIMIZED)
        CHECK_INT(n_segs, 1);
    searcher *s = NULL;
    if (searcher_open(&s, ix, msg, sizeof msg) != 0) {
        T_FAIL("searcher_open: %s", msg);
    } else {
        qgen g;
        memset(&g, 0, sizeof g);
        g.o = &o;
        g.synthetic = 1;
        for (size_t k = 0; k < n_bms; k++) {
            runner r;
            char label[128];
            snprintf(label, sizeof label, "%s k1=%g b=%g tw=%g %s", name, bms[k].k1, bms[k].b,
                     bms[k].tw, bms[k].combined ? "bm25f" : "fields");
            runner_init(&r, n_bms > 1 ? label : name, s, &o, &bms[k]);
            run_queries(&r, &g, n_queries / (int)n_bms);
            runner_report(&r);
            runner_free(&r);
        }
        searcher_close(s);
    }
    if (t_failed)
        fprintf(stderr, "[%s] seed %llu (LEDE_SEED)\n", name, (unsigned long long)seed_from_env());
    oracle_free(&o);
    free_ids(ids, (size_t)n_docs);
    rmrf(dir);
    free(dir);
}

TEST(test_oracle__one_commit)
{
    wopts wo = {0, 0, NULL};
    synthetic_case("one commit", 1, 900, &wo, PLAIN, &default_bm, 1, 600);
}

TEST(test_oracle__many_segments)
{
    wopts wo = {768 << 10, 2, NULL};
    synthetic_case("many segments", 2, 900, &wo, PLAIN, &default_bm, 1, 600);
}

TEST(test_oracle__deletes_and_updates)
{
    wopts wo = {768 << 10, 2, NULL};
    synthetic_case("deletes and updates", 3, 800, &wo, CHANGED, &default_bm, 1, 500);
}

TEST(test_oracle__deletes_updates_optimized)
{
    wopts wo = {768 << 10, 2, NULL};
    synthetic_case("deletes, updates, optimize", 4, 800, &wo, CHANGED_OPTIMIZED, &default_bm, 1, 400);
}

/* One update file that names some ids twice (a feed with corrections): the
 * later version wins, whether the earlier one is committed or still in
 * memory. */
TEST(test_oracle__id_updated_twice_in_one_session)
{
    wopts wo = {0, 0, NULL};
    synthetic_case("id updated twice in one session", 10, 400, &wo, REPEATED, &default_bm, 1, 120);
}

/* ---- the examples of docs/QUERY.md ---- */

static onode *ex_leaf(int kind, int field, const char *text, uint32_t slop)
{
    onode *q = onode_new(kind);
    q->field = field;
    q->text = strdup(text);
    q->slop = slop;
    return q;
}

#define W(t) ex_leaf(K_TERM, QFIELD_DEFAULT, t, 0)
#define FW(f, t) ex_leaf(K_TERM, f, t, 0)
#define PH(t, n) ex_leaf(K_PHRASE, QFIELD_DEFAULT, t, n)
#define FPH(f, t, n) ex_leaf(K_PHRASE, f, t, n)
#define PRE(t) ex_leaf(K_PREFIX, QFIELD_DEFAULT, t, 0)

static int64_t day_start(int64_t y, unsigned m, unsigned d)
{
    return date_days_from_civil(y, m, d) * 86400;
}

/* Documents dated from the start of day y1-m1-d1 to the end of day y2-m2-d2
 * (y1 0: open start; y2 0: open end). */
static onode *ex_date(int64_t y1, unsigned m1, unsigned d1, int64_t y2, unsigned m2, unsigned d2)
{
    onode *q = onode_new(K_DATE);
    q->text = strdup("");
    q->lo = y1 ? day_start(y1, m1, d1) : OPEN_LO;
    q->hi = y2 ? day_start(y2, m2, d2) + 86399 : OPEN_HI;
    return q;
}

static onode *occ(int occur, onode *k)
{
    k->occur = occur;
    return k;
}

#define M(x) occ(Q_MUST, x)
#define S(x) occ(Q_SHOULD, x)
#define N(x) occ(Q_MUST_NOT, x)

/* A group of n kids (each wrapped in M, S or N). */
static onode *grp(size_t n, ...)
{
    onode *g = onode_new(K_BOOL);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        onode_add(g, va_arg(ap, onode *));
    va_end(ap);
    return g;
}

struct example {
    const char *text;
    int any;
    onode *tree;
};

/* Every example of docs/QUERY.md that an index of generated documents can
 * answer, with the tree the page says it means. */
TEST(test_oracle__documented_examples)
{
    rng_state = seed_from_env() + 11;
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], ix[4200], msg[512];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(ix, sizeof ix, "%s/ix", dir);
    oracle o;
    oracle_init(&o, NULL);
    oracle *os[] = {&o};
    const int n_docs = 700;
    char **ids = make_ids("d", 0, n_docs);
    gen_file(a, ids, (size_t)n_docs, os, 1);
    wopts wo = {0, 0, NULL};
    CHECK_INT(session(ix, &wo, a, NULL, 0, NULL, 0, NULL), 0);
    oracle_finish(&o);
    const int T = FIELD_TITLE, B = FIELD_BODY;
    struct example ex[] = {
        {"putin kim", 0, grp(2, M(W("putin")), M(W("kim")))},
        {"putin kim", 1, grp(2, S(W("putin")), S(W("kim")))},
        {"+putin kim", 1, grp(2, M(W("putin")), S(W("kim")))},
        {"putin -korea", 0, grp(2, M(W("putin")), N(W("korea")))},
        {"putin NOT korea", 0, grp(2, M(W("putin")), N(W("korea")))},
        {"putin !korea", 0, grp(2, M(W("putin")), N(W("korea")))},
        {"putin ! korea", 1, grp(2, S(W("putin")), N(W("korea")))},
        {"putin OR kim", 0, grp(2, S(W("putin")), S(W("kim")))},
        {"putin AND kim", 1, grp(2, M(W("putin")), M(W("kim")))},
        {"(putin OR war) AND kim", 1, grp(2, M(grp(2, S(W("putin")), S(W("war")))), M(W("kim")))},
        {"\"korean peninsula\"", 0, PH("korean peninsula", 0)},
        {"\"putin kim\"~5", 0, PH("putin kim", 5)},
        {"summ*", 0, PRE("summ")},
        {"title:summit", 0, FW(T, "summit")},
        {"body:\"trade war\"", 0, FPH(B, "trade war", 0)},
        {"source:reuters", 0, FW(FIELD_SOURCE, "reuters")},
        {"section:opinion", 0, FW(FIELD_SECTION, "opinion")},
        {"title:(putin OR kim)", 0, grp(2, S(FW(T, "putin")), S(FW(T, "kim")))},
        {"putin kim OR peace", 0, grp(2, S(grp(2, M(W("putin")), M(W("kim")))), S(W("peace")))},
        {"putin kim OR peace", 1, grp(3, S(W("putin")), S(W("kim")), S(W("peace")))},
        {"putin OR kim peace", 0, grp(2, S(W("putin")), S(grp(2, M(W("kim")), M(W("peace")))))},
        {"putin OR kim peace", 1, grp(3, S(W("putin")), S(W("kim")), S(W("peace")))},
        {"putin AND kim OR peace", 1, grp(2, S(grp(2, M(W("putin")), M(W("kim")))), S(W("peace")))},
        {"putin OR kim AND peace", 1, grp(2, S(W("putin")), S(grp(2, M(W("kim")), M(W("peace")))))},
        {"NOT putin OR kim", 0, grp(2, S(grp(1, N(W("putin")))), S(W("kim")))},
        {"putin AND NOT kim OR peace", 1, grp(2, S(grp(2, M(W("putin")), N(W("kim")))), S(W("peace")))},
        {"+putin OR kim", 0, grp(2, S(W("putin")), S(W("kim")))},
        {"putin OR kim date:2019", 0,
         grp(2, S(W("putin")), S(grp(2, M(W("kim")), M(ex_date(2019, 1, 1, 2019, 12, 31)))))},
        {"(putin OR kim) date:2019", 1,
         grp(2, M(grp(2, S(W("putin")), S(W("kim")))), M(ex_date(2019, 1, 1, 2019, 12, 31)))},
        {"-putin", 0, grp(1, N(W("putin")))},
        {"putin OR -kim", 0, grp(2, S(W("putin")), S(grp(1, N(W("kim")))))},
        {"NOT (putin kim)", 0, grp(1, N(grp(2, M(W("putin")), M(W("kim")))))},
        {"-(putin OR kim)", 1, grp(1, N(grp(2, S(W("putin")), S(W("kim")))))},
        {"putin & kim", 0, grp(2, M(W("putin")), M(W("kim")))},
        {"putin ... kim", 1, grp(2, S(W("putin")), S(W("kim")))},
        {"putin -- kim", 0, grp(2, M(W("putin")), M(W("kim")))},
        {"\"putin\"", 0, W("putin")},
        {"\"\" putin", 0, W("putin")},
        {"\"war AND peace\"", 0, PH("war and peace", 0)},
        {"\"title: summit\"", 0, PH("title summit", 0)},
        {"jong-un", 0, PH("jong un", 0)},
        {"U.S.", 0, PH("u s", 0)},
        {"knock-knock", 0, PH("knock knock", 0)},
        {"\"knock knock\"", 0, PH("knock knock", 0)},
        {"\"knock knock\"~0", 0, PH("knock knock", 0)},
        {"TITLE:summit", 0, FW(T, "summit")},
        {"title:(putin body:kim)", 0, grp(2, M(FW(T, "putin")), M(FW(B, "kim")))},
        {"-title:putin", 0, grp(1, N(FW(T, "putin")))},
        {"date:2019-04-25", 0, ex_date(2019, 4, 25, 2019, 4, 25)},
        {"date:2019-04", 0, ex_date(2019, 4, 1, 2019, 4, 30)},
        {"date:2019", 0, ex_date(2019, 1, 1, 2019, 12, 31)},
        {"date:2019-01-01..2019-06-30", 0, ex_date(2019, 1, 1, 2019, 6, 30)},
        {"date:2019..", 0, ex_date(2019, 1, 1, 0, 0, 0)},
        {"date:..2019-06", 0, ex_date(0, 0, 0, 2019, 6, 30)},
        {"date:>=2019", 0, ex_date(2019, 1, 1, 0, 0, 0)},
        {"date:>2019-03", 0, ex_date(2019, 4, 1, 0, 0, 0)},
        {"date:<=2019-06", 0, ex_date(0, 0, 0, 2019, 6, 30)},
        {"date:<2019-03", 0, ex_date(0, 0, 0, 2019, 2, 28)},
        {"date:2019..2020", 0, ex_date(2019, 1, 1, 2020, 12, 31)},
        {"date:2020-02", 0, ex_date(2020, 2, 1, 2020, 2, 29)},
        {"date:2019/4/5", 0, ex_date(2019, 4, 5, 2019, 4, 5)},
        {"date:\"2019-04\"", 0, ex_date(2019, 4, 1, 2019, 4, 30)},
        {"date:2019 OR date:2021", 0,
         grp(2, S(ex_date(2019, 1, 1, 2019, 12, 31)), S(ex_date(2021, 1, 1, 2021, 12, 31)))},
        {"putin kim date:2019", 1,
         grp(2, M(ex_date(2019, 1, 1, 2019, 12, 31)), M(grp(2, S(W("putin")), S(W("kim")))))},
        {"Putin \"Korean Peninsula\" -date:2019", 0,
         grp(3, M(W("putin")), M(PH("korean peninsula", 0)), N(ex_date(2019, 1, 1, 2019, 12, 31)))},
        {"korea (putin OR kim)", 0, grp(2, M(W("korea")), M(grp(2, S(W("putin")), S(W("kim")))))},
        {"korea (putin kim)", 0, grp(2, M(W("korea")), M(grp(2, M(W("putin")), M(W("kim")))))},
        {"title:(putin OR kim) jong-un", 0,
         grp(2, M(grp(2, S(FW(T, "putin")), S(FW(T, "kim")))), M(PH("jong un", 0)))},
        {"putin and kim", 0, grp(3, M(W("putin")), M(W("and")), M(W("kim")))},
        {"putin or not kim", 0, grp(4, M(W("putin")), M(W("or")), M(W("not")), M(W("kim")))},
        {"And putin", 1, grp(2, S(W("and")), S(W("putin")))},
        {"putin && kim", 1, grp(2, M(W("putin")), M(W("kim")))},
        {"putin || kim", 0, grp(2, S(W("putin")), S(W("kim")))},
        {"Erdo\xc4\x9f" "an ERDOGAN", 0, grp(2, M(W("erdogan")), M(W("erdogan")))},
        {"CAF\xc3\x89 cafe's", 0, grp(2, M(W("cafe")), M(W("cafe")))},
    };
    size_t n_ex = sizeof ex / sizeof *ex;
    searcher *s = NULL;
    if (searcher_open(&s, ix, msg, sizeof msg) != 0) {
        T_FAIL("searcher_open: %s", msg);
    } else {
        runner r;
        runner_init(&r, "documented examples", s, &o, &default_bm);
        for (size_t i = 0; i < n_ex; i++)
            run_query(&r, ex[i].tree, ex[i].any, ex[i].text);
        runner_report(&r);
        runner_free(&r);
        searcher_close(s);
    }
    for (size_t i = 0; i < n_ex; i++)
        onode_free(ex[i].tree);
    oracle_free(&o);
    free_ids(ids, (size_t)n_docs);
    rmrf(dir);
    free(dir);
}

#undef W
#undef FW
#undef PH
#undef FPH
#undef PRE
#undef M
#undef S
#undef N

TEST(test_oracle__bm25_parameters)
{
    static const bmp bms[] = {{0.9, 0.4, 3.0, 1}, {2.0, 1.0, 1.0, 0}, {1.2, 0.0, 2.0, 1},
                              {0.5, 0.9, 0.5, 0}, {1.2, 0.75, 0.0, 1}};
    wopts wo = {0, 0, NULL};
    synthetic_case("bm25 parameters", 5, 600, &wo, PLAIN, bms, sizeof bms / sizeof *bms, 320);
}

TEST(test_oracle__stemmed)
{
    wopts wo = {0, 0, "english"};
    synthetic_case("stemmed", 6, 600, &wo, CHANGED, &default_bm, 1, 300);
}

/* A searcher opened on an index keeps answering for its generation while a
 * writer in the same process adds, updates, deletes and optimizes; searchers
 * opened later see the new generation. */
TEST(test_oracle__open_searcher_keeps_generation)
{
    rng_state = seed_from_env() + 7;
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], b[4200], ix[4200], msg[512];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(b, sizeof b, "%s/b.jsonl", dir);
    snprintf(ix, sizeof ix, "%s/ix", dir);
    oracle v1, v2;
    oracle_init(&v1, NULL);
    oracle_init(&v2, NULL);
    oracle *both[] = {&v1, &v2}, *newer[] = {&v2};
    const int n_docs = 500;
    char **ids = make_ids("d", 0, n_docs);
    gen_file(a, ids, (size_t)n_docs, both, 2);
    wopts wo = {768 << 10, 2, NULL};
    CHECK_INT(session(ix, &wo, a, NULL, 0, NULL, 0, NULL), 0);
    oracle_finish(&v1);
    size_t nu, nd;
    char **uids = pick_ids(n_docs, 60, "n", 250, 0, &nu);
    char **del = pick_ids(n_docs, 40, "n", 10, 0, &nd);
    gen_file(b, uids, nu, newer, 1);

    searcher *old = NULL, *mid = NULL, *now = NULL;
    REQUIRE(searcher_open(&old, ix, msg, sizeof msg) == 0);
    qgen g1, g2;
    memset(&g1, 0, sizeof g1);
    g1.o = &v1;
    g1.synthetic = 1;
    g2 = g1;
    g2.o = &v2;
    runner r_old, r_mid, r_now;
    runner_init(&r_old, "searcher kept open", old, &v1, &default_bm);
    run_queries(&r_old, &g1, 72);

    ixwriter_opts xo = {.memory = 768 << 10, .keep_duplicates = 1, .merge_factor = 2};
    ixwriter *w = NULL;
    REQUIRE(ixwriter_open(&w, ix, &xo, msg, sizeof msg) == 0);
    CHECK_INT(ingest_into(w, b), 0);
    run_queries(&r_old, &g1, 48); /* added, not committed */
    for (size_t i = 0; i < nd; i++) {
        int rd = ixwriter_delete(w, del[i], strlen(del[i]), msg, sizeof msg);
        CHECK_INT(rd, oracle_delete(&v2, del[i]));
    }
    CHECK_INT(ixwriter_commit(w, msg, sizeof msg), 0);
    oracle_finish(&v2);
    run_queries(&r_old, &g1, 48); /* committed */
    REQUIRE(searcher_open(&mid, ix, msg, sizeof msg) == 0);
    runner_init(&r_mid, "searcher opened after the commit", mid, &v2, &default_bm);
    run_queries(&r_mid, &g2, 72);
    CHECK_INT(ixwriter_optimize(w, msg, sizeof msg), 0);
    ixwriter_close(w);
    run_queries(&r_old, &g1, 72); /* optimized: the files it reads are gone */
    run_queries(&r_mid, &g2, 48);
    CHECK_INT(count_segments(ix), 1);
    REQUIRE(searcher_open(&now, ix, msg, sizeof msg) == 0);
    runner_init(&r_now, "searcher opened after optimize", now, &v2, &default_bm);
    run_queries(&r_now, &g2, 96);
    CHECK_INT(searcher_live_docs(old), v1.n_doc);
    CHECK_INT(searcher_live_docs(now), v2.n_doc);
    runner_report(&r_old);
    runner_report(&r_mid);
    runner_report(&r_now);
    runner_free(&r_old);
    runner_free(&r_mid);
    runner_free(&r_now);
    searcher_close(old);
    searcher_close(mid);
    searcher_close(now);
    if (t_failed)
        fprintf(stderr, "seed %llu (LEDE_SEED)\n", (unsigned long long)seed_from_env());
    oracle_free(&v1);
    oracle_free(&v2);
    free_ids(ids, (size_t)n_docs);
    free_ids(uids, nu);
    free_ids(del, nd);
    rmrf(dir);
    free(dir);
}

/* A shared corpus: the oracle reads the file through the input module; the
 * index is built from the same file. Exits 77 (skipped) when it is absent. */
static void corpus_case(const char *name, uint64_t seed_offset, int n_queries, size_t memory)
{
    char path[4200], msg[512];
    snprintf(path, sizeof path, "%s/corpora/%s/%s.jsonl.gz", LEDE_SHARED_DIR, name, name);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "%s is absent: skipped\n", path);
        exit(77);
    }
    rng_state = seed_from_env() + seed_offset;
    char *dir = tmpdir();
    REQUIRE(dir);
    char ix[4200];
    snprintf(ix, sizeof ix, "%s/ix", dir);
    oracle o;
    oracle_init(&o, NULL);
    const char *paths[] = {path};
    input_opts io;
    memset(&io, 0, sizeof io);
    input *in = NULL;
    REQUIRE(input_open(&in, paths, 1, &io) == 0);
    record rec;
    record_init(&rec);
    doc d;
    doc_init(&d);
    int rc;
    while ((rc = input_next(in, &rec, &d)) == 1)
        oracle_add_doc(&o, &d);
    CHECK_INT(rc, 0);
    doc_free(&d);
    record_free(&rec);
    input_close(in);
    oracle_finish(&o);
    wopts wo = {memory, 0, NULL};
    CHECK_INT(session(ix, &wo, path, NULL, 0, NULL, 0, NULL), 0);
    fprintf(stderr, "[%s] %zu live documents, %u terms, %zu segments\n", name, o.n_doc, o.terms.n,
            count_segments(ix));
    searcher *s = NULL;
    if (searcher_open(&s, ix, msg, sizeof msg) != 0) {
        T_FAIL("searcher_open: %s", msg);
    } else {
        qgen g;
        qgen_corpus(&g, &o);
        runner r;
        runner_init(&r, name, s, &o, &default_bm);
        run_queries(&r, &g, n_queries);
        runner_report(&r);
        runner_free(&r);
        qgen_free(&g);
        searcher_close(s);
    }
    if (t_failed)
        fprintf(stderr, "[%s] seed %llu (LEDE_SEED)\n", name, (unsigned long long)seed_from_env());
    oracle_free(&o);
    rmrf(dir);
    free(dir);
}

TEST(test_oracle__webis_editorials)
{
    corpus_case("webis-editorials", 8, 600, 0);
}

TEST(test_oracle__bbc_news)
{
    corpus_case("bbc-news", 9, 500, 2 << 20);
}

TEST_MAIN()
