/* fuzz_analyze.c - fuzz target for text analysis: the tokenizer and term
 * normalizer (common/analyze.c) with and without Snowball stemming, over
 * the UTF-8 decoder (utf8.c) and the Unicode tables (unicode.c).
 *
 * Input: a mode byte, then the text (any bytes: analyze.h says invalid
 * UTF-8 acts as a separator).
 *   mode & 3   stemming: 0 none, 1 english, 2 porter, 3 the Snowball
 *              algorithm picked by the next byte from stemmer_names()
 *   mode >> 2  the first position (0..63)
 *
 * Oracle: never crashes or hangs; analyzer_run returns 0; every token has
 * a term of 1 to ANALYZE_MAX_TERM bytes of valid UTF-8 without NUL or ASCII
 * capitals (without stemming: letters, digits and apostrophes between
 * them, or one ideograph or kana alone), byte offsets with start < end <=
 * the text's length that do not overlap the previous token's (the tokens
 * of a character that folds to several ideographs share its bytes), and a
 * position above the previous one and below first_pos + n_pos; the bytes of
 * a token, analyzed alone, give exactly its term (or those terms); stemming
 * changes terms, never positions or offsets, and drops no token; a second
 * run (stem cache warm) gives the same tokens. For utf8.c: utf8_repair
 * yields valid UTF-8 with one U+FFFD per invalid sequence, changes nothing
 * in valid text, and agrees with utf8_valid and with decoding the text step
 * by step, where every decoded code point encodes back to its bytes. */
#include <string.h>

#include "analyze.h"
#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "stem.h"
#include "unicode.h"
#include "utf8.h"

struct tok {
    char term[ANALYZE_MAX_TERM];
    size_t len;
    uint32_t pos, start, end;
};

struct toks {
    struct tok *v;
    size_t n, cap;
};

static int collect(void *ctx, const token *t)
{
    struct toks *k = ctx;
    FUZZ_CHECK(t->term_len >= 1 && t->term_len <= ANALYZE_MAX_TERM, "term of %zu bytes",
               t->term_len);
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 64;
        k->v = realloc(k->v, k->cap * sizeof *k->v);
        FUZZ_CHECK(k->v != NULL, "out of memory");
    }
    struct tok *o = &k->v[k->n++];
    memcpy(o->term, t->term, t->term_len);
    o->len = t->term_len;
    o->pos = t->pos;
    o->start = t->start;
    o->end = t->end;
    return 0;
}

static uint32_t run(analyzer *a, const char *text, size_t len, uint32_t first_pos,
                    struct toks *out)
{
    out->n = 0;
    uint32_t n_pos = 0;
    int rc = analyzer_run(a, text, len, first_pos, collect, out, &n_pos);
    FUZZ_CHECK(rc == 0, "analyzer_run returned %d", rc);
    return n_pos;
}

static void check_utf8(const char *s, size_t len)
{
    buf fixed = {0};
    size_t n_bad = 0;
    FUZZ_CHECK(utf8_repair(&fixed, s, len, &n_bad) == 0, "out of memory");
    FUZZ_CHECK(utf8_valid(fixed.data, fixed.len), "utf8_repair left invalid UTF-8");
    int valid = utf8_valid(s, len);
    FUZZ_CHECK(valid == (n_bad == 0), "utf8_valid %d but %zu repairs", valid, n_bad);
    if (valid)
        FUZZ_CHECK(fixed.len == len && memcmp(fixed.data, s, len) == 0,
                   "utf8_repair changed valid text");

    /* Step by step: the same verdict, and code points encode back. */
    size_t i = 0, steps_bad = 0, out_len = 0;
    while (i < len) {
        int32_t cp;
        size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
        FUZZ_CHECK(n >= 1 && n <= 4 && n <= len - i, "utf8_decode took %zu of %zu bytes", n,
                   len - i);
        if (cp < 0) {
            steps_bad++;
            out_len += 3;
        } else {
            FUZZ_CHECK(cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF),
                       "decoded U+%04X", (unsigned)cp);
            char enc[4];
            size_t m = utf8_encode(cp, enc);
            FUZZ_CHECK(m == n && memcmp(enc, s + i, n) == 0,
                       "U+%04X at %zu does not encode back to its %zu bytes", (unsigned)cp, i,
                       n);
            out_len += n;
        }
        i += n;
    }
    FUZZ_CHECK(steps_bad == n_bad && out_len == fixed.len,
               "decoding step by step finds %zu bad sequences, utf8_repair %zu", steps_bad,
               n_bad);
    buf_free(&fixed);
}

/* Whether t is a term analyze.h allows without stemming: letters, digits
 * and inner apostrophes, or a single ideograph or kana. */
static int term_chars_ok(const char *t, size_t len)
{
    size_t i = 0, n_cp = 0, n_ideo = 0;
    while (i < len) {
        int32_t cp;
        size_t n = utf8_decode((const unsigned char *)t + i, len - i, &cp);
        if (cp < 0)
            return 0;
        enum unicode_class k = unicode_class_of(cp);
        if (cp != '\'' && k != UNICODE_LETTER && k != UNICODE_DIGIT && k != UNICODE_IDEOGRAPH)
            return 0;
        n_ideo += k == UNICODE_IDEOGRAPH;
        n_cp++;
        i += n;
    }
    if (n_ideo > 0 && n_cp > 1)
        return 0; /* an ideograph inside a longer term */
    return t[0] != '\'' && t[len - 1] != '\'';
}

