/* test_utf8.c - unit tests for common/utf8.h, written from its contract:
 * RFC 3629 validity (no overlongs, no surrogates, nothing above U+10FFFF, no
 * NUL) and the Unicode "maximal subpart" rule for how much an invalid
 * sequence spans (Unicode Standard, ch. 3, Table 3-7 and the U+FFFD
 * substitution practice; WHATWG Encoding's UTF-8 decoder does the same). */
#include "t.h"

#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "utf8.h"

/* ---- a reference decoder, straight from Table 3-7 ----------------------- */

/* Returns the length of the sequence at s[0..len) and its code point in *cp,
 * or the length of the maximal subpart of an ill-formed one with *cp = -1. */
static size_t ref_decode(const unsigned char *s, size_t len, int32_t *cp)
{
    unsigned c = s[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    int32_t v;

    *cp = -1;
    if (c == 0x00)
        return 1;
    if (c <= 0x7F) {
        *cp = (int32_t)c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = (int32_t)(c & 0x1F);
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = (int32_t)(c & 0x0F);
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = (int32_t)(c & 0x07);
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 1; /* 80..C1, F5..FF */
    }
    for (size_t k = 1; k <= need; k++) {
        unsigned klo = k == 1 ? lo : 0x80, khi = k == 1 ? hi : 0xBF;
        if (k >= len || s[k] < klo || s[k] > khi)
            return k; /* lead + the k-1 continuation bytes that fitted */
        v = (v << 6) | (int32_t)(s[k] & 0x3F);
    }
    *cp = v;
    return need + 1;
}

static size_t dec(const char *s, size_t len, int32_t *cp)
{
    return utf8_decode((const unsigned char *)s, len, cp);
}

/* ---- utf8_decode -------------------------------------------------------- */

TEST(test_utf8__decode_one_to_four_bytes)
{
    int32_t cp;
    CHECK_INT(dec("A", 1, &cp), 1);
    CHECK_INT(cp, 0x41);
    CHECK_INT(dec("\xC3\xA9", 2, &cp), 2); /* é */
    CHECK_INT(cp, 0xE9);
    CHECK_INT(dec("\xE2\x82\xAC", 3, &cp), 3); /* € */
    CHECK_INT(cp, 0x20AC);
    CHECK_INT(dec("\xE5\x8C\x97", 3, &cp), 3); /* 北 */
    CHECK_INT(cp, 0x5317);
    CHECK_INT(dec("\xF0\x9F\x98\x80", 4, &cp), 4); /* U+1F600 */
    CHECK_INT(cp, 0x1F600);
    /* Only the first code point is decoded. */
    CHECK_INT(dec("A\xFF", 2, &cp), 1);
    CHECK_INT(cp, 0x41);
    CHECK_INT(dec("\xC3\xA9" "B", 3, &cp), 2);
    CHECK_INT(cp, 0xE9);
}

TEST(test_utf8__decode_boundaries)
{
    static const struct {
        const char *s;
        size_t len;
        int32_t cp;
    } cases[] = {
        {"\x01", 1, 0x01},
        {"\x7F", 1, 0x7F},
        {"\xC2\x80", 2, 0x80},
        {"\xDF\xBF", 2, 0x7FF},
        {"\xE0\xA0\x80", 3, 0x800},
        {"\xED\x9F\xBF", 3, 0xD7FF},
        {"\xEE\x80\x80", 3, 0xE000},
        {"\xEF\xBF\xBD", 3, 0xFFFD},
        {"\xEF\xBF\xBF", 3, 0xFFFF},
        {"\xF0\x90\x80\x80", 4, 0x10000},
        {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t cp = 0;
        size_t n = dec(cases[i].s, cases[i].len, &cp);
        if (n != cases[i].len || cp != cases[i].cp)
            T_FAIL("U+%04X: decode gave %zu bytes, cp %" PRId32, (unsigned)cases[i].cp, n, cp);
    }
}

TEST(test_utf8__decode_overlong_forms_invalid)
{
    int32_t cp;
    /* C0 and C1 can never start a sequence; E0 needs A0..BF next and F0
     * needs 90..BF, so each lead byte alone is the maximal subpart. */
    cp = 0;
    CHECK_INT(dec("\xC0\x80", 2, &cp), 1);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xC1\xBF", 2, &cp), 1);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xC0\xAF", 2, &cp), 1); /* the classic overlong '/' */
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xE0\x80\x80", 3, &cp), 1);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xE0\x9F\xBF", 3, &cp), 1);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xF0\x80\x80\x80", 4, &cp), 1);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xF0\x8F\xBF\xBF", 4, &cp), 1);
    CHECK_INT(cp, -1);
}

