/* search.c - query planning and evaluation (see search.h).
 *
 * A query runs in two passes. The statistics pass walks the tree and, for
 * every (field, term) it scores, sums the live document frequency over all
 * segments, so that every segment scores with the same IDF. Then, segment
 * by segment, the tree becomes iterators (iter.h), and the matches go
 * through a bounded heap that keeps the best offset + limit hits. */
#include "search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "date.h"
#include "err.h"
#include "field.h"
#include "iter.h"
#include "ixread.h"

struct searcher {
    ixread *r;
    analyzer *a;
    double avglen[2];
    arena mem; /* one query's parse tree, iterators and statistics; reset after each */
};

void search_params_default(search_params *p)
{
    memset(p, 0, sizeof *p);
    p->k1 = SEARCH_DEFAULT_K1;
    p->b = SEARCH_DEFAULT_B;
    p->title_weight = SEARCH_DEFAULT_TITLE_WEIGHT;
    p->combined_fields = SEARCH_DEFAULT_COMBINED_FIELDS;
    p->limit = SEARCH_DEFAULT_LIMIT;
}

int searcher_open(searcher **out, const char *dir, char *msg, size_t cap)
{
    *out = NULL;
    if (cap)
        msg[0] = '\0'; /* "" when a failure has nothing more to say than its code */
    searcher *s = calloc(1, sizeof *s);
    if (!s)
        return LEDE_ENOMEM;
    int rc = ixread_open(&s->r, dir, msg, cap);
    if (rc == 0) {
        analyzer_opts ao = {s->r->man.stem_language};
        rc = analyzer_new(&s->a, &ao);
        if (rc == LEDE_ENOMEM)
            snprintf(msg, cap, "%s: out of memory", dir);
        else if (rc)
            snprintf(msg, cap, "%s: the index uses stemming '%s', which this build lacks", dir,
                     s->r->man.stem_language);
    }
    if (rc) {
        searcher_close(s);
        return rc;
    }
    for (int f = 0; f < 2; f++)
        s->avglen[f] = s->r->n_live ? (double)s->r->live_len[f] / (double)s->r->n_live : 0;
    *out = s;
    return 0;
}

void searcher_close(searcher *s)
{
    if (!s)
        return;
    analyzer_free(s->a);
    ixread_close(s->r);
    arena_free(&s->mem);
    free(s);
}

analyzer *searcher_analyzer(searcher *s) { return s->a; }

void searcher_corrupt_message(const searcher *s, char *msg, size_t cap)
{
    for (size_t i = 0; i < s->r->n_segs; i++) {
        const char *what = segread_problem(s->r->segs[i].seg);
        if (what) {
            snprintf(msg, cap, "index corrupt: %s: %s (run lede-index check %s)",
                     segread_path(s->r->segs[i].seg), what, s->r->dir);
            return;
        }
    }
    snprintf(msg, cap, "index corrupt: %s: a segment failed to decode (run lede-index check %s)",
             s->r->dir, s->r->dir);
}
uint64_t searcher_live_docs(const searcher *s) { return s->r->n_live; }

/* --- statistics --------------------------------------------------------------------------- */

struct stat_entry {
    uint8_t field;
    const char *term;
    uint64_t df;
    term_info *ti;    /* per segment: the dictionary entry, kept for building */
    uint8_t *found;   /* per segment: 1 when the key is in it, 2 unknown (error) */
};

/* One query's evaluation. Its statistics and iterators live in mem (the
 * searcher's arena), reset when the query ends. */
struct ctx {
    searcher *s;
    const search_params *p;
    arena *mem;
    struct stat_entry *st;
    size_t n_st, cap_st;
    const ixseg *g;   /* the segment being built for */
    size_t seg_i;     /* its index */
    int err;          /* a statistic could not be computed: corrupt, no memory */
    size_t last_st;   /* 1 + the entry stat_find found last (0: none): a
                         term's statistics are asked for twice in a row */
};

/* Adds to *df the live documents of segment g among the postings of ti. */
static int seg_live_df(const ixseg *g, const term_info *ti, uint64_t *df)
{
    if (g->del.n_deleted == 0) {
        *df += ti->df;
        return 0;
    }
    postings *p = NULL;
    int rc = postings_open(&p, g->seg, ti, 0);
    if (rc)
        return rc;
    for (uint32_t d = postings_next(p); d != POSTINGS_END; d = postings_next(p))
        *df += !deletions_has(&g->del, d);
    rc = postings_error(p);
    postings_close(p);
    return rc;
}

static struct stat_entry *stat_find(struct ctx *c, uint8_t field, const char *term)
{
    if (c->last_st && c->st[c->last_st - 1].field == field && c->st[c->last_st - 1].term == term)
        return &c->st[c->last_st - 1];
    for (size_t i = 0; i < c->n_st; i++)
        if (c->st[i].field == field && (c->st[i].term == term || strcmp(c->st[i].term, term) == 0)) {
            c->last_st = i + 1;
            return &c->st[i];
        }
    return NULL;
}

/* The statistics of (field, term), looked up once per query: its
 * index-wide live df, and its dictionary entry in every segment (which the
 * iterators reuse instead of searching the dictionary again). Title and body
 * are looked up together: a word's keys are neighbours in the dictionary,
 * and queries without a field ask for both. NULL only when out of memory.
 * title_block (NULL: none): title_block[i * stride] is segment i's
 * dictionary block for the term's title key, from dict_prefetch. */
