/* query.c - the query parser and renderer (contract: query.h; user manual:
 * docs/QUERY.md). Called by search.c for every query.
 *
 * A hand-written recursive-descent parser over the bytes of the query, one
 * function per grammar rule below. Recursion happens only at '(' and the
 * depth is checked before descending, so hostile nesting costs neither time
 * nor C stack. Words, phrases and prefixes go through the index's analyzer;
 * the tree is simplified as each Q_BOOL is completed.
 *
 *   query    = ws [ or_expr ] ws
 *   or_expr  = and_expr { OR and_expr }              OR  = "OR" | "||"
 *   and_expr = clause { [ AND ] clause }             AND = "AND" | "&&"
 *   clause   = ("+" | "-") primary                   no space after + or -
 *            | ("NOT" | "!") primary                 space allowed
 *            | primary
 *   primary  = group | phrase | date | field ":" (group | phrase | word) | word
 *   group    = "(" or_expr ")"
 *   phrase   = '"' { byte other than '"' } '"' [ "~" digits ]
 *   date     = "date:" ( spec | '"' spec '"' )
 *   spec     = period | [ period ] ".." [ period ] | (">=" | ">" | "<=" | "<") period
 *   word     = a run of bytes other than white space, NUL, '(', ')', '"';
 *              a trailing '*' makes it a prefix
 *
 * Render form (query_render; used by tests): a Q_BOOL is "(" its kids ")"
 * separated by one space, each kid prefixed by '+' (MUST), '-' (MUST_NOT) or
 * nothing (SHOULD); the root carries no prefix. Leaves: [field:]term,
 * [field:]"t1 t2"[~slop] (a '?' stands for each position a dropped token
 * took), [field:]prefix*, date:[LO..HI] with both ends as
 * YYYY-MM-DDTHH:MM:SSZ (inclusive), and '*' for Q_ALL. The field prefix is
 * omitted for QFIELD_DEFAULT. Example:
 *   (+putin +title:"korean peninsula" -date:[2019-01-01T00:00:00Z..2019-12-31T23:59:59Z]) */
#include "query.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "date.h"
#include "err.h"
#include "field.h"
#include "stopwords.h"
#include "utf8.h"

#define SECS_PER_DAY 86400
#define SLOP_MAX 1000
/* The widest range a date filter can name: years 1 to 9999, as date_parse.
 * Documents without a date (DATE_NONE = INT64_MIN) fall outside it. */
#define DATE_LO_MIN (-62135596800LL)   /* 0001-01-01T00:00:00 */
#define DATE_HI_MAX 253402300799LL     /* 9999-12-31T23:59:59 */
/* How much of a user's text an error message quotes back. */
#define QUOTE_MAX 40

enum tk {
    TK_END,
    TK_SPACE,
    TK_LPAREN,
    TK_RPAREN,
    TK_QUOTE,
    TK_PLUS,
    TK_MINUS,
    TK_BANG,
    TK_AND,
    TK_OR,
    TK_NOT,
    TK_WORD
};

struct tok {
    enum tk k;
    size_t start, end; /* bytes [start, end) */
};

struct clause;
struct spare;

struct parser {
    const char *s;
    size_t len;
    size_t i;             /* cursor */
    arena *mem;           /* the tree and every temporary buffer (borrowed) */
    analyzer *a;          /* the index's analyzer (borrowed) */
    analyzer *plain;      /* without stemming, for prefixes; created lazily */
    int any_default;
    query_error *err;
    int depth;            /* open parentheses */
    size_t n_clauses;     /* leaves made so far */
    size_t n_terms;       /* terms in them (a phrase counts each word) */
    size_t n_prefixes;    /* prefix leaves */
    /* The clauses of the and_exprs being parsed, innermost on top: each
     * parse_and pushes its own and pops them, so one buffer serves all. */
    struct clause *cl;
    size_t n_cl, cap_cl;
    /* Kid arrays no longer used, by capacity (spare[j]: 2^j entries), for
     * bool_add to take again: simplifying copies kids into new arrays, once
     * per level of nesting, and without reuse the arena would keep every
     * copy (a query's memory would grow with its depth times its size). */
    struct spare *spare[sizeof(size_t) * CHAR_BIT];
};

/* ---- errors ---------------------------------------------------------------------------------- */

static void say(struct parser *p, size_t at, const char *fmt, va_list ap)
{
    p->err->column = (uint32_t)(at + 1);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
}

/* Records a query error at byte offset `at` (0-based) and returns LEDE_EQUERY. */
__attribute__((format(printf, 3, 4), cold)) static int fail(struct parser *p, size_t at,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(p, at, fmt, ap);
    va_end(ap);
    return LEDE_EQUERY;
}

/* The same for a query over one of the limits in query.h: LEDE_ELIMIT. */
__attribute__((format(printf, 3, 4), cold)) static int fail_limit(struct parser *p, size_t at,
                                                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(p, at, fmt, ap);
    va_end(ap);
    return LEDE_ELIMIT;
}

static unsigned col(size_t at)
{
    return (unsigned)(at + 1);
}

static int quote_len(size_t n)
{
    return (int)(n > QUOTE_MAX ? QUOTE_MAX : n);
}

/* ---- nodes ----------------------------------------------------------------------------------- */

/* Every node, kid array and term lives in the parser's arena: nothing is
 * freed one by one, on success or on failure. */
static qnode *node_new(struct parser *p, enum qkind kind, int field, size_t at)
{
    qnode *q = arena_calloc(p->mem, 1, sizeof *q);
    if (!q)
        return NULL;
    q->kind = kind;
    q->occur = Q_MUST;
    q->field = field;
    q->column = (uint32_t)(at + 1);
    return q;
}

/* A query_parse tree: the root is copied into the last allocation of the
 * arena that holds the tree, next to the arena itself (no node points to the
 * root, so the copy is the root). */
struct owned {
    arena mem;
    qnode root;
};

void query_free(qnode *q)
{
    if (!q)
        return;
    struct owned *w = (struct owned *)(void *)((char *)q - offsetof(struct owned, root));
    arena mem = w->mem; /* w is inside it */
    arena_free(&mem);
}

/* A kid array of n kids has capacity 4, or the power of two at or above n. */
static size_t kids_cap(size_t n)
{
    size_t cap = 4;
    while (cap < n)
        cap *= 2;
    return cap;
}

/* A kid array put aside for reuse (its first bytes link the list). */
struct spare {
    struct spare *next;
};

static unsigned cap_log2(size_t cap)
{
    return (unsigned)__builtin_ctzll((unsigned long long)cap);
}

/* Puts aside the array v that held n kids (none when v is NULL). */
static void kids_release(struct parser *p, qnode **v, size_t n)
{
    if (!v)
        return;
    struct spare *sp = (struct spare *)(void *)v;
    unsigned j = cap_log2(kids_cap(n));
    sp->next = p->spare[j];
    p->spare[j] = sp;
}

