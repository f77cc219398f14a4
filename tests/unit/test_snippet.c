/* test_snippet.c - unit tests for searcher/snippet.h, written from its
 * contract. Each text is built word by word, and the builder records where
 * it put every query word, so the expected passage and match spans come
 * from the construction, never from running snippet_make. A shared checker
 * asserts what holds for every fragment: word boundaries, no white space
 * at the edges, valid UTF-8, a length near max_bytes, and matches[] equal
 * to exactly the recorded query words inside the passage. */
#include "t.h"

#include <stdint.h>

#include "analyze.h"
#include "buf.h"
#include "err.h"
#include "snippet.h"

/* ---- building texts ---------------------------------------------------- */

/* No filler word is a query term, starts upper case, or ends a sentence, so
 * a filler text has no match and no sentence start but its first word. */
static const char *const FILLER[] = {"lorem", "ipsum", "dolor", "sit", "amet",
                                     "consectetur", "adipiscing", "elit", "sed",
                                     "eiusmod", "tempor", "incididunt", "labore",
                                     "magna", "aliqua"};
#define N_FILLER (sizeof FILLER / sizeof FILLER[0])
#define LONGEST_FILLER 11 /* "consectetur" */

struct doc {
    buf b;
    snippet_span *sp; /* every query word put in, in text order */
    size_t n_sp, cap_sp;
    size_t next_filler;
    const char *const *words; /* filler vocabulary */
    size_t n_words;
};

static void doc_init(struct doc *d)
{
    memset(d, 0, sizeof *d);
    d->words = FILLER;
    d->n_words = N_FILLER;
}

static void doc_free(struct doc *d)
{
    buf_free(&d->b);
    free(d->sp);
}

/* Appends s as is. */
static void put_raw(struct doc *d, const char *s)
{
    if (buf_puts(&d->b, s) != 0)
        T_FAIL("out of memory building a text");
}

/* Appends a word, after a space unless the text is empty or ends in white
 * space; returns the word's offset. */
static size_t put_word(struct doc *d, const char *w)
{
    if (d->b.len > 0) {
        char last = d->b.data[d->b.len - 1];
        if (last != ' ' && last != '\n' && last != '\t')
            put_raw(d, " ");
    }
    size_t at = d->b.len;
    put_raw(d, w);
    return at;
}

/* Records that a query word's token covers [start, end). */
static void add_span(struct doc *d, size_t start, size_t end)
{
    if (d->n_sp == d->cap_sp) {
        d->cap_sp = d->cap_sp ? d->cap_sp * 2 : 16;
        d->sp = realloc(d->sp, d->cap_sp * sizeof *d->sp);
        if (!d->sp) {
            T_FAIL("out of memory building a text");
            exit(1);
        }
    }
    d->sp[d->n_sp++] = (snippet_span){(uint32_t)start, (uint32_t)end};
}

/* Appends a query word whose token covers its bytes from `lead` to
 * `len - trail` (punctuation around it is not part of the token). */
static size_t put_match_x(struct doc *d, const char *w, size_t lead, size_t trail)
{
    size_t at = put_word(d, w);
    add_span(d, at + lead, at + strlen(w) - trail);
    return at;
}

static size_t put_match(struct doc *d, const char *w)
{
    return put_match_x(d, w, 0, 0);
}

static void put_filler(struct doc *d, size_t n_words)
{
    for (size_t i = 0; i < n_words; i++)
        put_word(d, d->words[d->next_filler++ % d->n_words]);
}

/* Appends filler words until the text is at least `off` bytes long. */
static void fill_to(struct doc *d, size_t off)
{
    while (d->b.len < off)
        put_filler(d, 1);
}

/* ---- checking ---------------------------------------------------------- */

/* Strict RFC 3629 check, independent of common/utf8.c. */
static int valid_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i], lo = 0x80, hi = 0xBF;
        size_t n;
        if (c >= 0x01 && c <= 0x7F) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return 0;
        }
        if (len - i - 1 < n || s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= n; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return 0;
        i += n + 1;
    }
    return 1;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* What every fragment of a text made of space-separated words satisfies.
 * `slack` is how far past max_bytes a passage may run (one word). */