static const struct stat_entry *stat_load(struct ctx *c, uint8_t field, const char *term,
                                           const uint64_t *title_block, size_t stride)
{
    struct stat_entry *known = stat_find(c, field, term);
    if (known)
        return known;
    uint8_t fields[2] = {field, field};
    size_t n_f = 1;
    if (field == FIELD_TITLE || field == FIELD_BODY) {
        fields[0] = FIELD_TITLE;
        fields[1] = FIELD_BODY;
        n_f = 2;
    }
    if (c->n_st + n_f > c->cap_st) {
        size_t cap = c->cap_st ? c->cap_st * 2 : 16;
        struct stat_entry *p = arena_grow(c->mem, c->st, c->n_st * sizeof *p, cap * sizeof *p);
        if (!p)
            return NULL;
        c->st = p;
        c->cap_st = cap;
    }
    size_t n_segs = c->s->r->n_segs;
    struct stat_entry *e = &c->st[c->n_st];
    /* the entries' ti and found arrays in one allocation */
    term_info *ti_all = arena_calloc(c->mem, n_f * (n_segs + 1), sizeof *ti_all + 1);
    if (!ti_all)
        return NULL;
    for (size_t f = 0; f < n_f; f++) {
        e[f] = (struct stat_entry){fields[f], term, 0, ti_all + f * (n_segs + 1), NULL};
        e[f].found = (uint8_t *)(ti_all + n_f * (n_segs + 1)) + f * (n_segs + 1);
    }
    size_t term_len = strlen(term);
    for (size_t i = 0; i < n_segs; i++) {
        const ixseg *g = &c->s->r->segs[i];
        term_info ti[2];
        int hit[2];
        int rc = dict_lookup_fields(g->seg, term, term_len, fields, n_f,
                                    title_block ? title_block[i * stride] : DICT_ANY_BLOCK, ti, hit);
        for (size_t f = 0; f < n_f; f++) {
            int r = rc;
            if (r == 0 && hit[f]) {
                e[f].ti[i] = ti[f];
                e[f].found[i] = 1;
                r = seg_live_df(g, &ti[f], &e[f].df);
            }
            if (r < 0) {
                c->err = c->err ? c->err : r;
                e[f].found[i] = 2;
            }
        }
    }
    size_t at = c->n_st + (n_f == 2 && field == FIELD_BODY ? 1 : 0);
    c->n_st += n_f;
    c->last_st = at + 1;
    return &c->st[at];
}

static const struct stat_entry *stat_get(struct ctx *c, uint8_t field, const char *term)
{
    return stat_load(c, field, term, NULL, 0);
}

static uint64_t stat_df(struct ctx *c, uint8_t field, const char *term)
{
    const struct stat_entry *e = stat_get(c, field, term);
    return e ? e->df : 0;
}

/* The dictionary entry of (field, term) in the segment being built:
 * 1 found, 0 absent, negative on error. */
static int stat_lookup(struct ctx *c, uint8_t field, const char *term, term_info *ti)
{
    const struct stat_entry *e = stat_get(c, field, term);
    if (!e)
        return LEDE_ENOMEM;
    if (e->found[c->seg_i] == 2)
        return c->err;
    if (e->found[c->seg_i])
        *ti = e->ti[c->seg_i];
    return e->found[c->seg_i];
}

/* Lucene's BM25 IDF: ln(1 + (N - df + 0.5) / (df + 0.5)). */
static double idf(uint64_t n, uint64_t df)
{
    return log(1.0 + ((double)n - (double)df + 0.5) / ((double)df + 0.5));
}

static double field_weight(const struct ctx *c, int f)
{
    return f == FIELD_TITLE ? c->p->title_weight : f == FIELD_BODY ? 1.0 : 0.0;
}

static bm25 make_bm25(const struct ctx *c, int f, double idf_sum)
{
    bm25 m;
    m.weight = field_weight(c, f) * idf_sum * (c->p->k1 + 1.0);
    m.k1 = c->p->k1;
    m.b = c->p->b;
    m.field = f <= 1 ? f : 1;
    m.avglen = c->s->avglen[m.field] > 0 ? c->s->avglen[m.field] : 1.0;
    return m;
}

/* --- building iterators ----------------------------------------------------------------------- */

static int fields_of(const qnode *q, int *fields)
{
    if (q->field == QFIELD_DEFAULT) {
        fields[0] = FIELD_TITLE;
        fields[1] = FIELD_BODY;
        return 2;
    }
    fields[0] = q->field;
    return 1;
}

/* Combines per-field alternatives: none -> empty, one -> itself, more -> or. */
static int combine_or(struct ctx *c, iter **out, iter **alts, size_t n)
{
    if (n == 0)
        return iter_empty(out, c->mem);
    if (n == 1) {
        *out = alts[0];
        return 0;
    }
    return iter_or(out, c->mem, alts, n);
}

/* A term without a field: BM25F over title and body (docs/RANKING.md). The
 * combined df is the larger of the two fields' (as Lucene's
 * CombinedFieldQuery approximates it). */
static int build_term_combined(struct ctx *c, const qnode *q, iter **out)
{
    iter *it[2] = {NULL, NULL};
    uint64_t df = 0;
    int rc = 0;
    for (int f = 0; f < 2 && rc == 0; f++) {
        term_info ti;
        int found = stat_lookup(c, (uint8_t)f, q->terms[0], &ti);
        uint64_t d = stat_df(c, (uint8_t)f, q->terms[0]);
        df = d > df ? d : df;
        if (found < 0)
            rc = found;
        else if (found)
            rc = iter_term(&it[f], c->mem, c->g->seg, &ti, NULL, 0);
    }
    if (rc || (!it[0] && !it[1])) {
        iter_free(it[0]);
        iter_free(it[1]);
        return rc ? rc : iter_empty(out, c->mem);
    }
    double w = c->p->title_weight;
    bm25f m = {idf(c->s->r->n_live, df), c->p->k1, c->p->b, w,
               w * c->s->avglen[0] + c->s->avglen[1]};
    if (m.avglen <= 0)
        m.avglen = 1.0;
    return iter_bm25f(out, c->mem, it[0], it[1], c->g->seg, &m);
}

static int build_term(struct ctx *c, const qnode *q, iter **out)
{
    if (q->field == QFIELD_DEFAULT && c->p->combined_fields)
        return build_term_combined(c, q, out);
    int fields[2];
    int nf = fields_of(q, fields);
    iter *alts[2];
    size_t n = 0;
    int rc = 0;
    for (int i = 0; i < nf && rc == 0; i++) {
        term_info ti;
        int found = stat_lookup(c, (uint8_t)fields[i], q->terms[0], &ti);
        if (found < 0) {
            rc = found;
            break;
        }
        if (!found)
            continue;
        double w = field_weight(c, fields[i]);
        bm25 m = make_bm25(c, fields[i], idf(c->s->r->n_live, stat_df(c, (uint8_t)fields[i], q->terms[0])));
        rc = iter_term(&alts[n], c->mem, c->g->seg, &ti, w > 0 ? &m : NULL, 0);
        if (rc == 0)
            n++;
    }
    if (rc) {
        for (size_t i = 0; i < n; i++)
            iter_free(alts[i]);
        return rc;
    }
    return combine_or(c, out, alts, n);
}

