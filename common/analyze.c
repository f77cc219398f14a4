/* analyze.c - the tokenizer and term normalizer (rules in analyze.h).
 *
 * One pass over the bytes. ASCII goes through a 256-entry class table; other
 * code points are decoded here and classified and folded by unicode.c.
 * The term being built lives in a fixed buffer in the analyzer; a token that
 * outgrows it is dropped when it ends (its position is still counted). */
#include "analyze.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "err.h"
#include "stem.h"
#include "unicode.h"
#include "utf8.h"

/* Room for the longest kept term plus one folded code point's expansion. */
#define TERM_BUF (ANALYZE_MAX_TERM + 64)

/* Stemming is the costliest step of analysis (Snowball runs a small
 * program per word), and news text repeats its words: a direct-mapped cache
 * of recent (term -> stem) pairs skips most calls. 65,536 slots (3.2 MB per
 * analyzer, touched as used): bbc-news has 33,000 distinct words, and
 * 8,192 slots missed so often that stemming cost 318 M of bench_ingest's
 * 835 M instructions there (32,768: 196 M; 65,536: 168 M). */
#define STEM_CACHE_SLOTS 65536
#define STEM_CACHE_MAX 24 /* longer terms are stemmed every time */

struct stem_slot {
    uint8_t term_len, stem_len;
    char term[STEM_CACHE_MAX];
    char stem[STEM_CACHE_MAX];
};

struct analyzer {
    stemmer *stem; /* NULL without stemming */
    struct stem_slot *cache; /* STEM_CACHE_SLOTS, with stemming only */
    char term[TERM_BUF];
};

static uint32_t term_hash(const char *t, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a: short keys, no need for more */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)t[i]) * 16777619u;
    return h;
}

/* The stem of t[0..n), through the cache. */
static const char *stem_cached(analyzer *a, const char *t, size_t n, size_t *out_len)
{
    if (n > STEM_CACHE_MAX)
        return stemmer_stem(a->stem, t, n, out_len);
    struct stem_slot *e = &a->cache[term_hash(t, n) & (STEM_CACHE_SLOTS - 1)];
    if (e->term_len == n && memcmp(e->term, t, n) == 0) {
        *out_len = e->stem_len;
        return e->stem;
    }
    const char *st = stemmer_stem(a->stem, t, n, out_len);
    if (*out_len <= STEM_CACHE_MAX) {
        e->term_len = (uint8_t)n;
        memcpy(e->term, t, n);
        e->stem_len = (uint8_t)*out_len;
        memcpy(e->stem, st, *out_len);
    }
    return st;
}

/* t[0..*n) stemmed, when the analyzer stems. A stemmer may erase a whole
 * word (Porter: "s" -> "") or lengthen it past the limit (Turkish appends a
 * vowel to "...g"); the word then stays unstemmed rather than vanish from
 * the index. */
static inline __attribute__((always_inline)) const char *stem_term(analyzer *a, const char *t, size_t *n)
{
    if (!a->stem || *n == 0)
        return t;
    size_t sn;
    const char *st = stem_cached(a, t, *n, &sn);
    if (sn == 0 || sn > ANALYZE_MAX_TERM)
        return t;
    *n = sn;
    return st;
}

enum { AC_SEP = 0, AC_WORD = 1, AC_UPPER = 2, AC_APOS = 3, AC_HIGH = 4 };