static void check_frag(const struct doc *d, const snippet_fragment *f, size_t max, size_t slack)
{
    const char *t = d->b.data;
    size_t len = d->b.len;
    if (!(f->start < f->end && f->end <= len)) {
        T_FAIL("fragment [%u,%u) is empty or outside a text of %zu bytes", (unsigned)f->start,
               (unsigned)f->end, len);
        return;
    }
    if (!valid_utf8((const unsigned char *)t + f->start, f->end - f->start))
        T_FAIL("fragment [%u,%u) is not valid UTF-8", (unsigned)f->start, (unsigned)f->end);
    if (is_ws(t[f->start]) || is_ws(t[f->end - 1]))
        T_FAIL("fragment [%u,%u) begins or ends with white space", (unsigned)f->start,
               (unsigned)f->end);
    if (f->start > 0 && !is_ws(t[f->start - 1]))
        T_FAIL("fragment starts at %u inside a word", (unsigned)f->start);
    if (f->end < len && !is_ws(t[f->end]))
        T_FAIL("fragment ends at %u inside a word", (unsigned)f->end);
    if (f->end - f->start > max + slack)
        T_FAIL("fragment [%u,%u) is %u bytes, more than %zu + %zu", (unsigned)f->start,
               (unsigned)f->end, (unsigned)(f->end - f->start), max, slack);

    /* matches[] is exactly the recorded query words inside the passage. */
    size_t first = 0;
    while (first < d->n_sp && d->sp[first].start < f->start)
        first++;
    size_t n = 0;
    while (first + n < d->n_sp && d->sp[first + n].end <= f->end)
        n++;
    if (f->n_matches != n) {
        T_FAIL("fragment [%u,%u) has %zu matches, expected %zu", (unsigned)f->start,
               (unsigned)f->end, f->n_matches, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const snippet_span *g = &f->matches[i], *w = &d->sp[first + i];
        if (g->start != w->start || g->end != w->end)
            T_FAIL("match %zu of [%u,%u) is [%u,%u), expected [%u,%u)", i, (unsigned)f->start,
                   (unsigned)f->end, (unsigned)g->start, (unsigned)g->end, (unsigned)w->start,
                   (unsigned)w->end);
    }
}

static void check_all(const struct doc *d, const snippet *s, size_t max, size_t slack)
{
    for (size_t i = 0; i < s->n_frags; i++) {
        check_frag(d, &s->frags[i], max, slack);
        if (i > 0 && s->frags[i - 1].end > s->frags[i].start)
            T_FAIL("fragments %zu [%u,%u) and %zu [%u,%u) overlap or are out of order", i - 1,
                   (unsigned)s->frags[i - 1].start, (unsigned)s->frags[i - 1].end, i,
                   (unsigned)s->frags[i].start, (unsigned)s->frags[i].end);
    }
}

/* Does fragment f hold the bytes [start, end)? */
static int holds(const snippet_fragment *f, size_t start, size_t end)
{
    return f->start <= start && end <= f->end;
}

static analyzer *new_analyzer(const char *lang)
{
    analyzer *a = NULL;
    analyzer_opts o = {lang};
    int rc = analyzer_new(&a, &o);
    if (rc != 0)
        T_FAIL("analyzer_new(\"%s\") returned %d", lang ? lang : "(null)", rc);
    return a;
}

/* snippet_make over a doc with NUL-terminated query terms. */
static int make(snippet *s, analyzer *a, const struct doc *d, const char *const *terms,
                size_t n_terms, size_t max, size_t n_frags)
{
    size_t lens[16];
    for (size_t i = 0; i < n_terms && i < 16; i++)
        lens[i] = strlen(terms[i]);
    snippet_opts o = {max, n_frags};
    return snippet_make(s, a, d->b.data ? d->b.data : "", d->b.len, terms, lens, n_terms, &o);
}

static const char *const KT[] = {"korea", "talks"};

/* ---- choosing the passage ---------------------------------------------- */

TEST(test_snippet__dense_cluster_wins_over_lone_match)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    fill_to(&d, 100);
    put_match(&d, "korea"); /* one term alone near the start */
    fill_to(&d, 3000);
    size_t c0 = put_match(&d, "korea");
    put_filler(&d, 1);
    put_match(&d, "talks");
    put_filler(&d, 2);
    put_match(&d, "korea");
    size_t c3 = put_match(&d, "talks");
    size_t c_end = c3 + strlen("talks");
    fill_to(&d, 5000);
    REQUIRE(d.n_sp == 5);

    snippet s;
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(holds(&s.frags[0], c0, c_end));
    CHECK_INT(s.frags[0].n_matches, 4);
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    /* The cluster is about 60 bytes; the passage uses most of its budget. */
    CHECK(s.frags[0].end - s.frags[0].start >= 240 - 2 * (LONGEST_FILLER + 1));
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

TEST(test_snippet__defaults_when_opts_null_or_zero)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    fill_to(&d, 1000);
    size_t k = put_match(&d, "korea");
    fill_to(&d, 2000);
    size_t k2 = put_match(&d, "talks");
    fill_to(&d, 3000);
    const char *terms[] = {"korea", "talks"};
    size_t lens[] = {5, 5};

    snippet s;
    CHECK_INT(snippet_make(&s, a, d.b.data, d.b.len, terms, lens, 2, NULL), 0);
    REQUIRE(s.n_frags == 1); /* one fragment by default, though two could be had */
    CHECK(holds(&s.frags[0], k, k + 5));
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    CHECK(s.frags[0].end - s.frags[0].start >= 240 - 2 * (LONGEST_FILLER + 1));
    snippet_free(&s);

    snippet_opts zero = {0, 0};
    CHECK_INT(snippet_make(&s, a, d.b.data, d.b.len, terms, lens, 2, &zero), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(holds(&s.frags[0], k, k + 5));
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);

    snippet_opts two = {0, 2};
    CHECK_INT(snippet_make(&s, a, d.b.data, d.b.len, terms, lens, 2, &two), 0);
    REQUIRE(s.n_frags == 2);
    CHECK(holds(&s.frags[0], k, k + 5));
    CHECK(holds(&s.frags[1], k2, k2 + 5));
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

TEST(test_snippet__one_character_of_two_terms_is_one_match)
{
    /* ゟ folds to the two kana よ り: both tokens have its three bytes. */
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    const char *text = "x \xE3\x82\x9F y";
    const char *terms[] = {"\xE3\x82\x88", "\xE3\x82\x8A"};
    size_t lens[] = {3, 3};
    snippet s;
    CHECK_INT(snippet_make(&s, a, text, strlen(text), terms, lens, 2, NULL), 0);
    REQUIRE(s.n_frags == 1);
    REQUIRE(s.frags[0].n_matches == 1);
    CHECK_INT(s.frags[0].matches[0].start, 2);
    CHECK_INT(s.frags[0].matches[0].end, 5);
    snippet_free(&s);
    analyzer_free(a);
}

TEST(test_snippet__a_term_ending_in_star_is_a_prefix)
{
    /* "denucl*" marks every word whose term starts with denucl, and no other */
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    const char *text = "Korea and denuclearization: Denuclearize now, said the denuc.";
    const char *terms[] = {"denucl*"};
    size_t lens[] = {7};
    snippet s;
    CHECK_INT(snippet_make(&s, a, text, strlen(text), terms, lens, 1, NULL), 0);
    REQUIRE(s.n_frags == 1);
    REQUIRE(s.frags[0].n_matches == 2);
    CHECK_INT(s.frags[0].matches[0].start, 10); /* denuclearization */
    CHECK_INT(s.frags[0].matches[0].end, 26);
    CHECK_INT(s.frags[0].matches[1].start, 28); /* Denuclearize */
    CHECK_INT(s.frags[0].matches[1].end, 40);
    snippet_free(&s);
    analyzer_free(a);
}

TEST(test_snippet__a_phrase_marks_only_its_occurrences)
{
    /* '"north korea"' marks North Korea, not the lone North of "North
     * Korean" nor the lone korea; a word also asked for alone is marked
     * everywhere; "knock knock" (a repeated word: "Knock knock, knock"
     * holds it twice, as the index sees it) and a position left empty
     * ("x ? z": any word between) work too */
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    const char *text = "North Korean envoys met; North Korea said korea. Knock knock, knock. x y z";
    const char *terms[] = {"\"north korea\"", "envoys", "\"knock knock\"", "\"x ? z\""};
    size_t lens[] = {13, 6, 13, 7};
    snippet_opts o = {400, 1};
    snippet s;
    CHECK_INT(snippet_make(&s, a, text, strlen(text), terms, lens, 4, &o), 0);
    REQUIRE(s.n_frags == 1);
    static const uint32_t want[][2] = {{13, 19}, {25, 30}, {31, 36}, {49, 54}, {55, 60}, {62, 67}, {69, 70}, {73, 74}};
    REQUIRE(s.frags[0].n_matches == sizeof want / sizeof *want);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        CHECK_INT(s.frags[0].matches[i].start, want[i][0]);
        CHECK_INT(s.frags[0].matches[i].end, want[i][1]);
    }
    snippet_free(&s);
    analyzer_free(a);
}