static int build_phrase(struct ctx *c, const qnode *q, iter **out)
{
    int fields[2];
    int nf = fields_of(q, fields);
    iter *alts[2];
    size_t n = 0;
    int rc = 0;
    uint32_t first_of[ITER_PHRASE_MAX];
    if (q->n_terms > ITER_PHRASE_MAX)
        return LEDE_ELIMIT;
    for (size_t i = 0; i < q->n_terms; i++) {
        first_of[i] = (uint32_t)i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(q->terms[j], q->terms[i]) == 0) {
                first_of[i] = (uint32_t)j;
                break;
            }
    }
    iter **ts = arena_calloc(c->mem, q->n_terms, sizeof *ts);
    if (!ts)
        return LEDE_ENOMEM;
    for (int fi = 0; fi < nf && rc == 0; fi++) {
        int f = fields[fi];
        size_t k = 0;
        double idf_sum = 0;
        for (; k < q->n_terms; k++) {
            term_info ti;
            int found = stat_lookup(c, (uint8_t)f, q->terms[k], &ti);
            if (found < 0)
                rc = found;
            if (found <= 0)
                break;
            idf_sum += idf(c->s->r->n_live, stat_df(c, (uint8_t)f, q->terms[k]));
            rc = iter_term(&ts[k], c->mem, c->g->seg, &ti, NULL, 1);
            if (rc)
                break;
        }
        if (rc || k < q->n_terms) { /* a word is missing here: no match in f */
            for (size_t j = 0; j < k; j++)
                iter_free(ts[j]);
            continue;
        }
        bm25 m = make_bm25(c, f, idf_sum);
        rc = iter_phrase(&alts[n], c->mem, ts, q->rel_pos, q->n_terms, q->slop,
                         field_weight(c, f) > 0 ? &m : NULL);
        if (rc == 0)
            iter_phrase_set_segment(alts[n++], c->g->seg, first_of);
    }
    if (rc) {
        for (size_t i = 0; i < n; i++)
            iter_free(alts[i]);
        return rc;
    }
    return combine_or(c, out, alts, n);
}

/* Sets the bits of the documents in ti's postings. 0 or an error. */
static int postings_into_bits(const struct ctx *c, const term_info *ti, uint64_t *bits, int *any)
{
    postings *p = NULL;
    int rc = postings_open(&p, c->g->seg, ti, 0);
    uint32_t d = rc ? POSTINGS_END : postings_next(p);
    *any |= d != POSTINGS_END;
    for (; d != POSTINGS_END; d = postings_next(p))
        bits[d >> 6] |= 1ull << (d & 63);
    if (rc == 0)
        rc = postings_error(p);
    postings_close(p);
    return rc;
}

/* Prefix: every term starting with the prefix, in the query's fields, and
 * the stems of the words it begins (q->stems), as one bitmap; constant score 1
 * (docs/QUERY.md). Keys start with their term, so the terms of every field
 * are one range of the dictionary. */
static int build_prefix(struct ctx *c, const qnode *q, iter **out)
{
    int fields[2];
    int nf = fields_of(q, fields);
    uint32_t want = 0; /* the fields, as bits */
    for (int fi = 0; fi < nf; fi++)
        want |= 1u << fields[fi];
    const uint8_t *pre = (const uint8_t *)q->terms[0];
    size_t pl = strlen(q->terms[0]);
    uint32_t n_docs = segread_meta(c->g->seg)->n_docs;
    if (pl == 0 || pl + 1 > FORMAT_MAX_KEY)
        return iter_empty(out, c->mem);
    uint64_t *bits = arena_calloc(c->mem, (size_t)n_docs / 64 + 1, sizeof *bits);
    if (!bits)
        return LEDE_ENOMEM;
    int rc = 0, any = 0;
    dict_iter it;
    rc = dict_seek(c->g->seg, &it, pre, pl);
    while (rc == 0) {
        int r = dict_next(&it);
        if (r < 0)
            rc = r;
        if (r <= 0 || it.key_len < pl + 1 || memcmp(it.key, pre, pl) != 0)
            break;
        if (it.info.field < 32 && (want >> it.info.field & 1))
            rc = postings_into_bits(c, &it.info, bits, &any);
    }
    uint8_t f8[2] = {(uint8_t)fields[0], (uint8_t)fields[nf - 1]};
    for (size_t i = 0; i < q->n_stems && rc == 0; i++) {
        term_info ti[2];
        int found[2];
        rc = dict_lookup_fields(c->g->seg, q->stems[i], strlen(q->stems[i]), f8, (size_t)nf,
                                DICT_ANY_BLOCK, ti, found);
        for (int fi = 0; fi < nf && rc == 0; fi++)
            if (found[fi])
                rc = postings_into_bits(c, &ti[fi], bits, &any);
    }
    if (rc || !any)
        return rc ? rc : iter_empty(out, c->mem);
    return iter_bitmap(out, c->mem, bits, n_docs, 1.0);
}

static int build(struct ctx *c, const qnode *q, iter **out, int depth);

static int build_bool(struct ctx *c, const qnode *q, iter **out, int depth)
{
    size_t n = q->n_kids;
    iter **must = arena_calloc(c->mem, n + 1, sizeof *must),
         **should = arena_calloc(c->mem, n + 1, sizeof *should),
         **nots = arena_calloc(c->mem, n + 1, sizeof *nots);
    size_t nm = 0, ns = 0, nn = 0;
    int rc = must && should && nots ? 0 : LEDE_ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        iter *k = NULL;
        rc = build(c, q->kids[i], &k, depth + 1);
        if (rc)
            break;
        switch (q->kids[i]->occur) {
        case Q_MUST:
            must[nm++] = k;
            if (k->empty) { /* a required clause that matches nothing: so does the group */
                for (size_t j = 0; j < nm; j++)
                    iter_free(must[j]);
                for (size_t j = 0; j < ns; j++)
                    iter_free(should[j]);
                for (size_t j = 0; j < nn; j++)
                    iter_free(nots[j]);
                return iter_empty(out, c->mem);
            }
            break;
        case Q_SHOULD: should[ns++] = k; break;
        case Q_MUST_NOT: nots[nn++] = k; break;
        }
    }
    iter *base = NULL;
    if (rc == 0) {
        if (nm) {
            rc = nm == 1 ? (base = must[0], 0) : iter_and(&base, c->mem, must, nm);
            nm = 0;
            if (rc == 0 && ns) {
                iter *opt;
                rc = ns == 1 ? (opt = should[0], 0) : iter_or(&opt, c->mem, should, ns);
                ns = 0;
                rc = rc ? rc : iter_req_opt(&base, c->mem, base, opt);
            }
        } else if (ns) {
            rc = ns == 1 ? (base = should[0], 0) : iter_or(&base, c->mem, should, ns);
            ns = 0;
        } else {
            rc = iter_all(&base, c->mem, segread_meta(c->g->seg)->n_docs);
        }
        if (rc == 0 && nn) {
            iter *neg;
            rc = nn == 1 ? (neg = nots[0], 0) : iter_or(&neg, c->mem, nots, nn);
            nn = 0;
            rc = rc ? rc : iter_not(&base, c->mem, base, neg);
        }
    }
    for (size_t i = 0; i < nm; i++)
        iter_free(must[i]);
    for (size_t i = 0; i < ns; i++)
        iter_free(should[i]);
    for (size_t i = 0; i < nn; i++)
        iter_free(nots[i]);
    if (rc)
        return rc;
    *out = base;
    return 0;
}

