/* test_analyze.c - unit tests for common/analyze.h, written from its header
 * comment (the tokenizer rules) and issue 2's "Analysis" section. Every
 * expected value comes from those rules and from Unicode / Snowball facts,
 * never from running the implementation. A shared collector records each
 * token and checks invariants that hold for every token of every run. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include "t.h"

#include <stdint.h>
#include <sys/mman.h>

#include "analyze.h"
#include "err.h"

/* ---- collector ---------------------------------------------------------- */

#define MAX_TOKS 64

struct tok_rec {
    uint32_t pos, start, end;
};

static struct run {
    char full[32768];  /* "term@pos[start,end) term@pos[start,end)" */
    size_t full_len;
    char terms[32768]; /* "term term" */
    size_t terms_len;
    struct tok_rec toks[MAX_TOKS];
    int n_tok;
    size_t text_len;
    uint32_t first_pos;
    int stop_at;  /* return stop_rc from the stop_at-th token (1-based); 0: never */
    int stop_rc;
    int rc;
    uint32_t n_pos;
} R;

/* Strict RFC 3629 check, independent of common/utf8.c. */
static int valid_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0x01 && c <= 0x7F) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;
            if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F;
        } else {
            return 0;
        }
        if (len - i - 1 < n)
            return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= n; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return 0;
        i += n + 1;
    }
    return 1;
}

static void append(char *dst, size_t *dst_len, size_t cap, const char *s, size_t n)
{
    if (*dst_len + n + 1 > cap) {
        T_FAIL("collector overflow");
        return;
    }
    memcpy(dst + *dst_len, s, n);
    *dst_len += n;
    dst[*dst_len] = '\0';
}

static int collect(void *ctx, const token *t)
{
    struct run *r = ctx;
    char num[64];
    int n;

    /* Invariants every token must satisfy, whatever the text. */
    if (t->term_len < 1 || t->term_len > ANALYZE_MAX_TERM)
        T_FAIL("token %d: term_len %zu outside 1..%d", r->n_tok, t->term_len, ANALYZE_MAX_TERM);
    if (!(t->start < t->end) || t->end > r->text_len)
        T_FAIL("token %d: bad offsets [%u,%u) for text of %zu bytes", r->n_tok,
               (unsigned)t->start, (unsigned)t->end, r->text_len);
    if (t->pos < r->first_pos)
        T_FAIL("token %d: pos %u before first_pos %u", r->n_tok, (unsigned)t->pos,
               (unsigned)r->first_pos);
    if (r->n_tok > 0 && r->n_tok <= MAX_TOKS) {
        const struct tok_rec *p = &r->toks[r->n_tok - 1];
        if (t->pos <= p->pos)
            T_FAIL("token %d: pos %u not after previous %u", r->n_tok, (unsigned)t->pos,
                   (unsigned)p->pos);
        /* Only the tokens of one character (ゟ: よ り) share bytes. */
        if (t->start < p->end && !(t->start == p->start && t->end == p->end))
            T_FAIL("token %d: starts at %u inside previous token ending at %u", r->n_tok,
                   (unsigned)t->start, (unsigned)p->end);
    }
    if (t->term_len >= 1 && t->term_len <= ANALYZE_MAX_TERM) {
        const unsigned char *u = (const unsigned char *)t->term;
        if (!valid_utf8(u, t->term_len))
            T_FAIL("token %d: term is not valid UTF-8", r->n_tok);
        for (size_t i = 0; i < t->term_len; i++) {
            /* Folded terms hold no ASCII except [a-z0-9'] ... */
            if (u[i] < 0x80 && !((u[i] >= 'a' && u[i] <= 'z') ||
                                 (u[i] >= '0' && u[i] <= '9') || u[i] == '\''))
                T_FAIL("token %d: term has byte 0x%02x", r->n_tok, u[i]);
            /* ... and never U+2019 (an inner apostrophe becomes ASCII). */
            if (i + 2 < t->term_len && u[i] == 0xE2 && u[i + 1] == 0x80 && u[i + 2] == 0x99)
                T_FAIL("token %d: term holds U+2019", r->n_tok);
        }
        if (u[0] == '\'' || u[t->term_len - 1] == '\'')
            T_FAIL("token %d: term begins or ends with an apostrophe", r->n_tok);
    }

    if (r->n_tok < MAX_TOKS)
        r->toks[r->n_tok] = (struct tok_rec){t->pos, t->start, t->end};
    r->n_tok++;

    if (r->terms_len > 0)
        append(r->terms, &r->terms_len, sizeof r->terms, " ", 1);
    append(r->terms, &r->terms_len, sizeof r->terms, t->term, t->term_len);
    if (r->full_len > 0)
        append(r->full, &r->full_len, sizeof r->full, " ", 1);
    append(r->full, &r->full_len, sizeof r->full, t->term, t->term_len);
    n = snprintf(num, sizeof num, "@%u[%u,%u)", (unsigned)t->pos, (unsigned)t->start,
                 (unsigned)t->end);
    append(r->full, &r->full_len, sizeof r->full, num, (size_t)n);

    if (r->stop_at > 0 && r->n_tok == r->stop_at)
        return r->stop_rc;
    return 0;
}

/* Runs `a` over text[0..len) into R; returns analyzer_run's result. */
static int run_len(analyzer *a, const char *text, size_t len, uint32_t first_pos)
{
    int stop_at = R.stop_at, stop_rc = R.stop_rc;
    memset(&R, 0, sizeof R);
    R.stop_at = stop_at;
    R.stop_rc = stop_rc;
    R.text_len = len;
    R.first_pos = first_pos;
    R.n_pos = 0xDEADBEEF;
    R.rc = analyzer_run(a, text, len, first_pos, collect, &R, &R.n_pos);
    return R.rc;
}

