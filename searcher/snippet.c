/* snippet.c - the best passages of a document for a query (contract in
 * snippet.h). Called by the searcher's output for each hit it prints.
 *
 * One analyzer pass collects the matches: tokens whose term is in a small
 * open-addressing set of the query terms. A two-pointer sweep gives, for
 * each match j, the widest run of matches ending at j that fits in max_bytes
 * (its "window"); a max-heap of windows ordered by (distinct terms, matches,
 * earlier start) yields passages greedily. Taking a passage only changes
 * the windows of the matches just after it (they may no longer reach back
 * into it), so those are recomputed and pushed again. For k matches and n
 * fragments the cost is O(k log k + n * max_bytes) time and O(k) memory.
 * Passage edges are then moved to word boundaries by scanning at most a few
 * times max_bytes of text around the window. */
#include "snippet.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "unicode.h"
#include "utf8.h"

#define SNIPPET_DEFAULT_MAX_BYTES 240
#define SNIPPET_DEFAULT_FRAGMENTS 1

/* How far a passage edge may move outwards to take in the rest of a word the
 * window cuts into (an opening quote, "'s,", the tail of "Jong-un"): about
 * one long word. Beyond that the edge stays on the token boundary. */
#define WORD_REACH 48

/* A sentence start at most max_bytes / SENTENCE_REACH_DIV before the first
 * match is preferred as the passage start (and the passage then reads on). */
#define SENTENCE_REACH_DIV 3

/* A run of white space longer than this counts as a paragraph break; it
 * also bounds the backward scan over white space. */
#define SPACE_RUN_MAX 64

#define NO_TERM UINT32_MAX
#define NO_OWNER UINT32_MAX

/* ---- the query's terms -------------------------------------------------- */

struct tslot {
    const char *s; /* borrowed from the caller; NULL: empty slot */
    size_t len;
    uint32_t hash;
    uint32_t id;   /* dense id; repeated query terms share one */
};

/* An exact phrase of the query: its words' ids at their positions. */
struct phrase {
    uint32_t *word; /* termset ids */
    uint32_t *rel;  /* positions relative to the first word */
    size_t n;
};

struct termset {
    struct tslot *slot;
    size_t mask;
    uint32_t n_ids;
    struct tslot *prefix; /* the prefixes (their '*' left off), tried in turn */
    size_t n_prefix;
    struct phrase *ph;    /* the exact phrases */
    size_t n_ph;
    uint32_t *pool;       /* their word and rel arrays */
    uint8_t *alone;       /* by id: the term counts on its own, not only
                             inside one of the phrases */
};

static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t termset_find(const struct termset *ts, const char *s, size_t len)
{
    uint32_t h = fnv1a(s, len);
    for (size_t at = h & ts->mask;; at = (at + 1) & ts->mask) {
        const struct tslot *sl = &ts->slot[at];
        if (!sl->s)
            break;
        if (sl->hash == h && sl->len == len && memcmp(sl->s, s, len) == 0)
            return sl->id;
    }
    for (size_t i = 0; i < ts->n_prefix; i++)
        if (len >= ts->prefix[i].len && memcmp(s, ts->prefix[i].s, ts->prefix[i].len) == 0)
            return ts->prefix[i].id;
    return NO_TERM;
}

/* The id of term s[0..len), added if new (NO_TERM: no token carries such
 * a term). */
static uint32_t termset_add(struct termset *ts, const char *s, size_t len)
{
    if (len == 0 || len > ANALYZE_MAX_TERM)
        return NO_TERM;
    uint32_t id = termset_find(ts, s, len);
    if (id != NO_TERM)
        return id;
    uint32_t h = fnv1a(s, len);
    size_t at = h & ts->mask;
    while (ts->slot[at].s)
        at = (at + 1) & ts->mask;
    ts->slot[at] = (struct tslot){s, len, h, ts->n_ids};
    return ts->n_ids++;
}

/* A phrase entry: '"', its words separated by single spaces ('?' for a
 * position left empty), '"'. */
static int is_phrase(const char *s, size_t len)
{
    return len >= 3 && s[0] == '"' && s[len - 1] == '"';
}

