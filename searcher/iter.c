/* iter.c - document-at-a-time iterators (see iter.h). Every iterator and
 * its arrays live in the query's arena; the free functions only release what
 * is not memory of the arena: postings cursors, and the children's. */
#include "iter.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "err.h"

void iter_free(iter *it)
{
    if (it && it->ops->free)
        it->ops->free(it);
}

double bm25_score(const bm25 *m, uint32_t tf, uint32_t len)
{
    double norm = m->k1 * (1.0 - m->b + m->b * (double)len / m->avglen);
    return m->weight * (double)tf / ((double)tf + norm);
}

/* --- term ------------------------------------------------------------------------- */

struct term_it {
    iter base;
    postings *p;
    segread *s;
    bm25 m;
    int scored;
    int max_known;
};

/* Keeps the first error of an iterator and its children. */
static void keep_error(iter *it, int err)
{
    if (!it->error)
        it->error = err;
}

static uint32_t term_done(struct term_it *t, uint32_t d)
{
    if (d == POSTINGS_END)
        keep_error(&t->base, postings_error(t->p));
    return t->base.doc = d == POSTINGS_END ? ITER_END : d;
}

static uint32_t term_next(iter *it)
{
    struct term_it *t = (struct term_it *)it;
    return term_done(t, postings_next(t->p));
}

static uint32_t term_advance(iter *it, uint32_t target)
{
    struct term_it *t = (struct term_it *)it;
    return term_done(t, postings_advance(t->p, target));
}

static double term_score(iter *it)
{
    struct term_it *t = (struct term_it *)it;
    if (!t->scored)
        return 0;
    return bm25_score(&t->m, postings_tf(t->p), segread_len(t->s, it->doc, t->m.field));
}

static void term_free(iter *it)
{
    postings_close(((struct term_it *)it)->p);
}

static double term_max(iter *it)
{
    struct term_it *t = (struct term_it *)it;
    if (!t->max_known && t->scored) {
        uint32_t max_tf, min_len;
        postings_term_max(t->p, &max_tf, &min_len);
        it->max_score = bm25_score(&t->m, max_tf, min_len);
    }
    t->max_known = 1;
    return it->max_score;
}

static const struct iter_ops term_ops = {term_next, term_advance, term_score, term_free, term_max};

int iter_term(iter **out, arena *a, segread *s, const term_info *ti, const bm25 *m,
              int with_positions)
{
    *out = NULL;
    struct term_it *t = arena_calloc(a, 1, sizeof *t);
    if (!t)
        return LEDE_ENOMEM;
    int rc = postings_open(&t->p, s, ti, with_positions);
    if (rc)
        return rc;
    t->base.ops = &term_ops;
    t->base.doc = ITER_END;
    t->base.cost = ti->df;
    t->s = s;
    if (m) {
        t->m = *m;
        t->scored = 1;
    }
    *out = &t->base;
    return 0;
}

const uint32_t *iter_term_positions(iter *it, uint32_t *n)
{
    struct term_it *t = (struct term_it *)it;
    const uint32_t *p = postings_positions(t->p, n);
    if (!p)
        keep_error(it, postings_error(t->p) ? postings_error(t->p) : LEDE_ECORRUPT);
    return p;
}

void iter_term_bounds(iter *it, uint32_t *max_tf, uint32_t *min_len)
{
    postings_term_max(((struct term_it *)it)->p, max_tf, min_len);
}

int iter_term_locate_positions(iter *it, positions_loc *loc)
{
    int rc = postings_locate_positions(((struct term_it *)it)->p, loc);
    if (rc)
        keep_error(it, rc);
    return rc;
}

uint32_t iter_term_tf(iter *it)
{
    return postings_tf(((struct term_it *)it)->p);
}

/* --- bm25f: one term over title and body ----------------------------------------- */

struct bm25f_it {
    iter base;
    iter *t, *b;   /* title, body term iterators (unscored); either may be NULL */
    segread *s;
    bm25f m;
    int started;
    int max_known;
};

static uint32_t bm25f_settle(struct bm25f_it *f)
{
    uint32_t d = ITER_END;
    if (f->t && f->t->doc < d)
        d = f->t->doc;
    if (f->b && f->b->doc < d)
        d = f->b->doc;
    keep_error(&f->base, f->t ? f->t->error : 0);
    keep_error(&f->base, f->b ? f->b->error : 0);
    return f->base.doc = d;
}

static uint32_t bm25f_next(iter *it)
{
    struct bm25f_it *f = (struct bm25f_it *)it;
    uint32_t cur = it->doc;
    if (!f->started) {
        f->started = 1;
        if (f->t)
            iter_next(f->t);
        if (f->b)
            iter_next(f->b);
    } else {
        if (f->t && f->t->doc == cur)
            iter_next(f->t);
        if (f->b && f->b->doc == cur)
            iter_next(f->b);
    }
    return bm25f_settle(f);
}