static const unsigned char ascii_class[256] = {
    ['0'] = AC_WORD, ['1'] = AC_WORD, ['2'] = AC_WORD, ['3'] = AC_WORD, ['4'] = AC_WORD,
    ['5'] = AC_WORD, ['6'] = AC_WORD, ['7'] = AC_WORD, ['8'] = AC_WORD, ['9'] = AC_WORD,
    ['a'] = AC_WORD, ['b'] = AC_WORD, ['c'] = AC_WORD, ['d'] = AC_WORD, ['e'] = AC_WORD,
    ['f'] = AC_WORD, ['g'] = AC_WORD, ['h'] = AC_WORD, ['i'] = AC_WORD, ['j'] = AC_WORD,
    ['k'] = AC_WORD, ['l'] = AC_WORD, ['m'] = AC_WORD, ['n'] = AC_WORD, ['o'] = AC_WORD,
    ['p'] = AC_WORD, ['q'] = AC_WORD, ['r'] = AC_WORD, ['s'] = AC_WORD, ['t'] = AC_WORD,
    ['u'] = AC_WORD, ['v'] = AC_WORD, ['w'] = AC_WORD, ['x'] = AC_WORD, ['y'] = AC_WORD,
    ['z'] = AC_WORD,
    ['A'] = AC_UPPER, ['B'] = AC_UPPER, ['C'] = AC_UPPER, ['D'] = AC_UPPER, ['E'] = AC_UPPER,
    ['F'] = AC_UPPER, ['G'] = AC_UPPER, ['H'] = AC_UPPER, ['I'] = AC_UPPER, ['J'] = AC_UPPER,
    ['K'] = AC_UPPER, ['L'] = AC_UPPER, ['M'] = AC_UPPER, ['N'] = AC_UPPER, ['O'] = AC_UPPER,
    ['P'] = AC_UPPER, ['Q'] = AC_UPPER, ['R'] = AC_UPPER, ['S'] = AC_UPPER, ['T'] = AC_UPPER,
    ['U'] = AC_UPPER, ['V'] = AC_UPPER, ['W'] = AC_UPPER, ['X'] = AC_UPPER, ['Y'] = AC_UPPER,
    ['Z'] = AC_UPPER,
    ['\''] = AC_APOS,
    [0x80] = AC_HIGH, [0x81] = AC_HIGH, [0x82] = AC_HIGH, [0x83] = AC_HIGH, [0x84] = AC_HIGH,
    [0x85] = AC_HIGH, [0x86] = AC_HIGH, [0x87] = AC_HIGH, [0x88] = AC_HIGH, [0x89] = AC_HIGH,
    [0x8A] = AC_HIGH, [0x8B] = AC_HIGH, [0x8C] = AC_HIGH, [0x8D] = AC_HIGH, [0x8E] = AC_HIGH,
    [0x8F] = AC_HIGH, [0x90] = AC_HIGH, [0x91] = AC_HIGH, [0x92] = AC_HIGH, [0x93] = AC_HIGH,
    [0x94] = AC_HIGH, [0x95] = AC_HIGH, [0x96] = AC_HIGH, [0x97] = AC_HIGH, [0x98] = AC_HIGH,
    [0x99] = AC_HIGH, [0x9A] = AC_HIGH, [0x9B] = AC_HIGH, [0x9C] = AC_HIGH, [0x9D] = AC_HIGH,
    [0x9E] = AC_HIGH, [0x9F] = AC_HIGH, [0xA0] = AC_HIGH, [0xA1] = AC_HIGH, [0xA2] = AC_HIGH,
    [0xA3] = AC_HIGH, [0xA4] = AC_HIGH, [0xA5] = AC_HIGH, [0xA6] = AC_HIGH, [0xA7] = AC_HIGH,
    [0xA8] = AC_HIGH, [0xA9] = AC_HIGH, [0xAA] = AC_HIGH, [0xAB] = AC_HIGH, [0xAC] = AC_HIGH,
    [0xAD] = AC_HIGH, [0xAE] = AC_HIGH, [0xAF] = AC_HIGH, [0xB0] = AC_HIGH, [0xB1] = AC_HIGH,
    [0xB2] = AC_HIGH, [0xB3] = AC_HIGH, [0xB4] = AC_HIGH, [0xB5] = AC_HIGH, [0xB6] = AC_HIGH,
    [0xB7] = AC_HIGH, [0xB8] = AC_HIGH, [0xB9] = AC_HIGH, [0xBA] = AC_HIGH, [0xBB] = AC_HIGH,
    [0xBC] = AC_HIGH, [0xBD] = AC_HIGH, [0xBE] = AC_HIGH, [0xBF] = AC_HIGH, [0xC0] = AC_HIGH,
    [0xC1] = AC_HIGH, [0xC2] = AC_HIGH, [0xC3] = AC_HIGH, [0xC4] = AC_HIGH, [0xC5] = AC_HIGH,
    [0xC6] = AC_HIGH, [0xC7] = AC_HIGH, [0xC8] = AC_HIGH, [0xC9] = AC_HIGH, [0xCA] = AC_HIGH,
    [0xCB] = AC_HIGH, [0xCC] = AC_HIGH, [0xCD] = AC_HIGH, [0xCE] = AC_HIGH, [0xCF] = AC_HIGH,
    [0xD0] = AC_HIGH, [0xD1] = AC_HIGH, [0xD2] = AC_HIGH, [0xD3] = AC_HIGH, [0xD4] = AC_HIGH,
    [0xD5] = AC_HIGH, [0xD6] = AC_HIGH, [0xD7] = AC_HIGH, [0xD8] = AC_HIGH, [0xD9] = AC_HIGH,
    [0xDA] = AC_HIGH, [0xDB] = AC_HIGH, [0xDC] = AC_HIGH, [0xDD] = AC_HIGH, [0xDE] = AC_HIGH,
    [0xDF] = AC_HIGH, [0xE0] = AC_HIGH, [0xE1] = AC_HIGH, [0xE2] = AC_HIGH, [0xE3] = AC_HIGH,
    [0xE4] = AC_HIGH, [0xE5] = AC_HIGH, [0xE6] = AC_HIGH, [0xE7] = AC_HIGH, [0xE8] = AC_HIGH,
    [0xE9] = AC_HIGH, [0xEA] = AC_HIGH, [0xEB] = AC_HIGH, [0xEC] = AC_HIGH, [0xED] = AC_HIGH,
    [0xEE] = AC_HIGH, [0xEF] = AC_HIGH, [0xF0] = AC_HIGH, [0xF1] = AC_HIGH, [0xF2] = AC_HIGH,
    [0xF3] = AC_HIGH, [0xF4] = AC_HIGH, [0xF5] = AC_HIGH, [0xF6] = AC_HIGH, [0xF7] = AC_HIGH,
    [0xF8] = AC_HIGH, [0xF9] = AC_HIGH, [0xFA] = AC_HIGH, [0xFB] = AC_HIGH, [0xFC] = AC_HIGH,
    [0xFD] = AC_HIGH, [0xFE] = AC_HIGH, [0xFF] = AC_HIGH,
};