static int run(analyzer *a, const char *text)
{
    return run_len(a, text, strlen(text), 0);
}

static analyzer *new_analyzer(const char *lang)
{
    analyzer *a = NULL;
    analyzer_opts o = {lang};
    int rc = analyzer_new(&a, &o);
    if (rc != 0) {
        T_FAIL("analyzer_new(\"%s\") returned %d", lang ? lang : "(null)", rc);
        return NULL;
    }
    return a;
}

/* Checks text -> expected terms only (positions must be 0..n-1). */
#define CHECK_TERMS(a, text, expected, n_expected)                            \
    do {                                                                      \
        CHECK_INT(run((a), (text)), 0);                                       \
        CHECK_STR(R.terms, (expected));                                       \
        CHECK_INT(R.n_pos, (n_expected));                                     \
    } while (0)

/* Checks text -> every token with position and byte offsets. */
#define CHECK_FULL(a, text, expected, n_expected)                             \
    do {                                                                      \
        CHECK_INT(run((a), (text)), 0);                                       \
        CHECK_STR(R.full, (expected));                                        \
        CHECK_INT(R.n_pos, (n_expected));                                     \
    } while (0)

/* ---- plain words ------------------------------------------------------- */

TEST(test_analyze__ascii_words_case_folded)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_FULL(a, "Hello WORLD MiXeD", "hello@0[0,5) world@1[6,11) mixed@2[12,17)", 3);
    /* Letters and digits in one run make one token. */
    CHECK_FULL(a, "G20 4th", "g20@0[0,3) 4th@1[4,7)", 2);
    analyzer_free(a);
}

TEST(test_analyze__positions_and_offsets_in_sentence)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /*          0         1         2         3
     *          0123456789012345678901234567890123456 */
    CHECK_FULL(a, "The U.S. economy, in 2019, grew 3.5%.",
               "the@0[0,3) u@1[4,5) s@2[6,7) economy@3[9,16) in@4[18,20) "
               "2019@5[21,25) grew@6[27,31) 3@7[32,33) 5@8[34,35)",
               9);
    analyzer_free(a);
}

TEST(test_analyze__whitespace_of_all_kinds_separates)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_FULL(a, "  leading   and trailing  ",
               "leading@0[2,9) and@1[12,15) trailing@2[16,24)", 3);
    CHECK_FULL(a, "a\tb\nc\r\nd", "a@0[0,1) b@1[2,3) c@2[4,5) d@3[7,8)", 4);
    /* U+00A0 no-break space (2 bytes) */
    CHECK_FULL(a, "a\xC2\xA0" "b", "a@0[0,1) b@1[3,4)", 2);
    analyzer_free(a);
}

/* ---- Unicode folding ---------------------------------------------------- */

TEST(test_analyze__diacritics_removed)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* café(5 bytes) Müller(7) España(7) résumé(8) */
    CHECK_FULL(a, "café Müller España résumé",
               "cafe@0[0,5) muller@1[6,13) espana@2[14,21) resume@3[22,30)", 4);
    CHECK_TERMS(a, "ÀÉÎÕÜ àéîõü Çç", "aeiou aeiou cc", 3);
    analyzer_free(a);
}

TEST(test_analyze__letter_without_decomposition_kept)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* Ł (U+0141) has no decomposition: case folding gives ł (U+0142), which
     * stays; ó and ź lose their marks. */
    CHECK_FULL(a, "Łódź", "\xC5\x82odz@0[0,7)", 1);
    analyzer_free(a);
}

TEST(test_analyze__sharp_s_and_ligatures_expand)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* Straße = 7 bytes; U+FB01 ﬁ = 3 bytes + "nance" */
    CHECK_FULL(a, "Straße ﬁnance STRASSE",
               "strasse@0[0,7) finance@1[8,16) strasse@2[17,24)", 3);
    analyzer_free(a);
}

TEST(test_analyze__fullwidth_compatibility_decomposed)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* Fullwidth letters and digits are 3 bytes each. */
    CHECK_FULL(a, "Ｆｏｏ ２０１９", "foo@0[0,9) 2019@1[10,22)", 2);
    analyzer_free(a);
}

TEST(test_analyze__full_case_folding)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* Σ and final ς both fold to σ; ό loses its accent; İ folds to i + U+0307
     * whose mark is removed. */
    CHECK_TERMS(a, "ΟΔΟΣ οδός İstanbul", "οδοσ οδοσ istanbul", 3);
    analyzer_free(a);
}

TEST(test_analyze__combining_marks_inside_word)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* e + U+0301 COMBINING ACUTE ACCENT */
    CHECK_FULL(a, "e\xCC\x81", "e@0[0,3)", 1);
    /* A mark inside a run does not split it ... */
    CHECK_FULL(a, "Cafe\xCC\x81s ok", "cafes@0[0,7) ok@1[8,10)", 2);
    /* ... and a mark ending the word belongs to it. */
    CHECK_FULL(a, "re\xCC\x81sume\xCC\x81 x", "resume@0[0,10) x@1[11,12)", 2);
    /* Decomposed and precomposed forms give the same term. */
    CHECK_TERMS(a, "r\xC3\xA9sum\xC3\xA9", "resume", 1);
    analyzer_free(a);
}

/* ---- apostrophes -------------------------------------------------------- */