/* Appends k to b's kids with occur o. Capacity is implicit: 4, then doubled
 * each time n reaches a power of two; the array outgrown is put aside. */
static int bool_add(struct parser *p, qnode *b, qnode *k, enum qoccur o)
{
    size_t n = b->n_kids;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        size_t cap = n == 0 ? 4 : n * 2;
        unsigned j = cap_log2(cap);
        qnode **v;
        if (p->spare[j]) {
            v = (qnode **)(void *)p->spare[j];
            p->spare[j] = p->spare[j]->next;
        } else if (cap > SIZE_MAX / sizeof *v || !(v = arena_alloc(p->mem, cap * sizeof *v))) {
            return LEDE_ENOMEM;
        }
        if (n)
            memcpy(v, b->kids, n * sizeof *v);
        kids_release(p, b->kids, n);
        b->kids = v;
    }
    k->occur = o;
    b->kids[b->n_kids++] = k;
    return 0;
}

/* A clause that cannot score (dates, everything, exclusions only) is a filter:
 * required by default, and never what makes the words of its list optional. */
static int is_filter(const qnode *q)
{
    if (q->kind == Q_DATE || q->kind == Q_ALL)
        return 1;
    if (q->kind != Q_BOOL)
        return 0;
    for (size_t i = 0; i < q->n_kids; i++)
        if (q->kids[i]->occur != Q_MUST_NOT && !is_filter(q->kids[i]))
            return 0;
    return 1;
}

static void count_occurs(const qnode *b, size_t *nm, size_t *ns, size_t *nn)
{
    *nm = *ns = *nn = 0;
    for (size_t i = 0; i < b->n_kids; i++) {
        switch (b->kids[i]->occur) {
        case Q_MUST: (*nm)++; break;
        case Q_SHOULD: (*ns)++; break;
        case Q_MUST_NOT: (*nn)++; break;
        }
    }
}

/* A Q_BOOL whose kids are all MUST_NOT: "everything except" (a Q_ALL is added
 * at the end of parsing). */
static int only_excludes(const qnode *q)
{
    if (q->kind != Q_BOOL || q->n_kids == 0)
        return 0;
    for (size_t i = 0; i < q->n_kids; i++)
        if (q->kids[i]->occur != Q_MUST_NOT)
            return 0;
    return 1;
}

/* Moves the kids of k (a kid of b, already removed from b) into b, setting
 * their occur to `o` unless o < 0 (keep). k's shell is left unused. */
static int lift(struct parser *p, qnode *b, qnode *k, int o)
{
    int rc = 0;
    for (size_t i = 0; i < k->n_kids && rc == 0; i++)
        rc = bool_add(p, b, k->kids[i], o < 0 ? k->kids[i]->occur : (enum qoccur)o);
    kids_release(p, k->kids, k->n_kids);
    k->kids = NULL;
    k->n_kids = 0;
    return rc;
}

/* Simplifies a completed Q_BOOL whose kids are already simplified, without
 * changing what it matches or how it scores:
 *   +(+a -b) -> +a -b        a MUST kid with MUST kids and no SHOULD kids;
 *   (a (b c)) -> (a b c)     a SHOULD kid whose kids are all SHOULD;
 *   -(a b) -> -a -b          a MUST_NOT kid whose kids are all SHOULD;
 *   +(-b) -> -b              when b still has another MUST kid, or no SHOULD
 *                            kid (so nothing optional becomes required);
 *   (x) -> x                 one kid that is MUST or SHOULD.
 * *out is what replaces b (NULL when it is empty). */
static int bool_simplify(struct parser *p, qnode **out, qnode *b)
{
    *out = NULL;
    qnode **old = b->kids;
    size_t n_old = b->n_kids;
    b->kids = NULL;
    b->n_kids = 0;
    int rc = 0;
    for (size_t i = 0; i < n_old && rc == 0; i++) {
        qnode *k = old[i];
        if (k->kind == Q_BOOL) {
            size_t nm, ns, nn;
            count_occurs(k, &nm, &ns, &nn);
            if (k->occur == Q_MUST && ns == 0 && nm > 0) {
                rc = lift(p, b, k, -1);
                continue;
            }
            if ((k->occur == Q_SHOULD || k->occur == Q_MUST_NOT) && nm == 0 && nn == 0) {
                rc = lift(p, b, k, (int)k->occur);
                continue;
            }
        }
        rc = bool_add(p, b, k, k->occur);
    }
    kids_release(p, old, n_old);
    if (rc)
        return rc;

    /* +(-x) kids: lift them when that keeps the optional kids optional. */
    size_t other_must = 0, n_should = 0, n_excl = 0;
    for (size_t i = 0; i < b->n_kids; i++) {
        const qnode *k = b->kids[i];
        if (k->occur == Q_MUST && only_excludes(k))
            n_excl++;
        else if (k->occur == Q_MUST)
            other_must++;
        else if (k->occur == Q_SHOULD)
            n_should++;
    }
    if (n_excl > 0 && (other_must > 0 || n_should == 0) && b->n_kids > 1) {
        old = b->kids;
        n_old = b->n_kids;
        b->kids = NULL;
        b->n_kids = 0;
        for (size_t i = 0; i < n_old && rc == 0; i++) {
            qnode *k = old[i];
            if (k->occur == Q_MUST && only_excludes(k))
                rc = lift(p, b, k, Q_MUST_NOT);
            else
                rc = bool_add(p, b, k, k->occur);
        }
        kids_release(p, old, n_old);
        if (rc)
            return rc;
    }

    if (b->n_kids == 0)
        return 0;
    if (b->n_kids == 1 && b->kids[0]->occur != Q_MUST_NOT) {
        *out = b->kids[0];
        kids_release(p, b->kids, b->n_kids);
        b->kids = NULL;
        b->n_kids = 0;
        return 0;
    }
    *out = b;
    return 0;
}

/* ---- lexer ----------------------------------------------------------------------------------- */

/* Byte length of the white space at s[i] (ASCII white space, NUL, and the
 * Unicode space separators), or 0. */
static size_t space_at(const struct parser *p, size_t i)
{
    unsigned char c = (unsigned char)p->s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0)
        return 1;
    if (c < 0xC2)
        return 0;
    int32_t cp;
    size_t n = utf8_decode((const unsigned char *)p->s + i, p->len - i, &cp);
    if (cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
        cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
        return n;
    return 0;
}

static void skip_space(struct parser *p)
{
    size_t n;
    while (p->i < p->len && (n = space_at(p, p->i)) > 0)
        p->i += n;
}

/* End of the word run starting at i. */
static size_t word_end(const struct parser *p, size_t i)
{
    while (i < p->len) {
        char c = p->s[i];
        if (c == '(' || c == ')' || c == '"' || space_at(p, i))
            break;
        i++;
    }
    return i;
}