TEST(test_snippet__distinct_terms_beat_match_count)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    fill_to(&d, 500);
    for (int i = 0; i < 4; i++) /* four matches of one term */
        put_match(&d, "korea");
    fill_to(&d, 3000);
    size_t b0 = put_match(&d, "korea"); /* two matches, two terms */
    put_filler(&d, 3);
    size_t b1 = put_match(&d, "talks");
    fill_to(&d, 4000);

    snippet s;
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(holds(&s.frags[0], b0, b1 + 5));
    CHECK_INT(s.frags[0].n_matches, 2);
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

TEST(test_snippet__more_matches_break_equal_distinct)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    fill_to(&d, 500);
    put_match(&d, "korea");
    put_filler(&d, 2);
    put_match(&d, "talks");
    fill_to(&d, 3000);
    size_t b0 = put_match(&d, "korea");
    put_filler(&d, 2);
    put_match(&d, "talks");
    put_filler(&d, 2);
    size_t b2 = put_match(&d, "korea");
    fill_to(&d, 4000);

    snippet s;
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(holds(&s.frags[0], b0, b2 + 5));
    CHECK_INT(s.frags[0].n_matches, 3);
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

TEST(test_snippet__ties_go_to_the_earliest_passage)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    fill_to(&d, 500);
    size_t a0 = put_match(&d, "korea");
    put_filler(&d, 2);
    size_t a1 = put_match(&d, "talks");
    fill_to(&d, 3000);
    put_match(&d, "korea");
    put_filler(&d, 2);
    put_match(&d, "talks");
    fill_to(&d, 4000);

    snippet s;
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(holds(&s.frags[0], a0, a1 + 5));
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);

    /* A query term given twice counts once. */
    const char *dup[] = {"korea", "talks", "korea"};
    CHECK_INT(make(&s, a, &d, dup, 3, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(holds(&s.frags[0], a0, a1 + 5));
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

TEST(test_snippet__window_limited_to_max_bytes)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    /* korea ... 300 bytes ... talks: too far apart for one 240-byte passage;
     * later, korea and korea 100 bytes apart: two matches of one term. The
     * far pair cannot share a window, so the close pair (1 term, 2
     * matches) beats either lone match. */
    fill_to(&d, 200);
    put_match(&d, "korea");
    fill_to(&d, 500);
    put_match(&d, "talks");
    fill_to(&d, 1500);
    size_t b0 = put_match(&d, "korea");
    fill_to(&d, 1600);
    size_t b1 = put_match(&d, "korea");
    fill_to(&d, 2500);

    snippet s;
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(holds(&s.frags[0], b0, b1 + 5));
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);

    /* With 400 bytes the far pair fits and has both terms. */
    CHECK_INT(make(&s, a, &d, KT, 2, 400, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(holds(&s.frags[0], d.sp[0].start, d.sp[1].end));
    check_all(&d, &s, 400, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

/* ---- several fragments ------------------------------------------------- */

TEST(test_snippet__two_fragments_in_text_order)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    fill_to(&d, 500); /* A: korea talks (2 terms, 2 matches) */
    size_t a0 = put_match(&d, "korea");
    put_filler(&d, 1);
    size_t a1 = put_match(&d, "talks");
    fill_to(&d, 2500); /* B: korea (1 term) */
    size_t b0 = put_match(&d, "korea");
    fill_to(&d, 4000); /* C: korea talks korea (2 terms, 3 matches): the best */
    size_t c0 = put_match(&d, "korea");
    put_match(&d, "talks");
    size_t c2 = put_match(&d, "korea");
    fill_to(&d, 5000);

    snippet s;
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 2), 0);
    REQUIRE(s.n_frags == 2);
    CHECK(holds(&s.frags[0], a0, a1 + 5)); /* second best, but first in the text */
    CHECK(holds(&s.frags[1], c0, c2 + 5));
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);

    /* Asking for more than there are: one passage per region, no filler. */
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 10), 0);
    REQUIRE(s.n_frags == 3);
    CHECK(holds(&s.frags[0], a0, a1 + 5));
    CHECK(holds(&s.frags[1], b0, b0 + 5));
    CHECK(holds(&s.frags[2], c0, c2 + 5));
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