TEST(test_utf8__decode_surrogates_invalid)
{
    int32_t cp;
    cp = 0;
    CHECK_INT(dec("\xED\xA0\x80", 3, &cp), 1); /* U+D800 */
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xED\xBF\xBF", 3, &cp), 1); /* U+DFFF */
    CHECK_INT(cp, -1);
    /* every surrogate, encoded the naive way */
    for (int32_t s = 0xD800; s <= 0xDFFF; s++) {
        unsigned char b[3] = {(unsigned char)(0xE0 | (s >> 12)),
                              (unsigned char)(0x80 | ((s >> 6) & 0x3F)),
                              (unsigned char)(0x80 | (s & 0x3F))};
        cp = 0;
        size_t n = utf8_decode(b, 3, &cp);
        if (n != 1 || cp != -1)
            T_FAIL("surrogate U+%04X: decode gave %zu bytes, cp %" PRId32, (unsigned)s, n, cp);
    }
}

TEST(test_utf8__decode_above_max_invalid)
{
    int32_t cp;
    cp = 0;
    CHECK_INT(dec("\xF4\x90\x80\x80", 4, &cp), 1); /* U+110000 */
    CHECK_INT(cp, -1);
    for (int b = 0xF5; b <= 0xFF; b++) {
        unsigned char s[4] = {(unsigned char)b, 0x80, 0x80, 0x80};
        cp = 0;
        size_t n = utf8_decode(s, 4, &cp);
        if (n != 1 || cp != -1)
            T_FAIL("lead 0x%02X: decode gave %zu bytes, cp %" PRId32, b, n, cp);
    }
}

TEST(test_utf8__decode_truncated)
{
    int32_t cp;
    /* Cut by the end of the input: the whole prefix is one invalid unit. */
    cp = 0;
    CHECK_INT(dec("\xC3", 1, &cp), 1);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xE2\x82", 2, &cp), 2);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xF0\x9F\x98", 3, &cp), 3);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xF0\x9F", 2, &cp), 2);
    CHECK_INT(cp, -1);
    /* len is respected even when more bytes follow in memory */
    cp = 0;
    CHECK_INT(dec("\xC3\xA9", 1, &cp), 1);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xF0\x9F\x98\x80", 3, &cp), 3);
    CHECK_INT(cp, -1);
    /* Cut by a byte that cannot continue it. */
    cp = 0;
    CHECK_INT(dec("\xE2\x82" "A", 3, &cp), 2);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xF0\x9F\x98" "A", 4, &cp), 3);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xC3" "A", 2, &cp), 1);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\xE2\xE2\x82\xAC", 4, &cp), 1);
    CHECK_INT(cp, -1);
}

TEST(test_utf8__decode_lone_continuation_bytes)
{
    for (int b = 0x80; b <= 0xBF; b++) {
        unsigned char s[3] = {(unsigned char)b, 0x80, 0x80};
        int32_t cp = 0;
        size_t n = utf8_decode(s, 3, &cp);
        if (n != 1 || cp != -1)
            T_FAIL("continuation 0x%02X: decode gave %zu bytes, cp %" PRId32, b, n, cp);
    }
}