static int span_is(const struct parser *p, size_t s, size_t e, const char *w)
{
    size_t n = strlen(w);
    return e - s == n && memcmp(p->s + s, w, n) == 0;
}

/* The token at the cursor (white space is not skipped). */
static struct tok peek(const struct parser *p)
{
    struct tok t = {TK_END, p->i, p->i};
    if (p->i >= p->len)
        return t;
    t.end = p->i + 1;
    /* A run of two or more of + - ! standing alone ("--", "+-+") is
     * punctuation: a word with no letters, dropped like "&" (QUERY.md). */
    size_t run = p->i;
    while (run < p->len && (p->s[run] == '+' || p->s[run] == '-' || p->s[run] == '!'))
        run++;
    if (run - p->i >= 2 && (run == p->len || space_at(p, run) || p->s[run] == ')')) {
        t.k = TK_WORD;
        t.end = run;
        return t;
    }
    switch (p->s[p->i]) {
    case '(': t.k = TK_LPAREN; return t;
    case ')': t.k = TK_RPAREN; return t;
    case '"': t.k = TK_QUOTE; return t;
    case '+': t.k = TK_PLUS; return t;
    case '-': t.k = TK_MINUS; return t;
    case '!': t.k = TK_BANG; return t;
    default: break;
    }
    if (space_at(p, p->i)) {
        t.k = TK_SPACE;
        return t;
    }
    t.end = word_end(p, p->i);
    if (span_is(p, t.start, t.end, "AND") || span_is(p, t.start, t.end, "&&"))
        t.k = TK_AND;
    else if (span_is(p, t.start, t.end, "OR") || span_is(p, t.start, t.end, "||"))
        t.k = TK_OR;
    else if (span_is(p, t.start, t.end, "NOT"))
        t.k = TK_NOT;
    else
        t.k = TK_WORD;
    return t;
}

/* ---- analysis -------------------------------------------------------------------------------- */

struct toks {
    arena *mem;
    char **terms;
    uint32_t *pos;
    size_t n, cap;
    size_t limit; /* stop after this many */
    int over;
};

#define TOKS_STOP 1 /* the callback's "limit reached" (analyzer_run passes it back) */

static int toks_take(void *ctx, const token *t)
{
    struct toks *k = ctx;
    if (k->n == k->limit) {
        k->over = 1;
        return TOKS_STOP;
    }
    if (k->n == k->cap) { /* limit <= QUERY_MAX_PHRASE_TERMS: a few doublings at most */
        size_t cap = k->cap ? k->cap * 2 : 4;
        char **terms = arena_grow(k->mem, k->terms, k->n * sizeof *terms, cap * sizeof *terms);
        if (!terms)
            return LEDE_ENOMEM;
        k->terms = terms;
        uint32_t *pos = arena_grow(k->mem, k->pos, k->n * sizeof *pos, cap * sizeof *pos);
        if (!pos)
            return LEDE_ENOMEM;
        k->pos = pos;
        k->cap = cap;
    }
    char *s = arena_strndup(k->mem, t->term, t->term_len);
    if (!s)
        return LEDE_ENOMEM;
    k->terms[k->n] = s;
    k->pos[k->n] = t->pos;
    k->n++;
    return 0;
}

/* Analyzes s[start, end) into k (at most `limit` tokens; k->over past that),
 * in the parser's arena. */
static int analyze(analyzer *a, const struct parser *p, size_t start, size_t end, size_t limit,
                   struct toks *k)
{
    memset(k, 0, sizeof *k);
    k->mem = p->mem;
    k->limit = limit;
    int rc = analyzer_run(a, p->s + start, end - start, 0, toks_take, k, NULL);
    if (rc == TOKS_STOP && k->over)
        rc = 0;
    if (rc)
        return rc < 0 ? rc : LEDE_ENOMEM;
    return 0;
}

/* Counts one more leaf at byte `at` against QUERY_MAX_CLAUSES. */
static int count_clause(struct parser *p, size_t at)
{
    if (++p->n_clauses > QUERY_MAX_CLAUSES)
        return fail_limit(p, at,
                    "too many clauses: the query has more than %d words, phrases, prefixes "
                    "and dates (column %u); shorten it",
                    QUERY_MAX_CLAUSES, col(at));
    return 0;
}

/* Turns analyzed tokens into a Q_TERM (one), a Q_PHRASE (several, with
 * relative positions) or nothing (none). The leaf takes k's arrays. */
static int leaf_from_toks(struct parser *p, struct toks *k, int field, uint32_t slop, size_t at,
                          qnode **out)
{
    *out = NULL;
    if (k->n == 0)
        return 0;
    int rc = count_clause(p, at);
    if (rc)
        return rc;
    p->n_terms += k->n;
    if (p->n_terms > QUERY_MAX_TERMS)
        return fail_limit(p, at,
                          "too many terms: the words of this query and of its phrases pass %d "
                          "at column %u; shorten it",
                          QUERY_MAX_TERMS, col(at));
    qnode *q = node_new(p, k->n == 1 ? Q_TERM : Q_PHRASE, field, at);
    if (!q)
        return LEDE_ENOMEM;
    if (k->n > 1) {
        for (size_t i = k->n; i-- > 0;) /* down to the first, which the others subtract */
            k->pos[i] -= k->pos[0];
        q->rel_pos = k->pos;
        q->slop = slop;
    }
    q->terms = k->terms;
    q->n_terms = k->n;
    *out = q;
    return 0;
}

/* ---- dates ----------------------------------------------------------------------------------- */

/* Parses one end of a date filter, s[b, e): *lo and *hi receive the first and
 * last second of the period it names (a year, a month, a day, a minute or a
 * second, by the form written). */
static int date_period(struct parser *p, size_t b, size_t e, int64_t *lo, int64_t *hi)
{
    int64_t t;
    while (b < e && (p->s[b] == ' ' || p->s[b] == '\t'))
        b++;
    while (e > b && (p->s[e - 1] == ' ' || p->s[e - 1] == '\t'))
        e--;
    char why[64];
    if (e == b || date_parse(&t, p->s + b, e - b) != 0) {
        if (date_impossible(p->s + b, e - b, why, sizeof why))
            return fail(p, b, "bad date '%.*s' at column %u: no such day, %s", quote_len(e - b),
                        p->s + b, col(b), why);
        return fail(p, b,
                    "bad date '%.*s' at column %u: write YYYY, YYYY-MM or YYYY-MM-DD (or "
                    "YYYY/M/D), optionally followed by THH:MM or THH:MM:SS",
                    quote_len(e - b), p->s + b, col(b));
    }
    int has_time = 0, colons = 0, seps = 0;
    for (size_t i = b; i < e; i++) {
        char c = p->s[i];
        if (c == 'T' || c == ' ' || c == '\t')
            has_time = 1;
        else if (c == ':')
            colons++;
        else if ((c == '-' || c == '/') && !has_time)
            seps++;
    }
    *lo = t;
    if (has_time) {
        *hi = colons >= 2 ? t : t + 59;
        return 0;
    }
    int64_t y;
    unsigned m, d;
    date_civil_from_days(t / SECS_PER_DAY, &y, &m, &d);
    if (seps == 0) /* a year */
        *hi = date_days_from_civil(y + 1, 1, 1) * SECS_PER_DAY - 1;
    else if (seps == 1) /* a month; month 13 rolls into January of y + 1 */
        *hi = date_days_from_civil(y, m + 1, 1) * SECS_PER_DAY - 1;
    else
        *hi = t + SECS_PER_DAY - 1;
    return 0;
}