static uint32_t bm25f_advance(iter *it, uint32_t target)
{
    struct bm25f_it *f = (struct bm25f_it *)it;
    if (f->t && (!f->started || f->t->doc < target))
        iter_advance(f->t, target);
    if (f->b && (!f->started || f->b->doc < target))
        iter_advance(f->b, target);
    f->started = 1;
    return bm25f_settle(f);
}

static double bm25f_of(const bm25f *m, double tf, double len)
{
    double norm = m->k1 * (1.0 - m->b + m->b * len / m->avglen);
    return m->idf * (m->k1 + 1.0) * tf / (tf + norm);
}

static double bm25f_score(iter *it)
{
    struct bm25f_it *f = (struct bm25f_it *)it;
    uint32_t d = it->doc;
    double tf = 0;
    if (f->t && f->t->doc == d)
        tf += f->m.w_title * iter_term_tf(f->t);
    if (f->b && f->b->doc == d)
        tf += iter_term_tf(f->b);
    double len = f->m.w_title * segread_len(f->s, d, 0) + segread_len(f->s, d, 1);
    return bm25f_of(&f->m, tf, len);
}

static double bm25f_max(iter *it)
{
    struct bm25f_it *f = (struct bm25f_it *)it;
    if (!f->max_known) {
        /* tf <= w * max tf(title) + max tf(body); a matching document's
         * combined length is at least its matching field's share. */
        double tf = 0, len = 1e300;
        uint32_t mt, ml;
        if (f->t) {
            iter_term_bounds(f->t, &mt, &ml);
            tf += f->m.w_title * mt;
            len = f->m.w_title * ml;
        }
        if (f->b) {
            iter_term_bounds(f->b, &mt, &ml);
            tf += mt;
            if (ml < len)
                len = ml;
        }
        it->max_score = bm25f_of(&f->m, tf, len);
        f->max_known = 1;
    }
    return it->max_score;
}

static void bm25f_free(iter *it)
{
    struct bm25f_it *f = (struct bm25f_it *)it;
    iter_free(f->t);
    iter_free(f->b);
}

static const struct iter_ops bm25f_ops = {bm25f_next, bm25f_advance, bm25f_score, bm25f_free,
                                          bm25f_max};

int iter_bm25f(iter **out, arena *a, iter *title, iter *body, segread *s, const bm25f *m)
{
    *out = NULL;
    struct bm25f_it *f = arena_calloc(a, 1, sizeof *f);
    if (!f) {
        iter_free(title);
        iter_free(body);
        return LEDE_ENOMEM;
    }
    f->base.ops = &bm25f_ops;
    f->base.doc = ITER_END;
    f->base.cost = (title ? title->cost : 0) + (body ? body->cost : 0);
    f->t = title;
    f->b = body;
    f->s = s;
    f->m = *m;
    *out = &f->base;
    return 0;
}

/* --- or ------------------------------------------------------------------------- */

struct multi_it {
    iter base;
    size_t n;
    int started;
    postings **ps;      /* and: every kid is a term iterator, these its
                           postings (in kids' order); else NULL */
    iter *kids[];
};

static void multi_free(iter *it)
{
    struct multi_it *m = (struct multi_it *)it;
    for (size_t i = 0; i < m->n; i++)
        iter_free(m->kids[i]);
}

static uint32_t or_settle(struct multi_it *m)
{
    uint32_t d = ITER_END;
    for (size_t i = 0; i < m->n; i++) {
        if (m->kids[i]->doc < d)
            d = m->kids[i]->doc;
        keep_error(&m->base, m->kids[i]->error);
    }
    return m->base.doc = d;
}

static uint32_t or_next(iter *it)
{
    struct multi_it *m = (struct multi_it *)it;
    if (!m->started) {
        m->started = 1;
        for (size_t i = 0; i < m->n; i++)
            iter_next(m->kids[i]);
    } else {
        uint32_t cur = it->doc;
        for (size_t i = 0; i < m->n; i++)
            if (m->kids[i]->doc == cur)
                iter_next(m->kids[i]);
    }
    return or_settle(m);
}

static uint32_t or_advance(iter *it, uint32_t target)
{
    struct multi_it *m = (struct multi_it *)it;
    if (!m->started) {
        m->started = 1;
        for (size_t i = 0; i < m->n; i++)
            iter_advance(m->kids[i], target);
    } else {
        for (size_t i = 0; i < m->n; i++)
            if (m->kids[i]->doc < target)
                iter_advance(m->kids[i], target);
    }
    return or_settle(m);
}

