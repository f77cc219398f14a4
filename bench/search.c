/* bench/search.c - how fast does lede answer queries, next to SQLite FTS5 and
 * Xapian on the same documents? The lede and FTS5 side of bench/search.sh
 * (Xapian's is bench/xapian_peer.cc, which reads what this program writes).
 *
 * 1. Reads the inputs once through lede's ingestion and, from each document,
 *    feeds lede (ixwriter, the document id prefixed with its corpus file's
 *    name so that ids from different corpora do not replace each other),
 *    FTS5, and a dump for Xapian (WORKDIR/xapian.tsv: date seconds or empty,
 *    title, body; \ t n r escaped); every index is then optimized (lede: one
 *    segment; FTS5: 'optimize'). It also gathers the term statistics the
 *    query generator needs (only words of 2-24 letters a-z, so that the
 *    three tokenizers agree on them).
 * 2. Queries (WORKDIR/queries.tsv: type, source, words, date lo, date hi):
 *    those of the search-benchmark-game file with tags term, intersection,
 *    union, phrase, negated; then, seeded, generated from the corpus: term
 *    (log-uniform over the 20,000 most frequent words), negated (a common
 *    word a, rank 10-1000, and a word b from a sampled document containing
 *    a), prefix (3 or 4 letters of one of the 5,000 most frequent words of
 *    5+ letters), date (a common word of the dated documents + a range of
 *    days covering 1-20% of the dated documents).
 * 3. Times lede and FTS5: each opens its index once, runs every query once to
 *    warm up, then R rounds of one pass over all queries each, lede's and
 *    FTS5's in turn (a drift of the host's speed weighs on both alike); per
 *    query the median of its R times; per type the median and p99 (nearest rank) over queries, and the
 *    mean number of hits returned (at most 10). One JSON object per line.
 *
 * FTS5: fts5(title, body, tokenize='unicode61') with rank bm25(2.0, 1.0) (a
 * title match counts twice, as in lede), opened read-only with mmap on; an
 * ordinary table docdate(rowid INTEGER PRIMARY KEY, date INTEGER) holds the
 * dates and date filters join it by rowid (a B-tree probe per FTS5 match;
 * faster here than an UNINDEXED date column, which reads the article's row,
 * or than rowid IN (a date-indexed subquery)).
 * Prefixes: lede scores a prefix clause a constant (docs/RANKING.md), so its
 * top 10 are the first 10 matches in document order; the peers are asked the
 * same (FTS5 without ORDER BY rank, in rowid order; Xapian with the wildcard's
 * weight scaled to 0), so all three do the same work.
 * The top-10 ids of each query's first run (as 0-based positions in the
 * input, which lede's internal ids, FTS5's rowids - 1 and Xapian's docids - 1
 * all are) go to WORKDIR/times-ENGINE.tsv with its time, so that
 * bench/search.sh can say how far the engines' answers agree. Match sets are
 * the same; ranked top 10s differ where the BM25 variants do: lede sums a
 * BM25 per field, each normalized by its own field length (docs/RANKING.md);
 * FTS5 computes one BM25 over the row with column-weighted frequencies;
 * Xapian one over a single field in which title words count twice.
 *
 * usage: bench_search [--runs R] [--seed S] [--per-type N] [-j N] [--game FILE]
 *                     [--engines lede,fts5] [--fts5-prefix-index] [--skip-build]
 *                     --name CORPUS WORKDIR INPUT...
 * --skip-build times again on WORKDIR's indexes and queries.tsv. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "hash.h"
#include "index.h"
#include "ingest.h"
#include "search.h"

#define SECS_PER_DAY 86400
#define SAMPLE_DOCS 4000      /* documents kept for picking co-occurring words */
#define TERM_POOL 20000       /* generated terms come from this many top words */
#define COMMON_LO 10          /* "common" words: ranks [COMMON_LO, COMMON_HI) by df, */
#define COMMON_HI 1000        /* skipping the handful of pure stop words */
#define PREFIX_POOL 5000

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "bench_search: out of memory\n");
        exit(1);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

static uint64_t rng_state;
static uint64_t rng_next(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static size_t rng_below(size_t n) { return n ? (size_t)(rng_next() % n) : 0; }
static double rng_unit(void) { return (double)(rng_next() >> 11) / 9007199254740992.0; }

/* --- queries ------------------------------------------------------------------- */

enum qtype { QT_TERM, QT_AND, QT_OR, QT_PHRASE, QT_NOT, QT_PREFIX, QT_DATE, N_QT };
static const char *const qtype_name[N_QT] = {"term",    "intersection", "union", "phrase",
                                             "negated", "prefix",       "date"};

typedef struct bq {
    enum qtype type;
    int from_game;
    char *words;          /* space-separated; QT_NOT: the first is kept, the rest excluded */
    int64_t lo, hi;       /* QT_DATE: inclusive range in seconds */
} bq;

typedef struct qlist {
    bq *v;
    size_t n, cap;
} qlist;

static void qlist_add(qlist *l, enum qtype t, int game, const char *words, int64_t lo, int64_t hi)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    bq *q = &l->v[l->n++];
    q->type = t;
    q->from_game = game;
    q->words = xstrdup(words);
    q->lo = lo;
    q->hi = hi;
}

/* The words of q, one at a time: *cur walks the string. */
static int next_word(const char **cur, const char **w, size_t *len)
{
    const char *s = *cur;
    while (*s == ' ')
        s++;
    if (!*s)
        return 0;
    *w = s;
    while (*s && *s != ' ')
        s++;
    *len = (size_t)(s - *w);
    *cur = s;
    return 1;
}