/* Parses the date filter value s[b, e) (spec in the grammar) whose field name
 * starts at `at`. */
static int date_spec(struct parser *p, size_t at, size_t b, size_t e, qnode **out)
{
    *out = NULL;
    int64_t lo = DATE_LO_MIN, hi = DATE_HI_MAX, plo = 0, phi = 0;
    int rc;
    if (b == e)
        return fail(p, at,
                    "date: at column %u needs a date right after the colon, as in "
                    "date:2019-04-25, date:2019-01..2019-06 or date:>=2019",
                    col(at));
    const char *s = p->s;
    if (s[b] == '>' || s[b] == '<') {
        int gt = s[b] == '>';
        int eq = b + 1 < e && s[b + 1] == '=';
        size_t vb = b + 1 + (size_t)eq;
        if ((rc = date_period(p, vb, e, &plo, &phi)) != 0)
            return rc;
        if (gt)
            lo = eq ? plo : phi + 1;
        else
            hi = eq ? phi : plo - 1;
    } else {
        size_t dd = b;
        while (dd + 1 < e && !(s[dd] == '.' && s[dd + 1] == '.'))
            dd++;
        if (dd + 1 < e) { /* a range */
            if (dd == b && dd + 2 == e)
                return fail(p, b,
                            "the date range at column %u needs at least one end, as in "
                            "date:2019-01-01.. or date:..2019-06-30",
                            col(b));
            if (dd > b && (rc = date_period(p, b, dd, &lo, &phi)) != 0)
                return rc;
            if (dd + 2 < e && (rc = date_period(p, dd + 2, e, &plo, &hi)) != 0)
                return rc;
        } else {
            if ((rc = date_period(p, b, e, &lo, &hi)) != 0)
                return rc;
        }
    }
    if (lo > hi)
        return fail(p, b, "the date range at column %u is empty: it ends before it starts",
                    col(b));
    if ((rc = count_clause(p, at)) != 0)
        return rc;
    qnode *q = node_new(p, Q_DATE, QFIELD_DEFAULT, at);
    if (!q)
        return LEDE_ENOMEM;
    q->date_lo = lo;
    q->date_hi = hi;
    *out = q;
    return 0;
}

/* date: at `at`; the value starts at vb (just past the colon) and the word run
 * ends at we. */
static int parse_date(struct parser *p, size_t at, size_t vb, size_t we, qnode **out)
{
    *out = NULL;
    if (vb < we) {
        p->i = we;
        return date_spec(p, at, vb, we, out);
    }
    p->i = we;
    if (we < p->len && p->s[we] == '"') { /* date:"2019-04-25 10:30" */
        const char *close = memchr(p->s + we + 1, '"', p->len - we - 1);
        if (!close)
            return fail(p, we,
                        "unbalanced quote: the quote at column %u never closes; add a "
                        "closing \"",
                        col(we));
        size_t ce = (size_t)(close - p->s);
        p->i = ce + 1;
        return date_spec(p, at, we + 1, ce, out);
    }
    if (we < p->len && p->s[we] == '(')
        return fail(p, at,
                    "date: at column %u takes one date or range, not a group; write "
                    "(date:2019 OR date:2021)",
                    col(at));
    return date_spec(p, at, we, we, out);
}

/* ---- words, prefixes, phrases ---------------------------------------------------------------- */

/* The endings of English words that stemming removes or rewrites
 * (docs/QUERY.md, "Prefixes"). A prefix may end inside one: "presiden" is
 * the start of "president" ("ent"), whose stem "presid" no longer starts
 * with it. */
static const char *const word_endings[] = {
    "ational", "tional", "ization", "ation", "ator", "alism", "ality", "alize", "ally",
    "ance", "ancy", "ence", "ency", "ement", "ment", "ent", "ant", "ible", "able", "ism",
    "ist", "ity", "ive", "ize", "ise", "ous", "ness", "ful", "less", "ical", "ic", "al",
    "er", "ion", "ing", "ed", "ly", "ate", "ies", "ied", "es", "s", "e", "y"};

/* Endings tried whole after the prefix too: those whose removal can also
 * undo a doubled consonant ("runn" + "ing": "run"). */
static const char *const whole_endings[] = {"", "s", "es", "e", "ed", "er", "ing"};

/* Adds to q->stems the stem of the word w[0..n) when it does not start with
 * the prefix and is not there yet. */
static int add_prefix_stem(struct parser *p, qnode *q, const char *w, size_t n)
{
    char st[ANALYZE_MAX_TERM];
    size_t sn = analyzer_stem(p->a, w, n, st, sizeof st);
    size_t pl = strlen(q->terms[0]);
    if (sn == 0 || (sn >= pl && memcmp(st, q->terms[0], pl) == 0))
        return 0;
    for (size_t i = 0; i < q->n_stems; i++)
        if (strlen(q->stems[i]) == sn && memcmp(q->stems[i], st, sn) == 0)
            return 0;
    char **stems = arena_grow(p->mem, q->stems, q->n_stems * sizeof *stems,
                              (q->n_stems + 1) * sizeof *stems);
    char *copy = arena_alloc(p->mem, sn + 1);
    if (!stems || !copy)
        return LEDE_ENOMEM;
    memcpy(copy, st, sn);
    copy[sn] = '\0';
    stems[q->n_stems++] = copy;
    q->stems = stems;
    return 0;
}

/* On a stemmed index, the words a prefix begins may be indexed as stems
 * that do not start with it: "refugee" as "refuge", "running" as "run",
 * "president" as "presid". Finds them by stemming the prefix followed by
 * each ending it may be the start of (and by a few whole endings). */