TEST(test_analyze__possessive_ascii_apostrophe)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_INT(run(a, "Pyongyang's nuclear"), 0);
    CHECK_STR(R.terms, "pyongyang nuclear");
    CHECK_INT(R.n_pos, 2);
    REQUIRE(R.n_tok == 2);
    CHECK_INT(R.toks[0].pos, 0);
    CHECK_INT(R.toks[0].start, 0);
    /* The rules do not say whether the removed 's is highlighted. */
    if (R.toks[0].end != 9 && R.toks[0].end != 11)
        T_FAIL("Pyongyang's ends at %u, expected 9 or 11", (unsigned)R.toks[0].end);
    CHECK_INT(R.toks[1].pos, 1);
    CHECK_INT(R.toks[1].start, 12);
    CHECK_INT(R.toks[1].end, 19);
    analyzer_free(a);
}

TEST(test_analyze__possessive_curly_apostrophe)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* ’ is U+2019, 3 bytes */
    CHECK_INT(run(a, "Korea’s ties"), 0);
    CHECK_STR(R.terms, "korea ties");
    CHECK_INT(R.n_pos, 2);
    REQUIRE(R.n_tok == 2);
    CHECK_INT(R.toks[0].start, 0);
    if (R.toks[0].end != 5 && R.toks[0].end != 9)
        T_FAIL("Korea’s ends at %u, expected 5 or 9", (unsigned)R.toks[0].end);
    CHECK_INT(R.toks[1].pos, 1);
    CHECK_INT(R.toks[1].start, 10);
    CHECK_INT(R.toks[1].end, 14);
    analyzer_free(a);
}

TEST(test_analyze__plural_possessive_trailing_apostrophe)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* A trailing apostrophe is not between two letters: it separates. */
    CHECK_FULL(a, "countries' leaders US' allies",
               "countries@0[0,9) leaders@1[11,18) us@2[19,21) allies@3[23,29)", 4);
    CHECK_FULL(a, "countries’ leaders", "countries@0[0,9) leaders@1[13,20)", 2);
    analyzer_free(a);
}

TEST(test_analyze__inner_apostrophe_kept_as_ascii)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_FULL(a, "don't DON’T", "don't@0[0,5) don't@1[6,13)", 2);
    CHECK_FULL(a, "rock'n'roll rock’n’roll", "rock'n'roll@0[0,11) rock'n'roll@1[12,27)", 2);
    /* 's followed by more letters is not a trailing possessive; the trailing
     * one is removed. */
    CHECK_TERMS(a, "O'Shea's", "o'shea", 1);
    analyzer_free(a);
}

TEST(test_analyze__outer_apostrophes_and_quotes_split)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_FULL(a, "'Hello,' she said. \"Yes\" ‘quoted’ 'tis don''t",
               "hello@0[1,6) she@1[9,12) said@2[13,17) yes@3[20,23) quoted@4[28,34) "
               "tis@5[39,42) don@6[43,46) t@7[48,49)",
               8);
    /* Curly double quotes U+201C/U+201D */
    CHECK_FULL(a, "“Peace”", "peace@0[3,8)", 1);
    analyzer_free(a);
}

/* ---- everything else splits -------------------------------------------- */

TEST(test_analyze__hyphens_give_consecutive_positions)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_FULL(a, "Jong-un", "jong@0[0,4) un@1[5,7)", 2);
    CHECK_FULL(a, "Russia-North Korea", "russia@0[0,6) north@1[7,12) korea@2[13,18)", 3);
    /* em dash U+2014 */
    CHECK_FULL(a, "Russia—North", "russia@0[0,6) north@1[9,14)", 2);
    /* hyphen and a trailing possessive together */
    CHECK_INT(run(a, "Kim Jong-un's visit"), 0);
    CHECK_STR(R.terms, "kim jong un visit");
    CHECK_INT(R.n_pos, 4);
    REQUIRE(R.n_tok == 4);
    CHECK_INT(R.toks[1].pos, 1);
    CHECK_INT(R.toks[1].start, 4);
    CHECK_INT(R.toks[1].end, 8);
    CHECK_INT(R.toks[2].pos, 2);
    CHECK_INT(R.toks[2].start, 9);
    CHECK_INT(R.toks[3].pos, 3);
    CHECK_INT(R.toks[3].start, 14);
    CHECK_INT(R.toks[3].end, 19);
    analyzer_free(a);
}

TEST(test_analyze__numbers_and_times_split)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_FULL(a, "21:18:40", "21@0[0,2) 18@1[3,5) 40@2[6,8)", 3);
    CHECK_FULL(a, "2019/4/25", "2019@0[0,4) 4@1[5,6) 25@2[7,9)", 3);
    CHECK_FULL(a, "3.5", "3@0[0,1) 5@1[2,3)", 2);
    CHECK_FULL(a, "1,000", "1@0[0,1) 000@1[2,5)", 2);
    CHECK_TERMS(a, "Published: 2019/4/25 21:18:40", "published 2019 4 25 21 18 40", 7);
    analyzer_free(a);
}

/* ---- CJK ---------------------------------------------------------------- */

TEST(test_analyze__cjk_one_token_per_ideograph)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_FULL(a, "北京欢迎你",
               "北@0[0,3) 京@1[3,6) 欢@2[6,9) 迎@3[9,12) 你@4[12,15)", 5);
    analyzer_free(a);
}

TEST(test_analyze__cjk_mixed_with_latin_and_digits)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_FULL(a, "abc中文def", "abc@0[0,3) 中@1[3,6) 文@2[6,9) def@3[9,12)", 4);
    CHECK_FULL(a, "在2019年", "在@0[0,3) 2019@1[3,7) 年@2[7,10)", 3);
    analyzer_free(a);
}