static void day_string(char *out, size_t cap, int64_t t)
{
    if (date_format(out, cap, t, 1) == 0)
        snprintf(out, cap, "?");
}

/* lede's query language, with any_default = 1 (bare words are a ranked OR). */
static void render_lede(const bq *q, char *out, size_t cap)
{
    size_t n = 0;
    const char *cur = q->words, *w;
    size_t len;
    int i = 0;
    out[0] = 0;
#define PUT(...) (n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__))
    if (q->type == QT_PHRASE)
        PUT("\"");
    while (next_word(&cur, &w, &len)) {
        const char *pre = "";
        if (q->type == QT_AND || q->type == QT_DATE)
            pre = "+";
        else if (q->type == QT_NOT)
            pre = i == 0 ? "+" : "-";
        PUT("%s%s%.*s%s", i ? " " : "", pre, (int)len, w, q->type == QT_PREFIX ? "*" : "");
        i++;
    }
    if (q->type == QT_PHRASE)
        PUT("\"");
    if (q->type == QT_DATE) {
        char a[32], b[32];
        day_string(a, sizeof a, q->lo);
        day_string(b, sizeof b, q->hi);
        PUT(" date:%s..%s", a, b);
    }
#undef PUT
}

/* FTS5's query syntax; every word quoted so that AND/NOT/NEAR are words. */
static void render_fts5(const bq *q, char *out, size_t cap)
{
    size_t n = 0;
    const char *cur = q->words, *w;
    size_t len;
    int i = 0;
    out[0] = 0;
#define PUT(...) (n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__))
    if (q->type == QT_PHRASE)
        PUT("\"");
    while (next_word(&cur, &w, &len)) {
        if (q->type == QT_PHRASE) {
            PUT("%s%.*s", i ? " " : "", (int)len, w);
        } else {
            const char *op = q->type == QT_AND ? " AND " : q->type == QT_OR ? " OR " : " NOT ";
            PUT("%s\"%.*s\"%s", i ? op : "", (int)len, w, q->type == QT_PREFIX ? "*" : "");
        }
        i++;
    }
    if (q->type == QT_PHRASE)
        PUT("\"");
#undef PUT
}

/* The value of "key": "..." in a JSON line (no escapes but \" and \\ expected). */
static int json_str(const char *line, const char *key, char *out, size_t cap)
{
    const char *p = strstr(line, key);
    if (!p || !(p = strchr(p + strlen(key), '"')))
        return 0;
    size_t n = 0;
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
            p++;
        if (n + 1 < cap)
            out[n++] = *p;
    }
    out[n] = 0;
    return *p == '"';
}

/* Reads the search-benchmark-game queries with the tags we measure. */
static int read_game(const char *path, qlist *l)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_search: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    char line[4096], text[1024], tag[64], words[1024];
    while (fgets(line, sizeof line, f)) {
        if (!json_str(line, "\"query\":", text, sizeof text) ||
            !json_str(line, "\"tags\":", tag, sizeof tag)) /* the first tag */
            continue;
        enum qtype t;
        if (!strcmp(tag, "term"))
            t = QT_TERM;
        else if (!strcmp(tag, "intersection"))
            t = QT_AND;
        else if (!strcmp(tag, "union"))
            t = QT_OR;
        else if (!strcmp(tag, "phrase"))
            t = QT_PHRASE;
        else if (!strcmp(tag, "negated"))
            t = QT_NOT;
        else
            continue; /* intersection_union, two-phase-critic: mixed forms */
        /* Check the form the tag promises, and keep the bare words. */
        size_t n = 0, nw = 0;
        int ok = 1;
        char *save = NULL;
        for (char *tok = strtok_r(text, " ", &save); tok && ok; tok = strtok_r(NULL, " ", &save)) {
            char want = t == QT_AND ? '+' : t == QT_NOT ? (nw == 0 ? '+' : '-') : 0;
            if (want) {
                ok = tok[0] == want;
                tok++;
            }
            if (t == QT_PHRASE) {
                size_t tl = strlen(tok);
                if (nw == 0 && tok[0] == '"')
                    tok++, tl--;
                if (tl && tok[tl - 1] == '"')
                    tok[--tl] = 0;
            }
            for (const char *c = tok; *c && ok; c++)
                ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9');
            ok = ok && *tok && n + strlen(tok) + 2 < sizeof words;
            if (ok)
                n += (size_t)sprintf(words + n, "%s%s", nw ? " " : "", tok), nw++;
        }
        if (ok && nw > 0 && (t != QT_TERM || nw == 1) && (t == QT_TERM || nw >= 2))
            qlist_add(l, t, 1, words, 0, 0);
    }
    fclose(f);
    return 0;
}

static int write_queries(const char *path, const qlist *l)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    for (size_t i = 0; i < l->n; i++) {
        const bq *q = &l->v[i];
        if (q->type == QT_DATE)
            fprintf(f, "%s\t%s\t%s\t%" PRId64 "\t%" PRId64 "\n", qtype_name[q->type],
                    q->from_game ? "game" : "gen", q->words, q->lo, q->hi);
        else
            fprintf(f, "%s\t%s\t%s\t-\t-\n", qtype_name[q->type], q->from_game ? "game" : "gen",
                    q->words);
    }
    return fclose(f) != 0;
}