static int prefix_stems(struct parser *p, qnode *q)
{
    const char *pre = q->terms[0];
    size_t pl = strlen(pre);
    char w[ANALYZE_MAX_TERM + 16];
    if (!analyzer_stems(p->a) || pl > ANALYZE_MAX_TERM)
        return 0;
    memcpy(w, pre, pl);
    int rc = 0;
    for (size_t i = 0; i < sizeof whole_endings / sizeof *whole_endings && rc == 0; i++) {
        size_t el = strlen(whole_endings[i]);
        memcpy(w + pl, whole_endings[i], el);
        rc = add_prefix_stem(p, q, w, pl + el);
    }
    for (size_t i = 0; i < sizeof word_endings / sizeof *word_endings && rc == 0; i++) {
        const char *x = word_endings[i];
        size_t xl = strlen(x);
        /* the prefix ends with x's first k bytes: the word goes on with the rest */
        for (size_t k = 1; k < xl && k <= pl && rc == 0; k++)
            if (memcmp(pre + pl - k, x, k) == 0) {
                memcpy(w + pl, x + k, xl - k);
                rc = add_prefix_stem(p, q, w, pl + xl - k);
            }
    }
    return rc;
}

static int parse_prefix(struct parser *p, size_t b, size_t e, int field, size_t at,
                        qnode **out)
{
    *out = NULL;
    int rc;
    if (!p->plain) {
        analyzer_opts ao = {NULL};
        if ((rc = analyzer_new(&p->plain, &ao)) != 0)
            return rc;
    }
    struct toks k;
    if ((rc = analyze(p->plain, p, b, e, 1, &k)) != 0)
        return rc;
    if (k.n == 0 || k.over) {
        if (!k.over)
            return fail(p, b,
                        "the prefix at column %u has no letters or digits before the '*'; "
                        "write a prefix such as presiden*",
                        col(b));
        return fail(p, b,
                    "the prefix '%.*s*' at column %u is more than one word; a prefix is "
                    "letters and digits only, as in presiden*",
                    quote_len(e - b), p->s + b, col(b));
    }
    if ((rc = count_clause(p, at)) != 0)
        return rc;
    if (++p->n_prefixes > QUERY_MAX_PREFIXES || ++p->n_terms > QUERY_MAX_TERMS) {
        if (p->n_prefixes > QUERY_MAX_PREFIXES)
            return fail_limit(p, at,
                              "too many prefixes: the query has more than %d words ending in "
                              "'*' (column %u); each reads the postings of every word it "
                              "matches, so use fewer or longer ones",
                              QUERY_MAX_PREFIXES, col(at));
        return fail_limit(p, at,
                          "too many terms: the words of this query and of its phrases pass %d "
                          "at column %u; shorten it",
                          QUERY_MAX_TERMS, col(at));
    }
    qnode *q = node_new(p, Q_PREFIX, field, at);
    if (!q)
        return LEDE_ENOMEM;
    q->terms = k.terms;
    q->n_terms = 1;
    if ((rc = prefix_stems(p, q)) != 0)
        return rc;
    *out = q;
    return 0;
}

/* A word s[b, e) (no field prefix left in it); `at` is where its clause
 * (field name included) starts. */
static int parse_word(struct parser *p, size_t b, size_t e, int field, size_t at, qnode **out)
{
    *out = NULL;
    p->i = e;
    const char *star = memchr(p->s + b, '*', e - b);
    if (star) {
        size_t si = (size_t)(star - p->s);
        if (e - b == 1)
            return fail(p, si,
                        "'*' at column %u needs letters before it, as in presiden*; a lone "
                        "'*' is not a query",
                        col(si));
        if (si != e - 1)
            return fail(p, si,
                        "'*' at column %u: only a trailing '*' is supported, for a prefix "
                        "such as presiden*",
                        col(si));
        return parse_prefix(p, b, e - 1, field, at, out);
    }
    /* word~ or word~2 is Lucene's fuzzy search, which lede does not do. */
    for (size_t t = e; t > b + 1; t--) {
        char c = p->s[t - 1];
        if (c == '~')
            return fail(p, t - 1,
                        "'~' at column %u: fuzzy search is not supported; ~N sets the "
                        "proximity of a quoted phrase, as in \"a b\"~3",
                        col(t - 1));
        if (c < '0' || c > '9')
            break;
    }
    struct toks k;
    int rc = analyze(p->a, p, b, e, QUERY_MAX_PHRASE_TERMS, &k);
    if (rc)
        return rc;
    if (k.over)
        return fail_limit(p, b,
                          "the word at column %u splits into more than %d terms; put spaces "
                          "between the words",
                          col(b), QUERY_MAX_PHRASE_TERMS);
    return leaf_from_toks(p, &k, field, 0, at, out);
}

/* A phrase; the cursor is at its opening quote. */
static int parse_phrase(struct parser *p, int field, size_t at, qnode **out)
{
    *out = NULL;
    size_t q = p->i;
    const char *close = memchr(p->s + q + 1, '"', p->len - q - 1);
    if (!close)
        return fail(p, q,
                    "unbalanced quote: the phrase opened at column %u never closes; add a "
                    "closing \"",
                    col(q));
    size_t ce = (size_t)(close - p->s);
    p->i = ce + 1;
    uint32_t slop = 0;
    if (p->i < p->len && p->s[p->i] == '~') {
        size_t tilde = p->i++;
        unsigned v = 0;
        size_t nd = 0;
        while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
            if (v <= SLOP_MAX)
                v = v * 10 + (unsigned)(p->s[p->i] - '0');
            p->i++;
            nd++;
        }
        struct tok t = peek(p);
        if (nd == 0 || v > SLOP_MAX ||
            !(t.k == TK_END || t.k == TK_SPACE || t.k == TK_RPAREN || t.k == TK_LPAREN ||
              t.k == TK_QUOTE))
            return fail(p, tilde,
                        "the proximity after '~' at column %u must be a whole number from 0 "
                        "to %d, as in \"a b\"~3",
                        col(tilde), SLOP_MAX);
        slop = v;
    }
    struct toks k;
    int rc = analyze(p->a, p, q + 1, ce, QUERY_MAX_PHRASE_TERMS, &k);
    if (rc)
        return rc;
    if (k.over)
        return fail_limit(p, q, "the phrase at column %u has more than %d words; shorten it",
                          col(q), QUERY_MAX_PHRASE_TERMS);
    return leaf_from_toks(p, &k, field, slop, at, out);
}

/* ---- the grammar ----------------------------------------------------------------------------- */

static int parse_or(struct parser *p, int field, qnode **out, size_t *n_clauses);

/* The cursor is at '('. */
static int parse_group(struct parser *p, int field, qnode **out)
{
    *out = NULL;
    size_t open = p->i;
    if (p->depth >= QUERY_MAX_DEPTH)
        return fail_limit(p, open,
                          "parentheses nested more than %d deep at column %u; remove some",
                          QUERY_MAX_DEPTH, col(open));
    p->depth++;
    p->i++;
    size_t n = 0;
    qnode *q = NULL;
    int rc = parse_or(p, field, &q, &n);
    p->depth--;
    if (rc)
        return rc;
    skip_space(p);
    if (peek(p).k != TK_RPAREN)
        return fail(p, open,
                    "unbalanced parenthesis: the '(' at column %u is never closed; add a ')'",
                    col(open));
    p->i++;
    if (n == 0)
        return fail(p, open,
                    "empty parentheses at column %u: put a word inside or remove them",
                    col(open));
    if (q && q->kind == Q_BOOL)
        q->column = (uint32_t)col(open);
    *out = q;
    return 0;
}