static double or_score(iter *it)
{
    struct multi_it *m = (struct multi_it *)it;
    double s = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->kids[i]->doc == it->doc)
            s += iter_score(m->kids[i]);
    return s;
}

static double multi_max(iter *it)
{
    struct multi_it *m = (struct multi_it *)it;
    double s = 0;
    for (size_t i = 0; i < m->n; i++)
        s += iter_max_score(m->kids[i]);
    return s;
}

static const struct iter_ops or_ops = {or_next, or_advance, or_score, multi_free, multi_max};

static int multi_new(struct multi_it **out, arena *a, iter **kids, size_t n,
                     const struct iter_ops *ops)
{
    struct multi_it *m = n <= (SIZE_MAX - sizeof *m) / sizeof *kids
                             ? arena_alloc(a, sizeof *m + n * sizeof *kids)
                             : NULL;
    if (!m) {
        for (size_t i = 0; i < n; i++)
            iter_free(kids[i]);
        return LEDE_ENOMEM;
    }
    memset(m, 0, sizeof *m);
    memcpy(m->kids, kids, n * sizeof *kids);
    m->base.ops = ops;
    m->base.doc = ITER_END;
    m->n = n;
    *out = m;
    return 0;
}

int iter_or(iter **out, arena *a, iter **kids, size_t n)
{
    *out = NULL;
    struct multi_it *m;
    int rc = multi_new(&m, a, kids, n, &or_ops);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        m->base.cost += kids[i]->cost;
    *out = &m->base;
    return 0;
}

/* --- and -------------------------------------------------------------------------- */

/* Moves every kid to the first document >= target they all share. */
static uint32_t and_align(struct multi_it *m, uint32_t target)
{
    if (m->ps) { /* terms: the postings align themselves, no call per move */
        uint32_t d = postings_align(m->ps, m->n, target);
        for (size_t i = 0; i < m->n; i++)
            term_done((struct term_it *)m->kids[i], d);
        if (d != POSTINGS_END)
            return m->base.doc = d;
    } else { /* postings_align's leapfrog, through the iterators */
        for (;;) {
            iter *lead = m->kids[0];
            uint32_t d = iter_advance(lead, target);
            if (d == ITER_END)
                break;
            size_t i = 1;
            while (i < m->n && (target = iter_advance(m->kids[i], d)) == d)
                i++;
            if (i == m->n)
                return m->base.doc = d;
            if (target == ITER_END)
                break;
        }
    }
    for (size_t i = 0; i < m->n; i++)
        keep_error(&m->base, m->kids[i]->error);
    return m->base.doc = ITER_END;
}

static uint32_t and_next(iter *it)
{
    struct multi_it *m = (struct multi_it *)it;
    if (!m->started) {
        m->started = 1;
        return and_align(m, 0);
    }
    if (it->doc == ITER_END)
        return ITER_END;
    return and_align(m, it->doc + 1);
}

static uint32_t and_advance(iter *it, uint32_t target)
{
    struct multi_it *m = (struct multi_it *)it;
    if (m->started && it->doc != ITER_END && it->doc >= target)
        return it->doc;
    m->started = 1;
    return and_align(m, target);
}

static double and_score(iter *it)
{
    struct multi_it *m = (struct multi_it *)it;
    double s = 0;
    for (size_t i = 0; i < m->n; i++)
        s += iter_score(m->kids[i]);
    return s;
}

static const struct iter_ops and_ops = {and_next, and_advance, and_score, multi_free, multi_max};

static int by_cost(const void *a, const void *b)
{
    const iter *x = *(iter *const *)a, *y = *(iter *const *)b;
    return (x->cost > y->cost) - (x->cost < y->cost);
}

/* Cheapest first. A query's few kids by insertion: for two or three, qsort
 * cost more than the rest of iter_phrase. Stable, as glibc's qsort is on
 * small arrays: and_score sums in the same order, bit for bit. */
static void sort_by_cost(iter **k, size_t n)
{
    if (n > 16) {
        qsort(k, n, sizeof *k, by_cost);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        iter *x = k[i];
        size_t j = i;
        for (; j > 0 && k[j - 1]->cost > x->cost; j--)
            k[j] = k[j - 1];
        k[j] = x;
    }
}