static void add_phrase(struct termset *ts, const char *s, size_t len, uint32_t **pool)
{
    /* the words are fewer than len: word[] and rel[] take len entries each */
    uint32_t *word = *pool, *rel = *pool + len, pos = 0, first = 0;
    size_t n = 0;
    *pool += 2 * len;
    for (size_t b = 1; b < len - 1; pos++) {
        size_t e = b;
        while (e < len - 1 && s[e] != ' ')
            e++;
        if (!(e - b == 1 && s[b] == '?')) {
            uint32_t id = termset_add(ts, s + b, e - b);
            if (id == NO_TERM) /* a word no token carries: the phrase never occurs */
                return;
            if (n == 0)
                first = pos;
            word[n] = id;
            rel[n++] = pos - first;
        }
        b = e + 1;
    }
    if (n > 0)
        ts->ph[ts->n_ph++] = (struct phrase){word, rel, n};
}

static int termset_init(struct termset *ts, const char *const *terms,
                        const size_t *term_lens, size_t n)
{
    if (n > UINT32_MAX / 4)
        return LEDE_ENOMEM;
    /* at most one id per word of the entries: a phrase's words are at most
     * as many as its bytes */
    size_t bytes = 0, n_ph = 0;
    for (size_t k = 0; k < n; k++) {
        size_t len = !terms[k] ? 0 : term_lens ? term_lens[k] : strlen(terms[k]);
        bytes += len + 1;
        n_ph += terms[k] && is_phrase(terms[k], len);
    }
    size_t cap = 8;
    while (cap < 2 * bytes)
        cap *= 2;
    ts->slot = calloc(cap, sizeof *ts->slot);
    ts->prefix = calloc(n ? n : 1, sizeof *ts->prefix);
    ts->ph = calloc(n_ph ? n_ph : 1, sizeof *ts->ph);
    ts->pool = malloc(2 * bytes * sizeof *ts->pool);
    ts->alone = calloc(bytes, 1);
    if (!ts->slot || !ts->prefix || !ts->ph || !ts->pool || !ts->alone)
        return LEDE_ENOMEM;
    ts->mask = cap - 1;
    ts->n_ids = 0;
    ts->n_prefix = 0;
    ts->n_ph = 0;
    uint32_t *pool = ts->pool;
    for (size_t k = 0; k < n; k++) {
        const char *s = terms[k];
        if (!s)
            continue;
        size_t len = term_lens ? term_lens[k] : strlen(s);
        if (is_phrase(s, len)) {
            add_phrase(ts, s, len, &pool);
        } else if (len > 1 && s[len - 1] == '*') {
            ts->alone[ts->n_ids] = 1;
            ts->prefix[ts->n_prefix++] = (struct tslot){s, len - 1, 0, ts->n_ids++};
        } else {
            uint32_t id = termset_add(ts, s, len);
            if (id != NO_TERM)
                ts->alone[id] = 1;
        }
    }
    return 0;
}

static void termset_free(struct termset *ts)
{
    free(ts->slot);
    free(ts->prefix);
    free(ts->ph);
    free(ts->pool);
    free(ts->alone);
}

/* ---- matches ------------------------------------------------------------ */

struct match {
    uint32_t start, end; /* the token's bytes in the text */
    uint32_t term;       /* termset id */
    uint32_t lo;         /* first match of the current window ending here */
    uint32_t owner;      /* index of the passage holding it, or NO_OWNER */
    uint32_t pos;        /* the token's position */
};

struct collect {
    const struct termset *ts;
    struct match *m;
    size_t n, cap;
};

static int collect_token(void *ctx, const token *t)
{
    struct collect *c = ctx;
    uint32_t id = termset_find(c->ts, t->term, t->term_len);
    if (id == NO_TERM)
        return 0;
    /* The tokens of one character that folds to several kana (ゟ: よ り)
     * share its bytes, which one match highlights. */
    if (c->n > 0 && c->m[c->n - 1].start == t->start && c->m[c->n - 1].end == t->end)
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        if (cap > SIZE_MAX / sizeof *c->m)
            return LEDE_ENOMEM;
        struct match *m = realloc(c->m, cap * sizeof *m);
        if (!m)
            return LEDE_ENOMEM;
        c->m = m;
        c->cap = cap;
    }
    c->m[c->n++] = (struct match){t->start, t->end, id, 0, NO_OWNER, t->pos};
    return 0;
}