static int build(struct ctx *c, const qnode *q, iter **out, int depth)
{
    *out = NULL;
    if (depth > QUERY_MAX_DEPTH + 8)
        return LEDE_ELIMIT;
    switch (q->kind) {
    case Q_TERM: return build_term(c, q, out);
    case Q_PHRASE: return build_phrase(c, q, out);
    case Q_PREFIX: return build_prefix(c, q, out);
    case Q_DATE: return iter_date(out, c->mem, c->g->seg, q->date_lo, q->date_hi);
    case Q_ALL: return iter_all(out, c->mem, segread_meta(c->g->seg)->n_docs);
    case Q_BOOL: return build_bool(c, q, out, depth);
    }
    return LEDE_EINVAL;
}

/* --- the top k -------------------------------------------------------------------------------- */

struct heap {
    search_hit *h;
    size_t n, cap;
    int by_date;
    int64_t *dates; /* parallel to h when by_date */
};

/* Is a worse than b? (lower score, or equal score and higher doc id) */
static int worse(const struct heap *hp, size_t a, size_t b)
{
    if (hp->by_date) {
        if (hp->dates[a] != hp->dates[b])
            return hp->dates[a] < hp->dates[b];
    } else if (hp->h[a].score != hp->h[b].score) {
        return hp->h[a].score < hp->h[b].score;
    }
    return hp->h[a].doc > hp->h[b].doc;
}

static void swap_at(struct heap *hp, size_t a, size_t b)
{
    search_hit t = hp->h[a];
    hp->h[a] = hp->h[b];
    hp->h[b] = t;
    if (hp->by_date) {
        int64_t d = hp->dates[a];
        hp->dates[a] = hp->dates[b];
        hp->dates[b] = d;
    }
}

static void sift_down(struct heap *hp, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < hp->n && worse(hp, l, m))
            m = l;
        if (r < hp->n && worse(hp, r, m))
            m = r;
        if (m == i)
            return;
        swap_at(hp, i, m);
        i = m;
    }
}

/* Offers a hit; the root is the worst kept. */
static void heap_offer(struct heap *hp, uint32_t doc, double score, int64_t date)
{
    if (hp->cap == 0)
        return;
    if (hp->n < hp->cap) {
        size_t i = hp->n++;
        hp->h[i] = (search_hit){doc, score};
        if (hp->by_date)
            hp->dates[i] = date;
        while (i > 0 && worse(hp, i, (i - 1) / 2)) {
            swap_at(hp, i, (i - 1) / 2);
            i = (i - 1) / 2;
        }
        return;
    }
    /* replace the root if the newcomer is better */
    size_t tmp = hp->n; /* use slot n as scratch */
    hp->h[tmp] = (search_hit){doc, score};
    if (hp->by_date)
        hp->dates[tmp] = date;
    if (worse(hp, 0, tmp)) {
        swap_at(hp, 0, tmp);
        sift_down(hp, 0);
    }
}

/* --- running ---------------------------------------------------------------------------------- */

/* Parses q as p asks, into the searcher's arena (reset when the query ends). */
static int parse_query(searcher *s, const search_params *p, const char *q, size_t len,
                       qnode **root, query_error *qerr)
{
    query_opts qo = {.any_default = p->any_default, .free_text = p->free_text,
                     .stopwords = p->free_text ? stopwords_by_name(p->stopwords ? p->stopwords
                                                                   : SEARCH_DEFAULT_STOPWORDS)
                                               : STOPWORDS_NONE};
    return query_parse_in(&s->mem, root, q, len, s->a, &qo, qerr);
}

/* Visits the query's distinct positive terms (not under a NOT or a '-'):
 * stores up to cap of them in out[] and returns how many there are. */
static size_t positive_terms(const qnode *q, int negated, const char **out, size_t n, size_t cap)
{
    int neg = negated || q->occur == Q_MUST_NOT;
    if (!neg && (q->kind == Q_TERM || q->kind == Q_PHRASE))
        for (size_t i = 0; i < q->n_terms; i++) {
            size_t j = 0;
            while (j < n && j < cap && strcmp(out[j], q->terms[i]) != 0)
                j++;
            if (j < n && j < cap)
                continue; /* seen */
            if (n < cap)
                out[n] = q->terms[i];
            n++;
        }
    for (size_t i = 0; i < q->n_kids; i++)
        n = positive_terms(q->kids[i], neg, out, n, cap);
    return n;
}

/* The terms a snippet marks, in snippet_make's forms (snippet.h): those of
 * the positive clauses that search the body (a title: or source: clause
 * matches no word of the body); an exact phrase as one entry; a prefix as
 * its bytes and a '*', with its stems. The strings live in mem. */
struct marks {
    arena *mem;
    const char **s;
    size_t n, cap;
    int err;
    const char *small[16]; /* s until it outgrows them */
};

static void mark_add(struct marks *m, const char *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->s[i], s) == 0)
            return;
    if (m->n == m->cap) {
        size_t cap = m->cap * 2;
        const char **ns = arena_alloc(m->mem, cap * sizeof *ns);
        if (!ns) {
            m->err = LEDE_ENOMEM;
            return;
        }
        memcpy(ns, m->s, m->n * sizeof *ns);
        m->s = ns;
        m->cap = cap;
    }
    m->s[m->n++] = s;
}