int iter_and(iter **out, arena *a, iter **kids, size_t n)
{
    *out = NULL;
    struct multi_it *m;
    int rc = multi_new(&m, a, kids, n, &and_ops);
    if (rc)
        return rc;
    sort_by_cost(m->kids, n); /* the rarest leads */
    m->base.cost = n ? m->kids[0]->cost : 0;
    int terms_only = n > 0;
    for (size_t i = 0; i < n; i++)
        terms_only &= m->kids[i]->ops == &term_ops;
    if (terms_only) {
        m->ps = arena_alloc(a, n * sizeof *m->ps);
        if (!m->ps) {
            multi_free(&m->base);
            return LEDE_ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
            m->ps[i] = ((struct term_it *)m->kids[i])->p;
    }
    *out = &m->base;
    return 0;
}

/* --- not, required + optional ---------------------------------------------------------- */

struct pair_it {
    iter base;
    iter *a, *b;
    int b_started;
};

static void pair_free(iter *it)
{
    struct pair_it *p = (struct pair_it *)it;
    iter_free(p->a);
    iter_free(p->b);
}

/* Skips a's documents that b also has. */
static uint32_t not_skip(struct pair_it *p, uint32_t d)
{
    while (d != ITER_END) {
        if (!p->b_started || p->b->doc < d) {
            p->b_started = 1;
            iter_advance(p->b, d);
        }
        if (p->b->doc != d)
            break;
        d = iter_next(p->a);
    }
    keep_error(&p->base, p->a->error);
    keep_error(&p->base, p->b->error);
    return p->base.doc = d;
}

static uint32_t not_next(iter *it)
{
    struct pair_it *p = (struct pair_it *)it;
    return not_skip(p, iter_next(p->a));
}

static uint32_t not_advance(iter *it, uint32_t target)
{
    struct pair_it *p = (struct pair_it *)it;
    return not_skip(p, iter_advance(p->a, target));
}

static double pair_score_a(iter *it)
{
    return iter_score(((struct pair_it *)it)->a);
}

static double pair_max_a(iter *it)
{
    return iter_max_score(((struct pair_it *)it)->a);
}

static double pair_max_sum(iter *it)
{
    struct pair_it *p = (struct pair_it *)it;
    return iter_max_score(p->a) + iter_max_score(p->b);
}

static const struct iter_ops not_ops = {not_next, not_advance, pair_score_a, pair_free, pair_max_a};

static int pair_new(iter **out, arena *mem, iter *a, iter *b, const struct iter_ops *ops)
{
    *out = NULL;
    struct pair_it *p = arena_calloc(mem, 1, sizeof *p);
    if (!p) {
        iter_free(a);
        iter_free(b);
        return LEDE_ENOMEM;
    }
    p->base.ops = ops;
    p->base.doc = ITER_END;
    p->base.cost = a->cost;
    p->a = a;
    p->b = b;
    *out = &p->base;
    return 0;
}

int iter_not(iter **out, arena *a, iter *pos, iter *neg)
{
    return pair_new(out, a, pos, neg, &not_ops);
}

static uint32_t ro_sync(struct pair_it *p, uint32_t d)
{
    keep_error(&p->base, p->a->error);
    return p->base.doc = d;
}

static uint32_t ro_next(iter *it)
{
    struct pair_it *p = (struct pair_it *)it;
    return ro_sync(p, iter_next(p->a));
}

static uint32_t ro_advance(iter *it, uint32_t target)
{
    struct pair_it *p = (struct pair_it *)it;
    return ro_sync(p, iter_advance(p->a, target));
}

static double ro_score(iter *it)
{
    struct pair_it *p = (struct pair_it *)it;
    double s = iter_score(p->a);
    uint32_t d = it->doc;
    if (!p->b_started || p->b->doc < d) {
        p->b_started = 1;
        iter_advance(p->b, d);
    }
    if (p->b->doc == d)
        s += iter_score(p->b);
    return s;
}

static const struct iter_ops ro_ops = {ro_next, ro_advance, ro_score, pair_free, pair_max_sum};

int iter_req_opt(iter **out, arena *a, iter *req, iter *opt)
{
    return pair_new(out, a, req, opt, &ro_ops);
}

/* --- phrase ------------------------------------------------------------------------------ */

struct phrase_it {
    iter base;
    iter *all;          /* the conjunction of the terms */
    iter **t;           /* the term iterators (owned by `all`) */
    uint32_t *rel;
    size_t n;
    uint32_t slop;
    bm25 m;
    segread *s;
    uint32_t freq;
    arena *mem;         /* where the scratch grows */
    /* scratch for the window check */
    uint64_t *ev;       /* position << 32 | term index */
    size_t ev_cap;
    uint32_t *need, *have;
    uint64_t *starts;   /* candidate phrase starts (exact phrases) */
    size_t starts_cap;
    /* exact phrases: the conjunction's candidates, found ahead of the one
     * being checked (a ring of k), their positions located and loading */
    uint32_t *ahead_doc;
    positions_loc *ahead_loc; /* [k][n] */
    uint8_t *ahead_ready;     /* the second prefetch (the document's line) asked */
    unsigned head, count, k;
    unsigned want;            /* candidates to hold: k after next, 1 after a jump */
    uint32_t conj;            /* the conjunction's next candidate not taken yet */
    int conj_err;             /* locating conj's positions failed: the error
                                 that ends the phrase once the ring is empty */
    int started;
    uint64_t *posbuf;         /* one term's positions (uint32_t) */
    size_t posbuf_cap;
};

/* Candidates an exact phrase locates ahead of the one it checks: their
 * positions load while the conjunction finds the next ones. */
#define PHRASE_AHEAD 4

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Makes room for n scratch values in *buf (the contents are not kept); a
 * larger buffer at least doubles, so the arena holds at most twice the
 * largest. 0, or LEDE_ENOMEM kept as the iterator's error. */
static int scratch_fit(struct phrase_it *ph, uint64_t **buf, size_t *cap, size_t n)
{
    if (n <= *cap)
        return 0;
    size_t c = *cap * 2 > n ? *cap * 2 : n < 16 ? 16 : n;
    uint64_t *b = c <= SIZE_MAX / sizeof *b ? arena_alloc(ph->mem, c * sizeof *b) : NULL;
    if (!b) {
        keep_error(&ph->base, LEDE_ENOMEM);
        return LEDE_ENOMEM;
    }
    *buf = b;
    *cap = c;
    return 0;
}

/* Exact phrase: the number of start positions p with every term i at
 * p + rel[i], for the candidate in ring slot `slot`, from its located
 * positions. The term with the fewest occurrences in the document proposes
 * the starts; the others, rarest first, only filter them (two pointers over
 * sorted lists), so a common word's positions are never read once no
 * start is left. */
static uint32_t exact_freq(struct phrase_it *ph, unsigned slot)
{
    size_t n = ph->n;
    positions_loc *l = ph->ahead_loc + (size_t)slot * n;
    uint32_t order[ITER_PHRASE_MAX], most = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        for (; j > 0 && l[order[j - 1]].n > l[i].n; j--)
            order[j] = order[j - 1];
        order[j] = (uint32_t)i;
        most = l[i].n > most ? l[i].n : most;
    }
    if (scratch_fit(ph, &ph->posbuf, &ph->posbuf_cap, (size_t)most / 2 + 1))
        return 0;
    uint32_t *buf = (uint32_t *)ph->posbuf;
    uint32_t a = order[0], na = l[a].n;
    int rc = positions_loc_read(&l[a], buf);
    if (rc || scratch_fit(ph, &ph->starts, &ph->starts_cap, na)) {
        keep_error(&ph->base, rc);
        return 0;
    }
    size_t m = 0;
    for (uint32_t j = 0; j < na; j++)
        if (buf[j] >= ph->rel[a])
            ph->starts[m++] = buf[j] - ph->rel[a];
    for (size_t k = 1; k < n && m > 0; k++) {
        uint32_t i = order[k], ni = l[i].n;
        if ((rc = positions_loc_read(&l[i], buf)) != 0) {
            keep_error(&ph->base, rc);
            return 0;
        }
        size_t keep = 0, q = 0;
        for (size_t j = 0; j < m; j++) {
            uint64_t target = ph->starts[j] + ph->rel[i];
            while (q < ni && buf[q] < target)
                q++;
            if (q < ni && buf[q] == target)
                ph->starts[keep++] = ph->starts[j];
        }
        m = keep;
    }
    return (uint32_t)m;
}