/* 1 when the words of ph stand at their places from match j on (m[j] holds
 * its first word); marks those matches (lo = 1). Positions never decrease
 * along the matches. */
static int phrase_at(const struct phrase *ph, struct match *m, size_t n, size_t j)
{
    size_t x = j;
    for (size_t i = 1; i < ph->n; i++) {
        uint32_t want = m[j].pos + ph->rel[i];
        while (x < n && (m[x].pos < want || (m[x].pos == want && m[x].term != ph->word[i])))
            x++;
        if (x == n || m[x].pos != want)
            return 0;
    }
    m[j].lo = 1;
    x = j;
    for (size_t i = 1; i < ph->n; i++) { /* again, marking */
        uint32_t want = m[j].pos + ph->rel[i];
        while (m[x].pos < want || m[x].term != ph->word[i])
            x++;
        m[x].lo = 1;
    }
    return 1;
}

/* Drops the matches of words that the query has only inside exact phrases,
 * where no occurrence of such a phrase takes them in: '"north korea"' marks
 * no lone "North". */
static void keep_phrase_matches(const struct termset *ts, struct match *m, size_t *n)
{
    if (ts->n_ph == 0)
        return;
    for (size_t j = 0; j < *n; j++)
        m[j].lo = ts->alone[m[j].term];
    for (size_t p = 0; p < ts->n_ph; p++)
        for (size_t j = 0; j < *n; j++)
            if (m[j].term == ts->ph[p].word[0])
                phrase_at(&ts->ph[p], m, *n, j);
    size_t k = 0;
    for (size_t j = 0; j < *n; j++)
        if (m[j].lo) {
            m[k] = m[j];
            m[k++].lo = 0;
        }
    *n = k;
}

/* ---- windows and the heap ----------------------------------------------- */

struct cand {
    uint32_t j, lo;          /* the window is matches lo..j */
    uint32_t distinct, count;
};

struct heap {
    struct cand *a;
    size_t n, cap;
    const struct match *m;
};

/* Is window x better than y? More distinct terms, then more matches, then
 * the earlier one. */
static int cand_better(const struct heap *h, const struct cand *x, const struct cand *y)
{
    if (x->distinct != y->distinct)
        return x->distinct > y->distinct;
    if (x->count != y->count)
        return x->count > y->count;
    if (h->m[x->lo].start != h->m[y->lo].start)
        return h->m[x->lo].start < h->m[y->lo].start;
    return x->j < y->j;
}

static void heap_down(struct heap *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < h->n && cand_better(h, &h->a[l], &h->a[top]))
            top = l;
        if (r < h->n && cand_better(h, &h->a[r], &h->a[top]))
            top = r;
        if (top == i)
            return;
        struct cand t = h->a[i];
        h->a[i] = h->a[top];
        h->a[top] = t;
        i = top;
    }
}