static void check_tokens(const struct toks *k, size_t len, uint32_t first_pos, uint32_t n_pos,
                         int stemmed)
{
    uint32_t prev_end = 0;
    for (size_t i = 0; i < k->n; i++) {
        const struct tok *t = &k->v[i];
        FUZZ_CHECK(t->start < t->end && t->end <= len, "token %zu at bytes [%u, %u) of %zu", i,
                   t->start, t->end, len);
        FUZZ_CHECK(t->start >= prev_end || (i > 0 && t->start == k->v[i - 1].start &&
                                              t->end == k->v[i - 1].end),
                   "token %zu starts at %u, inside the previous one", i, t->start);
        FUZZ_CHECK(t->pos >= first_pos && t->pos - first_pos < n_pos,
                   "token %zu at position %u (first %u, %u positions)", i, t->pos, first_pos,
                   n_pos);
        FUZZ_CHECK(i == 0 || t->pos > k->v[i - 1].pos, "positions do not increase at %zu", i);
        FUZZ_CHECK(utf8_valid(t->term, t->len), "term %zu is not valid UTF-8", i);
        for (size_t j = 0; j < t->len; j++)
            FUZZ_CHECK(!(t->term[j] >= 'A' && t->term[j] <= 'Z'), "term %zu '%.*s' has capitals",
                       i, (int)t->len, t->term);
        if (!stemmed)
            FUZZ_CHECK(term_chars_ok(t->term, t->len),
                       "term %zu '%.*s' is not letters and digits, or one ideograph", i,
                       (int)t->len, t->term);
        prev_end = t->end;
    }
}

static int same_tok(const struct tok *a, const struct tok *b)
{
    return a->len == b->len && memcmp(a->term, b->term, a->len) == 0 && a->pos == b->pos &&
           a->start == b->start && a->end == b->end;
}

static analyzer *make(const char *lang)
{
    analyzer_opts o = {lang};
    analyzer *a = NULL;
    FUZZ_CHECK(analyzer_new(&a, &o) == 0 && a, "analyzer_new(%s)", lang ? lang : "none");
    return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_src s = fuzz_src_make(data, size);
    uint8_t mode = fuzz_u8(&s);
    const char *lang = NULL;
    switch (mode & 3) {
    case 1: lang = "english"; break;
    case 2: lang = "porter"; break;
    case 3: {
        const char **names = stemmer_names();
        size_t n = 0;
        while (names[n])
            n++;
        lang = n ? names[fuzz_u8(&s) % n] : NULL;
        break;
    }
    default: break;
    }
    uint32_t first_pos = mode >> 2;
    const char *text = (const char *)s.p + s.pos;
    size_t len = fuzz_left(&s);

    check_utf8(text, len);

    analyzer *plain = make(NULL), *a = lang ? make(lang) : plain;
    struct toks k = {0}, again = {0}, unstemmed = {0}, alone = {0};
    uint32_t n_pos = run(a, text, len, first_pos, &k);
    check_tokens(&k, len, first_pos, n_pos, lang != NULL);

    /* Deterministic, also once the stem cache is warm. */
    uint32_t n_pos2 = run(a, text, len, first_pos, &again);
    FUZZ_CHECK(n_pos2 == n_pos && again.n == k.n, "a second run differs in size");
    for (size_t i = 0; i < k.n; i++)
        FUZZ_CHECK(same_tok(&k.v[i], &again.v[i]), "a second run differs at token %zu", i);

    /* A token's bytes alone give the same term. The tokens of one
     * character that folds to several ideographs share their bytes. */
    for (size_t i = 0, g; i < k.n; i = g) {
        const struct tok *t = &k.v[i];
        for (g = i + 1; g < k.n && k.v[g].start == t->start && k.v[g].end == t->end; g++)
            FUZZ_CHECK(k.v[g].pos == k.v[g - 1].pos + 1, "tokens of one span not consecutive");
        uint32_t n1 = run(a, text + t->start, t->end - t->start, 0, &alone);
        FUZZ_CHECK(n1 == g - i && alone.n == g - i,
                   "token %zu '%.*s' (bytes %u..%u): its bytes alone give %zu tokens, not %zu", i,
                   (int)t->len, t->term, t->start, t->end, alone.n, g - i);
        for (size_t j = 0; j < alone.n; j++)
            FUZZ_CHECK(alone.v[j].len == k.v[i + j].len &&
                           memcmp(alone.v[j].term, k.v[i + j].term, alone.v[j].len) == 0,
                       "token %zu '%.*s': its bytes alone give '%.*s'", i + j,
                       (int)k.v[i + j].len, k.v[i + j].term, (int)alone.v[j].len,
                       alone.v[j].term);
    }

    /* Stemming rewrites terms only. */
    if (lang) {
        uint32_t n_plain = run(plain, text, len, first_pos, &unstemmed);
        check_tokens(&unstemmed, len, first_pos, n_plain, 0);
        FUZZ_CHECK(n_plain == n_pos && unstemmed.n == k.n,
                   "stemming (%s) changed the positions: %u / %zu tokens, unstemmed %u / %zu",
                   lang, n_pos, k.n, n_plain, unstemmed.n);
        for (size_t i = 0; i < k.n; i++)
            FUZZ_CHECK(k.v[i].pos == unstemmed.v[i].pos && k.v[i].start == unstemmed.v[i].start &&
                           k.v[i].end == unstemmed.v[i].end,
                       "stemming (%s) moved token %zu", lang, i);
    }

    free(k.v);
    free(again.v);
    free(unstemmed.v);
    free(alone.v);
    if (a != plain)
        analyzer_free(a);
    analyzer_free(plain);
    return 0;
}