static int read_queries(const char *path, qlist *l)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_search: cannot read %s (run without --skip-build)\n", path);
        return 1;
    }
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *save = NULL, *ty = strtok_r(line, "\t", &save), *src = strtok_r(NULL, "\t", &save),
             *w = strtok_r(NULL, "\t", &save), *lo = strtok_r(NULL, "\t", &save),
             *hi = strtok_r(NULL, "\t", &save);
        int t = 0;
        while (ty && t < N_QT && strcmp(ty, qtype_name[t]))
            t++;
        if (!hi || t == N_QT) {
            fclose(f);
            fprintf(stderr, "bench_search: %s: malformed line\n", path);
            return 1;
        }
        qlist_add(l, (enum qtype)t, !strcmp(src, "game"), w, strtoll(lo, NULL, 10),
                  strtoll(hi, NULL, 10));
    }
    fclose(f);
    return 0;
}

/* --- corpus statistics for the generator ---------------------------------------- */

struct vterm {
    uint32_t off, len;
    uint32_t df, df_dated;
    uint32_t last_doc;   /* 1 + the last document counted */
};

typedef struct stats {
    char *chars;
    size_t chars_len, chars_cap;
    struct vterm *t;
    size_t n, cap;
    uint32_t *table;     /* 1 + index into t, 0 empty */
    size_t mask;
    uint32_t *doc_terms; /* the current document's distinct terms */
    size_t n_doc_terms, doc_terms_cap;
    uint32_t **sample;   /* reservoir of SAMPLE_DOCS documents' distinct terms */
    uint32_t *sample_n;
    size_t n_sample;
    int64_t *dates;
    size_t n_dates, dates_cap;
    uint64_t n_docs;
} stats;

static int word_ok(const char *s, size_t len)
{
    if (len < 2 || len > 24)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return 0;
    return 1;
}

static uint32_t stats_term(stats *st, const char *s, size_t len)
{
    if (st->n * 2 >= st->mask) {
        size_t cap = st->mask ? 2 * (st->mask + 1) : 1 << 16;
        free(st->table);
        st->table = xrealloc(NULL, cap * sizeof *st->table);
        memset(st->table, 0, cap * sizeof *st->table);
        st->mask = cap - 1;
        for (size_t i = 0; i < st->n; i++) {
            size_t h = hash64(st->chars + st->t[i].off, st->t[i].len) & st->mask;
            while (st->table[h])
                h = (h + 1) & st->mask;
            st->table[h] = (uint32_t)i + 1;
        }
    }
    size_t h = hash64(s, len) & st->mask;
    for (; st->table[h]; h = (h + 1) & st->mask) {
        struct vterm *v = &st->t[st->table[h] - 1];
        if (v->len == len && !memcmp(st->chars + v->off, s, len))
            return st->table[h] - 1;
    }
    if (st->n == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 1 << 15;
        st->t = xrealloc(st->t, st->cap * sizeof *st->t);
    }
    if (st->chars_len + len > st->chars_cap) {
        st->chars_cap = 2 * (st->chars_len + len) + 4096;
        st->chars = xrealloc(st->chars, st->chars_cap);
    }
    memcpy(st->chars + st->chars_len, s, len);
    st->t[st->n] = (struct vterm){(uint32_t)st->chars_len, (uint32_t)len, 0, 0, 0};
    st->chars_len += len;
    st->table[h] = (uint32_t)st->n + 1;
    return (uint32_t)st->n++;
}

static void stats_doc(stats *st, const ingest_doc *d)
{
    uint32_t docno = (uint32_t)++st->n_docs;
    int dated = d->d->date != DATE_NONE;
    st->n_doc_terms = 0;
    for (size_t i = 0; i < d->n_toks; i++) {
        const ingest_tok *k = &d->toks[i];
        if ((k->field != FIELD_TITLE && k->field != FIELD_BODY) ||
            !word_ok(d->terms + k->term_off, k->term_len))
            continue;
        uint32_t ti = stats_term(st, d->terms + k->term_off, k->term_len);
        struct vterm *v = &st->t[ti];
        if (v->last_doc == docno)
            continue;
        v->last_doc = docno;
        v->df++;
        v->df_dated += (uint32_t)dated;
        if (st->n_doc_terms == st->doc_terms_cap) {
            st->doc_terms_cap = st->doc_terms_cap ? 2 * st->doc_terms_cap : 1024;
            st->doc_terms = xrealloc(st->doc_terms, st->doc_terms_cap * sizeof *st->doc_terms);
        }
        st->doc_terms[st->n_doc_terms++] = ti;
    }
    if (dated) {
        if (st->n_dates == st->dates_cap) {
            st->dates_cap = st->dates_cap ? 2 * st->dates_cap : 4096;
            st->dates = xrealloc(st->dates, st->dates_cap * sizeof *st->dates);
        }
        st->dates[st->n_dates++] = d->d->date;
    }
    size_t slot = st->n_sample < SAMPLE_DOCS ? st->n_sample++ : rng_below(st->n_docs);
    if (slot < SAMPLE_DOCS && st->n_doc_terms > 0) {
        st->sample[slot] = xrealloc(st->sample[slot], st->n_doc_terms * sizeof **st->sample);
        memcpy(st->sample[slot], st->doc_terms, st->n_doc_terms * sizeof **st->sample);
        st->sample_n[slot] = (uint32_t)st->n_doc_terms;
    }
}