TEST(test_utf8__decode_nul_invalid)
{
    int32_t cp = 0;
    CHECK_INT(dec("\0", 1, &cp), 1);
    CHECK_INT(cp, -1);
    cp = 0;
    CHECK_INT(dec("\0A", 2, &cp), 1);
    CHECK_INT(cp, -1);
}

/* Every 1-, 2- and 3-byte input, and every 4-byte input with a few third
 * bytes, against the reference decoder. */
TEST(test_utf8__decode_matches_reference_exhaustively)
{
    long bad = 0;
    unsigned char s[4];
    for (unsigned b0 = 0; b0 < 256; b0++) {
        for (unsigned b1 = 0; b1 < 256; b1++) {
            for (unsigned b2 = 0; b2 < 256; b2++) {
                s[0] = (unsigned char)b0;
                s[1] = (unsigned char)b1;
                s[2] = (unsigned char)b2;
                /* len 3 for all; len 2 once per (b0, b1); len 1 once per b0 */
                size_t min_len = b2 != 0 ? 3 : b1 != 0 ? 2 : 1;
                for (size_t len = min_len; len <= 3; len++) {
                    int32_t want_cp, got_cp = 0;
                    size_t want = ref_decode(s, len, &want_cp);
                    size_t got = utf8_decode(s, len, &got_cp);
                    if ((got != want || got_cp != want_cp) && bad++ < 10)
                        T_FAIL("%02X %02X %02X (len %zu): got %zu/%" PRId32
                               ", expected %zu/%" PRId32,
                               b0, b1, b2, len, got, got_cp, want, want_cp);
                }
            }
        }
    }
    static const unsigned char thirds[] = {0x00, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    for (unsigned b0 = 0xF0; b0 <= 0xF4; b0++) {
        for (unsigned b1 = 0; b1 < 256; b1++) {
            for (size_t t = 0; t < sizeof thirds; t++) {
                for (unsigned b3 = 0; b3 < 256; b3++) {
                    s[0] = (unsigned char)b0;
                    s[1] = (unsigned char)b1;
                    s[2] = thirds[t];
                    s[3] = (unsigned char)b3;
                    int32_t want_cp, got_cp = 0;
                    size_t want = ref_decode(s, 4, &want_cp);
                    size_t got = utf8_decode(s, 4, &got_cp);
                    if ((got != want || got_cp != want_cp) && bad++ < 10)
                        T_FAIL("%02X %02X %02X %02X: got %zu/%" PRId32 ", expected %zu/%" PRId32,
                               b0, b1, thirds[t], b3, got, got_cp, want, want_cp);
                }
            }
        }
    }
    if (bad)
        T_FAIL("%ld mismatches in all", bad);
}

/* ---- utf8_encode -------------------------------------------------------- */

TEST(test_utf8__encode_boundaries)
{
    static const struct {
        int32_t cp;
        const char *bytes;
        size_t len;
    } cases[] = {
        {0x41, "A", 1},
        {0x7F, "\x7F", 1},
        {0x80, "\xC2\x80", 2},
        {0xE9, "\xC3\xA9", 2},
        {0x7FF, "\xDF\xBF", 2},
        {0x800, "\xE0\xA0\x80", 3},
        {0xD7FF, "\xED\x9F\xBF", 3},
        {0xE000, "\xEE\x80\x80", 3},
        {0xFFFD, "\xEF\xBF\xBD", 3},
        {0xFFFF, "\xEF\xBF\xBF", 3},
        {0x10000, "\xF0\x90\x80\x80", 4},
        {0x1F600, "\xF0\x9F\x98\x80", 4},
        {0x10FFFF, "\xF4\x8F\xBF\xBF", 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[4] = {0};
        size_t n = utf8_encode(cases[i].cp, out);
        if (n != cases[i].len || memcmp(out, cases[i].bytes, n) != 0)
            T_FAIL("U+%04X: encode gave %zu bytes", (unsigned)cases[i].cp, n);
        int32_t back = 0;
        size_t m = n >= 1 && n <= 4 ? dec(out, n, &back) : 0;
        if (m != cases[i].len || back != cases[i].cp)
            T_FAIL("U+%04X: round trip gave %zu bytes, cp %" PRId32, (unsigned)cases[i].cp, m,
                   back);
    }
}

TEST(test_utf8__encode_decode_round_trip_all_scalars)
{
    long bad = 0;
    for (int32_t cp = 1; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char out[4];
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        size_t n = utf8_encode(cp, out);
        int32_t back = -2;
        size_t m = n == want ? dec(out, n, &back) : 0;
        if ((n != want || m != want || back != cp || !utf8_valid(out, n)) && bad++ < 10)
            T_FAIL("U+%04X: encoded to %zu bytes (want %zu), decoded %zu bytes to %" PRId32,
                   (unsigned)cp, n, want, m, back);
    }
    if (bad)
        T_FAIL("%ld code points failed", bad);
}

/* ---- utf8_valid --------------------------------------------------------- */

static int valid(const char *s)
{
    return utf8_valid(s, strlen(s));
}

TEST(test_utf8__valid)
{
    CHECK(utf8_valid("", 0));
    CHECK(valid("hello"));
    CHECK(valid("café Łódź 北京 \xF0\x9F\x98\x80"));
    CHECK(valid("\xEF\xBF\xBD"));
    CHECK(valid("\xF4\x8F\xBF\xBF"));
    CHECK(valid("\xED\x9F\xBF\xEE\x80\x80"));

    CHECK(!valid("\xC3"));
    CHECK(!valid("abc\xFF"));
    CHECK(!valid("\x80"));
    CHECK(!valid("\xC0\x80"));
    CHECK(!valid("\xE0\x80\x80"));
    CHECK(!valid("\xF0\x80\x80\x80"));
    CHECK(!valid("\xED\xA0\x80"));
    CHECK(!valid("\xED\xB0\x80"));
    CHECK(!valid("\xF4\x90\x80\x80"));
    CHECK(!valid("\xF5\x80\x80\x80"));
    CHECK(!valid("ok\xE2\x82"));
    CHECK(!valid("ok\xE2\x82 ok"));
    CHECK(!utf8_valid("a\0b", 3));
    CHECK(!utf8_valid("\0", 1));
    /* len bounds the check */
    CHECK(utf8_valid("abc\xFF", 3));
    CHECK(!utf8_valid("\xC3\xA9", 1));
    CHECK(utf8_valid("\xC3\xA9", 2));
}

/* ---- utf8_repair -------------------------------------------------------- */

#define FFFD "\xEF\xBF\xBD"

/* Repairs s[0..len) into a fresh buffer and compares with want[0..want_len). */
static void check_repair(int line, const char *s, size_t len, const char *want,
                         size_t want_len, size_t want_bad)
{
    buf out = {0};
    size_t n_bad = 0;
    int rc = utf8_repair(&out, s, len, &n_bad);
    if (rc != 0)
        T_FAIL("line %d: utf8_repair returned %d", line, rc);
    if (out.len != want_len || (want_len && memcmp(out.data, want, want_len) != 0))
        T_FAIL("line %d: repaired to %zu bytes \"%.*s\", expected %zu bytes \"%.*s\"", line,
               out.len, (int)out.len, out.data ? out.data : "", want_len, (int)want_len, want);
    if (n_bad != want_bad)
        T_FAIL("line %d: %zu replacements, expected %zu", line, n_bad, want_bad);
    if (want_len && (!out.data || out.data[out.len] != '\0'))
        T_FAIL("line %d: buffer not NUL-terminated", line);
    if (out.len && !utf8_valid(out.data, out.len))
        T_FAIL("line %d: repaired text is not valid", line);
    buf_free(&out);
}

#define CHECK_REPAIR(in, want, n_bad)                                         \
    check_repair(__LINE__, (in), sizeof(in) - 1, (want), sizeof(want) - 1, (n_bad))

TEST(test_utf8__repair_valid_text_unchanged)
{
    CHECK_REPAIR("", "", 0);
    CHECK_REPAIR("hello", "hello", 0);
    CHECK_REPAIR("café Łódź 北京 \xF0\x9F\x98\x80 " FFFD, "café Łódź 北京 \xF0\x9F\x98\x80 " FFFD, 0);
}

TEST(test_utf8__repair_maximal_subparts)
{
    /* truncated sequence followed by ASCII: one replacement, then the ASCII */
    CHECK_REPAIR("\xE2\x82" "A", FFFD "A", 1);
    /* truncated at the end of the input */
    CHECK_REPAIR("a\xF0\x9F\x98", "a" FFFD, 1);
    CHECK_REPAIR("\xC3", FFFD, 1);
    /* bytes that can never start a sequence: one each */
    CHECK_REPAIR("\xFF\xFE", FFFD FFFD, 2);
    CHECK_REPAIR("\x80\xBF", FFFD FFFD, 2);
    /* overlongs, surrogates, > U+10FFFF: the lead byte cannot continue with
     * what follows, so every byte is its own replacement */
    CHECK_REPAIR("\xC0\x80", FFFD FFFD, 2);
    CHECK_REPAIR("\xE0\x80\x80", FFFD FFFD FFFD, 3);
    CHECK_REPAIR("\xF0\x80\x80\x80", FFFD FFFD FFFD FFFD, 4);
    CHECK_REPAIR("\xED\xA0\x80", FFFD FFFD FFFD, 3);
    CHECK_REPAIR("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD, 4);
    /* a truncated sequence does not swallow a valid one after it */
    CHECK_REPAIR("\xE2\xE2\x82\xAC", FFFD "\xE2\x82\xAC", 1);
    CHECK_REPAIR("\xF0\x9F\xC3\xA9", FFFD "\xC3\xA9", 1);
    /* NUL */
    CHECK_REPAIR("a\0b", "a" FFFD "b", 1);
    /* The Unicode Standard's own example (ch. 3, U+FFFD substitution):
     * 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 */
    CHECK_REPAIR("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
                 "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d", 6);
}

TEST(test_utf8__repair_appends_and_adds_count)
{
    buf out = {0};
    size_t n_bad = 5;
    REQUIRE(buf_puts(&out, "x") == 0);
    CHECK_INT(utf8_repair(&out, "\xFF" "ok\xC3", 4, &n_bad), 0);
    CHECK_INT(out.len, 1 + 3 + 2 + 3);
    CHECK_MEM(out.data, out.len, "x" FFFD "ok" FFFD);
    CHECK_INT(n_bad, 7);
    /* n_bad may be NULL */
    CHECK_INT(utf8_repair(&out, "\x80", 1, NULL), 0);
    CHECK_MEM(out.data, out.len, "x" FFFD "ok" FFFD FFFD);
    buf_free(&out);
}

TEST(test_utf8__repair_every_single_bad_byte)
{
    /* Each byte 80..FF between ASCII letters is one invalid sequence. */
    for (int b = 0x80; b <= 0xFF; b++) {
        char in[3] = {'a', (char)b, 'z'};
        buf out = {0};
        size_t n_bad = 0;
        CHECK_INT(utf8_repair(&out, in, 3, &n_bad), 0);
        if (out.len != 5 || memcmp(out.data, "a" FFFD "z", 5) != 0 || n_bad != 1)
            T_FAIL("byte 0x%02X: repaired to %zu bytes with %zu replacements", b, out.len, n_bad);
        buf_free(&out);
    }
}

TEST_MAIN()