TEST(test_analyze__kana_one_token_each)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_FULL(a, "カタカナ", "カ@0[0,3) タ@1[3,6) カ@2[6,9) ナ@3[9,12)", 4);
    analyzer_free(a);
}

TEST(test_analyze__what_folds_to_kana_splits_like_kana)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* Half-width katakana fold to kana, the Hangzhou numeral 〺 to 卅. */
    CHECK_FULL(a, "ｶﾀｶﾅ", "カ@0[0,3) タ@1[3,6) カ@2[6,9) ナ@3[9,12)", 4);
    CHECK_FULL(a, "a〺b", "a@0[0,1) 卅@1[1,4) b@2[4,5)", 3);
    /* The digraph ゟ folds to two kana: two tokens of its three bytes. */
    CHECK_FULL(a, "ゟ", "よ@0[0,3) り@1[0,3)", 2);
    /* The voiced sound mark is a combining mark, as in precomposed が;
     * the katakana middle dot is punctuation. */
    CHECK_TERMS(a, "か\u3099", "か", 1);
    CHECK_TERMS(a, "ジョン・スミス", "シ ョ ン ス ミ ス", 6);
    analyzer_free(a);
}

TEST(test_analyze__letter_folding_to_nothing_is_a_mark)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* U+FE70, an isolated form of an Arabic vowel sign, folds to nothing:
     * no token of its own, no position, and no word end after an
     * apostrophe. */
    CHECK_FULL(a, "\uFE70 ab\uFE70 x'\uFE70", "ab@0[4,9) x@1[10,11)", 2);
    analyzer_free(a);
}

/* ---- bad and degenerate input ------------------------------------------ */

TEST(test_analyze__invalid_utf8_separates)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_FULL(a, "abc\xFF" "def", "abc@0[0,3) def@1[4,7)", 2);
    CHECK_FULL(a, "ab\xE2\x82" "cd", "ab@0[0,2) cd@1[4,6)", 2);       /* truncated */
    CHECK_FULL(a, "x\xC0\xAF" "y", "x@0[0,1) y@1[3,4)", 2);          /* overlong */
    CHECK_FULL(a, "x\xED\xA0\x80" "y", "x@0[0,1) y@1[4,5)", 2);      /* surrogate */
    CHECK_FULL(a, "x\xF4\x90\x80\x80" "y", "x@0[0,1) y@1[5,6)", 2);  /* > U+10FFFF */
    CHECK_FULL(a, "caf\xC3", "caf@0[0,3)", 1);                       /* cut at end */
    CHECK_FULL(a, "\x80\xBF\xFE\xFF", "", 0);
    /* a NUL byte */
    CHECK_INT(run_len(a, "ab\0cd", 5, 0), 0);
    CHECK_STR(R.full, "ab@0[0,2) cd@1[3,5)");
    CHECK_INT(R.n_pos, 2);
    analyzer_free(a);
}

TEST(test_analyze__every_invalid_byte_is_a_separator)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* Any byte >= 0x80 followed by an ASCII letter is an invalid sequence;
     * the collector also checks that no term holds an invalid byte. */
    for (int b = 0x80; b <= 0xFF; b++) {
        char text[6] = {'a', 'b', (char)b, 'c', 'd', 0};
        CHECK_INT(run_len(a, text, 5, 0), 0);
        if (strcmp(R.full, "ab@0[0,2) cd@1[3,5)") != 0)
            T_FAIL("byte 0x%02x: got \"%s\"", b, R.full);
    }
    analyzer_free(a);
}

TEST(test_analyze__empty_input)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_INT(run_len(a, "", 0, 0), 0);
    CHECK_INT(R.n_tok, 0);
    CHECK_INT(R.n_pos, 0);
    analyzer_free(a);
}

TEST(test_analyze__punctuation_only)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    CHECK_INT(run(a, "... !!! -- “” ’ ' — ,;: () [] %$#@ \t\n"), 0);
    CHECK_INT(R.n_tok, 0);
    CHECK_INT(R.n_pos, 0);
    analyzer_free(a);
}

/* ---- term length limit -------------------------------------------------- */

/* "a " + n copies of unit + " b", malloc'd. */
static char *sandwich(const char *unit, size_t n, size_t *len)
{
    size_t u = strlen(unit);
    char *s = malloc(2 + n * u + 2 + 1);
    if (!s)
        return NULL;
    memcpy(s, "a ", 2);
    for (size_t i = 0; i < n; i++)
        memcpy(s + 2 + i * u, unit, u);
    memcpy(s + 2 + n * u, " b", 3);
    *len = 2 + n * u + 2;
    return s;
}

TEST(test_analyze__very_long_word_dropped_but_takes_position)
{
    analyzer *a = new_analyzer(NULL);
    size_t len;
    char *s = sandwich("x", 10000, &len);
    REQUIRE(a && s);
    CHECK_INT(run_len(a, s, len, 0), 0);
    CHECK_STR(R.full, "a@0[0,1) b@2[10003,10004)");
    CHECK_INT(R.n_pos, 3);
    free(s);
    analyzer_free(a);
}