static const stats *sort_st;
static int by_df(const void *a, const void *b)
{
    const struct vterm *x = &sort_st->t[*(const uint32_t *)a], *y = &sort_st->t[*(const uint32_t *)b];
    if (x->df != y->df)
        return x->df < y->df ? 1 : -1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(sort_st->chars + x->off, sort_st->chars + y->off, n);
    return c ? c : (int)x->len - (int)y->len;
}
static int by_df_dated(const void *a, const void *b)
{
    const struct vterm *x = &sort_st->t[*(const uint32_t *)a], *y = &sort_st->t[*(const uint32_t *)b];
    if (x->df_dated != y->df_dated)
        return x->df_dated < y->df_dated ? 1 : -1;
    return by_df(a, b);
}
static int by_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t floor_day(int64_t t)
{
    return t >= 0 ? t / SECS_PER_DAY : -((-t + SECS_PER_DAY - 1) / SECS_PER_DAY);
}

static void add_generated(qlist *l, stats *st, size_t per_type)
{
    size_t V = st->n;
    uint32_t *rank = xrealloc(NULL, V * sizeof *rank), *byrank = xrealloc(NULL, V * sizeof *byrank);
    for (size_t i = 0; i < V; i++)
        byrank[i] = (uint32_t)i;
    sort_st = st;
    qsort(byrank, V, sizeof *byrank, by_df);
    while (V > 0 && st->t[byrank[V - 1]].df < 2) /* hapaxes are mostly noise */
        V--;
    for (size_t i = 0; i < st->n; i++)
        rank[i] = UINT32_MAX;
    for (size_t i = 0; i < V; i++)
        rank[byrank[i]] = (uint32_t)i;
    unsigned char *used = xrealloc(NULL, st->n ? st->n : 1);
    char w[128];
#define WORD(i) (int)st->t[i].len, st->chars + st->t[i].off
    if (V < COMMON_HI * 2) {
        fprintf(stderr, "bench_search: too few distinct words (%zu) to generate queries\n", V);
        goto done;
    }

    /* term: log-uniform rank, so common and rare words both appear */
    memset(used, 0, st->n);
    size_t pool = V < TERM_POOL ? V : TERM_POOL;
    for (size_t k = 0, tries = 0; k < per_type && tries < 100 * per_type; tries++) {
        size_t r = (size_t)floor(exp(rng_unit() * log((double)pool)));
        uint32_t ti = byrank[r < pool ? r : pool - 1];
        if (used[ti]++)
            continue;
        snprintf(w, sizeof w, "%.*s", WORD(ti));
        qlist_add(l, QT_TERM, 0, w, 0, 0);
        k++;
    }

    /* negated: a common a, and b from a sampled document that contains a */
    for (size_t k = 0, tries = 0; k < per_type && tries < 1000 * per_type && st->n_sample; tries++) {
        size_t s = rng_below(st->n_sample);
        uint32_t n = st->sample_n[s], a = UINT32_MAX, b = UINT32_MAX;
        for (int j = 0; j < 20 && n && a == UINT32_MAX; j++) {
            uint32_t t = st->sample[s][rng_below(n)];
            if (rank[t] >= COMMON_LO && rank[t] < COMMON_HI)
                a = t;
        }
        for (int j = 0; j < 20 && n && a != UINT32_MAX && b == UINT32_MAX; j++) {
            uint32_t t = st->sample[s][rng_below(n)];
            if (t != a && rank[t] >= COMMON_LO && rank[t] != UINT32_MAX && st->t[t].df >= 5 &&
                st->t[t].len >= 3)
                b = t;
        }
        if (b == UINT32_MAX)
            continue;
        snprintf(w, sizeof w, "%.*s %.*s", WORD(a), WORD(b));
        qlist_add(l, QT_NOT, 0, w, 0, 0);
        k++;
    }

    /* prefix: 3 or 4 letters of a frequent longer word, each prefix once */
    size_t first_prefix = l->n;
    pool = V < PREFIX_POOL ? V : PREFIX_POOL;
    for (size_t k = 0, tries = 0; k < per_type && tries < 100 * per_type; tries++) {
        uint32_t ti = byrank[rng_below(pool)];
        if (st->t[ti].len < 5)
            continue;
        int plen = 3 + (int)rng_below(2);
        snprintf(w, sizeof w, "%.*s", plen, st->chars + st->t[ti].off);
        int dup = 0;
        for (size_t i = first_prefix; i < l->n && !dup; i++)
            dup = !strcmp(l->v[i].words, w);
        if (dup)
            continue;
        qlist_add(l, QT_PREFIX, 0, w, 0, 0);
        k++;
    }

    /* date: a common word of the dated documents + a range of days */
    if (st->n_dates >= 100) {
        qsort(st->dates, st->n_dates, sizeof *st->dates, by_i64);
        uint32_t *bydated = xrealloc(NULL, V * sizeof *bydated);
        memcpy(bydated, byrank, V * sizeof *bydated);
        qsort(bydated, V, sizeof *bydated, by_df_dated);
        size_t nd = st->n_dates;
        memset(used, 0, st->n);
        for (size_t k = 0, tries = 0; k < per_type && tries < 100 * per_type; tries++) {
            uint32_t ti = bydated[COMMON_LO + rng_below(COMMON_HI - COMMON_LO)];
            if (st->t[ti].df_dated == 0 || used[ti]++)
                continue;
            size_t i = rng_below(nd), span = nd / 100 + rng_below(nd / 5 - nd / 100 + 1);
            size_t j = i + span < nd ? i + span : nd - 1;
            int64_t lo = floor_day(st->dates[i]) * SECS_PER_DAY;
            int64_t hi = (floor_day(st->dates[j]) + 1) * SECS_PER_DAY - 1;
            snprintf(w, sizeof w, "%.*s", WORD(ti));
            qlist_add(l, QT_DATE, 0, w, lo, hi);
            k++;
        }
        free(bydated);
    }
#undef WORD
done:
    free(used);
    free(rank);
    free(byrank);
}