/* A string of `bytes` bytes and its NUL in m->mem; NULL (m->err set) when
 * out of memory. */
static char *mark_alloc(struct marks *m, size_t bytes)
{
    char *s = arena_alloc(m->mem, bytes + 1);
    if (!s)
        m->err = LEDE_ENOMEM;
    return s;
}

/* A prefix: its bytes and a '*'. */
static const char *prefix_mark(struct marks *m, const char *pre)
{
    size_t l = strlen(pre);
    char *s = mark_alloc(m, l + 1);
    if (s) {
        memcpy(s, pre, l);
        s[l] = '*';
        s[l + 1] = '\0';
    }
    return s;
}

/* An exact phrase: '"', its words separated by spaces ('?' where a position
 * is left empty), '"'. */
static const char *phrase_mark(struct marks *m, const qnode *q)
{
    size_t bytes = 2;
    for (size_t i = 0; i < q->n_terms; i++)
        bytes += strlen(q->terms[i]) + 1 + 2 * (i ? q->rel_pos[i] - q->rel_pos[i - 1] - 1 : 0);
    char *s = mark_alloc(m, bytes);
    if (!s)
        return NULL;
    size_t at = 0;
    s[at++] = '"';
    for (size_t i = 0; i < q->n_terms; i++) {
        for (uint32_t g = i ? q->rel_pos[i - 1] + 1 : q->rel_pos[0]; g < q->rel_pos[i]; g++) {
            s[at++] = '?';
            s[at++] = ' ';
        }
        size_t l = strlen(q->terms[i]);
        memcpy(s + at, q->terms[i], l);
        at += l;
        s[at++] = i + 1 < q->n_terms ? ' ' : '"';
    }
    s[at] = '\0';
    return s;
}

static void mark_terms(const qnode *q, int negated, struct marks *m)
{
    int neg = negated || q->occur == Q_MUST_NOT;
    if (!neg && (q->field == QFIELD_DEFAULT || q->field == FIELD_BODY)) {
        if (q->kind == Q_PHRASE && q->slop == 0) {
            mark_add(m, phrase_mark(m, q));
        } else if (q->kind == Q_TERM || q->kind == Q_PHRASE) {
            for (size_t i = 0; i < q->n_terms; i++)
                mark_add(m, q->terms[i]);
        } else if (q->kind == Q_PREFIX) {
            mark_add(m, prefix_mark(m, q->terms[0]));
            for (size_t i = 0; i < q->n_stems; i++)
                mark_add(m, q->stems[i]);
        }
    }
    for (size_t i = 0; i < q->n_kids; i++)
        mark_terms(q->kids[i], neg, m);
}

/* The terms to mark in snippets (struct marks), in one allocation (pointers,
 * lengths, strings) that outlives the query. 0 or LEDE_ENOMEM. */
static int collect_terms(arena *mem, const qnode *q, search_result *r)
{
    struct marks m;
    m.mem = mem;
    m.s = m.small;
    m.n = 0;
    m.cap = sizeof m.small / sizeof *m.small;
    m.err = 0;
    mark_terms(q, 0, &m);
    if (m.err)
        return m.err;
    size_t n = m.n, bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(m.s[i]) + 1;
    char **terms = n ? malloc(n * (sizeof(char *) + sizeof(size_t)) + bytes) : NULL;
    if (n && !terms)
        return LEDE_ENOMEM;
    size_t *lens = (size_t *)(terms + n);
    char *text = (char *)(lens + n);
    for (size_t i = 0; i < n; i++) {
        lens[i] = strlen(m.s[i]);
        terms[i] = memcpy(text, m.s[i], lens[i] + 1);
        text += lens[i] + 1;
    }
    r->terms = terms;
    r->term_lens = n ? lens : NULL;
    r->n_terms = n;
    return 0;
}

void search_result_free(search_result *r)
{
    if (!r)
        return;
    free(r->hits);
    free(r->terms); /* term_lens and the strings too */
    free(r->timeline);
    memset(r, 0, sizeof *r);
}

struct topk {
    struct heap hp;
    uint64_t total;
    int pruned; /* some matches were never enumerated: total is a lower bound */
};

/* Is q a ranked disjunction that MaxScore can evaluate: only SHOULD clauses,
 * each a term or phrase (scored, no filters)? */
static int maxscore_ok(const qnode *q)
{
    if (q->kind != Q_BOOL || q->n_kids < 2)
        return 0;
    for (size_t i = 0; i < q->n_kids; i++)
        if (q->kids[i]->occur != Q_SHOULD ||
            (q->kids[i]->kind != Q_TERM && q->kids[i]->kind != Q_PHRASE))
            return 0;
    return 1;
}

struct ms_clause {
    iter *it;
    double max;
};

static int by_max(const void *a, const void *b)
{
    const struct ms_clause *x = a, *y = b;
    return (x->max > y->max) - (x->max < y->max);
}

/* MaxScore (Turtle and Flood, 1995) over one segment: clauses sorted by
 * their score bound; those whose bounds together cannot lift a document
 * above the current k-th score (the threshold) do not generate candidates
 * and are only probed when a candidate could still make it. Documents come
 * in increasing id order, so a candidate that only ties the threshold can
 * never enter the heap (it would lose the tie), and pruning on <= is exact. */