TEST(test_analyze__max_term_boundary)
{
    analyzer *a = new_analyzer(NULL);
    char expect[512], word[ANALYZE_MAX_TERM + 1];
    size_t len;
    char *s;
    REQUIRE(a);

    memset(word, 'x', ANALYZE_MAX_TERM);
    word[ANALYZE_MAX_TERM] = '\0';
    s = sandwich("x", ANALYZE_MAX_TERM, &len);
    REQUIRE(s);
    CHECK_INT(run_len(a, s, len, 0), 0);
    snprintf(expect, sizeof expect, "a@0[0,1) %s@1[2,%d) b@2[%d,%d)", word,
             2 + ANALYZE_MAX_TERM, 3 + ANALYZE_MAX_TERM, 4 + ANALYZE_MAX_TERM);
    CHECK_STR(R.full, expect);
    CHECK_INT(R.n_pos, 3);
    free(s);

    s = sandwich("x", ANALYZE_MAX_TERM + 1, &len);
    REQUIRE(s);
    CHECK_INT(run_len(a, s, len, 0), 0);
    snprintf(expect, sizeof expect, "a@0[0,1) b@2[%d,%d)", 4 + ANALYZE_MAX_TERM,
             5 + ANALYZE_MAX_TERM);
    CHECK_STR(R.full, expect);
    CHECK_INT(R.n_pos, 3);
    free(s);
    analyzer_free(a);
}

TEST(test_analyze__max_term_counts_bytes_after_folding)
{
    analyzer *a = new_analyzer(NULL);
    char expect[512];
    size_t len;
    char *s;
    REQUIRE(a);

    /* 100 é = 200 bytes of text but 100 bytes folded: kept. */
    s = sandwich("é", 100, &len);
    REQUIRE(s);
    CHECK_INT(run_len(a, s, len, 0), 0);
    CHECK_INT(R.n_tok, 3);
    CHECK_INT(R.n_pos, 3);
    if (R.n_tok == 3) {
        char word[101];
        memset(word, 'e', 100);
        word[100] = '\0';
        snprintf(expect, sizeof expect, "a %s b", word);
        CHECK_STR(R.terms, expect);
        CHECK_INT(R.toks[1].start, 2);
        CHECK_INT(R.toks[1].end, 202);
    }
    free(s);

    /* 128 X: case folding keeps the length, so kept. */
    s = sandwich("X", ANALYZE_MAX_TERM, &len);
    REQUIRE(s);
    CHECK_INT(run_len(a, s, len, 0), 0);
    CHECK_INT(R.n_tok, 3);
    free(s);

    /* U+0587 (2 bytes) decomposes to U+0565 U+0582 (4 bytes): 64 of them are
     * 128 bytes of text but 256 folded, so the word is dropped. */
    s = sandwich("\xD6\x87", ANALYZE_MAX_TERM / 2, &len);
    REQUIRE(s);
    CHECK_INT(run_len(a, s, len, 0), 0);
    snprintf(expect, sizeof expect, "a@0[0,1) b@2[%d,%d)", 3 + ANALYZE_MAX_TERM,
             4 + ANALYZE_MAX_TERM);
    CHECK_STR(R.full, expect);
    CHECK_INT(R.n_pos, 3);
    free(s);
    analyzer_free(a);
}

/* ---- the run contract --------------------------------------------------- */

TEST(test_analyze__first_pos_offsets_positions)
{
    analyzer *a = new_analyzer(NULL);
    size_t len;
    char *s;
    REQUIRE(a);
    CHECK_INT(run_len(a, "alpha beta", 10, 100), 0);
    CHECK_STR(R.full, "alpha@100[0,5) beta@101[6,10)");
    CHECK_INT(R.n_pos, 2); /* a count, not the next position */

    /* a dropped word still counts in n_pos */
    s = sandwich("y", ANALYZE_MAX_TERM + 1, &len);
    REQUIRE(s);
    CHECK_INT(run_len(a, s, len, 10), 0);
    CHECK_INT(R.n_tok, 2);
    if (R.n_tok == 2) {
        CHECK_INT(R.toks[0].pos, 10);
        CHECK_INT(R.toks[1].pos, 12);
    }
    CHECK_INT(R.n_pos, 3);
    free(s);
    analyzer_free(a);
}

TEST(test_analyze__callback_stops_analysis)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    R.stop_at = 2;
    R.stop_rc = 7;
    CHECK_INT(run(a, "one two three four"), 7);
    CHECK_INT(R.n_tok, 2);
    CHECK_STR(R.terms, "one two");

    R.stop_at = 1;
    R.stop_rc = -42;
    CHECK_INT(run(a, "one two three four"), -42);
    CHECK_INT(R.n_tok, 1);

    R.stop_at = 0;
    R.stop_rc = 0;
    analyzer_free(a);
}

TEST(test_analyze__n_pos_may_be_null_and_analyzer_is_reusable)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    memset(&R, 0, sizeof R);
    R.text_len = 9;
    CHECK_INT(analyzer_run(a, "Seoul's 1", 9, 0, collect, &R, NULL), 0);
    CHECK_STR(R.terms, "seoul 1");

    /* A second run starts afresh. */
    CHECK_FULL(a, "café, ok", "cafe@0[0,5) ok@1[7,9)", 2);
    CHECK_FULL(a, "café, ok", "cafe@0[0,5) ok@1[7,9)", 2);
    analyzer_free(a);
}

TEST(test_analyze__text_of_4_gib_refused)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
#if SIZE_MAX > UINT32_MAX
    {
        size_t len = (size_t)1 << 32;
        /* Read-only zero pages; only touched if the length is not checked. */
        void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) {
            fprintf(stderr, "cannot map 4 GiB; skipping the check\n");
        } else {
            memset(&R, 0, sizeof R);
            R.text_len = len;
            CHECK_INT(analyzer_run(a, m, len, 0, collect, &R, NULL), LEDE_ELIMIT);
            CHECK_INT(R.n_tok, 0);
            munmap(m, len);
        }
    }
#endif
    analyzer_free(a);
}

/* ---- analyzer_term ------------------------------------------------------ */

static size_t term_of(analyzer *a, const char *word, char *out, size_t cap)
{
    return analyzer_term(a, word, strlen(word), out, cap);
}