/* --- building: one pass over the input feeds all three -------------------------- */

struct build {
    ixwriter *w;
    sqlite3 *db;
    sqlite3_stmt *ins, *ins_date;
    FILE *dump;
    stats *st;
    char *id;
    size_t id_cap;
    double us_lede, us_fts, us_dump;
};

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_search: %s: %s\n", sql, err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return 1;
    }
    return 0;
}

static void dump_field(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            putc('\\', f);
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c;
        }
        putc(c, f);
    }
}

static int build_sink(void *ctx, const ingest_doc *d)
{
    struct build *b = ctx;
    const doc *src = d->d;
    double t0 = now_us();

    /* lede: "corpus/id", the corpus being the input file's name up to its first dot */
    const char *file = d->file ? d->file : "input", *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t blen = strcspn(base, "."), need = blen + 1 + src->f_len[DOC_ID] + 1;
    if (need > b->id_cap)
        b->id = xrealloc(b->id, b->id_cap = 2 * need);
    memcpy(b->id, base, blen);
    b->id[blen] = '/';
    memcpy(b->id + blen + 1, src->f[DOC_ID], src->f_len[DOC_ID] + 1);
    doc renamed = *src;
    renamed.f[DOC_ID] = b->id;
    renamed.f_len[DOC_ID] = need - 1;
    ingest_doc id2 = *d;
    id2.d = &renamed;
    int outcome;
    char msg[512];
    if (ixwriter_add(b->w, &id2, &outcome, msg, sizeof msg)) {
        fprintf(stderr, "bench_search: %s\n", msg);
        return 1;
    }
    double t1 = now_us();

    sqlite3_bind_text(b->ins, 1, src->f[DOC_TITLE], (int)src->f_len[DOC_TITLE], SQLITE_STATIC);
    sqlite3_bind_text(b->ins, 2, src->f[DOC_BODY], (int)src->f_len[DOC_BODY], SQLITE_STATIC);
    if (sqlite3_step(b->ins) != SQLITE_DONE) {
        fprintf(stderr, "bench_search: fts5 insert: %s\n", sqlite3_errmsg(b->db));
        return 1;
    }
    sqlite3_reset(b->ins);
    if (src->date != DATE_NONE) {
        sqlite3_bind_int64(b->ins_date, 1, sqlite3_last_insert_rowid(b->db));
        sqlite3_bind_int64(b->ins_date, 2, src->date);
        if (sqlite3_step(b->ins_date) != SQLITE_DONE) {
            fprintf(stderr, "bench_search: docdate insert: %s\n", sqlite3_errmsg(b->db));
            return 1;
        }
        sqlite3_reset(b->ins_date);
    }
    double t2 = now_us();

    if (src->date != DATE_NONE)
        fprintf(b->dump, "%" PRId64, src->date);
    putc('\t', b->dump);
    dump_field(b->dump, src->f[DOC_TITLE], src->f_len[DOC_TITLE]);
    putc('\t', b->dump);
    dump_field(b->dump, src->f[DOC_BODY], src->f_len[DOC_BODY]);
    putc('\n', b->dump);
    double t3 = now_us();

    stats_doc(b->st, d);
    b->us_lede += t1 - t0;
    b->us_fts += t2 - t1;
    b->us_dump += t3 - t2;
    return 0;
}

