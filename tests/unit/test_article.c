/* test_article.c - the editorial plain-text layout (contract: common/article.h).
 *
 * The seed fixture's expected values were read off tests/data/ by hand; the
 * corpus case walks every file of ../shared webis-editorials (skipped when
 * ../shared is absent) and checks it against the counts in its SOURCE.txt. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "article.h"
#include "date.h"
#include "doc.h"
#include "err.h"
#include "t.h"

#define NBSP "\xC2\xA0"

/* Parses a C string into d (which must be doc_init'ed); returns the warnings,
 * or -1 (after recording a failure) if article_parse failed. */
static int parse_into(doc *d, const char *text)
{
    unsigned warn = 0;
    int rc = article_parse(d, text, strlen(text), &warn);
    if (rc != 0) {
        T_FAIL("article_parse returned %d", rc);
        return -1;
    }
    return (int)warn;
}

static size_t count_paragraphs(const char *body)
{
    if (!*body)
        return 0;
    /* a plain scan: strstr in a loop is quadratic under AddressSanitizer,
     * whose strstr measures the whole rest of the string on every call */
    size_t n = 1;
    for (const char *p = body; *p; p++)
        if (p[0] == '\n' && p[1] == '\n') {
            n++;
            p++;
        }
    return n;
}

/* The i-th paragraph of a body, copied into out. */
static const char *paragraph(const char *body, size_t i, char *out, size_t cap)
{
    const char *p = body;
    for (size_t k = 0; k < i && p; k++) {
        p = strstr(p, "\n\n");
        if (p)
            p += 2;
    }
    out[0] = '\0';
    if (!p)
        return out;
    const char *e = strstr(p, "\n\n");
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

/* The last paragraph of a body. */
static const char *last_paragraph(const char *body)
{
    const char *last = body;
    for (const char *p = body; (p = strstr(p, "\n\n")) != NULL; p += 2)
        last = p + 2;
    return last;
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* No paragraph of the body begins or ends with a space, tab, CR or U+00A0,
 * and there are no empty paragraphs ("\n\n\n"). */
static int paragraphs_trimmed(const char *body)
{
    const char *p = body;
    while (*p) {
        const char *e = strstr(p, "\n\n");
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || p[0] == ' ' || p[0] == '\t' || p[0] == '\n' || p[0] == '\r' ||
            strncmp(p, NBSP, 2) == 0)
            return 0;
        if (ends_with(p, n, " ") || ends_with(p, n, "\t") || ends_with(p, n, "\n") ||
            ends_with(p, n, "\r") || ends_with(p, n, NBSP))
            return 0;
        p = e ? e + 2 : p + n;
    }
    return 1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    while (data) {
        if (n == cap) {
            char *p = realloc(data, cap * 2);
            if (!p) {
                free(data);
                data = NULL;
                break;
            }
            data = p;
            cap *= 2;
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return data;
}

/* ---- the canonical fixture ---- */

TEST(test_article__seed_fixture)
{
    size_t len = 0;
    char *text = read_file(LEDE_TEST_DATA "/000_6360e9c39130a038.txt", &len);
    REQUIRE(text != NULL);
    doc d;
    doc_init(&d);
    doc_set(&d, DOC_ID, "seed/000", 8);
    unsigned warn = 0;
    CHECK_INT(article_parse(&d, text, len, &warn), 0);
    CHECK_INT(warn, 0);
    CHECK_STR(d.f[DOC_ID], "seed/000"); /* left alone */
    CHECK_STR(d.f[DOC_TITLE], "Putin-Kim meeting constructive to Korean Peninsula");
    CHECK_INT(d.f_len[DOC_TITLE], strlen("Putin-Kim meeting constructive to Korean Peninsula"));
    CHECK_STR(d.f[DOC_SOURCE], "Global Times");
    CHECK_STR(d.f[DOC_SECTION], "EDITORIAL");
    CHECK_STR(d.f[DOC_URL], "");
    /* 2019/4/25 21:18:40: day 18011 since 1970 (2019-01-01 is day 17897,
     * plus 31 + 28 + 31 + 24), plus 21 h 18 min 40 s. */
    CHECK_INT(d.date, 18011LL * 86400 + 21 * 3600 + 18 * 60 + 40);
    CHECK_INT(d.date, 1556227120);

    const char *body = d.f[DOC_BODY];
    CHECK_INT(d.f_len[DOC_BODY], strlen(body));
    CHECK_INT(count_paragraphs(body), 20);
    char p[1024];
    CHECK_STR(paragraph(body, 0, p, sizeof p),
              "During his meeting with North Korean leader Kim Jong-un on Thursday in "
              "Vladivostok, Russia, Russian President Vladimir Putin supported reducing "
              "tensions on the Korean Peninsula. He said there is a long road ahead to "
              "improve economic ties between the two countries.");
    CHECK_STR(paragraph(body, 1, p, sizeof p),
              "The meeting had implications not only in terms of Russia-North Korea "
              "relations, but for a way out of the Korean Peninsula issue. The meeting was "
              "conducive to balancing the international forces surrounding the issue.");
    CHECK_STR(paragraph(body, 19, p, sizeof p),
              "Strengthened communication between China, Russia and North Korea is "
              "conducive to maintaining the current peaceful situation on the Korean "
              "Peninsula and for promoting further talks on North Korea's denuclearization. "
              "Thus, it should be supported.");
    CHECK(paragraphs_trimmed(body));
    CHECK(strstr(body, NBSP "\n") == NULL);
    CHECK(!ends_with(body, strlen(body), NBSP));
    CHECK(strstr(body, "Disqus") == NULL);
    CHECK(strstr(body, "Posted in") == NULL);
    CHECK(strstr(body, "Source:") == NULL);
    CHECK(strstr(body, "\n\n\n") == NULL);
    CHECK(strchr(body, '\r') == NULL);
    doc_free(&d);
    free(text);
}

/* ---- the metadata line ---- */

TEST(test_article__title_wrapped_onto_two_lines)
{
    /* the metadata line third, right after the two title lines: they are
     * the title (the date and source were lost in the body) */
    const char *text = "Putin-Kim meeting constructive\r\n  to Korean Peninsula\n"
                       "Source:Global Times Published: 2019/4/25 21:18:40\n\nFirst paragraph.\n";
    doc d;
    doc_init(&d);
    unsigned warn = 0;
    CHECK_INT(article_parse(&d, text, strlen(text), &warn), 0);
    CHECK_STR(d.f[DOC_TITLE], "Putin-Kim meeting constructive to Korean Peninsula");
    CHECK_STR(d.f[DOC_SOURCE], "Global Times");
    CHECK_INT(d.date, 1556227120);
    CHECK_STR(d.f[DOC_BODY], "First paragraph.");
    /* a blank line before the third line: the second is the body's start,
     * as before (a one-line title, no metadata) */
    const char *apart = "Title\nFirst line.\n\nSource:X Published: 2019/4/25\n";
    CHECK_INT(article_parse(&d, apart, strlen(apart), &warn), 0);
    CHECK_STR(d.f[DOC_TITLE], "Title");
    CHECK_STR(d.f[DOC_SOURCE], "");
    doc_free(&d);
}

TEST(test_article__meta_spacing_variants)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "T\n\nSource : X  Published:2019/4/25 21:18:40\n\nBody.\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "X");
    CHECK_INT(d.date, 1556227120);
    CHECK_STR(d.f[DOC_BODY], "Body.");

    CHECK_INT(parse_into(&d, "T\n\n  source:Global Times   PUBLISHED :  2019/4/25 21:18:40  \n\nB\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "Global Times");
    CHECK_INT(d.date, 1556227120);

    CHECK_INT(parse_into(&d, "T\n\nSource:\tThe Guardian\tPublished:\t2019-04-25\n\nB\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "The Guardian");
    CHECK_INT(d.date, 1556150400);

    /* U+00A0 around the parts, as the seed has after its paragraphs. */
    CHECK_INT(parse_into(&d, "T\n\nSource:" NBSP "Al Jazeera" NBSP " Published: 2019/4/25" NBSP "\n\nB\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "Al Jazeera");
    CHECK_INT(d.date, 1556150400);
    CHECK_STR(d.f[DOC_BODY], "B");
    doc_free(&d);
}

TEST(test_article__published_only)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "Title\n\nPublished: 2019/4/25\n\nFirst.\n\nSecond.\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "Title");
    CHECK_STR(d.f[DOC_SOURCE], "");
    CHECK_INT(d.date, 1556150400);
    CHECK_STR(d.f[DOC_BODY], "First.\n\nSecond.");
    doc_free(&d);
}

TEST(test_article__source_only)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "Title\n\nSource:BBC News\n\nText.\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "BBC News");
    CHECK_INT(d.date, DATE_NONE);
    CHECK_STR(d.f[DOC_BODY], "Text.");
    CHECK_INT(parse_into(&d, "Title\n\nSOURCE:Reuters\n\nText.\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "Reuters");
    /* The source may itself contain the word, as long as no ':' follows. */
    CHECK_INT(parse_into(&d, "Title\n\nSource: Published Reports Weekly\n\nText.\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "Published Reports Weekly");
    CHECK_INT(d.date, DATE_NONE);
    /* ... or inside a word, even with a ':' after it. */
    CHECK_INT(parse_into(&d, "Title\n\nSource:The Unpublished: Review\n\nText.\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "The Unpublished: Review");
    CHECK_INT(d.date, DATE_NONE);
    doc_free(&d);
}

TEST(test_article__empty_source_with_date)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "Title\n\nSource: Published: 2019-04-25\n\nText.\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "");
    CHECK_INT(d.date, 1556150400);
    CHECK_INT(parse_into(&d, "Title\n\nSource:Published:2019-04-25\n\nText.\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "");
    CHECK_INT(d.date, 1556150400);
    CHECK_STR(d.f[DOC_BODY], "Text.");
    doc_free(&d);
}

TEST(test_article__iso_date)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "T\n\nSource:Reuters Published: 1987-02-26T15:02:20Z\n\nB\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "Reuters");
    /* 1987-02-26: 17 years of 365 days + 4 leap days (72, 76, 80, 84) + 31 + 25. */
    CHECK_INT(d.date, (17LL * 365 + 4 + 31 + 25) * 86400 + 15 * 3600 + 2 * 60 + 20);
    doc_free(&d);
}

TEST(test_article__bad_date_warns)
{
    doc d;
    doc_init(&d);
    unsigned warn = 0;
    const char *text = "T\n\nSource:Daily Paper Published: yesterday\n\nBody text.\n";
    CHECK_INT(article_parse(&d, text, strlen(text), &warn), 0);
    CHECK_INT(warn, ARTICLE_WARN_BAD_DATE);
    CHECK_INT(d.date, DATE_NONE);
    CHECK_STR(d.f[DOC_SOURCE], "Daily Paper");
    CHECK_STR(d.f[DOC_BODY], "Body text."); /* the doc is kept */

    warn = 0;
    text = "T\n\nPublished: 2019/2/30 10:00:00\n\nB\n";
    CHECK_INT(article_parse(&d, text, strlen(text), &warn), 0);
    CHECK_INT(warn, ARTICLE_WARN_BAD_DATE);
    CHECK_INT(d.date, DATE_NONE);

    /* An empty "Published:" promised a date and gave none: also a warning. */
    warn = 0;
    text = "T\n\nSource:X Published:\n\nB\n";
    CHECK_INT(article_parse(&d, text, strlen(text), &warn), 0);
    CHECK_INT(warn, ARTICLE_WARN_BAD_DATE);
    CHECK_STR(d.f[DOC_SOURCE], "X");

    /* Warnings are ORed in: bits already set stay set. */
    warn = 0x100;
    text = "T\n\nSource:X Published: 2019-13-01\n\nB\n";
    CHECK_INT(article_parse(&d, text, strlen(text), &warn), 0);
    CHECK_INT(warn, 0x100 | ARTICLE_WARN_BAD_DATE);

    /* A good date sets no warning and clears none. */
    warn = 0x100;
    text = "T\n\nSource:X Published: 2019-12-01\n\nB\n";
    CHECK_INT(article_parse(&d, text, strlen(text), &warn), 0);
    CHECK_INT(warn, 0x100);
    doc_free(&d);
}

TEST(test_article__meta_without_blank_after_title)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "\n\n  Title here  \nSource:Global Times Published: 2019/4/25 21:18:40\nBody.\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "Title here");
    CHECK_STR(d.f[DOC_SOURCE], "Global Times");
    CHECK_INT(d.date, 1556227120);
    CHECK_STR(d.f[DOC_BODY], "Body.");
    doc_free(&d);
}

TEST(test_article__missing_title)
{
    doc d;
    doc_init(&d);
    /* As in 737 reuters21578 files: the title line is empty, so the metadata
     * line is the first non-blank line. */
    CHECK_INT(parse_into(&d, "\n\nSource:Reuters Published: 1987/2/26 16:34:34\n\n"
                             "FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26\n\nReuter\n\n"
                             "Posted in: MONEY-SUPPLY\n\nblog comments powered by Disqus"), 0);
    CHECK_STR(d.f[DOC_TITLE], "");
    CHECK_STR(d.f[DOC_SOURCE], "Reuters");
    /* 1987-02-26 is day 17 * 365 + 4 + 31 + 25 = 6265. */
    CHECK_INT(d.date, 6265LL * 86400 + 16 * 3600 + 34 * 60 + 34);
    CHECK_STR(d.f[DOC_SECTION], "MONEY-SUPPLY");
    CHECK_STR(d.f[DOC_BODY], "FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26\n\nReuter");
    CHECK_INT(parse_into(&d, "Published: 2019-04-25\nBody.\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "");
    CHECK_INT(d.date, 1556150400);
    CHECK_STR(d.f[DOC_BODY], "Body.");
    doc_free(&d);
}

TEST(test_article__headline_that_looks_like_metadata)
{
    doc d;
    doc_init(&d);
    /* Followed by the real metadata line, the first line is the title. */
    CHECK_INT(parse_into(&d, "Source: Apple to unveil new phone\n\nSource:Reuters Published: 2019/4/25\n\nBody.\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "Source: Apple to unveil new phone");
    CHECK_STR(d.f[DOC_SOURCE], "Reuters");
    CHECK_INT(d.date, 1556150400);
    CHECK_STR(d.f[DOC_BODY], "Body.");
    doc_free(&d);
}

TEST(test_article__no_meta_line)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "Headline\n\nFirst paragraph.\n\nSecond paragraph.\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "Headline");
    CHECK_STR(d.f[DOC_SOURCE], "");
    CHECK_INT(d.date, DATE_NONE);
    CHECK_STR(d.f[DOC_BODY], "First paragraph.\n\nSecond paragraph.");
    /* Lines that merely start with the words are body text. */
    CHECK_INT(parse_into(&d, "H\n\nSources say the talks failed.\n\nMore.\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "");
    CHECK_STR(d.f[DOC_BODY], "Sources say the talks failed.\n\nMore.");
    CHECK_INT(parse_into(&d, "H\n\nSourcebook: a guide\n"), 0);
    CHECK_STR(d.f[DOC_BODY], "Sourcebook: a guide");
    CHECK_INT(parse_into(&d, "H\n\nPublished reports put the value at 2.5 billion dlrs.\n"), 0);
    CHECK_STR(d.f[DOC_BODY], "Published reports put the value at 2.5 billion dlrs.");
    CHECK_INT(d.date, DATE_NONE);
    /* Only the line right after the title is looked at. */
    CHECK_INT(parse_into(&d, "H\n\nIntro.\n\nSource: X Published: 2019-04-25\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "");
    CHECK_INT(d.date, DATE_NONE);
    CHECK_STR(d.f[DOC_BODY], "Intro.\n\nSource: X Published: 2019-04-25");
    doc_free(&d);
}

/* ---- line endings, empty and short texts ---- */

TEST(test_article__crlf)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "Title\r\n\r\nSource:Global Times Published: 2019/4/25 21:18:40\r\n\r\n"
                             "Para one" NBSP " \r\n\r\nLine a\r\nLine b\r\n\r\n"
                             "Posted in: EDITORIAL\r\n\r\nblog comments powered by Disqus\r\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "Title");
    CHECK_STR(d.f[DOC_SOURCE], "Global Times");
    CHECK_INT(d.date, 1556227120);
    CHECK_STR(d.f[DOC_SECTION], "EDITORIAL");
    CHECK_STR(d.f[DOC_BODY], "Para one\n\nLine a\nLine b");
    doc_free(&d);
}

TEST(test_article__stray_cr_removed)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "Ti\rtle\n\nSource:A\rB\n\nx\ry\r\r\nz\n"), 0);
    CHECK(strchr(d.f[DOC_TITLE], '\r') == NULL);
    CHECK(strchr(d.f[DOC_SOURCE], '\r') == NULL);
    CHECK_STR(d.f[DOC_BODY], "xy\nz");
    CHECK_INT(d.f_len[DOC_BODY], 4);
    doc_free(&d);
}

TEST(test_article__no_trailing_newline)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "Title\n\nSource:S\n\nLast words"), 0);
    CHECK_STR(d.f[DOC_BODY], "Last words");
    CHECK_INT(parse_into(&d, "Title\n\nSource:S Published: 2019/4/25 21:18:40"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "S");
    CHECK_INT(d.date, 1556227120);
    CHECK_STR(d.f[DOC_BODY], "");
    CHECK_INT(parse_into(&d, "T\n\nB\n\nPosted in: NEWS"), 0);
    CHECK_STR(d.f[DOC_SECTION], "NEWS");
    CHECK_STR(d.f[DOC_BODY], "B");
    doc_free(&d);
}

TEST(test_article__empty_and_blank_texts)
{
    static const char *const texts[] = {
        "", "\n", "\n\n\n", "   \t  ", "\r\n\r\n", NBSP, " " NBSP " \n" NBSP "\n\t\n", "\xEF\xBB\xBF",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        doc d;
        doc_init(&d);
        doc_set(&d, DOC_TITLE, "stale", 5);
        unsigned warn = 0;
        CHECK_INT(article_parse(&d, texts[i], strlen(texts[i]), &warn), 0);
        CHECK_INT(warn, 0);
        CHECK_STR(d.f[DOC_TITLE], "");
        CHECK_STR(d.f[DOC_BODY], "");
        CHECK_STR(d.f[DOC_SOURCE], "");
        CHECK_STR(d.f[DOC_SECTION], "");
        CHECK_INT(d.f_len[DOC_TITLE] + d.f_len[DOC_BODY], 0);
        CHECK_INT(d.date, DATE_NONE);
        doc_free(&d);
    }
}

TEST(test_article__title_only)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "Just a title\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "Just a title");
    CHECK_STR(d.f[DOC_BODY], "");
    CHECK_INT(parse_into(&d, "\n \n" NBSP "  Just a title \t" NBSP), 0);
    CHECK_STR(d.f[DOC_TITLE], "Just a title");
    CHECK_INT(d.f_len[DOC_TITLE], 12);
    CHECK_STR(d.f[DOC_BODY], "");
    /* U+00A0 inside the title stays. */
    CHECK_INT(parse_into(&d, "A" NBSP "B\n\n\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "A" NBSP "B");
    doc_free(&d);
}

TEST(test_article__byte_order_mark)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "\xEF\xBB\xBFTitle\n\nSource:S\n\nB\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "Title");
    CHECK_STR(d.f[DOC_SOURCE], "S");
    doc_free(&d);
}

/* ---- paragraphs ---- */

TEST(test_article__blank_line_variants)
{
    doc d;
    doc_init(&d);
    /* Lines of spaces, tabs and U+00A0 separate paragraphs; runs collapse. */
    CHECK_INT(parse_into(&d, "T\n\na\n \t\nb\n" NBSP "\nc\n" NBSP " " NBSP "\n\n\n\nd\n\n\n"), 0);
    CHECK_STR(d.f[DOC_BODY], "a\n\nb\n\nc\n\nd");
    CHECK_INT(d.f_len[DOC_BODY], strlen("a\n\nb\n\nc\n\nd"));
    doc_free(&d);
}

TEST(test_article__line_breaks_inside_paragraph)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "T\n\n  first line\nsecond line  \n  third" NBSP "\n\nnext\n"), 0);
    /* Trimmed as a whole; inner lines keep their text and breaks. */
    CHECK_STR(d.f[DOC_BODY], "first line\nsecond line  \n  third\n\nnext");
    doc_free(&d);
}

TEST(test_article__paragraphs_trimmed)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "T\n\n" NBSP " One. " NBSP "\n\n\tTwo." NBSP NBSP "\n"), 0);
    CHECK_STR(d.f[DOC_BODY], "One.\n\nTwo.");
    CHECK(paragraphs_trimmed(d.f[DOC_BODY]));
    doc_free(&d);
}

/* ---- section and trailer ---- */

TEST(test_article__posted_in_variants)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "T\n\nBody.\n\nposted in : Opinion\n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "Opinion");
    CHECK_STR(d.f[DOC_BODY], "Body.");
    CHECK_INT(parse_into(&d, "T\n\nBody.\n\nPOSTED IN:World News" NBSP "\n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "World News");
    CHECK_STR(d.f[DOC_BODY], "Body.");
    CHECK_INT(parse_into(&d, "T\n\nBody.\n\n   Posted in:\tSPORT  \n\n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "SPORT");
    CHECK_STR(d.f[DOC_BODY], "Body.");
    /* Without the ':' it is an ordinary sentence. */
    CHECK_INT(parse_into(&d, "T\n\nBody.\n\nPosted in haste\n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "");
    CHECK_STR(d.f[DOC_BODY], "Body.\n\nPosted in haste");
    doc_free(&d);
}

TEST(test_article__posted_in_empty_section)
{
    doc d;
    doc_init(&d);
    /* The label line is layout, not text, even when the section is missing. */
    CHECK_INT(parse_into(&d, "T\n\nBody.\n\nPosted in:\n\nblog comments powered by Disqus\n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "");
    CHECK_STR(d.f[DOC_BODY], "Body.");
    doc_free(&d);
}

TEST(test_article__posted_in_middle_is_body)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "T\n\nSource:S\n\nOne.\n\nPosted in: EDITORIAL\n\nThree.\n\n"
                             "blog comments powered by Disqus\n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "");
    CHECK_STR(d.f[DOC_BODY], "One.\n\nPosted in: EDITORIAL\n\nThree.");
    /* Part of a longer last paragraph: body, too. */
    CHECK_INT(parse_into(&d, "T\n\nOne.\nPosted in: EDITORIAL\n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "");
    CHECK_STR(d.f[DOC_BODY], "One.\nPosted in: EDITORIAL");
    /* Only the last one is the section. */
    CHECK_INT(parse_into(&d, "T\n\nPosted in: A\n\nTwo.\n\nPosted in: B\n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "B");
    CHECK_STR(d.f[DOC_BODY], "Posted in: A\n\nTwo.");
    doc_free(&d);
}

TEST(test_article__trailer_dropped)
{
    doc d;
    doc_init(&d);
    /* Without a section line. */
    CHECK_INT(parse_into(&d, "T\n\nBody.\n\nblog comments powered by Disqus"), 0);
    CHECK_STR(d.f[DOC_SECTION], "");
    CHECK_STR(d.f[DOC_BODY], "Body.");
    /* Case and surrounding white space do not matter; repeats all go. */
    CHECK_INT(parse_into(&d, "T\n\nBody.\n\nPosted in: X\n\n  Blog Comments Powered By DISQUS" NBSP
                             "\n\nblog comments powered by Disqus\n \n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "X");
    CHECK_STR(d.f[DOC_BODY], "Body.");
    /* In the middle of the text it is kept (only trailers are boilerplate). */
    CHECK_INT(parse_into(&d, "T\n\nblog comments powered by Disqus\n\nBody.\n"), 0);
    CHECK_STR(d.f[DOC_BODY], "blog comments powered by Disqus\n\nBody.");
    /* Inside a longer paragraph, it is text. */
    CHECK_INT(parse_into(&d, "T\n\nBody.\nblog comments powered by Disqus\n"), 0);
    CHECK_STR(d.f[DOC_BODY], "Body.\nblog comments powered by Disqus");
    /* Not the whole paragraph: kept. */
    CHECK_INT(parse_into(&d, "T\n\nBody.\n\nblog comments powered by Disqus today\n"), 0);
    CHECK_STR(d.f[DOC_BODY], "Body.\n\nblog comments powered by Disqus today");
    doc_free(&d);
}

TEST(test_article__trailer_before_section)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "T\n\nBody.\n\nblog comments powered by Disqus\n\nPosted in: NEWS\n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "NEWS");
    CHECK_STR(d.f[DOC_BODY], "Body.");
    doc_free(&d);
}

TEST(test_article__section_without_body)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse_into(&d, "Title\n\nSource:S\n\nPosted in: EDITORIAL\n\nblog comments powered by Disqus\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "Title");
    CHECK_STR(d.f[DOC_SOURCE], "S");
    CHECK_STR(d.f[DOC_SECTION], "EDITORIAL");
    CHECK_STR(d.f[DOC_BODY], "");
    /* The title is never taken as the section or the trailer. */
    CHECK_INT(parse_into(&d, "Posted in: X\n"), 0);
    CHECK_STR(d.f[DOC_TITLE], "Posted in: X");
    CHECK_STR(d.f[DOC_SECTION], "");
    CHECK_INT(parse_into(&d, "blog comments powered by Disqus"), 0);
    CHECK_STR(d.f[DOC_TITLE], "blog comments powered by Disqus");
    /* Nor is the metadata line. */
    CHECK_INT(parse_into(&d, "T\nSource:Posted in: X\n"), 0);
    CHECK_STR(d.f[DOC_SOURCE], "Posted in: X");
    CHECK_STR(d.f[DOC_SECTION], "");
    doc_free(&d);
}

/* ---- doc handling ---- */

TEST(test_article__reuses_doc)
{
    doc d;
    doc_init(&d);
    doc_set(&d, DOC_ID, "id-1", 4);
    CHECK_INT(parse_into(&d, "A\n\nSource:S Published: 2019-04-25\n\nB\n\nPosted in: X\n"), 0);
    CHECK_STR(d.f[DOC_SECTION], "X");
    /* A second parse into the same doc replaces every parsed field, also with
     * "absent", and still leaves the id alone. */
    CHECK_INT(parse_into(&d, "C\n\nD\n"), 0);
    CHECK_STR(d.f[DOC_ID], "id-1");
    CHECK_STR(d.f[DOC_TITLE], "C");
    CHECK_STR(d.f[DOC_SOURCE], "");
    CHECK_STR(d.f[DOC_SECTION], "");
    CHECK_INT(d.date, DATE_NONE);
    CHECK_STR(d.f[DOC_BODY], "D");
    doc_free(&d);
}

TEST(test_article__length_bounds_the_text)
{
    doc d;
    doc_init(&d);
    const char *text = "Title\n\nBody one.\n\nBody two is cut";
    unsigned warn = 0;
    CHECK_INT(article_parse(&d, text, strlen("Title\n\nBody one.\n\nBody"), &warn), 0);
    CHECK_STR(d.f[DOC_BODY], "Body one.\n\nBody");
    CHECK_INT(article_parse(&d, text, 3, &warn), 0);
    CHECK_STR(d.f[DOC_TITLE], "Tit");
    CHECK_STR(d.f[DOC_BODY], "");
    doc_free(&d);
}

/* A few MB of many paragraphs, many lines and long blank runs: quadratic
 * behaviour would take minutes here (ctest would time it out). */
TEST(test_article__large_input)
{
    const size_t n_para = 200000;
    size_t cap = n_para * 64 + 4096, len = 0;
    char *text = malloc(cap);
    REQUIRE(text != NULL);
    len += (size_t)snprintf(text + len, cap - len, "Big\n\nSource:S\n\n");
    for (size_t i = 0; i < n_para; i++) {
        if (i % 2 == 0)
            len += (size_t)snprintf(text + len, cap - len, "Paragraph %zu.\n\n", i);
        else
            len += (size_t)snprintf(text + len, cap - len, "Line %zu\nline two " NBSP "\n \n\n", i);
    }
    len += (size_t)snprintf(text + len, cap - len, "Posted in: BIG\n\nblog comments powered by Disqus\n");
    doc d;
    doc_init(&d);
    unsigned warn = 0;
    CHECK_INT(article_parse(&d, text, len, &warn), 0);
    CHECK_STR(d.f[DOC_SECTION], "BIG");
    CHECK_INT(count_paragraphs(d.f[DOC_BODY]), n_para);
    const char *head = "Paragraph 0.\n\nLine 1\nline two\n\nParagraph 2.\n\n";
    CHECK(strncmp(d.f[DOC_BODY], head, strlen(head)) == 0);
    CHECK(ends_with(d.f[DOC_BODY], d.f_len[DOC_BODY], "\n\nLine 199999\nline two"));
    doc_free(&d);

    /* One huge single paragraph of short lines, no blank line at all. */
    len = 0;
    len += (size_t)snprintf(text + len, cap - len, "Big\n");
    while (len + 8 < cap)
        len += (size_t)snprintf(text + len, cap - len, "words\n");
    doc_init(&d);
    CHECK_INT(article_parse(&d, text, len, &warn), 0);
    CHECK_INT(count_paragraphs(d.f[DOC_BODY]), 1);
    CHECK_INT(d.f_len[DOC_BODY], len - 4 - 1); /* minus the title line and the last '\n' */
    doc_free(&d);
    free(text);
}

/* ---- the real corpora ---- */

/* Tallies over every file of an extracted corpus. */
struct walk {
    size_t n_files, n_bad;
    size_t n_no_title, n_no_body, n_dated;
    size_t n_aljazeera, n_foxnews, n_guardian, n_reuters;
    const char *section; /* the section every file must have, or NULL: any non-empty one */
};

/* Why a parsed corpus file is wrong, or NULL. Titles and bodies may be
 * missing (the caller counts those); everything else must be there. */
static const char *corpus_file_problem(const struct walk *w, const doc *d, unsigned warn)
{
    const char *body = d->f[DOC_BODY];
    if (warn != 0)
        return "warning set";
    if (d->f_len[DOC_SOURCE] == 0)
        return "no source";
    if (w->section ? strcmp(d->f[DOC_SECTION], w->section) != 0 : d->f_len[DOC_SECTION] == 0)
        return "wrong or missing section";
    if (strstr(body, "blog comments powered by Disqus"))
        return "Disqus footer in the body";
    if (strncmp(last_paragraph(body), "Posted in", 9) == 0)
        return "Posted in: line as the last paragraph";
    if (strstr(d->f[DOC_TITLE], "Source:") || strncmp(body, "Source:", 7) == 0)
        return "metadata line not recognised";
    if (!paragraphs_trimmed(body))
        return "untrimmed or empty paragraph";
    return NULL;
}

static void check_corpus_file(struct walk *w, const char *path)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        T_FAIL("%s: cannot read", path);
        return;
    }
    doc d;
    doc_init(&d);
    unsigned warn = 0;
    int rc = article_parse(&d, text, len, &warn);
    const char *why = rc != 0 ? "article_parse failed" : corpus_file_problem(w, &d, warn);
    if (why) {
        if (w->n_bad++ < 10)
            T_FAIL("%s: %s", path, why);
        else
            t_failed = 1;
    }
    w->n_files++;
    w->n_no_title += d.f_len[DOC_TITLE] == 0;
    w->n_no_body += d.f_len[DOC_BODY] == 0;
    w->n_dated += d.date != DATE_NONE;
    const char *src = d.f[DOC_SOURCE];
    w->n_aljazeera += strcmp(src, "Al Jazeera") == 0;
    w->n_foxnews += strcmp(src, "Fox News") == 0;
    w->n_guardian += strcmp(src, "The Guardian") == 0;
    w->n_reuters += strcmp(src, "Reuters") == 0;
    doc_free(&d);
    free(text);
}

static void walk_dir(struct walk *w, const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        T_FAIL("%s: cannot open directory", dir);
        return;
    }
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (n < 0 || (size_t)n >= sizeof path) {
            T_FAIL("%s/%s: path too long", dir, de->d_name);
            continue;
        }
        struct stat st;
        if (lstat(path, &st) != 0)
            T_FAIL("%s: cannot stat", path);
        else if (S_ISDIR(st.st_mode))
            walk_dir(w, path);
        else if (S_ISREG(st.st_mode))
            check_corpus_file(w, path);
    }
    closedir(dp);
}

/* Extracts ../shared/corpora/<name>/<name>.gtlayout.tar.gz into a fresh
 * temporary directory, checks every file, and removes the directory. Exits
 * with 77 (skip) when ../shared is absent. */
static void walk_corpus(struct walk *w, const char *name)
{
    char tarball[2048];
    snprintf(tarball, sizeof tarball, "%s/corpora/%s/%s.gtlayout.tar.gz", LEDE_SHARED_DIR, name,
             name);
    if (access(tarball, R_OK) != 0) {
        fprintf(stderr, "skip: %s not found\n", tarball);
        exit(77);
    }
    /* The paths go into shell commands inside single quotes. */
    if (strchr(tarball, '\'')) {
        T_FAIL("%s: a quote in the path", tarball);
        return;
    }
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp || strchr(tmp, '\''))
        tmp = "/tmp";
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/lede-test-article-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        T_FAIL("%s: mkdtemp failed", dir);
        return;
    }
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "tar xzf '%s' -C '%s'", tarball, dir);
    int st = system(cmd);
    CHECK_INT(st, 0);
    if (st == 0)
        walk_dir(w, dir);
    snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
    CHECK_INT(system(cmd), 0);
    CHECK(access(dir, F_OK) != 0);
}

TEST(test_article__webis_editorials_corpus)
{
    struct walk w = {0};
    w.section = "EDITORIAL";
    walk_corpus(&w, "webis-editorials");
    /* Counts from ../shared/corpora/README.txt and webis-editorials/SOURCE.txt
     * (266 editorials: Al Jazeera 96, Fox News 85, The Guardian 85; no
     * dates). Every file has a title and a body. */
    CHECK_INT(w.n_files, 266);
    CHECK_INT(w.n_bad, 0);
    CHECK_INT(w.n_no_title, 0);
    CHECK_INT(w.n_no_body, 0);
    CHECK_INT(w.n_dated, 0);
    CHECK_INT(w.n_aljazeera, 96);
    CHECK_INT(w.n_foxnews, 85);
    CHECK_INT(w.n_guardian, 85);
}

TEST(test_article__reuters_corpus)
{
    struct walk w = {0};
    walk_corpus(&w, "reuters21578");
    /* From reuters21578/SOURCE.txt: 21578 stories, 737 without a title (the
     * file then starts with a blank line and the metadata line comes first),
     * 194 + 1 with an empty body; one story has no date in the JSONL. */
    CHECK_INT(w.n_files, 21578);
    CHECK_INT(w.n_bad, 0);
    CHECK_INT(w.n_reuters, 21578);
    CHECK_INT(w.n_no_title, 737);
    CHECK_INT(w.n_no_body, 195);
    CHECK_INT(w.n_dated, 21577);
}

TEST_MAIN()