TEST(test_analyze__term_normalizes_one_word)
{
    analyzer *a = new_analyzer(NULL);
    char out[256];
    size_t n;
    REQUIRE(a);
    n = term_of(a, "Pyongyang's", out, sizeof out);
    CHECK_MEM(out, n, "pyongyang");
    n = term_of(a, "Korea’s", out, sizeof out);
    CHECK_MEM(out, n, "korea");
    n = term_of(a, "DON’T", out, sizeof out);
    CHECK_MEM(out, n, "don't");
    n = term_of(a, "Straße", out, sizeof out);
    CHECK_MEM(out, n, "strasse");
    n = term_of(a, "Ｆｏｏ", out, sizeof out);
    CHECK_MEM(out, n, "foo");
    n = term_of(a, "re\xCC\x81sume\xCC\x81", out, sizeof out);
    CHECK_MEM(out, n, "resume");
    n = term_of(a, "北", out, sizeof out);
    CHECK_MEM(out, n, "北");
    analyzer_free(a);
}

TEST(test_analyze__term_without_letters_or_room_is_empty)
{
    analyzer *a = new_analyzer(NULL);
    char out[256];
    REQUIRE(a);
    CHECK_INT(term_of(a, "!!!", out, sizeof out), 0);
    CHECK_INT(term_of(a, "", out, sizeof out), 0);
    CHECK_INT(term_of(a, "’", out, sizeof out), 0);
    CHECK_INT(term_of(a, "\xFF\xFE", out, sizeof out), 0);
    CHECK_INT(term_of(a, "Washington", out, 3), 0);
    CHECK_INT(term_of(a, "Washington", out, 0), 0);
    analyzer_free(a);
}

/* ---- stemming ----------------------------------------------------------- */

TEST(test_analyze__english_stemming)
{
    analyzer *a = new_analyzer("english");
    REQUIRE(a);
    /* Stems replace terms; positions and offsets still describe the text. */
    CHECK_FULL(a, "Cats running generously connections",
               "cat@0[0,4) run@1[5,12) generous@2[13,23) connect@3[24,35)", 4);
    CHECK_TERMS(a, "Stemming", "stem", 1);
    analyzer_free(a);
}

TEST(test_analyze__english_stemming_after_possessive)
{
    analyzer *a = new_analyzer("english");
    char out[64];
    size_t n;
    REQUIRE(a);
    CHECK_TERMS(a, "Pyongyang's Korea’s cats'", "pyongyang korea cat", 3);
    n = term_of(a, "Running", out, sizeof out);
    CHECK_MEM(out, n, "run");
    n = term_of(a, "Connections", out, sizeof out);
    CHECK_MEM(out, n, "connect");
    analyzer_free(a);
}

TEST(test_analyze__stemming_never_loses_a_word)
{
    analyzer *a = new_analyzer("porter");
    REQUIRE(a);
    /* Porter stems "s" to nothing: the word stays. */
    CHECK_FULL(a, "U.S.", "u@0[0,1) s@1[2,3)", 2);
    analyzer_free(a);
    /* Turkish appends a vowel to a word ending in g, past 128 bytes. */
    a = new_analyzer("turkish");
    REQUIRE(a);
    char word[128];
    memset(word, 'a', 126);
    word[126] = 'g';
    word[127] = '\0';
    CHECK_INT(run(a, word), 0);
    CHECK_STR(R.terms, word);
    CHECK_INT(R.n_pos, 1);
    analyzer_free(a);
}

TEST(test_analyze__unknown_language_refused)
{
    analyzer *a = (analyzer *)&R; /* any non-NULL value: must become NULL */
    analyzer_opts o = {"klingon"};
    CHECK_INT(analyzer_new(&a, &o), LEDE_EINVAL);
    CHECK(a == NULL);
    if (a == NULL)
        analyzer_free(a); /* _free accepts NULL */
}

TEST(test_analyze__no_stemming_by_default)
{
    const char *langs[] = {NULL, "", "none"};
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        analyzer *a = new_analyzer(langs[i]);
        char out[64];
        size_t n;
        if (!a)
            continue;
        CHECK_TERMS(a, "Cats running generously connections",
                    "cats running generously connections", 4);
        n = term_of(a, "running", out, sizeof out);
        CHECK_MEM(out, n, "running");
        analyzer_free(a);
    }
}

/* ---- ASCII fast path against the general path and the rules ------------- */

/* Runs of ASCII letters and digits take a fast path; every other character
 * takes the general (Unicode) path. The tests below check that the two
 * agree, on seeded random texts that mix them, in two ways:
 *  - fullwidth twins: docs/ANALYSIS.md folds Ｆｏｏ to foo (NFKD), so a text
 *    and its copy with some ASCII letters and digits replaced by their
 *    fullwidth forms (U+FF10.., U+FF21.., U+FF41..; 3 bytes each) must give
 *    the same terms at the same positions, with offsets mapped;
 *  - an oracle for pure ASCII text written from the rules in analyze.h.
 * A failure prints the seed and the text. */

#define FP_MAX_TOKS 4096

struct fp_tok {
    char term[ANALYZE_MAX_TERM + 1];
    uint32_t pos, start, end;
};

struct fp_run {
    struct fp_tok toks[FP_MAX_TOKS];
    int n;
    uint32_t n_pos;
};

static int fp_collect(void *ctx, const token *t)
{
    struct fp_run *r = ctx;
    if (r->n >= FP_MAX_TOKS || t->term_len > ANALYZE_MAX_TERM)
        return 1;
    struct fp_tok *k = &r->toks[r->n++];
    memcpy(k->term, t->term, t->term_len);
    k->term[t->term_len] = '\0';
    k->pos = t->pos;
    k->start = t->start;
    k->end = t->end;
    return 0;
}