TEST(test_snippet__adjacent_fragments_do_not_overlap)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    /* korea every ~30 bytes for 3000 bytes: every passage could take in its
     * neighbours' matches. */
    fill_to(&d, 40);
    while (d.b.len < 3000) {
        put_match(&d, "korea");
        put_filler(&d, 4);
    }
    snippet s;
    CHECK_INT(make(&s, a, &d, KT, 2, 100, 8), 0);
    CHECK_INT(s.n_frags, 8);
    check_all(&d, &s, 100, LONGEST_FILLER + 1);
    for (size_t i = 0; i < s.n_frags; i++)
        CHECK(s.frags[i].n_matches >= 2);
    snippet_free(&s);

    /* Every match taken: as many fragments as fit, all disjoint. */
    CHECK_INT(make(&s, a, &d, KT, 2, 60, 1000), 0);
    CHECK(s.n_frags > 20);
    check_all(&d, &s, 60, LONGEST_FILLER + 1);
    size_t total = 0;
    for (size_t i = 0; i < s.n_frags; i++)
        total += s.frags[i].n_matches;
    CHECK_INT(total, d.n_sp);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

/* ---- no match, empty text ----------------------------------------------- */

TEST(test_snippet__no_match_gives_start_of_text)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    fill_to(&d, 1000);
    snippet s;
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 3), 0);
    REQUIRE(s.n_frags == 1);
    CHECK_INT(s.frags[0].start, 0);
    CHECK_INT(s.frags[0].n_matches, 0);
    CHECK(s.frags[0].end <= 240);
    CHECK(s.frags[0].end >= 240 - LONGEST_FILLER - 1);
    check_all(&d, &s, 240, 0);
    snippet_free(&s);

    /* No query terms at all (e.g. the hit matched only in the title). */
    CHECK_INT(snippet_make(&s, a, d.b.data, d.b.len, NULL, NULL, 0, NULL), 0);
    REQUIRE(s.n_frags == 1);
    CHECK_INT(s.frags[0].start, 0);
    check_all(&d, &s, 240, 0);
    snippet_free(&s);
    doc_free(&d);

    /* Leading blank lines are skipped; a short text is taken whole. */
    doc_init(&d);
    put_raw(&d, "\n\n  \t");
    size_t w = d.b.len;
    put_filler(&d, 5);
    put_raw(&d, "\n\n");
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK_INT(s.frags[0].start, w);
    CHECK_INT(s.frags[0].end, d.b.len - 2);
    check_all(&d, &s, 240, 0);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