static int parse_primary(struct parser *p, int field, qnode **out)
{
    *out = NULL;
    struct tok t = peek(p);
    if (t.k == TK_LPAREN)
        return parse_group(p, field, out);
    if (t.k == TK_QUOTE)
        return parse_phrase(p, field, t.start, out);
    /* callers make sure that anything else is a word */
    size_t b = t.start, e = t.end, c = b;
    while (c < e && ((p->s[c] >= 'a' && p->s[c] <= 'z') || (p->s[c] >= 'A' && p->s[c] <= 'Z')))
        c++;
    if (c == b || c == e || p->s[c] != ':')
        return parse_word(p, b, e, field, b, out);

    /* name: */
    if (c - b == 4 && strncasecmp(p->s + b, "date", 4) == 0)
        return parse_date(p, b, c + 1, e, out);
    int f = field_by_name(p->s + b, c - b);
    if (f < 0)
        return fail(p, b,
                    "unknown field '%.*s' at column %u (fields: title, body, source, section, "
                    "date); to search for text with a colon in it, put it in quotes",
                    quote_len(c - b), p->s + b, col(b));
    size_t vb = c + 1;
    if (vb < e) {
        if (p->s[vb] == '+' || p->s[vb] == '-')
            return fail(p, vb,
                        "'%c' at column %u belongs before the field name, as in %cword or "
                        "%c%.*s:word",
                        p->s[vb], col(vb), p->s[vb], p->s[vb], quote_len(c - b), p->s + b);
        return parse_word(p, vb, e, f, b, out);
    }
    p->i = e;
    struct tok n = peek(p);
    if (n.k == TK_LPAREN)
        return parse_group(p, f, out);
    if (n.k == TK_QUOTE)
        return parse_phrase(p, f, b, out);
    return fail(p, b,
                "%.*s: at column %u needs a word, a \"phrase\" or a (group) right after the "
                "colon, as in %.*s:word",
                quote_len(c - b), p->s + b, col(b), quote_len(c - b), p->s + b);
}

static int starts_clause(enum tk k)
{
    return k == TK_LPAREN || k == TK_QUOTE || k == TK_WORD;
}

static int is_modifier(enum tk k)
{
    return k == TK_PLUS || k == TK_MINUS || k == TK_BANG || k == TK_NOT;
}

/* *occ: the explicit occur, or -1. The cursor is at the clause's first token. */
static int parse_clause(struct parser *p, int field, qnode **out, int *occ)
{
    *out = NULL;
    *occ = -1;
    struct tok t = peek(p);
    if (t.k == TK_PLUS || t.k == TK_MINUS) {
        p->i = t.end;
        struct tok n = peek(p);
        if (is_modifier(n.k))
            return fail(p, n.start,
                        "'%.*s' at column %u cannot follow '%c'; use one of +, - and NOT per "
                        "clause",
                        (int)(n.end - n.start), p->s + n.start, col(n.start), p->s[t.start]);
        if (!starts_clause(n.k))
            return fail(p, t.start,
                        "'%c' at column %u must be followed directly by a word, a \"phrase\" "
                        "or a (group), with no space, as in %cword",
                        p->s[t.start], col(t.start), p->s[t.start]);
        *occ = t.k == TK_PLUS ? Q_MUST : Q_MUST_NOT;
        return parse_primary(p, field, out);
    }
    if (t.k == TK_NOT || t.k == TK_BANG) {
        p->i = t.end;
        skip_space(p);
        struct tok n = peek(p);
        if (is_modifier(n.k))
            return fail(p, n.start,
                        "'%.*s' at column %u cannot follow '%.*s'; use one of +, - and NOT "
                        "per clause",
                        (int)(n.end - n.start), p->s + n.start, col(n.start),
                        (int)(t.end - t.start), p->s + t.start);
        if (!starts_clause(n.k))
            return fail(p, t.start,
                        "%s at column %u needs a clause after it, as in a NOT b",
                        t.k == TK_NOT ? "NOT" : "'!'", col(t.start));
        *occ = Q_MUST_NOT;
        return parse_primary(p, field, out);
    }
    return parse_primary(p, field, out);
}

struct clause {
    qnode *q;    /* NULL when the clause analyzed to nothing */
    int occ;     /* explicit occur or -1 */
    int anded;   /* next to an explicit AND */
};

static const char *op_name(const struct parser *p, struct tok t, char *tmp, size_t cap)
{
    if (t.k == TK_AND && p->s[t.start] == 'A')
        return "AND";
    if (t.k == TK_OR && p->s[t.start] == 'O')
        return "OR";
    snprintf(tmp, cap, "'%.2s'", p->s + t.start);
    return tmp;
}

static int op_needs_both(struct parser *p, struct tok t)
{
    char tmp[8];
    const char *name = op_name(p, t, tmp, sizeof tmp);
    return fail(p, t.start, "%s at column %u needs a clause on both sides, as in a %.*s b",
                name, col(t.start), (int)(t.end - t.start), p->s + t.start);
}

/* Pushes c on the parser's clause stack. */
static int clause_push(struct parser *p, const struct clause *c)
{
    if (p->n_cl == p->cap_cl) {
        size_t cap = p->cap_cl ? p->cap_cl * 2 : 16;
        struct clause *v =
            arena_grow(p->mem, p->cl, p->n_cl * sizeof *v, cap * sizeof *v);
        if (!v)
            return LEDE_ENOMEM;
        p->cl = v;
        p->cap_cl = cap;
    }
    p->cl[p->n_cl++] = *c;
    return 0;
}