static uint64_t fp_rand(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const char fp_alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* Appends a random piece of text; ascii_only leaves out everything but
 * ASCII. Long words (up to 200 bytes) cross ANALYZE_MAX_TERM. */
static size_t fp_piece(char *out, uint64_t *seed, int ascii_only)
{
    static const char *const ascii_pieces[] = {
        " ", " ", "  ", ", ", ". ", "-", "\n\n", "\t", ":", "/", "'", "'s", "'S", "''",
        "n't", "(", ")", "\"", ".", "_", "@", "~", "\x7f", "\x01",
    };
    static const char *const other_pieces[] = {
        "\xC3\xA9",         /* é */
        "\xC3\x89",         /* É */
        "\xC3\x9F",         /* ß -> ss */
        "\xEF\xAC\x81",     /* ﬁ -> fi */
        "\xE2\x80\x99",     /* ’ */
        "\xE2\x80\x99s",    /* ’s */
        "\xE2\x80\x94",     /* em dash */
        "\xC2\xA0",         /* no-break space */
        "\xCC\x81",         /* combining acute */
        "\xE5\x8C\x97",     /* 北 */
        "\xE3\x82\xAB",     /* カ */
        "\xCE\xA3",         /* Σ */
        "\xD0\x96",         /* Ж */
        "\xFF",             /* invalid byte */
        "\xEF\xBC\x8C",     /* fullwidth comma */
    };
    uint64_t r = fp_rand(seed);
    unsigned kind = (unsigned)(r % 16);
    size_t n = 0;
    if (kind < 7) { /* a word */
        size_t len = 1 + (size_t)((r >> 8) % 12);
        for (size_t i = 0; i < len; i++)
            out[n++] = fp_alnum[fp_rand(seed) % (sizeof fp_alnum - 1)];
    } else if (kind == 7) { /* a long word, spaced so no apostrophe touches it */
        size_t len = 100 + (size_t)((r >> 8) % 101);
        out[n++] = ' ';
        for (size_t i = 0; i < len; i++)
            out[n++] = fp_alnum[fp_rand(seed) % (sizeof fp_alnum - 1)];
        out[n++] = ' ';
    } else if (kind < 12 || ascii_only) {
        const char *p = ascii_pieces[(r >> 8) % (sizeof ascii_pieces / sizeof *ascii_pieces)];
        n = strlen(p);
        memcpy(out, p, n);
    } else {
        const char *p = other_pieces[(r >> 8) % (sizeof other_pieces / sizeof *other_pieces)];
        n = strlen(p);
        memcpy(out, p, n);
    }
    return n;
}

/* The fullwidth form of an ASCII letter or digit (U+FF10 + c - '0', etc.),
 * UTF-8 encoded into out[0..3). */
static void fp_fullwidth(unsigned char c, char *out)
{
    unsigned cp = 0xFF00 + (c - 0x20);
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
}

static int fp_isalnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static struct fp_run FP_A, FP_B;

TEST(test_analyze__fast_path_matches_fullwidth_general_path)
{
    const char *langs[] = {NULL, "english"};
    enum { TEXT_MAX = 6000 };
    static char text[TEXT_MAX + 256], twin[3 * (TEXT_MAX + 256)];
    static uint32_t map[TEXT_MAX + 257];
    for (size_t l = 0; l < sizeof langs / sizeof *langs; l++) {
        analyzer *a = new_analyzer(langs[l]);
        REQUIRE(a);
        for (uint64_t seed0 = 1; seed0 <= 400; seed0++) {
            uint64_t seed = seed0 * 7919 + l;
            size_t len = 0, target = 1 + (size_t)(fp_rand(&seed) % TEXT_MAX);
            while (len < target)
                len += fp_piece(text + len, &seed, 0);
            /* The twin: each ASCII letter or digit, with probability 1/2
             * (1/8 for a whole text: all of them), in fullwidth. */
            int all = fp_rand(&seed) % 8 == 0;
            size_t tl = 0;
            for (size_t i = 0; i < len; i++) {
                map[i] = (uint32_t)tl;
                unsigned char c = (unsigned char)text[i];
                if (fp_isalnum(c) && (all || (fp_rand(&seed) & 1))) {
                    fp_fullwidth(c, twin + tl);
                    tl += 3;
                } else {
                    twin[tl++] = (char)c;
                }
            }
            map[len] = (uint32_t)tl;
            FP_A.n = FP_B.n = 0;
            CHECK_INT(analyzer_run(a, text, len, 0, fp_collect, &FP_A, &FP_A.n_pos), 0);
            CHECK_INT(analyzer_run(a, twin, tl, 0, fp_collect, &FP_B, &FP_B.n_pos), 0);
            int ok = FP_A.n == FP_B.n && FP_A.n_pos == FP_B.n_pos;
            for (int k = 0; ok && k < FP_A.n; k++) {
                const struct fp_tok *x = &FP_A.toks[k], *y = &FP_B.toks[k];
                ok = strcmp(x->term, y->term) == 0 && x->pos == y->pos &&
                     map[x->start] == y->start && map[x->end] == y->end;
                if (!ok)
                    T_FAIL("token %d: \"%s\"@%u[%u,%u) vs twin \"%s\"@%u[%u,%u)", k, x->term,
                           (unsigned)x->pos, (unsigned)map[x->start], (unsigned)map[x->end],
                           y->term, (unsigned)y->pos, (unsigned)y->start, (unsigned)y->end);
            }
            if (!ok) {
                T_FAIL("stem %s, seed %llu: %d tokens / %u positions vs twin %d / %u; text: %.*s",
                       langs[l] ? langs[l] : "none", (unsigned long long)seed0, FP_A.n,
                       (unsigned)FP_A.n_pos, FP_B.n, (unsigned)FP_B.n_pos, (int)len, text);
                break;
            }
        }
        analyzer_free(a);
    }
}

/* The rules of analyze.h for ASCII text: a token is a run of letters and
 * digits, lower-cased; an apostrophe inside a token followed by a letter or
 * digit stays in it; a trailing 's is removed; a token over ANALYZE_MAX_TERM
 * bytes is dropped but takes its position. */
static void fp_oracle(const char *text, size_t len, struct fp_run *out)
{
    static char term[1024];
    size_t tn = 0, start = 0;
    int in = 0;
    uint32_t pos = 0;
    out->n = 0;
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)text[i] : 0;
        if (i < len && fp_isalnum(c)) {
            if (!in) {
                in = 1;
                start = i;
                tn = 0;
            }
            if (tn < sizeof term)
                term[tn] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            tn++;
            continue;
        }
        if (i < len && c == '\'' && in && i + 1 < len && fp_isalnum((unsigned char)text[i + 1])) {
            if (tn < sizeof term)
                term[tn] = '\'';
            tn++;
            continue;
        }
        if (!in)
            continue;
        in = 0;
        uint32_t p = pos++;
        if (tn > ANALYZE_MAX_TERM)
            continue;
        if (tn >= 3 && term[tn - 2] == '\'' && term[tn - 1] == 's')
            tn -= 2;
        struct fp_tok *k = &out->toks[out->n++];
        memcpy(k->term, term, tn);
        k->term[tn] = '\0';
        k->pos = p;
        k->start = (uint32_t)start;
        k->end = (uint32_t)i;
    }
    out->n_pos = pos;
}