/* Starts loading candidate d's field lengths: phrase_score reads them if
 * the positions agree. */
static void prefetch_len(struct phrase_it *ph, uint32_t d)
{
    if (ph->s && ph->m.weight != 0)
        segread_prefetch_len(ph->s, d);
}

/* Asks for the lines of the candidate in ring slot `slot`, once: its
 * widths were asked for when it was located, so by now they are in; the
 * widths are summed on from the slot before it (which may hold a candidate
 * already checked: any location in the same block will do). */
static void ahead_ask(struct phrase_it *ph, unsigned slot)
{
    if (ph->ahead_ready[slot])
        return;
    unsigned before = (slot + ph->k - 1) % ph->k;
    for (size_t i = 0; i < ph->n; i++)
        positions_loc_prefetch(&ph->ahead_loc[(size_t)slot * ph->n + i],
                               ph->k > 1 ? &ph->ahead_loc[(size_t)before * ph->n + i] : NULL);
    ph->ahead_ready[slot] = 1;
}

/* Takes the conjunction's candidates into the ring while there is room:
 * each one's positions located in every term (their first lines loading),
 * before the conjunction moves on. */
static void ahead_fill(struct phrase_it *ph)
{
    while (ph->count < ph->want && ph->conj != ITER_END) {
        unsigned slot = (ph->head + ph->count) % ph->k;
        positions_loc *l = ph->ahead_loc + (size_t)slot * ph->n;
        for (size_t i = 0; i < ph->n; i++) {
            int rc = iter_term_locate_positions(ph->t[i], &l[i]);
            if (rc) {
                ph->conj_err = rc;
                ph->conj = ITER_END;
                return;
            }
        }
        prefetch_len(ph, ph->conj);
        ph->ahead_doc[slot] = ph->conj;
        ph->ahead_ready[slot] = 0;
        if (ph->count++ > 0) /* the one before: located a conjunction step ago */
            ahead_ask(ph, (slot + ph->k - 1) % ph->k);
        ph->conj = iter_next(ph->all);
    }
}