static int build_all(const char *work, const char *name, char **paths, int n, int threads,
                     int prefix_index, stats *st)
{
    char path[4096], msg[512];
    struct build b;
    memset(&b, 0, sizeof b);
    b.st = st;
    int rc = 1;

    snprintf(path, sizeof path, "rm -rf '%s/lede' '%s/fts5.db' '%s/xapian.tsv'", work, work, work);
    if (system(path) != 0)
        return 1;
    snprintf(path, sizeof path, "%s/lede", work);
    ixwriter_opts wo = {NULL, 0, 1, 0}; /* unstemmed; keep duplicates: the same rows everywhere */
    if (ixwriter_open(&b.w, path, &wo, msg, sizeof msg)) {
        fprintf(stderr, "bench_search: %s\n", msg);
        return 1;
    }
    snprintf(path, sizeof path, "%s/fts5.db", work);
    char create[512];
    snprintf(create, sizeof create,
             "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
             "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61'%s);"
             "INSERT INTO docs(docs, rank) VALUES('rank', 'bm25(2.0, 1.0)');"
             "CREATE TABLE docdate(rowid INTEGER PRIMARY KEY, date INTEGER NOT NULL);"
             "BEGIN;",
             prefix_index ? ", prefix='3 4'" : "");
    if (sqlite3_open(path, &b.db) != SQLITE_OK || exec(b.db, create) ||
        sqlite3_prepare_v2(b.db, "INSERT INTO docs(title, body) VALUES (?, ?)", -1, &b.ins, NULL) ||
        sqlite3_prepare_v2(b.db, "INSERT INTO docdate(rowid, date) VALUES (?, ?)", -1, &b.ins_date,
                           NULL)) {
        fprintf(stderr, "bench_search: %s: %s\n", path, sqlite3_errmsg(b.db));
        goto cleanup;
    }
    snprintf(path, sizeof path, "%s/xapian.tsv", work);
    if (!(b.dump = fopen(path, "w"))) {
        fprintf(stderr, "bench_search: cannot write %s: %s\n", path, strerror(errno));
        goto cleanup;
    }
    st->sample = xrealloc(NULL, SAMPLE_DOCS * sizeof *st->sample);
    st->sample_n = xrealloc(NULL, SAMPLE_DOCS * sizeof *st->sample_n);
    memset(st->sample, 0, SAMPLE_DOCS * sizeof *st->sample);
    memset(st->sample_n, 0, SAMPLE_DOCS * sizeof *st->sample_n);

    double t0 = now_us();
    ingest_opts io;
    memset(&io, 0, sizeof io);
    io.paths = (const char *const *)paths;
    io.n_paths = (size_t)n;
    io.n_threads = threads;
    input_stats ist;
    if (ingest_run(&io, build_sink, &b, &ist) != 0)
        goto cleanup;
    double t1 = now_us();
    if (ixwriter_optimize(b.w, msg, sizeof msg)) {
        fprintf(stderr, "bench_search: %s\n", msg);
        goto cleanup;
    }
    double t2 = now_us();
    sqlite3_finalize(b.ins);
    sqlite3_finalize(b.ins_date);
    b.ins = b.ins_date = NULL;
    if (exec(b.db, "COMMIT; INSERT INTO docs(docs) VALUES('optimize'); ANALYZE;"))
        goto cleanup;
    double t3 = now_us();
    if (fclose(b.dump) != 0) {
        b.dump = NULL;
        fprintf(stderr, "bench_search: writing the Xapian dump failed\n");
        goto cleanup;
    }
    b.dump = NULL;
    /* Engine seconds: its share of the single pass plus its finishing step;
     * reading and lede's analysis (shared, in ingest) are reported apart. */
    printf("{\"corpus\":\"%s\",\"docs\":%" PRIu64 ",\"dated_docs\":%zu,\"input_mb\":%.1f,"
           "\"ingest_seconds\":%.3f}\n",
           name, st->n_docs, st->n_dates, (double)ist.bytes_read / 1e6,
           (t1 - t0 - b.us_lede - b.us_fts - b.us_dump) / 1e6);
    printf("{\"corpus\":\"%s\",\"engine\":\"lede\",\"build_seconds\":%.3f,\"docs\":%" PRIu64
           ",\"note\":\"analysis done in the shared ingestion\"}\n",
           name, (b.us_lede + t2 - t1) / 1e6, ixwriter_get_stats(b.w)->n_added);
    printf("{\"corpus\":\"%s\",\"engine\":\"fts5\",\"build_seconds\":%.3f,\"docs\":%" PRIu64 "}\n",
           name, (b.us_fts + t3 - t2) / 1e6, st->n_docs);
    fflush(stdout);
    rc = 0;
cleanup:
    if (b.dump)
        fclose(b.dump);
    sqlite3_finalize(b.ins);
    sqlite3_finalize(b.ins_date);
    sqlite3_close(b.db);
    ixwriter_close(b.w);
    free(b.id);
    return rc;
}

/* --- timing ---------------------------------------------------------------------- */

static volatile uint64_t g_sink; /* results are read, so no engine's work is dead */

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define TOPK 10
/* One engine: run(ctx, q, i, ids, &hits) answers query i, its top ids in ids[0..hits). */
typedef int (*run_fn)(void *ctx, const bq *q, size_t i, int64_t *ids, size_t *hits);

/* An engine under test: run answers a query on ctx, its open index. */
struct engine {
    const char *name;
    run_fn run;
    void *ctx;
};

/* Writes WORK/times-ENGINE.tsv and one JSON line per query type from the
 * engine's times t[i * runs + r] (sorted here), hits, ids and failures. */
static void report_engine(const char *engine, const char *corpus, const char *work,
                          const qlist *l, int runs, double *t, const size_t *hits,
                          const int64_t *ids, const int *failed)
{
    size_t n = l->n;
    double *med = xrealloc(NULL, (n ? n : 1) * sizeof *med);
    char path[4096];
    snprintf(path, sizeof path, "%s/times-%s.tsv", work, engine);
    FILE *per = fopen(path, "w");
    for (size_t i = 0; i < n; i++) {
        qsort(t + i * (size_t)runs, (size_t)runs, sizeof *t, by_double);
        med[i] = t[i * (size_t)runs + (size_t)runs / 2];
        if (per) {
            fprintf(per, "%zu\t%s\t%.1f\t%zu\t", i, qtype_name[l->v[i].type], med[i], hits[i]);
            for (size_t k = 0; k < hits[i]; k++)
                fprintf(per, "%s%" PRId64, k ? "," : "", ids[i * TOPK + k]);
            fputs(hits[i] ? "\n" : "-\n", per);
        }
    }
    if (per)
        fclose(per);
    double *v = xrealloc(NULL, (n ? n : 1) * sizeof *v);
    for (int ty = 0; ty < N_QT; ty++) {
        size_t m = 0, errs = 0;
        double sum_hits = 0;
        for (size_t i = 0; i < n; i++)
            if (l->v[i].type == (enum qtype)ty) {
                if (failed[i]) {
                    errs++;
                    continue;
                }
                v[m++] = med[i];
                sum_hits += (double)hits[i];
            }
        if (m == 0 && errs == 0)
            continue;
        qsort(v, m, sizeof *v, by_double);
        size_t p99 = m ? (size_t)ceil(0.99 * (double)m) - 1 : 0;
        printf("{\"corpus\":\"%s\",\"engine\":\"%s\",\"type\":\"%s\",\"queries\":%zu,\"runs\":%d,"
               "\"median_us\":%.1f,\"p99_us\":%.1f,\"mean_hits\":%.2f,\"errors\":%zu}\n",
               corpus, engine, qtype_name[ty], m, runs, m ? v[(m - 1) / 2] : 0.0,
               m ? v[p99] : 0.0, m ? sum_hits / (double)m : 0.0, errs);
    }
    fflush(stdout);
    free(v);
    free(med);
}