/* clause { [AND] clause }, up to OR, ')' or the end. */
static int parse_and(struct parser *p, int field, qnode **out, size_t *n_clauses)
{
    *out = NULL;
    *n_clauses = 0;
    /* This and_expr's clauses are p->cl[base, base + n); a group among them
     * pushes and pops its own above them (and may move p->cl). */
    size_t base = p->n_cl, n = 0;
    int anded_next = 0, rc = 0;
    size_t first = p->i;
    for (;;) {
        skip_space(p);
        struct tok t = peek(p);
        if (t.k == TK_END || t.k == TK_RPAREN || t.k == TK_OR)
            break;
        if (t.k == TK_AND) {
            if (n == 0)
                return op_needs_both(p, t);
            p->i = t.end;
            skip_space(p);
            struct tok nx = peek(p);
            if (nx.k == TK_END || nx.k == TK_RPAREN || nx.k == TK_OR || nx.k == TK_AND)
                return op_needs_both(p, t);
            p->cl[base + n - 1].anded = 1;
            anded_next = 1;
            continue;
        }
        if (n == 0)
            first = p->i;
        struct clause c = {NULL, -1, anded_next};
        anded_next = 0;
        if ((rc = parse_clause(p, field, &c.q, &c.occ)) != 0 || (rc = clause_push(p, &c)) != 0)
            return rc;
        n++;
    }
    *n_clauses = n;
    struct clause *cl = n ? p->cl + base : NULL; /* no clause: p->cl may be NULL */

    /* Occurs: explicit, else MUST next to AND or for a filter, else the
     * default. Filters do not make the other words optional: with only
     * filters required, the optional words are grouped into one required
     * clause (putin kim date:2019 with any_default -> +date +(putin kim)). */
    enum qoccur dflt = p->any_default ? Q_SHOULD : Q_MUST;
    size_t n_real_must = 0, n_filter_must = 0, n_should = 0;
    for (size_t i = 0; i < n; i++) {
        if (!cl[i].q)
            continue;
        int filter = is_filter(cl[i].q);
        if (cl[i].occ < 0)
            cl[i].occ = (int)(cl[i].anded || filter ? Q_MUST : dflt);
        if (cl[i].occ == Q_MUST)
            filter ? n_filter_must++ : n_real_must++;
        else if (cl[i].occ == Q_SHOULD)
            n_should++;
    }
    qnode *b = node_new(p, Q_BOOL, QFIELD_DEFAULT, first), *opt = NULL;
    if (!b)
        return LEDE_ENOMEM;
    int group_should = n_real_must == 0 && n_filter_must > 0 && n_should > 0;
    if (group_should && !(opt = node_new(p, Q_BOOL, QFIELD_DEFAULT, first)))
        return LEDE_ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!cl[i].q)
            continue;
        if (group_should && cl[i].occ == Q_SHOULD)
            rc = bool_add(p, opt, cl[i].q, Q_SHOULD);
        else
            rc = bool_add(p, b, cl[i].q, (enum qoccur)cl[i].occ);
    }
    p->n_cl = base;
    if (rc == 0 && opt) {
        qnode *o = NULL;
        rc = bool_simplify(p, &o, opt);
        if (rc == 0 && o)
            rc = bool_add(p, b, o, Q_MUST);
    }
    if (rc)
        return rc;
    return bool_simplify(p, out, b);
}

/* and_expr { OR and_expr }, up to ')' or the end. *n_clauses counts the
 * clauses written (including those that analyzed to nothing). */
static int parse_or(struct parser *p, int field, qnode **out, size_t *n_clauses)
{
    *out = NULL;
    *n_clauses = 0;
    qnode *b = node_new(p, Q_BOOL, QFIELD_DEFAULT, p->i);
    if (!b)
        return LEDE_ENOMEM;
    struct tok pending = {TK_END, 0, 0}; /* the OR before this and_expr */
    int rc = 0;
    for (;;) {
        size_t n = 0;
        qnode *q = NULL;
        skip_space(p);
        if (b->n_kids == 0)
            b->column = (uint32_t)col(p->i);
        if ((rc = parse_and(p, field, &q, &n)) != 0)
            return rc;
        *n_clauses += n;
        skip_space(p);
        struct tok t = peek(p);
        if (n == 0 && (pending.k == TK_OR || t.k == TK_OR))
            return op_needs_both(p, pending.k == TK_OR ? pending : t);
        if (q && (rc = bool_add(p, b, q, Q_SHOULD)) != 0)
            return rc;
        if (t.k != TK_OR)
            break;
        p->i = t.end;
        pending = t;
    }
    return bool_simplify(p, out, b);
}

/* Adds Q_ALL to each Q_BOOL that has only MUST_NOT kids, and refuses trees
 * deeper than QUERY_MAX_DEPTH (parentheses nest at most that deep, but each
 * level can hold an OR of ANDs). */
static int finish_tree(struct parser *p, qnode *q, int depth)
{
    if (q->kind != Q_BOOL)
        return 0;
    if (depth > QUERY_MAX_DEPTH)
        return fail_limit(p, q->column - 1,
                    "the query nests more than %d levels deep (parentheses, AND and OR "
                    "groups) at column %u; simplify it",
                    QUERY_MAX_DEPTH, q->column);
    for (size_t i = 0; i < q->n_kids; i++) {
        int rc = finish_tree(p, q->kids[i], depth + 1);
        if (rc)
            return rc;
    }
    if (!only_excludes(q))
        return 0;
    qnode *all = node_new(p, Q_ALL, QFIELD_DEFAULT, q->column - 1);
    if (!all)
        return LEDE_ENOMEM;
    int rc = bool_add(p, q, all, Q_MUST);
    if (rc)
        return rc;
    memmove(q->kids + 1, q->kids, (q->n_kids - 1) * sizeof *q->kids);
    q->kids[0] = all;
    return 0;
}

/* ---- entry points ---------------------------------------------------------------------------- */

/* The state of one free-text parse. */
struct free_text {
    struct parser *p;
    qnode *words;          /* every word that is not a stop word */
    qnode *stops;          /* the stop words, when they are dropped */
    int list;              /* enum stopwords_list */
};

/* Whether token t is an English stop word: the word's bytes analyzed again
 * without stemming (folded, possessive removed), as Lucene filters stop words
 * before stemming. */
static int is_stopword(struct parser *p, int list, const token *t, int *out)
{
    *out = 0;
    if (!p->plain) {
        analyzer_opts ao = {NULL};
        int rc = analyzer_new(&p->plain, &ao);
        if (rc)
            return rc;
    }
    char w[ANALYZE_MAX_TERM + 1];
    size_t n = analyzer_term(p->plain, p->s + t->start, t->end - t->start, w, sizeof w);
    *out = n > 0 && stopwords_has((enum stopwords_list)list, w, n);
    return 0;
}

static int free_text_take(void *ctx, const token *t)
{
    struct free_text *ft = ctx;
    struct parser *p = ft->p;
    int rc = count_clause(p, t->start);
    if (rc)
        return rc;
    int stop = 0;
    if (ft->list != STOPWORDS_NONE && (rc = is_stopword(p, ft->list, t, &stop)) != 0)
        return rc;
    qnode *q = node_new(p, Q_TERM, QFIELD_DEFAULT, t->start);
    if (!q || !(q->terms = arena_alloc(p->mem, sizeof *q->terms)) ||
        !(q->terms[0] = arena_strndup(p->mem, t->term, t->term_len)))
        return LEDE_ENOMEM;
    q->n_terms = 1;
    return bool_add(p, stop ? ft->stops : ft->words, q, Q_SHOULD);
}

/* Evaluation mode: every token a SHOULD term of one root Q_BOOL (duplicates
 * kept, so a word repeated in the text weighs more, as in Lucene); with
 * a stop-word list, its words are left out unless nothing else is left. */