/* The phrase's end: the first error of its positions or its conjunction. */
static uint32_t ahead_end(struct phrase_it *ph)
{
    keep_error(&ph->base, ph->conj_err);
    keep_error(&ph->base, ph->all->error);
    ph->freq = 0;
    ph->count = 0;
    return ph->base.doc = ITER_END;
}

/* The first candidate of the ring whose positions make the phrase, or
 * ITER_END. */
static uint32_t ahead_find(struct phrase_it *ph)
{
    for (;;) {
        ahead_fill(ph);
        if (ph->count == 0)
            return ahead_end(ph);
        ahead_ask(ph, ph->head); /* the others get theirs as the next ones come in */
        uint32_t f = exact_freq(ph, ph->head);
        if (ph->base.error)
            return ahead_end(ph);
        if (f) {
            ph->freq = f;
            return ph->base.doc = ph->ahead_doc[ph->head];
        }
        ph->head = (ph->head + 1) % ph->k;
        ph->count--;
    }
}

/* Drops the ring's candidates before target (the current one among them). */
static void ahead_drop(struct phrase_it *ph, uint32_t target)
{
    while (ph->count > 0 && ph->ahead_doc[ph->head] < target) {
        ph->head = (ph->head + 1) % ph->k;
        ph->count--;
    }
}

/* Sloppy phrase: 1 if some window of n + slop consecutive positions holds
 * every term of the phrase (a repeated term as many times as it repeats). */
static uint32_t sloppy_match(struct phrase_it *ph)
{
    size_t total = 0;
    for (size_t i = 0; i < ph->n; i++) {
        uint32_t k;
        if (!iter_term_positions(ph->t[i], &k))
            return 0;
        total += k;
    }
    if (scratch_fit(ph, &ph->ev, &ph->ev_cap, total))
        return 0;
    /* term indexes are the first iterator of each distinct term (need[] counts) */
    size_t n_ev = 0;
    for (size_t i = 0; i < ph->n; i++) {
        if (ph->need[i] == 0)
            continue; /* a repeat: its positions are the first one's */
        uint32_t k;
        const uint32_t *p = iter_term_positions(ph->t[i], &k);
        for (uint32_t j = 0; j < k; j++)
            ph->ev[n_ev++] = (uint64_t)p[j] << 32 | i;
    }
    qsort(ph->ev, n_ev, sizeof *ph->ev, cmp_u64);
    uint64_t window = ph->n + ph->slop; /* positions the window spans */
    memset(ph->have, 0, ph->n * sizeof *ph->have);
    size_t missing = ph->n, lo = 0;
    for (size_t hi = 0; hi < n_ev; hi++) {
        uint32_t ti = (uint32_t)ph->ev[hi];
        if (ph->have[ti]++ < ph->need[ti])
            missing--;
        while ((ph->ev[hi] >> 32) - (ph->ev[lo] >> 32) >= window) {
            uint32_t tl = (uint32_t)ph->ev[lo];
            if (--ph->have[tl] < ph->need[tl])
                missing++;
            lo++;
        }
        if (missing == 0)
            return 1;
    }
    return 0;
}

/* The first document from d on where the sloppy phrase matches. */
static uint32_t sloppy_find(struct phrase_it *ph, uint32_t d)
{
    while (d != ITER_END) {
        prefetch_len(ph, d);
        ph->freq = sloppy_match(ph);
        if (ph->freq)
            break;
        d = iter_next(ph->all);
    }
    keep_error(&ph->base, ph->all->error);
    return ph->base.doc = d;
}

static uint32_t phrase_next(iter *it)
{
    struct phrase_it *ph = (struct phrase_it *)it;
    if (ph->slop)
        return sloppy_find(ph, iter_next(ph->all));
    if (!ph->started) {
        ph->started = 1;
        ph->conj = iter_next(ph->all);
    } else if (it->doc == ITER_END) {
        return ITER_END;
    } else {
        ahead_drop(ph, it->doc + 1);
    }
    ph->want = ph->k;
    return ahead_find(ph);
}