TEST(test_snippet__empty_and_blank_text_give_no_fragment)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    const char *terms[] = {"korea"};
    size_t lens[] = {5};
    snippet s;
    CHECK_INT(snippet_make(&s, a, "", 0, terms, lens, 1, NULL), 0);
    CHECK_INT(s.n_frags, 0);
    snippet_free(&s);
    CHECK_INT(snippet_make(&s, a, " \n\t \n", 5, terms, lens, 1, NULL), 0);
    CHECK_INT(s.n_frags, 0);
    snippet_free(&s);
    snippet_free(NULL);
    analyzer_free(a);
}

/* ---- boundaries ---------------------------------------------------------- */

TEST(test_snippet__prefers_a_sentence_start_close_before_the_match)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    fill_to(&d, 1000);
    put_raw(&d, ".");
    size_t sent = put_word(&d, "Officials"); /* 60 bytes before the match: < 240/3 */
    fill_to(&d, sent + 60);
    size_t k = put_match(&d, "korea");
    fill_to(&d, 2000);
    snippet s;
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK_INT(s.frags[0].start, sent);
    CHECK(holds(&s.frags[0], k, k + 5));
    CHECK(s.frags[0].end - s.frags[0].start >= 240 - LONGEST_FILLER - 1);
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);

    /* A paragraph break counts too, whatever the case of the next word. */
    doc_init(&d);
    fill_to(&d, 1000);
    put_raw(&d, "\n\n");
    sent = put_word(&d, "officials");
    fill_to(&d, sent + 40);
    k = put_match(&d, "korea");
    fill_to(&d, 2000);
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK_INT(s.frags[0].start, sent);
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);

    /* Too far back (150 bytes > 240/3): the passage is centred instead, so
     * it starts after the sentence start and before the match. */
    doc_init(&d);
    fill_to(&d, 1000);
    put_raw(&d, ".");
    sent = put_word(&d, "Officials");
    fill_to(&d, sent + 150);
    k = put_match(&d, "korea");
    fill_to(&d, 2000);
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(s.frags[0].start > sent);
    CHECK(holds(&s.frags[0], k, k + 5));
    /* Centred: about (240 - 5) / 2 bytes on each side, give or take a word. */
    CHECK(k - s.frags[0].start >= 117 - LONGEST_FILLER - 1);
    CHECK(s.frags[0].end - (k + 5) >= 117 - LONGEST_FILLER - 1);
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);

    /* "U.S. officials": a lower-case word after ". " starts no sentence. */
    doc_init(&d);
    fill_to(&d, 1000);
    sent = put_word(&d, "U.S.");
    size_t low = put_word(&d, "officials");
    fill_to(&d, low + 30);
    k = put_match(&d, "korea");
    fill_to(&d, 2000);
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(s.frags[0].start != low);
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