static int segment_maxscore(struct ctx *c, const qnode *root, struct topk *t)
{
    size_t n = root->n_kids;
    struct ms_clause *cl = arena_calloc(c->mem, n, sizeof *cl);
    double *prefix = arena_calloc(c->mem, n + 1, sizeof *prefix);
    int rc = cl && prefix ? 0 : LEDE_ENOMEM;
    size_t built = 0;
    for (; built < n && rc == 0; built++) {
        rc = build(c, root->kids[built], &cl[built].it, 1);
        if (rc == 0)
            cl[built].max = iter_max_score(cl[built].it);
    }
    if (rc)
        goto done;
    qsort(cl, n, sizeof *cl, by_max);
    for (size_t i = 0; i < n; i++) {
        prefix[i + 1] = prefix[i] + cl[i].max;
        iter_next(cl[i].it);
    }
    const ixseg *g = c->g;
    struct heap *hp = &t->hp;
    for (;;) {
        double theta = hp->n == hp->cap && hp->cap ? hp->h[0].score : -1.0;
        size_t e = 0; /* clauses [0, e) are non-essential */
        while (e < n && prefix[e + 1] <= theta)
            e++;
        if (e == n)
            break; /* nothing left can beat the threshold */
        if (e > 0)
            t->pruned = 1; /* documents of only non-essential clauses go unseen */
        uint32_t d = ITER_END;
        for (size_t i = e; i < n; i++)
            if (cl[i].it->doc < d)
                d = cl[i].it->doc;
        if (d == ITER_END)
            break;
        double score = 0;
        for (size_t i = e; i < n; i++)
            if (cl[i].it->doc == d)
                score += iter_score(cl[i].it);
        int alive = 1;
        for (size_t i = e; i-- > 0;) {
            if (score + prefix[i + 1] <= theta) {
                alive = 0;
                t->pruned = 1;
                break;
            }
            if (cl[i].it->doc < d)
                iter_advance(cl[i].it, d);
            if (cl[i].it->doc == d)
                score += iter_score(cl[i].it);
        }
        if (alive && !deletions_has(&g->del, d)) {
            t->total++;
            heap_offer(hp, g->base + d, score, 0);
        }
        for (size_t i = e; i < n; i++)
            if (cl[i].it->doc == d)
                iter_next(cl[i].it);
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = cl[i].it->error;
    if (t->pruned == 0)
        for (size_t i = 0; i < n; i++)
            if (cl[i].it->doc != ITER_END)
                t->pruned = 1; /* stopped before the end: not every match was seen */
done:
    for (size_t i = 0; cl && i < built; i++)
        iter_free(cl[i].it);
    return rc;
}

typedef void (*match_fn)(void *ctx, uint32_t doc, double score, int64_t date);

/* Before any iterator is built: the dictionary blocks of the query's words
 * start loading in every segment at once, then their title and body
 * statistics are looked up (building needs them; stat_load reads every
 * segment, starting in the blocks the prefetch found), so that the misses
 * of different words overlap instead of following one another. */
static size_t prefetch_words(struct ctx *c, const char *const *words, size_t n, size_t *body_at)
{
    size_t n_segs = c->s->r->n_segs;
    uint64_t *blocks = arena_alloc(c->mem, n_segs * n * sizeof *blocks + 1); /* [segment][word] */
    for (size_t i = 0; i < n_segs; i++)
        dict_prefetch(c->s->r->segs[i].seg, words, n, blocks ? blocks + i * n : NULL);
    for (size_t j = 0; j < n; j++) {
        /* the search found each word's block: the lookups start there */
        const struct stat_entry *body = stat_load(c, FIELD_BODY, words[j], blocks ? blocks + j : NULL, n);
        if (!body)
            return j;
        body_at[j] = (size_t)(body - c->st); /* an index: c->st may move as it grows */
    }
    return n;
}

/* Then, per segment, the heads of the words' postings and positions in
 * title and body (the statistics at c->st[body_at[j] - 1] and
 * c->st[body_at[j]]) start loading before the first iterator opens. Hints
 * only: what they cannot find, building finds or reports. */
static void prefetch_postings(struct ctx *c, const size_t *body_at, size_t n)
{
    for (size_t j = 0; j < n; j++)
        for (size_t k = body_at[j] - 1; k <= body_at[j]; k++) /* title, then body */
            if (c->st[k].found[c->seg_i] == 1)
                postings_prefetch(c->g->seg, &c->st[k].ti[c->seg_i]);
}

/* Words prefetched per query (dict_prefetch takes as many). */
#define PREFETCH_WORDS 16

/* Parses q and calls fn for every live match, segment by segment. */
static int run(searcher *s, const char *q, size_t len, const search_params *p, int want_score,
               int want_date, match_fn fn, void *fctx, struct topk *prune, search_result *out,
               query_error *qerr)
{
    qnode *root = NULL;
    int rc = parse_query(s, p, q, len, &root, qerr);
    if (rc)
        return rc;
    if (out && (rc = collect_terms(&s->mem, root, out)) != 0) {
        arena_reset(&s->mem);
        return rc;
    }
    struct ctx c = {s, p, &s->mem, NULL, 0, 0, NULL, 0, 0, 0};
    int use_maxscore = prune && maxscore_ok(root);
    const char *words[PREFETCH_WORDS];
    size_t n_words = positive_terms(root, 0, words, 0, PREFETCH_WORDS);
    size_t body_at[PREFETCH_WORDS];
    n_words = prefetch_words(&c, words, n_words < PREFETCH_WORDS ? n_words : PREFETCH_WORDS, body_at);
    for (size_t i = 0; i < s->r->n_segs && rc == 0; i++) {
        c.g = &s->r->segs[i];
        c.seg_i = i;
        prefetch_postings(&c, body_at, n_words);
        if (use_maxscore) {
            rc = segment_maxscore(&c, root, prune);
            continue;
        }
        iter *it = NULL;
        rc = build(&c, root, &it, 0);
        if (rc)
            break;
        /* Documents come in increasing id order, and a later document loses a
         * tie: once the heap is full and no document can score above its
         * worst, nothing further can enter. */
        double bound = -1; /* computed once the heap is full: it may read all skip data */
        for (uint32_t d = iter_next(it); d != ITER_END; d = iter_next(it)) {
            if (prune && prune->hp.cap && prune->hp.n == prune->hp.cap) {
                if (bound < 0)
                    bound = iter_max_score(it);
                if (bound <= prune->hp.h[0].score) {
                    prune->pruned = 1;
                    break;
                }
            }
            if (deletions_has(&c.g->del, d))
                continue;
            double score = want_score ? iter_score(it) : 0;
            fn(fctx, c.g->base + d, score, want_date ? segread_date(c.g->seg, d) : 0);
        }
        rc = it->error;
        iter_free(it);
    }
    if (rc == 0 && c.err)
        rc = c.err;
    if (rc == LEDE_ECORRUPT)
        searcher_corrupt_message(s, qerr->message, sizeof qerr->message);
    else if (rc == LEDE_ELIMIT)
        snprintf(qerr->message, sizeof qerr->message, "the query is too large to evaluate");
    arena_reset(&s->mem);
    return rc;
}

static void topk_match(void *ctx, uint32_t doc, double score, int64_t date)
{
    struct topk *t = ctx;
    t->total++;
    heap_offer(&t->hp, doc, score, date);
}

int searcher_search(searcher *s, const char *q, size_t len, const search_params *p,
                    search_result *out, query_error *qerr)
{
    memset(out, 0, sizeof *out);
    memset(qerr, 0, sizeof *qerr);
    struct topk t;
    memset(&t, 0, sizeof t);
    size_t k = p->offset + p->limit;
    if (k < p->limit)
        return LEDE_EINVAL;
    if (k > s->r->n_docs) /* no more hits than documents, whatever -n and --offset say */
        k = (size_t)s->r->n_docs;
    t.hp.cap = k;
    t.hp.by_date = p->sort_date;
    t.hp.h = malloc((k + 1) * sizeof *t.hp.h);
    t.hp.dates = p->sort_date ? malloc((k + 1) * sizeof *t.hp.dates) : NULL;
    if (!t.hp.h || (p->sort_date && !t.hp.dates)) {
        free(t.hp.h);
        free(t.hp.dates);
        return LEDE_ENOMEM;
    }
    int prune = !p->sort_date && !p->exact_count;
    int rc = run(s, q, len, p, !p->sort_date, p->sort_date, topk_match, &t, prune ? &t : NULL,
                 out, qerr);
    if (rc) {
        free(t.hp.h);
        free(t.hp.dates);
        search_result_free(out);
        return rc;
    }
    /* pop worst-first into place: best first */
    size_t n = t.hp.n;
    while (t.hp.n > 1) {
        swap_at(&t.hp, 0, t.hp.n - 1);
        t.hp.n--;
        sift_down(&t.hp, 0);
    }
    free(t.hp.dates);
    size_t skip = p->offset < n ? p->offset : n;
    out->n_hits = n - skip;
    out->hits = t.hp.h;
    if (skip)
        memmove(out->hits, out->hits + skip, out->n_hits * sizeof *out->hits);
    out->total = t.total;
    out->total_exact = !t.pruned;
    return 0;
}

/* --- timeline --------------------------------------------------------------------------------- */

struct tl {
    int64_t *dates;
    size_t n, cap;
    uint64_t undated;
    int oom;
    uint32_t bad_doc;  /* a document whose date is out of range; UINT32_MAX: none */
};

/* The dates date_parse can produce: years 1 to 9999. A date outside is
 * damage (DOCDATE is not checksummed on open), and would make the bucket
 * arithmetic below overflow. */
#define TL_DATE_MIN (-62135596800LL)  /* 0001-01-01T00:00:00 */
#define TL_DATE_MAX (253402300799LL)  /* 9999-12-31T23:59:59 */

static void tl_match(void *ctx, uint32_t doc, double score, int64_t date)
{
    (void)score;
    struct tl *t = ctx;
    if (date == DATE_NONE) {
        t->undated++;
        return;
    }
    if (date < TL_DATE_MIN || date > TL_DATE_MAX) {
        if (t->bad_doc == UINT32_MAX)
            t->bad_doc = doc;
        return;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        int64_t *d = realloc(t->dates, cap * sizeof *d);
        if (!d) {
            t->oom = 1;
            return;
        }
        t->dates = d;
        t->cap = cap;
    }
    t->dates[t->n++] = date;
}

static void civil(int64_t t, int *y, int *m)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t yy;
    unsigned mm, dd;
    date_civil_from_days(days, &yy, &mm, &dd);
    *y = (int)yy;
    *m = (int)mm;
}