static uint32_t phrase_advance(iter *it, uint32_t target)
{
    struct phrase_it *ph = (struct phrase_it *)it;
    if (it->doc != ITER_END && it->doc >= target && ph->freq)
        return it->doc;
    if (ph->slop)
        return sloppy_find(ph, iter_advance(ph->all, target));
    if (!ph->started) {
        ph->started = 1;
        ph->conj = iter_advance(ph->all, target);
    } else if (it->doc == ITER_END) {
        return ITER_END;
    } else {
        ahead_drop(ph, target);
        if (ph->count == 0 && ph->conj != ITER_END && ph->conj < target)
            ph->conj = iter_advance(ph->all, target);
    }
    /* a jump (a rarer clause leads): the next one is likely far, so
     * candidates found ahead of this one would be thrown away */
    ph->want = 1;
    return ahead_find(ph);
}

static double phrase_score(iter *it)
{
    struct phrase_it *ph = (struct phrase_it *)it;
    if (ph->m.weight == 0)
        return 0;
    return bm25_score(&ph->m, ph->freq, segread_len(ph->s, it->doc, ph->m.field));
}

static void phrase_free(iter *it)
{
    iter_free(((struct phrase_it *)it)->all);
}

static const struct iter_ops phrase_ops = {phrase_next, phrase_advance, phrase_score, phrase_free, NULL};

int iter_phrase(iter **out, arena *a, iter **t, const uint32_t *rel, size_t n, uint32_t slop,
                const bm25 *m)
{
    *out = NULL;
    if (n > ITER_PHRASE_MAX) {
        for (size_t i = 0; i < n; i++)
            iter_free(t[i]);
        return LEDE_ELIMIT;
    }
    /* the iterator and its four arrays in one allocation */
    struct phrase_it *ph = arena_calloc(a, 1, sizeof *ph + n * (sizeof(iter *) + 3 * sizeof(uint32_t)));
    if (!ph) {
        for (size_t i = 0; i < n; i++)
            iter_free(t[i]);
        return LEDE_ENOMEM;
    }
    iter **tc = (iter **)(ph + 1);
    uint32_t *rc_ = (uint32_t *)(tc + n), *need = rc_ + n, *have = need + n;
    memcpy(tc, t, n * sizeof *tc);
    memcpy(rc_, rel, n * sizeof *rc_);
    ph->t = tc;
    ph->rel = rc_;
    ph->n = n;
    ph->slop = slop;
    ph->need = need;
    ph->have = have;
    ph->mem = a;
    if (m) {
        ph->m = *m;
        ph->s = NULL;
    }
    if (slop == 0) {
        /* the ring holds k * n locations: long phrases check one at a time */
        ph->k = n <= 16 ? PHRASE_AHEAD : 1;
        ph->ahead_doc = arena_alloc(a, ph->k * sizeof *ph->ahead_doc);
        ph->ahead_ready = arena_alloc(a, ph->k);
        /* zeroed: a slot never filled is no hint to positions_loc_prefetch */
        ph->ahead_loc = arena_calloc(a, ph->k * n, sizeof *ph->ahead_loc);
        if (!ph->ahead_doc || !ph->ahead_ready || !ph->ahead_loc) {
            for (size_t i = 0; i < n; i++)
                iter_free(t[i]);
            return LEDE_ENOMEM;
        }
    }
    int rc = iter_and(&ph->all, a, t, n);
    if (rc)
        return rc;
    ph->base.ops = &phrase_ops;
    ph->base.doc = ITER_END;
    ph->base.cost = ph->all->cost;
    ph->base.max_score = m ? m->weight : 0; /* bm25 never exceeds its weight */
    *out = &ph->base;
    return 0;
}

void iter_phrase_set_segment(iter *it, segread *s, const uint32_t *first_of)
{
    struct phrase_it *ph = (struct phrase_it *)it;
    ph->s = s;
    /* need[i]: how many times the term first seen at index i occurs */
    for (size_t i = 0; i < ph->n; i++)
        ph->need[first_of[i]]++;
}

/* --- bitmap, all, date, empty --------------------------------------------------------------- */

struct scan_it {
    iter base;
    uint32_t n_docs;
    const uint64_t *bits; /* bitmap iterator */
    segread *s;        /* date iterator */
    int64_t lo, hi;
    double score;
    int started;
};

static double scan_score(iter *it)
{
    return ((struct scan_it *)it)->score;
}