TEST(test_snippet__passage_at_text_ends_is_trimmed)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    put_raw(&d, "\n\n ");
    size_t k = put_match(&d, "korea");
    put_filler(&d, 3);
    put_raw(&d, "\n");
    size_t t = put_match(&d, "talks");
    put_raw(&d, " \n\n");
    snippet s;
    CHECK_INT(make(&s, a, &d, KT, 2, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK_INT(s.frags[0].start, k);
    CHECK_INT(s.frags[0].end, t + 5);
    CHECK_INT(s.frags[0].n_matches, 2);
    check_all(&d, &s, 240, 0);
    snippet_free(&s);
    doc_free(&d);

    /* A match in the last words: the unused budget goes before it. */
    doc_init(&d);
    fill_to(&d, 2000);
    k = put_match(&d, "korea");
    snippet_opts o = {200, 1};
    const size_t lens[] = {5, 5};
    CHECK_INT(snippet_make(&s, a, d.b.data, d.b.len, KT, lens, 2, &o), 0);
    REQUIRE(s.n_frags == 1);
    CHECK_INT(s.frags[0].end, d.b.len);
    CHECK(s.frags[0].start >= d.b.len - 200);
    CHECK(s.frags[0].start <= d.b.len - 200 + LONGEST_FILLER + 1);
    check_all(&d, &s, 200, 0);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

/* Multibyte words (2, 3 and 4-byte sequences) around the match: every cut,
 * whatever max_bytes and wherever the match sits, falls between words. */
TEST(test_snippet__multibyte_words_never_split)
{
    static const char *const MB[] = {"żółć", "gęślą", "jaźń", "Ελλάδα", "Москва",
                                     "naïve", "café", "日本語", "\xF0\x9F\x98\x80\xF0\x9F\x98\x80",
                                     "Ünïcödé"};
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    for (size_t pre = 0; pre < 40; pre += 3) {
        for (size_t max = 12; max <= 130; max += 7) {
            struct doc d;
            doc_init(&d);
            d.words = MB;
            d.n_words = sizeof MB / sizeof MB[0];
            d.next_filler = pre;
            put_filler(&d, 40 + pre);
            size_t k = put_match(&d, "Korea's");
            put_filler(&d, 40);
            snippet s;
            CHECK_INT(make(&s, a, &d, KT, 2, max, 1), 0);
            REQUIRE(s.n_frags == 1);
            CHECK(holds(&s.frags[0], k, k + 7));
            check_all(&d, &s, max, 16 + 1); /* longest word: 16 bytes */
            snippet_free(&s);

            /* And the no-match passage from the start. */
            const char *none[] = {"pyongyang"};
            CHECK_INT(make(&s, a, &d, none, 1, max, 1), 0);
            REQUIRE(s.n_frags == 1);
            CHECK_INT(s.frags[0].start, 0);
            check_all(&d, &s, max, 16 + 1);
            snippet_free(&s);
            doc_free(&d);
        }
    }
    analyzer_free(a);
}

TEST(test_snippet__cjk_text_without_spaces_cut_between_characters)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    /* 中文字句段落 repeated (3 bytes each, one token each), 韩 in the middle. */
    static const char *const ZH[] = {"中", "文", "字", "句", "段", "落"};
    buf b = {0};
    for (int i = 0; i < 300; i++)
        REQUIRE(buf_puts(&b, ZH[i % 6]) == 0);
    size_t k = b.len;
    REQUIRE(buf_puts(&b, "韩") == 0);
    for (int i = 0; i < 300; i++)
        REQUIRE(buf_puts(&b, ZH[i % 6]) == 0);
    char term[16];
    size_t tl = analyzer_term(a, "韩", strlen("韩"), term, sizeof term);
    REQUIRE(tl == 3);
    const char *terms[] = {term};
    for (size_t max = 10; max <= 250; max += 20) {
        snippet s;
        snippet_opts o = {max, 1};
        CHECK_INT(snippet_make(&s, a, b.data, b.len, terms, &tl, 1, &o), 0);
        REQUIRE(s.n_frags == 1);
        const snippet_fragment *f = &s.frags[0];
        CHECK(f->start <= k && k + 3 <= f->end);
        CHECK((f->start % 3) == 0 && (f->end % 3) == 0); /* character boundaries */
        CHECK(f->end - f->start <= max);
        /* uses its budget: each edge loses less than one character */
        CHECK(f->end - f->start + 2 * 3 > max);
        CHECK(valid_utf8((const unsigned char *)b.data + f->start, f->end - f->start));
        REQUIRE(f->n_matches == 1);
        CHECK_INT(f->matches[0].start, k);
        CHECK_INT(f->matches[0].end, k + 3);
        snippet_free(&s);
    }
    buf_free(&b);
    analyzer_free(a);
}

TEST(test_snippet__one_huge_word_cut_at_a_character)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    buf b = {0};
    for (int i = 0; i < 500; i++) /* é: 2 bytes; one 1000-byte word */
        REQUIRE(buf_puts(&b, "\xC3\xA9") == 0);
    const char *terms[] = {"korea"};
    size_t lens[] = {5};
    snippet_opts o = {241, 1};
    snippet s;
    CHECK_INT(snippet_make(&s, a, b.data, b.len, terms, lens, 1, &o), 0);
    REQUIRE(s.n_frags == 1);
    CHECK_INT(s.frags[0].start, 0);
    CHECK_INT(s.frags[0].end, 240);
    snippet_free(&s);
    buf_free(&b);
    analyzer_free(a);
}