#define RIGHT_SINGLE_QUOTE 0x2019

int analyzer_new(analyzer **out, const analyzer_opts *opts)
{
    *out = NULL;
    analyzer *a = calloc(1, sizeof *a);
    if (!a)
        return LEDE_ENOMEM;
    const char *lang = opts ? opts->stem_language : NULL;
    if (lang && *lang && strcmp(lang, "none") != 0) {
        int rc = stemmer_new(&a->stem, lang);
        if (rc == 0) {
            a->cache = calloc(STEM_CACHE_SLOTS, sizeof *a->cache);
            if (!a->cache) {
                stemmer_free(a->stem);
                rc = LEDE_ENOMEM;
            }
        }
        if (rc) {
            free(a);
            return rc;
        }
    }
    *out = a;
    return 0;
}

void analyzer_free(analyzer *a)
{
    if (!a)
        return;
    stemmer_free(a->stem);
    free(a->cache);
    free(a);
}

/* The state of one analyzer_run. */
struct run {
    analyzer *a;
    const unsigned char *text;
    size_t len;
    token_fn emit;
    void *ctx;
    uint32_t pos;
    size_t term_len;   /* bytes in a->term; may pass ANALYZE_MAX_TERM (dropped) */
    size_t start;      /* byte offset where the current token began */
    int in_token;
};

/* The class code point cp acts as in a token, with its folding in
 * folded[0..*nf) (letters, digits, ideographs only), so that a character
 * and what it folds to split alike: a letter or digit that folds to kana
 * or an ideograph acts as one (half-width katakana, circled and Hangzhou
 * numerals), and one that folds to nothing (presentation forms of Arabic
 * vowel signs) as a combining mark. Folding never mixes ideographs with
 * other letters (checked over all of Unicode with utf8proc 2.8), and
 * ideographs fold to ideographs (two for the digraphs U+309F, U+30FF). */
static enum unicode_class token_class(int32_t cp, int32_t folded[8], size_t *nf)
{
    *nf = 0;
    enum unicode_class k = cp < 0 ? UNICODE_OTHER : unicode_class_of(cp);
    if (k != UNICODE_LETTER && k != UNICODE_DIGIT && k != UNICODE_IDEOGRAPH)
        return k;
    *nf = unicode_fold(cp, folded, 8);
    if (*nf == 0)
        return UNICODE_MARK;
    return unicode_class_of(folded[0]) == UNICODE_IDEOGRAPH ? UNICODE_IDEOGRAPH : k;
}