static int heap_push(struct heap *h, struct cand c)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        if (cap > SIZE_MAX / sizeof *h->a)
            return LEDE_ENOMEM;
        struct cand *a = realloc(h->a, cap * sizeof *a);
        if (!a)
            return LEDE_ENOMEM;
        h->a = a;
        h->cap = cap;
    }
    size_t i = h->n++;
    h->a[i] = c;
    while (i > 0 && cand_better(h, &h->a[i], &h->a[(i - 1) / 2])) {
        struct cand t = h->a[i];
        h->a[i] = h->a[(i - 1) / 2];
        h->a[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
    return 0;
}

static struct cand heap_pop(struct heap *h)
{
    struct cand top = h->a[0];
    h->a[0] = h->a[--h->n];
    heap_down(h, 0);
    return top;
}

/* Per-term match counts of the window being swept. */
struct tally {
    uint32_t *count;
    uint32_t distinct;
};

static void tally_add(struct tally *t, uint32_t term)
{
    if (t->count[term]++ == 0)
        t->distinct++;
}

static void tally_del(struct tally *t, uint32_t term)
{
    if (--t->count[term] == 0)
        t->distinct--;
}

/* ---- text: white space, words, sentences -------------------------------- */

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Start of the code point holding byte p (valid UTF-8: at most 3 back). */
static size_t cp_start(const unsigned char *t, size_t p)
{
    for (int k = 0; k < 3 && p > 0 && is_cont(t[p]); k++)
        p--;
    return p;
}

static size_t cp_len(const unsigned char *t, size_t len, size_t p)
{
    int32_t cp;
    return utf8_decode(t + p, len - p, &cp);
}

/* The code point ending at q (q > 0); *at receives where it starts. */
static int32_t cp_before(const unsigned char *t, size_t q, size_t *at)
{
    size_t b = cp_start(t, q - 1);
    int32_t cp;
    if (utf8_decode(t + b, q - b, &cp) != q - b)
        cp = -1;
    *at = b;
    return cp;
}

/* Bytes of the white-space character at p, 0 if there is none. */
static size_t space_at(const unsigned char *t, size_t len, size_t p)
{
    if (p >= len)
        return 0;
    unsigned c = t[p];
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return 1;
    if (c < 0xC2 || c > 0xE3 || p + 1 >= len)
        return 0;
    unsigned c1 = t[p + 1];
    if (c == 0xC2)
        return c1 == 0xA0 || c1 == 0x85 ? 2 : 0; /* NBSP, NEL */
    if (p + 2 >= len)
        return 0;
    unsigned c2 = t[p + 2];
    if (c == 0xE2 && c1 == 0x80 &&
        (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF))
        return 3; /* U+2000..200A spaces, line/paragraph separators, NNBSP */
    if ((c == 0xE2 && c1 == 0x81 && c2 == 0x9F) || (c == 0xE3 && c1 == 0x80 && c2 == 0x80))
        return 3; /* medium mathematical space, ideographic space */
    return 0;
}

/* Bytes of the white-space character ending at p, 0 if there is none. */
static size_t space_before(const unsigned char *t, size_t len, size_t p)
{
    if (p == 0)
        return 0;
    size_t b = cp_start(t, p - 1);
    size_t n = space_at(t, len, b);
    return n && b + n == p ? n : 0;
}

enum { K_OTHER, K_WORD, K_MARK, K_IDEO };

/* What the analyzer makes of the code point at p (apostrophes count as
 * word characters so "don't" is never cut). */
static int kind_at(const unsigned char *t, size_t len, size_t p)
{
    unsigned c = t[p];
    if (c < 0x80) {
        int w = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '\'';
        return w ? K_WORD : K_OTHER;
    }
    int32_t cp;
    utf8_decode(t + p, len - p, &cp);
    if (cp < 0)
        return K_OTHER;
    if (cp == 0x2019)
        return K_WORD;
    switch (unicode_class_of(cp)) {
    case UNICODE_LETTER:
    case UNICODE_DIGIT:
        return K_WORD;
    case UNICODE_MARK:
        return K_MARK;
    case UNICODE_IDEOGRAPH:
        return K_IDEO;
    default:
        return K_OTHER;
    }
}

/* A cut at p falls next to white space (or at an end of the text). */
static int ws_boundary(const unsigned char *t, size_t len, size_t p)
{
    if (p == 0 || p >= len)
        return 1;
    if (is_cont(t[p]))
        return 0;
    return space_at(t, len, p) || space_before(t, len, p);
}

/* A cut at p separates two tokens (for text without white space: CJK, long
 * hyphenated or slashed strings). Never before a combining mark. */
static int token_break(const unsigned char *t, size_t len, size_t p)
{
    if (p == 0 || p >= len)
        return 1;
    if (is_cont(t[p]))
        return 0;
    int b = kind_at(t, len, p);
    if (b == K_MARK)
        return 0;
    int a = kind_at(t, len, cp_start(t, p - 1));
    return !((a == K_WORD || a == K_MARK) && b == K_WORD);
}

/* The first cut in [lo, hi]: next to white space if there is one, else
 * between tokens, else between code points; hi as the last resort. */
static size_t start_cut(const unsigned char *t, size_t len, size_t lo, size_t hi)
{
    for (size_t p = lo; p <= hi; p++)
        if (ws_boundary(t, len, p))
            return p;
    for (size_t p = lo; p <= hi; p++)
        if (token_break(t, len, p))
            return p;
    for (size_t p = lo; p <= hi; p++)
        if (p >= len || !is_cont(t[p]))
            return p;
    return hi;
}

/* The last cut in [lo, hi], with the same preferences; lo as last resort. */
static size_t end_cut(const unsigned char *t, size_t len, size_t lo, size_t hi)
{
    for (size_t p = hi + 1; p-- > lo;)
        if (ws_boundary(t, len, p))
            return p;
    for (size_t p = hi + 1; p-- > lo;)
        if (token_break(t, len, p))
            return p;
    for (size_t p = hi + 1; p-- > lo;)
        if (p >= len || !is_cont(t[p]))
            return p;
    return lo;
}

/* Where the white-space-delimited word holding p begins, if that is within
 * WORD_REACH bytes, not before floor and not across an ideograph; else p. */
static size_t word_begin(const unsigned char *t, size_t len, size_t p, size_t floor)
{
    size_t q = p;
    while (q > 0 && !space_before(t, len, q)) {
        if (q <= floor || p - q >= WORD_REACH)
            return p;
        size_t b = cp_start(t, q - 1);
        if (kind_at(t, len, b) == K_IDEO)
            return q;
        q = b;
    }
    return q;
}

/* Where the white-space-delimited word holding the byte before p ends, with
 * the same limits (ceil instead of floor). */
static size_t word_end(const unsigned char *t, size_t len, size_t p, size_t ceil)
{
    size_t q = p;
    while (q < len && !space_at(t, len, q)) {
        if (q >= ceil || q - p >= WORD_REACH)
            return p;
        if (kind_at(t, len, q) == K_IDEO)
            return q;
        q += cp_len(t, len, q);
    }
    return q <= ceil ? q : p;
}

static int is_closer(int32_t c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019 ||
           c == 0xBB;
}

/* Does a sentence begin at p: the start of the text, after a paragraph
 * break (a blank line), after ". " / "! " / "? " (closing quotes and brackets
 * allowed between) when the next word is not lower case, or right after a
 * CJK full stop? */
static int sentence_start(const unsigned char *t, size_t len, size_t p)
{
    if (p >= len || is_cont(t[p]) || space_at(t, len, p))
        return 0;
    if (p == 0)
        return 1;
    size_t q = p, n, newlines = 0, at;
    while (q > 0 && (n = space_before(t, len, q)) != 0) {
        q -= n;
        if (t[q] == '\n')
            newlines++;
        if (p - q > SPACE_RUN_MAX)
            return 1;
    }
    if (q == p) {
        int32_t c = cp_before(t, q, &at);
        return c == 0x3002 || c == 0xFF01 || c == 0xFF1F;
    }
    if (q == 0 || newlines >= 2)
        return 1;
    if (t[p] >= 'a' && t[p] <= 'z')
        return 0; /* "U.S. officials", "e.g. this" */
    int32_t c = cp_before(t, q, &at);
    for (int k = 0; k < 3 && is_closer(c) && at > 0; k++)
        c = cp_before(t, at, &at);
    return c == '.' || c == '!' || c == '?' || c == 0x2026;
}

static void trim(const unsigned char *t, size_t len, size_t *s, size_t *e)
{
    size_t n;
    while (*s < *e && (n = space_at(t, len, *s)) != 0 && *s + n <= *e)
        *s += n;
    while (*e > *s && (n = space_before(t, len, *e)) != 0 && *e - n >= *s)
        *e -= n;
}

/* Places a passage of about max bytes around the window [ws, we), inside
 * [gs, ge) (the neighbouring passages or matches), on word boundaries. */
static void place(const unsigned char *t, size_t len, size_t max, size_t ws, size_t we,
                  size_t gs, size_t ge, size_t *s_out, size_t *e_out)
{
    size_t L = word_begin(t, len, ws, gs);
    size_t R = word_end(t, len, we, ge);
    size_t s = L, e = R;
    if (we - ws < max) {
        size_t slack = max - (we - ws);
        size_t reach = max / SENTENCE_REACH_DIV;
        if (reach > slack)
            reach = slack;
        size_t lo = ws - gs > reach ? ws - reach : gs;
        if (lo > L)
            lo = L;
        size_t sent = SIZE_MAX;
        for (size_t p = L + 1; p-- > lo;) {
            if (sentence_start(t, len, p)) {
                sent = p;
                break;
            }
        }
        if (sent != SIZE_MAX) {
            s = sent;
            size_t e0 = ge - s > max ? s + max : ge;
            e = e0 > R ? end_cut(t, len, R, e0) : R;
        } else {
            /* Centre the window, giving what one side cannot use to the other. */
            size_t before = slack / 2, after = slack - before;
            if (before > ws - gs) {
                after += before - (ws - gs);
                before = ws - gs;
            }
            if (after > ge - we) {
                before += after - (ge - we);
                after = ge - we;
                if (before > ws - gs)
                    before = ws - gs;
            }
            size_t s0 = ws - before, e0 = we + after;
            s = s0 < L ? start_cut(t, len, s0, L) : L;
            e = e0 > R ? end_cut(t, len, R, e0) : R;
        }
    }
    trim(t, len, &s, &e);
    *s_out = s;
    *e_out = e;
}

/* ---- assembling the result ---------------------------------------------- */

struct picked {
    uint32_t s, e;  /* the passage */
    uint32_t i, j;  /* the matches inside it */
};

static int picked_cmp(const void *x, const void *y)
{
    const struct picked *a = x, *b = y;
    return a->s < b->s ? -1 : a->s > b->s;
}

/* Fills out with the passages (one allocation: fragments, then spans). */
static int emit(snippet *out, struct picked *pk, size_t n, const struct match *m)
{
    qsort(pk, n, sizeof *pk, picked_cmp);
    size_t n_spans = 0;
    for (size_t f = 0; f < n; f++)
        if (pk[f].i != NO_OWNER)
            n_spans += (size_t)pk[f].j - pk[f].i + 1;
    snippet_fragment *fr = malloc(n * sizeof *fr + n_spans * sizeof(snippet_span));
    if (!fr)
        return LEDE_ENOMEM;
    snippet_span *sp = (snippet_span *)(fr + n);
    for (size_t f = 0; f < n; f++) {
        fr[f] = (snippet_fragment){pk[f].s, pk[f].e, NULL, 0};
        if (pk[f].i == NO_OWNER)
            continue;
        fr[f].matches = sp;
        for (uint32_t x = pk[f].i; x <= pk[f].j; x++)
            sp[fr[f].n_matches++] = (snippet_span){m[x].start, m[x].end};
        sp += fr[f].n_matches;
    }
    out->frags = fr;
    out->n_frags = n;
    return 0;
}

/* No match: the passage at the start of the text (none if it is blank). */
static int lead_passage(snippet *out, const unsigned char *t, size_t len, size_t max)
{
    size_t s = 0, n;
    while (s < len && (n = space_at(t, len, s)) != 0)
        s += n;
    if (s == len)
        return 0;
    size_t first = s + cp_len(t, len, s);
    size_t e0 = len - s > max ? s + max : len;
    if (e0 < first)
        e0 = first;
    size_t e = end_cut(t, len, first, e0);
    trim(t, len, &s, &e);
    struct picked pk = {(uint32_t)s, (uint32_t)e, NO_OWNER, NO_OWNER};
    return emit(out, &pk, 1, NULL);
}

int snippet_make(snippet *out, analyzer *a, const char *text, size_t len,
                 const char *const *terms, const size_t *term_lens, size_t n_terms,
                 const snippet_opts *o)
{
    out->frags = NULL;
    out->n_frags = 0;
    if (len == 0)
        return 0;
    if (len >= UINT32_MAX)
        return LEDE_ELIMIT; /* offsets are 32-bit, as in analyze.h */
    const unsigned char *t = (const unsigned char *)text;
    size_t max = o && o->max_bytes ? o->max_bytes : SNIPPET_DEFAULT_MAX_BYTES;
    size_t want = o && o->n_fragments ? o->n_fragments : SNIPPET_DEFAULT_FRAGMENTS;

    struct termset ts = {0};
    struct collect col = {0};
    struct heap hp = {0};
    struct tally ty = {0};
    struct picked *pk = NULL;
    int rc = termset_init(&ts, terms, term_lens, n_terms);
    if (rc)
        goto cleanup;
    if (ts.n_ids > 0) {
        col.ts = &ts;
        rc = analyzer_run(a, text, len, 0, collect_token, &col, NULL);
        if (rc)
            goto cleanup;
        keep_phrase_matches(&ts, col.m, &col.n);
    }
    if (col.n == 0) {
        rc = lead_passage(out, t, len, max);
        goto cleanup;
    }

    struct match *m = col.m;
    size_t k = col.n;
    if (k > SIZE_MAX / sizeof *hp.a) {
        rc = LEDE_ENOMEM;
        goto cleanup;
    }
    ty.count = calloc(ts.n_ids, sizeof *ty.count);
    hp.a = malloc(k * sizeof *hp.a);
    pk = malloc((want < k ? want : k) * sizeof *pk);
    if (!ty.count || !hp.a || !pk) {
        rc = LEDE_ENOMEM;
        goto cleanup;
    }
    hp.cap = k;
    hp.m = m;

    /* The widest window ending at each match (two pointers), then heapify. */
    size_t i0 = 0;
    for (size_t j = 0; j < k; j++) {
        tally_add(&ty, m[j].term);
        while (i0 < j && m[j].end - m[i0].start > max)
            tally_del(&ty, m[i0++].term);
        m[j].lo = (uint32_t)i0;
        hp.a[j] = (struct cand){(uint32_t)j, (uint32_t)i0, ty.distinct, (uint32_t)(j - i0 + 1)};
    }
    for (; i0 < k; i0++) /* empty the tally for reuse */
        tally_del(&ty, m[i0].term);
    hp.n = k;
    for (size_t i = k / 2; i-- > 0;)
        heap_down(&hp, i);

    size_t n_pk = 0;
    while (n_pk < want && hp.n > 0) {
        struct cand c = heap_pop(&hp);
        if (m[c.j].owner != NO_OWNER || m[c.j].lo != c.lo)
            continue; /* stale: taken, or its window changed since */
        size_t i = c.lo, j = c.j;
        /* An unowned neighbouring match bounds the passage too: the window
         * could not take it in, so the passage leaves it out. */
        size_t gs = i == 0 ? 0 : m[i - 1].owner != NO_OWNER ? pk[m[i - 1].owner].e : m[i - 1].end;
        size_t ge = j + 1 == k ? len
                    : m[j + 1].owner != NO_OWNER ? pk[m[j + 1].owner].s
                                                 : m[j + 1].start;
        size_t s, e;
        place(t, len, max, m[i].start, m[j].end, gs, ge, &s, &e);
        pk[n_pk] = (struct picked){(uint32_t)s, (uint32_t)e, (uint32_t)i, (uint32_t)j};
        for (size_t x = i; x <= j; x++)
            m[x].owner = (uint32_t)n_pk;
        n_pk++;

        /* Windows after the passage that reached into it now start after it. */
        size_t x = j + 1;
        for (; x < k && m[x].owner == NO_OWNER && m[x].lo <= j; x++) {
            tally_add(&ty, m[x].term);
            m[x].lo = (uint32_t)(j + 1);
            rc = heap_push(&hp, (struct cand){(uint32_t)x, (uint32_t)(j + 1), ty.distinct,
                                              (uint32_t)(x - j)});
            if (rc)
                goto cleanup;
        }
        for (size_t y = j + 1; y < x; y++)
            tally_del(&ty, m[y].term);
    }
    rc = emit(out, pk, n_pk, m);

cleanup:
    free(pk);
    free(ty.count);
    free(hp.a);
    free(col.m);
    termset_free(&ts);
    return rc;
}

void snippet_free(snippet *s)
{
    if (!s)
        return;
    free(s->frags);
    s->frags = NULL;
    s->n_frags = 0;
}