/* ---- matching through the analyzer -------------------------------------- */

TEST(test_snippet__possessive_and_hyphen_match_via_analyzer)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    fill_to(&d, 300);
    /* Tokens: "Pyongyang's" (possessive removed from the term, not from
     * the span), "Jong" and "un" from "Jong-un,", "Pyongyang’s" with U+2019
     * (9 + 3 + 1 bytes); "(Pyongyang)" without its brackets. */
    put_match(&d, "Pyongyang's");
    put_filler(&d, 2);
    put_word(&d, "Kim");
    size_t j = put_word(&d, "Jong-un,");
    add_span(&d, j, j + 4);
    add_span(&d, j + 5, j + 7);
    put_filler(&d, 1);
    size_t p2 = put_match(&d, "Pyongyang\xE2\x80\x99s");
    put_filler(&d, 1);
    size_t p3 = put_match_x(&d, "(Pyongyang).", 1, 2);
    fill_to(&d, 800);

    const char *terms[] = {"pyongyang", "jong", "un"};
    snippet s;
    CHECK_INT(make(&s, a, &d, terms, 3, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    const snippet_fragment *f = &s.frags[0];
    REQUIRE(f->n_matches == 5);
    CHECK_INT(f->matches[0].start, d.sp[0].start);
    CHECK_INT(f->matches[0].end, d.sp[0].start + 11);
    CHECK_INT(f->matches[1].start, j);
    CHECK_INT(f->matches[1].end, j + 4);
    CHECK_INT(f->matches[2].start, j + 5);
    CHECK_INT(f->matches[2].end, j + 7);
    CHECK_INT(f->matches[3].start, p2);
    CHECK_INT(f->matches[3].end, p2 + 13);
    CHECK_INT(f->matches[4].start, p3 + 1);
    CHECK_INT(f->matches[4].end, p3 + 10);
    CHECK(holds(f, d.sp[0].start, p3 + 12));
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);

    /* "Jong-un" alone: both halves match, no other term needed. */
    const char *un[] = {"un"};
    CHECK_INT(make(&s, a, &d, un, 1, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    REQUIRE(s.frags[0].n_matches == 1);
    CHECK_INT(s.frags[0].matches[0].start, j + 5);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

TEST(test_snippet__stemming_analyzer_matches_word_forms)
{
    analyzer *en = new_analyzer("english");
    analyzer *plain = new_analyzer(NULL);
    REQUIRE(en && plain);
    struct doc d;
    doc_init(&d);
    fill_to(&d, 400);
    /* Snowball english: talks, talking, talked -> talk. */
    put_match(&d, "talks");
    put_filler(&d, 2);
    put_match(&d, "talking");
    put_filler(&d, 2);
    put_match_x(&d, "talked.", 0, 1);
    fill_to(&d, 900);

    const char *terms[] = {"talk"};
    snippet s;
    CHECK_INT(make(&s, en, &d, terms, 1, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK_INT(s.frags[0].n_matches, 3);
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);

    /* Without stemming, "talk" matches none of them: start of text. */
    CHECK_INT(make(&s, plain, &d, terms, 1, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK_INT(s.frags[0].start, 0);
    CHECK_INT(s.frags[0].n_matches, 0);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(en);
    analyzer_free(plain);
}

/* ---- scale -------------------------------------------------------------- */

TEST(test_snippet__ten_megabytes)
{
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    struct doc d;
    doc_init(&d);
    REQUIRE(buf_reserve(&d.b, 10u << 20) == 0);
    /* A lone "korea" every 100,000 bytes; one cluster of all three terms
     * near 7,000,000. */
    size_t next = 100000;
    size_t c0 = 0, c2 = 0;
    while (d.b.len < (10u << 20)) {
        if (d.b.len >= next) {
            if (next == 7000000) {
                c0 = put_match(&d, "korea");
                put_filler(&d, 1);
                put_match(&d, "talks");
                put_filler(&d, 1);
                c2 = put_match(&d, "summit");
            } else {
                put_match(&d, "korea");
            }
            next += 100000;
        }
        put_filler(&d, 1);
    }
    const char *terms[] = {"korea", "talks", "summit"};
    snippet s;
    CHECK_INT(make(&s, a, &d, terms, 3, 240, 1), 0);
    REQUIRE(s.n_frags == 1);
    CHECK(holds(&s.frags[0], c0, c2 + 6));
    CHECK_INT(s.frags[0].n_matches, 3);
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);

    /* Three fragments: the cluster, then the two earliest lone matches
     * (all tie), returned in text order. */
    CHECK_INT(make(&s, a, &d, terms, 3, 240, 3), 0);
    REQUIRE(s.n_frags == 3);
    CHECK(holds(&s.frags[0], d.sp[0].start, d.sp[0].end));
    CHECK(holds(&s.frags[1], d.sp[1].start, d.sp[1].end));
    CHECK(holds(&s.frags[2], c0, c2 + 6));
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    snippet_free(&s);
    doc_free(&d);

    /* Every fifth word a match (about 300,000 matches), many fragments. */
    doc_init(&d);
    REQUIRE(buf_reserve(&d.b, 10u << 20) == 0);
    while (d.b.len < (10u << 20)) {
        put_match(&d, (d.n_sp % 7) ? "korea" : "talks");
        put_filler(&d, 4);
    }
    CHECK_INT(make(&s, a, &d, terms, 3, 240, 50), 0);
    CHECK_INT(s.n_frags, 50);
    check_all(&d, &s, 240, LONGEST_FILLER + 1);
    for (size_t i = 0; i < s.n_frags; i++)
        CHECK(s.frags[i].n_matches >= 2);
    snippet_free(&s);
    doc_free(&d);
    analyzer_free(a);
}

/* ---- randomized -------------------------------------------------------- */

static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Seeded random texts: the first fragment chosen is the best window found by
 * brute force (most distinct terms, then most matches, then earliest), so
 * some fragment's matches are exactly that window's. */
TEST(test_snippet__random_texts_match_brute_force)
{
    static const char *const Q[] = {"korea", "talks", "summit"};
    analyzer *a = new_analyzer(NULL);
    REQUIRE(a);
    for (uint64_t seed = 1; seed <= 300; seed++) {
        uint64_t x = seed * 0x9E3779B97F4A7C15ull;
        int before = t_failed;
        struct doc d;
        doc_init(&d);
        size_t n_words = 20 + rng_next(&x) % 400;
        uint32_t term_of[512];
        for (size_t w = 0; w < n_words; w++) {
            if (rng_next(&x) % 6 == 0 && d.n_sp < 512) {
                uint32_t q = (uint32_t)(rng_next(&x) % 3);
                term_of[d.n_sp] = q;
                put_match(&d, Q[q]);
            } else {
                put_filler(&d, 1);
            }
            if (rng_next(&x) % 40 == 0)
                put_raw(&d, "\n\n");
        }
        size_t max = 20 + rng_next(&x) % 300;
        size_t nf = 1 + rng_next(&x) % 4;

        snippet s;
        CHECK_INT(make(&s, a, &d, Q, 3, max, nf), 0);
        check_all(&d, &s, max, LONGEST_FILLER + 1);
        if (d.n_sp == 0) {
            CHECK_INT(s.n_frags, 1);
        } else {
            CHECK(s.n_frags >= 1 && s.n_frags <= nf);
            /* brute force over every window [i..j] that fits */
            size_t bi = 0, bj = 0, bd = 0, bc = 0;
            for (size_t i = 0; i < d.n_sp; i++) {
                for (size_t j = i; j < d.n_sp; j++) {
                    if (j > i && d.sp[j].end - d.sp[i].start > max)
                        break;
                    int seen[3] = {0, 0, 0};
                    size_t dist = 0;
                    for (size_t k = i; k <= j; k++)
                        if (!seen[term_of[k]]++)
                            dist++;
                    size_t cnt = j - i + 1;
                    if (dist > bd || (dist == bd && cnt > bc)) {
                        bi = i, bj = j, bd = dist, bc = cnt;
                    }
                }
            }
            int found = 0;
            for (size_t f = 0; f < s.n_frags; f++) {
                const snippet_fragment *g = &s.frags[f];
                if (g->n_matches == bj - bi + 1 && g->matches[0].start == d.sp[bi].start)
                    found = 1;
            }
            if (!found)
                T_FAIL("best window [%zu..%zu] (%zu terms, %zu matches) is no fragment", bi,
                       bj, bd, bc);
        }
        snippet_free(&s);
        doc_free(&d);
        if (t_failed && !before)
            fprintf(stderr, "  (seed %llu)\n", (unsigned long long)seed);
    }
    analyzer_free(a);
}

TEST_MAIN()