int searcher_timeline(searcher *s, const char *q, size_t len, const search_params *p,
                      search_result *out, query_error *qerr)
{
    memset(out, 0, sizeof *out);
    memset(qerr, 0, sizeof *qerr);
    struct tl t;
    memset(&t, 0, sizeof t);
    t.bad_doc = UINT32_MAX;
    int rc = run(s, q, len, p, 0, 1, tl_match, &t, NULL, out, qerr);
    if (rc == 0 && t.oom)
        rc = LEDE_ENOMEM;
    uint32_t local;
    const ixseg *g = rc == 0 && t.bad_doc != UINT32_MAX ? ixread_locate(s->r, t.bad_doc, &local) : NULL;
    if (g) {
        segread_note(g->seg, "a date in DOCDATE is out of range");
        searcher_corrupt_message(s, qerr->message, sizeof qerr->message);
        rc = LEDE_ECORRUPT;
    }
    if (rc) {
        free(t.dates);
        search_result_free(out);
        return rc;
    }
    out->total = t.n + t.undated;
    out->total_exact = 1;
    out->undated = t.undated;
    if (t.n) {
        int64_t lo = t.dates[0], hi = t.dates[0];
        for (size_t i = 1; i < t.n; i++) {
            lo = t.dates[i] < lo ? t.dates[i] : lo;
            hi = t.dates[i] > hi ? t.dates[i] : hi;
        }
        int y0, m0, y1, m1;
        civil(lo, &y0, &m0);
        civil(hi, &y1, &m1);
        int by_year = (y1 - y0) * 12 + (m1 - m0) >= 36;
        size_t nb = by_year ? (size_t)(y1 - y0 + 1) : (size_t)((y1 - y0) * 12 + (m1 - m0) + 1);
        out->timeline = calloc(nb, sizeof *out->timeline);
        if (!out->timeline) {
            free(t.dates);
            search_result_free(out);
            return LEDE_ENOMEM;
        }
        out->n_buckets = nb;
        for (size_t i = 0; i < nb; i++) {
            int mm = by_year ? 0 : (m0 - 1 + (int)i) % 12 + 1;
            int yy = by_year ? y0 + (int)i : y0 + (m0 - 1 + (int)i) / 12;
            out->timeline[i] = (timeline_bucket){yy, mm, 0};
        }
        for (size_t i = 0; i < t.n; i++) {
            int y, m;
            civil(t.dates[i], &y, &m);
            size_t b = by_year ? (size_t)(y - y0) : (size_t)((y - y0) * 12 + (m - m0));
            out->timeline[b].count++;
        }
    }
    free(t.dates);
    return 0;
}

/* --- documents -------------------------------------------------------------------------------- */

int searcher_doc(searcher *s, uint32_t doc, docrec *out, int64_t *date)
{
    uint32_t local;
    const ixseg *g = ixread_locate(s->r, doc, &local);
    if (!g)
        return LEDE_EINVAL;
    if (date)
        *date = segread_date(g->seg, local);
    return segread_doc(g->seg, local, out);
}