/* Is the code point at text[i] a letter or digit (so an apostrophe before it
 * is inside a word)? */
static int word_char_at(const struct run *r, size_t i)
{
    if (i >= r->len)
        return 0;
    unsigned c = r->text[i];
    unsigned ac = ascii_class[c];
    if (ac == AC_WORD || ac == AC_UPPER)
        return 1;
    if (ac != AC_HIGH)
        return 0;
    int32_t cp, folded[8];
    size_t nf;
    utf8_decode(r->text + i, r->len - i, &cp);
    enum unicode_class k = token_class(cp, folded, &nf);
    return k == UNICODE_LETTER || k == UNICODE_DIGIT;
}

static void term_push(struct run *r, const char *s, size_t n)
{
    if (r->term_len + n <= TERM_BUF)
        memcpy(r->a->term + r->term_len, s, n);
    r->term_len += n;
}

/* Ends the current token at byte offset `end` and emits it. Inlined at
 * every call (gcc would not): once per token, its call and register saves
 * were a fifth of analyzer_run's own instructions. */
static inline __attribute__((always_inline)) int finish(struct run *r, size_t end)
{
    if (!r->in_token)
        return 0;
    r->in_token = 0;
    size_t n = r->term_len;
    const char *t = r->a->term;
    uint32_t pos = r->pos++;
    if (n > ANALYZE_MAX_TERM)
        return 0; /* too long: dropped, but its position is taken */
    if (n >= 3 && t[n - 2] == '\'' && t[n - 1] == 's')
        n -= 2; /* possessive */
    t = stem_term(r->a, t, &n);
    if (n == 0 || n > ANALYZE_MAX_TERM)
        return 0;
    token tok = {t, n, pos, (uint32_t)r->start, (uint32_t)end};
    return r->emit(r->ctx, &tok);
}

static void begin(struct run *r, size_t at)
{
    if (!r->in_token) {
        r->in_token = 1;
        r->start = at;
        r->term_len = 0;
    }
}

/* ASCII letters and digits as they appear in terms (A-Z folded to a-z); 0
 * for every other byte. */
static const char ascii_fold[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f', ['g'] = 'g',
    ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n',
    ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't', ['u'] = 'u',
    ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f', ['G'] = 'g',
    ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n',
    ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't', ['U'] = 'u',
    ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y', ['Z'] = 'z',
};

/* Eight bytes at a time (SWAR): for bytes below 0x80, the high bit of
 * ((b | 0x80) - c) is set iff b >= c, with no borrow between bytes since
 * c <= 0x80. */
#define SWAR_ONES 0x0101010101010101ull
#define SWAR_HIGHS 0x8080808080808080ull

static inline uint64_t swar_ge(uint64_t x7h, unsigned c)
{
    return (x7h - SWAR_ONES * c) & SWAR_HIGHS;
}

/* Appends the run of ASCII letters and digits starting at text[i] to the
 * current token (begun); returns the offset just past the run. Bytes past
 * TERM_BUF are counted, not stored: the token will be dropped. */
static size_t ascii_run(struct run *r, size_t i)
{
    const unsigned char *t = r->text;
    size_t len = r->len, tl = r->term_len;
    char *term = r->a->term;
    /* Whole words of up to 8 bytes, and long words 8 bytes at a time: all
     * 8 bytes are folded and stored (the term buffer has room), but only
     * those before the first byte that is not an ASCII letter or digit
     * count. */
    while (len - i >= 8 && tl <= TERM_BUF - 8) {
        uint64_t x = load_u64le(t + i);
        uint64_t x7h = (x & ~SWAR_HIGHS) | SWAR_HIGHS;
        uint64_t digit = swar_ge(x7h, '0') & ~swar_ge(x7h, '9' + 1);
        uint64_t upper = swar_ge(x7h, 'A') & ~swar_ge(x7h, 'Z' + 1);
        uint64_t lower = swar_ge(x7h, 'a') & ~swar_ge(x7h, 'z' + 1);
        uint64_t stop = ~((digit | upper | lower) & ~x) & SWAR_HIGHS;
        store_u64le((uint8_t *)term + tl, x | upper >> 2); /* A-Z + 0x20 = a-z */
        if (stop) {
            size_t k = (size_t)__builtin_ctzll(stop) >> 3;
            r->term_len = tl + k;
            return i + k;
        }
        tl += 8;
        i += 8;
    }
    if (tl < TERM_BUF) {
        size_t stop = len - i > TERM_BUF - tl ? i + (TERM_BUF - tl) : len;
        char f;
        while (i < stop && (f = ascii_fold[t[i]]) != 0) {
            term[tl++] = f;
            i++;
        }
    }
    while (i < len && ascii_fold[t[i]] != 0) {
        tl++;
        i++;
    }
    r->term_len = tl;
    return i;
}