static int parse_free_text(struct parser *p, int list, qnode **out)
{
    struct free_text ft = {p, node_new(p, Q_BOOL, QFIELD_DEFAULT, 0),
                           node_new(p, Q_BOOL, QFIELD_DEFAULT, 0), list};
    int rc = ft.words && ft.stops ? 0 : LEDE_ENOMEM;
    if (rc == 0)
        rc = analyzer_run(p->a, p->s, p->len, 0, free_text_take, &ft, NULL);
    if (rc == 0 && ft.words->n_kids == 0) /* only stop words: search them */
        ft.words = ft.stops;
    if (rc == 0 && ft.words->n_kids == 0)
        rc = fail(p, 0,
                  "no searchable term at column 1: the query has only punctuation or words "
                  "too long to index; add a word");
    if (rc)
        return rc;
    *out = ft.words;
    return 0;
}

/* query_parse_in without the checks of its arguments. */
static int parse(arena *mem, qnode **out, const char *text, size_t len, analyzer *a,
                 const query_opts *o, query_error *err)
{
    struct parser p = {.s = text ? text : "", .len = len, .mem = mem, .a = a,
                       .any_default = o && o->any_default, .err = err};
    if (len > QUERY_MAX_BYTES)
        return fail_limit(&p, QUERY_MAX_BYTES,
                    "the query is %zu bytes long, over the limit of %d bytes; shorten it", len,
                    QUERY_MAX_BYTES);
    skip_space(&p);
    if (p.i == len)
        return fail(&p, 0, "empty query: type at least one word to search for");
    p.i = 0;
    if (o && o->free_text) {
        int rc = parse_free_text(&p, o->stopwords, out);
        analyzer_free(p.plain);
        return rc;
    }

    qnode *q = NULL;
    size_t n = 0;
    int rc = parse_or(&p, QFIELD_DEFAULT, &q, &n);
    if (rc == 0) {
        skip_space(&p);
        if (p.i < len) /* parse_or stops only at the end or at ')' */
            rc = fail(&p, p.i,
                      "unbalanced parenthesis: the ')' at column %u has no matching '('; "
                      "remove it or add a '(' before it",
                      col(p.i));
    }
    if (rc == 0 && !q)
        rc = fail(&p, 0,
                  "no searchable term at column 1: the query has only punctuation or words "
                  "too long to index; add a word");
    if (rc == 0)
        rc = finish_tree(&p, q, 0);
    if (rc == 0 && q->kind == Q_DATE) { /* a lone filter: every document in range */
        qnode *b = node_new(&p, Q_BOOL, QFIELD_DEFAULT, q->column - 1);
        if (!b)
            rc = LEDE_ENOMEM;
        else if ((rc = bool_add(&p, b, q, Q_MUST)) == 0)
            q = b;
    }
    analyzer_free(p.plain);
    if (rc)
        return rc;
    q->occur = Q_MUST;
    *out = q;
    return 0;
}

/* Clears *out and *err (or points err at a scratch one); 0 when the
 * arguments are usable. */
static int parse_begin(qnode **out, const char *text, size_t len, analyzer *a, query_error **err,
                       query_error *scratch)
{
    *out = NULL;
    if (!*err)
        *err = scratch;
    (*err)->column = 0;
    (*err)->message[0] = '\0';
    return !a || (!text && len > 0) ? LEDE_EINVAL : 0;
}

int query_parse_in(arena *mem, qnode **out, const char *text, size_t len, analyzer *a,
                   const query_opts *o, query_error *err)
{
    query_error scratch;
    int rc = parse_begin(out, text, len, a, &err, &scratch);
    if (rc == 0 && !mem)
        rc = LEDE_EINVAL;
    return rc ? rc : parse(mem, out, text, len, a, o, err);
}

int query_parse(qnode **out, const char *text, size_t len, analyzer *a, const query_opts *o,
                query_error *err)
{
    query_error scratch;
    int rc = parse_begin(out, text, len, a, &err, &scratch);
    if (rc)
        return rc;
    arena mem = {0};
    qnode *q = NULL;
    struct owned *w = NULL;
    if ((rc = parse(&mem, &q, text, len, a, o, err)) == 0 &&
        !(w = arena_alloc(&mem, sizeof *w)))
        rc = LEDE_ENOMEM;
    if (rc) {
        arena_free(&mem);
        return rc;
    }
    w->root = *q;
    w->mem = mem; /* after w's own allocation, so that query_free frees all */
    *out = &w->root;
    return 0;
}

/* ---- rendering ------------------------------------------------------------------------------- */

static int render(const qnode *q, buf *out)
{
    int rc = 0;
    if (q->field >= 0 && q->kind != Q_BOOL && q->kind != Q_DATE && q->kind != Q_ALL)
        rc = buf_printf(out, "%s:", field_name((enum field)q->field));
    switch (q->kind) {
    case Q_TERM:
        return rc ? rc : buf_puts(out, q->n_terms ? q->terms[0] : "");
    case Q_PREFIX:
        return rc ? rc : buf_printf(out, "%s*", q->n_terms ? q->terms[0] : "");
    case Q_PHRASE:
        rc = rc ? rc : buf_putc(out, '"');
        for (size_t i = 0; i < q->n_terms && rc == 0; i++) {
            if (i > 0) {
                rc = buf_putc(out, ' ');
                for (uint32_t g = q->rel_pos[i - 1] + 1; g < q->rel_pos[i] && rc == 0; g++)
                    rc = buf_puts(out, "? ");
            }
            rc = rc ? rc : buf_puts(out, q->terms[i]);
        }
        rc = rc ? rc : buf_putc(out, '"');
        if (rc == 0 && q->slop)
            rc = buf_printf(out, "~%u", (unsigned)q->slop);
        return rc;
    case Q_DATE: {
        char lo[32], hi[32];
        date_format(lo, sizeof lo, q->date_lo, 0);
        date_format(hi, sizeof hi, q->date_hi, 0);
        return buf_printf(out, "date:[%s..%s]", lo, hi);
    }
    case Q_ALL:
        return buf_putc(out, '*');
    case Q_BOOL:
        rc = buf_putc(out, '(');
        for (size_t i = 0; i < q->n_kids && rc == 0; i++) {
            const qnode *k = q->kids[i];
            if (i > 0)
                rc = buf_putc(out, ' ');
            if (rc == 0 && k->occur != Q_SHOULD)
                rc = buf_putc(out, k->occur == Q_MUST ? '+' : '-');
            rc = rc ? rc : render(k, out);
        }
        return rc ? rc : buf_putc(out, ')');
    }
    return LEDE_EINVAL;
}

int query_render(const qnode *q, buf *out)
{
    if (!q || !out)
        return LEDE_EINVAL;
    return render(q, out);
}