/* Times the engines on every query: a warm-up pass each, then `runs` rounds
 * of one pass per engine, so that a drift of the host's speed (on a shared
 * machine a pass can run 50% slower minutes later) weighs on all engines
 * alike instead of on whichever was being timed then. Whole passes, not
 * query by query: an engine's caches stay as warm as when it serves queries
 * back to back (run in turn per query, the engines evict each other's data
 * and every engine measures two to three times slower). */
static void time_engines(const char *corpus, const char *work, const qlist *l, int runs,
                         const struct engine *e, size_t n_e)
{
    size_t n = l->n ? l->n : 1;
    double *t = xrealloc(NULL, n_e * n * (size_t)runs * sizeof *t);
    size_t *hits = xrealloc(NULL, n_e * n * sizeof *hits);
    int64_t *ids = xrealloc(NULL, n_e * n * TOPK * sizeof *ids), scratch[TOPK];
    int *failed = xrealloc(NULL, n_e * n * sizeof *failed);
    for (size_t k = 0; k < n_e; k++)
        for (size_t i = 0; i < l->n; i++) /* warm-up */
            failed[k * n + i] =
                e[k].run(e[k].ctx, &l->v[i], i, ids + (k * n + i) * TOPK, &hits[k * n + i]) != 0;
    for (int r = 0; r < runs; r++)
        for (size_t k = 0; k < n_e; k++)
            for (size_t i = 0; i < l->n; i++) {
                size_t h;
                double t0 = now_us();
                e[k].run(e[k].ctx, &l->v[i], i, scratch, &h);
                t[(k * n + i) * (size_t)runs + (size_t)r] = now_us() - t0;
            }
    for (size_t k = 0; k < n_e; k++)
        report_engine(e[k].name, corpus, work, l, runs, t + k * n * (size_t)runs, hits + k * n,
                      ids + k * n * TOPK, failed + k * n);
    free(t);
    free(hits);
    free(ids);
    free(failed);
}

struct lede_ctx {
    searcher *s;
    search_params p;
    char **text;
    size_t n_text;
    size_t n_errors;
};

static int lede_run(void *ctx, const bq *q, size_t i, int64_t *ids, size_t *hits)
{
    struct lede_ctx *c = ctx;
    (void)q;
    search_result res;
    query_error qe;
    int rc = searcher_search(c->s, c->text[i], strlen(c->text[i]), &c->p, &res, &qe);
    if (rc) {
        if (c->n_errors++ < 5)
            fprintf(stderr, "bench_search: lede: query '%s': %s %s\n", c->text[i], err_str(rc),
                    qe.message);
        *hits = 0;
        return rc;
    }
    *hits = res.n_hits < TOPK ? res.n_hits : TOPK;
    for (size_t k = 0; k < res.n_hits; k++)
        g_sink += res.hits[k].doc + (uint64_t)res.hits[k].score;
    for (size_t k = 0; k < *hits; k++)
        ids[k] = res.hits[k].doc;
    search_result_free(&res);
    return 0;
}

struct fts_ctx {
    sqlite3 *db;
    sqlite3_stmt *plain, *dated, *unranked;
    char **text;
    size_t n_text;
    size_t n_errors;
};

static int fts_run(void *ctx, const bq *q, size_t i, int64_t *ids, size_t *hits)
{
    struct fts_ctx *c = ctx;
    sqlite3_stmt *st = q->type == QT_DATE ? c->dated : q->type == QT_PREFIX ? c->unranked : c->plain;
    sqlite3_bind_text(st, 1, c->text[i], -1, SQLITE_STATIC);
    if (q->type == QT_DATE) {
        sqlite3_bind_int64(st, 2, q->lo);
        sqlite3_bind_int64(st, 3, q->hi);
    }
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t rowid = sqlite3_column_int64(st, 0);
        g_sink += (uint64_t)rowid + (uint64_t)sqlite3_column_double(st, 1);
        if (n < TOPK)
            ids[n++] = rowid - 1;
    }
    sqlite3_reset(st);
    *hits = n;
    if (rc != SQLITE_DONE) {
        if (c->n_errors++ < 5)
            fprintf(stderr, "bench_search: fts5: query '%s': %s\n", c->text[i], sqlite3_errmsg(c->db));
        return 1;
    }
    return 0;
}

/* Opens WORK/lede for timing; 0, or 1 with a message. */
static int lede_open(struct lede_ctx *c, const char *work, const qlist *l)
{
    char path[4096], msg[512], buf[2048];
    memset(c, 0, sizeof *c);
    snprintf(path, sizeof path, "%s/lede", work);
    if (searcher_open(&c->s, path, msg, sizeof msg)) {
        fprintf(stderr, "bench_search: %s\n", msg);
        return 1;
    }
    search_params_default(&c->p);
    c->p.any_default = 1;
    c->p.limit = 10;
    c->text = xrealloc(NULL, (l->n ? l->n : 1) * sizeof *c->text);
    for (size_t i = 0; i < l->n; i++) {
        render_lede(&l->v[i], buf, sizeof buf);
        c->text[i] = xstrdup(buf);
    }
    c->n_text = l->n;
    return 0;
}