int analyzer_run(analyzer *a, const char *text, size_t len, uint32_t first_pos,
                 token_fn emit, void *ctx, uint32_t *n_pos)
{
    if (n_pos)
        *n_pos = 0;
    if (len >= UINT32_MAX)
        return LEDE_ELIMIT;
    struct run r = {a, (const unsigned char *)text, len, emit, ctx, first_pos, 0, 0, 0};
    size_t i = 0;
    int rc = 0;
    while (i < len && rc == 0) {
        unsigned c = r.text[i];
        switch (ascii_class[c]) {
        case AC_WORD:
        case AC_UPPER:
            /* The fast path: a run of ASCII letters and digits, folded by
             * table. It does what the per-character rules do for these
             * bytes, only without leaving the loop between them. */
            begin(&r, i);
            i = ascii_run(&r, i);
            continue;
        case AC_APOS:
            if (r.in_token && word_char_at(&r, i + 1)) {
                term_push(&r, "'", 1);
            } else {
                rc = finish(&r, i);
            }
            i++;
            continue;
        case AC_SEP:
            /* A run of ASCII separators ends a token at its first byte;
             * the rest of the run changes nothing. */
            if (r.in_token)
                rc = finish(&r, i);
            i++;
            while (i < len && ascii_class[r.text[i]] == AC_SEP)
                i++;
            continue;
        default:
            break;
        }
        int32_t cp;
        size_t n = utf8_decode(r.text + i, len - i, &cp);
        if (cp == RIGHT_SINGLE_QUOTE) {
            if (r.in_token && word_char_at(&r, i + n))
                term_push(&r, "'", 1);
            else
                rc = finish(&r, i);
            i += n;
            continue;
        }
        int32_t folded[8];
        size_t nf;
        enum unicode_class k = token_class(cp, folded, &nf);
        if (k == UNICODE_LETTER || k == UNICODE_DIGIT) {
            begin(&r, i);
            for (size_t j = 0; j < nf; j++) {
                char enc[4];
                term_push(&r, enc, utf8_encode(folded[j], enc));
            }
        } else if (k == UNICODE_MARK && r.in_token) {
            /* a combining mark continues the word; folding drops it */
        } else if (k == UNICODE_IDEOGRAPH) {
            /* Each folded ideograph is a token, all with this character's
             * offsets: the digraph ゟ gives よ and り, like より. */
            rc = finish(&r, i);
            for (size_t j = 0; j < nf && rc == 0; j++) {
                char enc[4];
                begin(&r, i);
                term_push(&r, enc, utf8_encode(folded[j], enc));
                rc = finish(&r, i + n);
            }
        } else {
            rc = finish(&r, i);
        }
        i += n;
    }
    if (rc == 0)
        rc = finish(&r, len);
    if (n_pos)
        *n_pos = r.pos - first_pos;
    return rc;
}

struct first_term {
    char *out;
    size_t cap;
    size_t len;
};

static int take_first(void *ctx, const token *t)
{
    struct first_term *f = ctx;
    if (t->term_len < f->cap) {
        memcpy(f->out, t->term, t->term_len);
        f->out[t->term_len] = '\0';
        f->len = t->term_len;
    }
    return 1; /* stop after the first token */
}

size_t analyzer_term(analyzer *a, const char *word, size_t len, char *out, size_t cap)
{
    struct first_term f = {out, cap, 0};
    if (cap)
        out[0] = '\0';
    analyzer_run(a, word, len, 0, take_first, &f, NULL);
    return f.len;
}

size_t analyzer_stem(analyzer *a, const char *term, size_t len, char *out, size_t cap)
{
    const char *t = stem_term(a, term, &len);
    if (len == 0 || len > cap)
        return 0;
    memcpy(out, t, len);
    return len;
}

int analyzer_stems(const analyzer *a)
{
    return a->stem != NULL;
}