int searcher_body_ref(searcher *s, uint32_t doc, const char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    uint32_t local;
    const ixseg *g = ixread_locate(s->r, doc, &local);
    if (!g)
        return LEDE_EINVAL;
    return segread_body_ref(g->seg, local, out, len);
}

int searcher_body(searcher *s, uint32_t doc, buf *out)
{
    const char *body;
    size_t len;
    int rc = searcher_body_ref(s, doc, &body, &len);
    return rc ? rc : buf_append(out, body, len);
}

int searcher_find_id(searcher *s, const char *id, size_t len, uint32_t *doc)
{
    for (size_t i = 0; i < s->r->n_segs; i++) {
        const ixseg *g = &s->r->segs[i];
        uint32_t local;
        int rc = segread_find_id(g->seg, id, len, &local);
        if (rc < 0)
            return rc;
        if (rc == 1 && !deletions_has(&g->del, local)) {
            *doc = g->base + local;
            return 1;
        }
    }
    return 0;
}

/* --- explain ---------------------------------------------------------------------------------- */

/* Frees an iterator explain_leaf is done with; returns the error it met
 * (out of memory, corrupt postings): a line left out for it must not pass
 * for a clause that did not match. */
static int explain_done(iter *it)
{
    int rc = it->error;
    iter_free(it);
    return rc;
}

/* Scores each leaf of q alone on doc and prints the contributions. */
static int explain_leaf(struct ctx *c, const qnode *q, uint32_t local, int negated, buf *out)
{
    int neg = negated || q->occur == Q_MUST_NOT;
    if (q->kind == Q_BOOL) {
        for (size_t i = 0; i < q->n_kids; i++) {
            int rc = explain_leaf(c, q->kids[i], local, neg, out);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (neg || q->kind == Q_DATE || q->kind == Q_ALL)
        return 0;
    if (q->kind == Q_TERM && q->field == QFIELD_DEFAULT && c->p->combined_fields) {
        iter *it = NULL;
        int rc = build_term_combined(c, q, &it);
        if (rc)
            return rc;
        if (iter_advance(it, local) == local) {
            uint64_t df_t = stat_df(c, FIELD_TITLE, q->terms[0]);
            uint64_t df_b = stat_df(c, FIELD_BODY, q->terms[0]);
            uint64_t df = df_t > df_b ? df_t : df_b;
            buf_printf(out, "  %8.4f  %s  BM25F: title length %u, body length %u (averages %.1f, %.1f), "
                            "df %llu of %llu (the larger of title %llu and body %llu), idf %.4f\n",
                       iter_score(it), q->terms[0], segread_len(c->g->seg, local, 0),
                       segread_len(c->g->seg, local, 1), c->s->avglen[0], c->s->avglen[1],
                       (unsigned long long)df, (unsigned long long)c->s->r->n_live,
                       (unsigned long long)df_t, (unsigned long long)df_b, idf(c->s->r->n_live, df));
        }
        return explain_done(it);
    }
    int fields[2];
    int nf = fields_of(q, fields);
    if (q->kind == Q_PREFIX) { /* one constant for all its fields, as it scores */
        iter *it = NULL;
        int rc = build(c, q, &it, 0);
        if (rc)
            return rc;
        if (iter_advance(it, local) == local) {
            buf_printf(out, "  %8.4f  ", iter_score(it));
            if (q->field != QFIELD_DEFAULT)
                buf_printf(out, "%s:", field_name((enum field)q->field));
            buf_printf(out, "%s*  prefix: constant score, whatever matches it", q->terms[0]);
            if (nf == 2)
                buf_puts(out, " in title or body");
            buf_putc(out, '\n');
        }
        return explain_done(it);
    }
    for (int fi = 0; fi < nf; fi++) {
        qnode one = *q;
        one.field = fields[fi];
        iter *it = NULL;
        int rc = build(c, &one, &it, 0);
        if (rc)
            return rc;
        if (iter_advance(it, local) == local) {
            double sc = iter_score(it);
            uint32_t len = segread_len(c->g->seg, local, fields[fi] <= 1 ? fields[fi] : 1);
            buf_printf(out, "  %8.4f  %s:", sc, field_name((enum field)fields[fi]));
            if (q->kind == Q_PHRASE) {
                buf_putc(out, '"');
                for (size_t i = 0; i < q->n_terms; i++)
                    buf_printf(out, "%s%s", i ? " " : "", q->terms[i]);
                buf_putc(out, '"');
                if (q->slop)
                    buf_printf(out, "~%u", q->slop);
            } else {
                buf_puts(out, q->terms[0]);
            }
            if (q->kind == Q_TERM && fields[fi] <= 1) {
                uint64_t df = stat_df(c, (uint8_t)fields[fi], q->terms[0]);
                buf_printf(out, "  tf %u, field length %u (average %.1f), df %llu of %llu, idf %.4f, weight %.2f",
                           iter_term_tf(it), len, c->s->avglen[fields[fi]], (unsigned long long)df,
                           (unsigned long long)c->s->r->n_live, idf(c->s->r->n_live, df),
                           field_weight(c, fields[fi]));
            } else {
                buf_printf(out, "  field length %u (average %.1f), weight %.2f", len,
                           c->s->avglen[fields[fi] <= 1 ? fields[fi] : 1], field_weight(c, fields[fi]));
            }
            buf_putc(out, '\n');
        }
        if ((rc = explain_done(it)) != 0)
            return rc;
    }
    return 0;
}

int searcher_explain(searcher *s, const char *q, size_t len, const search_params *p,
                     uint32_t doc, buf *out, query_error *qerr)
{
    memset(qerr, 0, sizeof *qerr);
    qnode *root = NULL;
    int rc = parse_query(s, p, q, len, &root, qerr);
    if (rc)
        return rc;
    uint32_t local;
    const ixseg *g = ixread_locate(s->r, doc, &local);
    struct ctx c = {s, p, &s->mem, NULL, 0, 0, g, g ? (size_t)(g - s->r->segs) : 0, 0, 0};
    if (!g)
        rc = LEDE_EINVAL;
    else
        buf_printf(out, "  %s, k1 %.2f b %.2f, title weight %.2f; contributions (score, clause):\n",
                   p->combined_fields ? "BM25F over title+body for words without a field"
                                      : "BM25 summed per field",
                   p->k1, p->b, p->title_weight);
    if (rc == 0)
        rc = explain_leaf(&c, root, local, 0, out);
    arena_reset(&s->mem);
    return rc;
}