static void lede_close(struct lede_ctx *c)
{
    for (size_t i = 0; i < c->n_text; i++)
        free(c->text[i]);
    free(c->text);
    searcher_close(c->s);
}

/* Opens WORK/fts5.db for timing; 0, or 1 with a message (fts5_close either way). */
static int fts5_open(struct fts_ctx *c, const char *work, const qlist *l)
{
    char path[4096], buf[2048];
    memset(c, 0, sizeof *c);
    snprintf(path, sizeof path, "%s/fts5.db", work);
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        exec(c->db, "PRAGMA mmap_size=4294967296; PRAGMA cache_size=-262144;") ||
        sqlite3_prepare_v2(c->db, "SELECT rowid, rank FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT 10",
                           -1, &c->plain, NULL) ||
        sqlite3_prepare_v2(c->db,
                           "SELECT docs.rowid, docs.rank FROM docs JOIN docdate ON docdate.rowid = docs.rowid"
                           " WHERE docs MATCH ?1 AND docdate.date BETWEEN ?2 AND ?3"
                           " ORDER BY docs.rank LIMIT 10",
                           -1, &c->dated, NULL) ||
        sqlite3_prepare_v2(c->db, "SELECT rowid, 1.0 FROM docs WHERE docs MATCH ?1 LIMIT 10", -1,
                           &c->unranked, NULL)) {
        fprintf(stderr, "bench_search: %s: %s\n", path, sqlite3_errmsg(c->db));
        return 1;
    }
    c->text = xrealloc(NULL, (l->n ? l->n : 1) * sizeof *c->text);
    for (size_t i = 0; i < l->n; i++) {
        render_fts5(&l->v[i], buf, sizeof buf);
        c->text[i] = xstrdup(buf);
    }
    c->n_text = l->n;
    return 0;
}

static void fts5_close(struct fts_ctx *c)
{
    for (size_t i = 0; i < c->n_text; i++)
        free(c->text[i]);
    free(c->text);
    sqlite3_finalize(c->plain);
    sqlite3_finalize(c->dated);
    sqlite3_finalize(c->unranked);
    sqlite3_close(c->db);
}

int main(int argc, char **argv)
{
    int runs = 5, threads = 0, i = 1, skip_build = 0, prefix_index = 0;
    size_t per_type = 200;
    uint64_t seed = 42;
    const char *name = "corpus", *game = NULL, *engines = "lede,fts5";
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--runs") && more)
            runs = atoi(argv[++i]);
        else if (!strcmp(a, "--seed") && more)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--per-type") && more)
            per_type = (size_t)strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "-j") && more)
            threads = atoi(argv[++i]);
        else if (!strcmp(a, "--game") && more)
            game = argv[++i];
        else if (!strcmp(a, "--name") && more)
            name = argv[++i];
        else if (!strcmp(a, "--engines") && more)
            engines = argv[++i];
        else if (!strcmp(a, "--fts5-prefix-index"))
            prefix_index = 1;
        else if (!strcmp(a, "--skip-build"))
            skip_build = 1;
        else
            break;
    }
    if (argc - i < 1 || (!skip_build && argc - i < 2) || runs < 1) {
        fprintf(stderr,
                "usage: bench_search [--runs R] [--seed S] [--per-type N] [-j N] [--game FILE]\n"
                "                    [--engines lede,fts5] [--fts5-prefix-index] [--skip-build]\n"
                "                    --name CORPUS WORKDIR INPUT...\n");
        return 2;
    }
    const char *work = argv[i++];
    mkdir(work, 0755);
    rng_state = seed;
    char qpath[4096];
    snprintf(qpath, sizeof qpath, "%s/queries.tsv", work);
    qlist l = {NULL, 0, 0};
    if (skip_build) {
        if (read_queries(qpath, &l))
            return 1;
    } else {
        stats st;
        memset(&st, 0, sizeof st);
        if (build_all(work, name, argv + i, argc - i, threads, prefix_index, &st))
            return 1;
        if (game && read_game(game, &l))
            return 1;
        add_generated(&l, &st, per_type);
        if (write_queries(qpath, &l)) {
            fprintf(stderr, "bench_search: cannot write %s\n", qpath);
            return 1;
        }
    }
    size_t count[N_QT] = {0};
    for (size_t k = 0; k < l.n; k++)
        count[l.v[k].type]++;
    printf("{\"corpus\":\"%s\",\"queries\":%zu", name, l.n);
    for (int t = 0; t < N_QT; t++)
        printf(",\"%s\":%zu", qtype_name[t], count[t]);
    printf("}\n");
    fflush(stdout);
    struct lede_ctx lc;
    struct fts_ctx fc;
    struct engine e[2];
    size_t n_e = 0;
    int rc = 0;
    if (strstr(engines, "lede")) {
        if (lede_open(&lc, work, &l))
            return 1;
        e[n_e++] = (struct engine){"lede", lede_run, &lc};
    }
    if (strstr(engines, "fts5")) {
        if (fts5_open(&fc, work, &l))
            rc = 1;
        else
            e[n_e++] = (struct engine){"fts5", fts_run, &fc};
    }
    if (rc == 0)
        time_engines(name, work, &l, runs, e, n_e);
    if (strstr(engines, "lede"))
        lede_close(&lc);
    if (strstr(engines, "fts5"))
        fts5_close(&fc);
    return rc;
}