static uint32_t bitmap_from(struct scan_it *s, uint32_t d)
{
    for (; d < s->n_docs; d++) {
        uint64_t w = s->bits[d >> 6] >> (d & 63);
        if (w) {
            d += (uint32_t)__builtin_ctzll(w);
            return s->base.doc = d < s->n_docs ? d : ITER_END;
        }
        d |= 63;
    }
    return s->base.doc = ITER_END;
}

static uint32_t bitmap_next(iter *it)
{
    struct scan_it *s = (struct scan_it *)it;
    uint32_t from = s->started ? (it->doc == ITER_END ? ITER_END : it->doc + 1) : 0;
    s->started = 1;
    return from == ITER_END ? ITER_END : bitmap_from(s, from);
}

static uint32_t bitmap_advance(iter *it, uint32_t target)
{
    struct scan_it *s = (struct scan_it *)it;
    if (s->started && it->doc != ITER_END && it->doc >= target)
        return it->doc;
    s->started = 1;
    return bitmap_from(s, target);
}

static const struct iter_ops bitmap_ops = {bitmap_next, bitmap_advance, scan_score, NULL, NULL};

int iter_bitmap(iter **out, arena *a, const uint64_t *bits, uint32_t n_docs, double score)
{
    *out = NULL;
    struct scan_it *s = arena_calloc(a, 1, sizeof *s);
    if (!s)
        return LEDE_ENOMEM;
    s->base.ops = &bitmap_ops;
    s->base.doc = ITER_END;
    s->base.max_score = score;
    s->n_docs = n_docs;
    s->bits = bits;
    s->score = score;
    uint64_t c = 0;
    for (uint32_t i = 0; i < (n_docs + 63) / 64; i++)
        c += popcount64(bits[i]);
    s->base.cost = c;
    *out = &s->base;
    return 0;
}

static uint32_t all_next(iter *it)
{
    struct scan_it *s = (struct scan_it *)it;
    uint32_t d = s->started ? (it->doc == ITER_END ? ITER_END : it->doc + 1) : 0;
    s->started = 1;
    return it->doc = d < s->n_docs ? d : ITER_END;
}

static uint32_t all_advance(iter *it, uint32_t target)
{
    struct scan_it *s = (struct scan_it *)it;
    if (s->started && it->doc != ITER_END && it->doc >= target)
        return it->doc;
    s->started = 1;
    return it->doc = target < s->n_docs ? target : ITER_END;
}

static const struct iter_ops all_ops = {all_next, all_advance, scan_score, NULL, NULL};

int iter_all(iter **out, arena *a, uint32_t n_docs)
{
    *out = NULL;
    struct scan_it *s = arena_calloc(a, 1, sizeof *s);
    if (!s)
        return LEDE_ENOMEM;
    s->base.ops = &all_ops;
    s->base.doc = ITER_END;
    s->base.cost = n_docs;
    s->n_docs = n_docs;
    *out = &s->base;
    return 0;
}

static uint32_t date_from(struct scan_it *s, uint32_t d)
{
    for (; d < s->n_docs; d++) {
        int64_t t = segread_date(s->s, d);
        if (t != INT64_MIN && t >= s->lo && t <= s->hi)
            return s->base.doc = d;
    }
    return s->base.doc = ITER_END;
}

static uint32_t date_next(iter *it)
{
    struct scan_it *s = (struct scan_it *)it;
    uint32_t from = s->started ? (it->doc == ITER_END ? ITER_END : it->doc + 1) : 0;
    s->started = 1;
    return from == ITER_END ? ITER_END : date_from(s, from);
}

static uint32_t date_advance(iter *it, uint32_t target)
{
    struct scan_it *s = (struct scan_it *)it;
    if (s->started && it->doc != ITER_END && it->doc >= target)
        return it->doc;
    s->started = 1;
    return date_from(s, target);
}

static const struct iter_ops date_ops = {date_next, date_advance, scan_score, NULL, NULL};

int iter_date(iter **out, arena *a, segread *seg, int64_t lo, int64_t hi)
{
    *out = NULL;
    struct scan_it *s = arena_calloc(a, 1, sizeof *s);
    if (!s)
        return LEDE_ENOMEM;
    s->base.ops = &date_ops;
    s->base.doc = ITER_END;
    s->n_docs = segread_meta(seg)->n_docs;
    s->base.cost = s->n_docs; /* a scan: never the leader if a term can lead */
    s->s = seg;
    s->lo = lo;
    s->hi = hi;
    *out = &s->base;
    return 0;
}

int iter_empty(iter **out, arena *a)
{
    int rc = iter_all(out, a, 0);
    if (rc == 0)
        (*out)->empty = 1;
    return rc;
}