TEST(test_analyze__ascii_text_follows_the_rules)
{
    enum { TEXT_MAX = 6000 };
    static char text[TEXT_MAX + 256];
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    for (uint64_t seed0 = 1; seed0 <= 400; seed0++) {
        uint64_t seed = seed0 * 104729;
        size_t len = 0, target = 1 + (size_t)(fp_rand(&seed) % TEXT_MAX);
        while (len < target)
            len += fp_piece(text + len, &seed, 1);
        FP_A.n = 0;
        CHECK_INT(analyzer_run(a, text, len, 0, fp_collect, &FP_A, &FP_A.n_pos), 0);
        fp_oracle(text, len, &FP_B);
        int ok = FP_A.n == FP_B.n && FP_A.n_pos == FP_B.n_pos;
        for (int k = 0; ok && k < FP_A.n; k++) {
            const struct fp_tok *x = &FP_A.toks[k], *y = &FP_B.toks[k];
            ok = strcmp(x->term, y->term) == 0 && x->pos == y->pos && x->start == y->start &&
                 x->end == y->end;
            if (!ok)
                T_FAIL("token %d: \"%s\"@%u[%u,%u), the rules give \"%s\"@%u[%u,%u)", k,
                       x->term, (unsigned)x->pos, (unsigned)x->start, (unsigned)x->end,
                       y->term, (unsigned)y->pos, (unsigned)y->start, (unsigned)y->end);
        }
        if (!ok) {
            T_FAIL("seed %llu: %d tokens / %u positions, the rules give %d / %u; text: %.*s",
                   (unsigned long long)seed0, FP_A.n, (unsigned)FP_A.n_pos, FP_B.n,
                   (unsigned)FP_B.n_pos, (int)len, text);
            break;
        }
    }
    analyzer_free(a);
}

TEST(test_analyze__ascii_runs_across_term_buffer_sizes)
{
    /* Words of every length around the limit, ASCII, fullwidth-led and
     * accent-led, so the fast path starts at every fill of the term. */
    analyzer *a = new_analyzer(NULL);
    static char text[1024];
    REQUIRE(a);
    for (size_t wl = ANALYZE_MAX_TERM - 3; wl <= 3 * ANALYZE_MAX_TERM; wl++) {
        for (int lead = 0; lead < 3; lead++) {
            size_t n = 0, folded = wl;
            memcpy(text, "a ", 2);
            n = 2;
            if (lead == 1) { /* fullwidth x: folds to 1 byte */
                fp_fullwidth('x', text + n);
                n += 3;
            } else if (lead == 2) { /* é: folds to e */
                memcpy(text + n, "\xC3\xA9", 2);
                n += 2;
            }
            if (lead)
                folded = wl + 1;
            memset(text + n, 'Y', wl);
            n += wl;
            memcpy(text + n, " b", 2);
            n += 2;
            FP_A.n = 0;
            CHECK_INT(analyzer_run(a, text, n, 0, fp_collect, &FP_A, &FP_A.n_pos), 0);
            CHECK_INT(FP_A.n_pos, 3);
            int kept = folded <= ANALYZE_MAX_TERM;
            CHECK_INT(FP_A.n, kept ? 3 : 2);
            if (FP_A.n == 3 && kept) {
                CHECK_INT(strlen(FP_A.toks[1].term), folded);
                CHECK(FP_A.toks[1].term[folded - 1] == 'y');
                CHECK(FP_A.toks[1].term[0] == (lead == 1 ? 'x' : lead == 2 ? 'e' : 'y'));
            }
            if (FP_A.n >= 2)
                CHECK_STR(FP_A.toks[FP_A.n - 1].term, "b");
        }
    }
    analyzer_free(a);
}

TEST_MAIN()
