/* fuzz_article.c - fuzz target for the editorial layout parser
 * (common/article.c), reached both directly and through record_parse
 * (common/input.c), which repairs the bytes to UTF-8 first.
 *
 * Input: the bytes of one article file.
 *
 * Oracle: never crashes or hangs; article_parse returns 0 (its only
 * documented error is running out of memory) and record_parse returns 1 or
 * 0 (a skipped, empty document), never an error; problems reported are of
 * the kinds an article can have (invalid UTF-8, a bad date, empty) and every
 * report names the file; and the document follows article.h:
 *  - every field is valid UTF-8, NUL-terminated at its length, without '\r';
 *  - title, source and section are one line each, trimmed of white space
 *    (ASCII blanks and U+00A0), and each occurs in the input;
 *  - the body is the input's paragraphs, trimmed, joined by exactly one
 *    blank line: no leading or trailing white space, no line that is blank,
 *    no "\n\n\n", and each paragraph occurs in the input (with '\r' removed);
 *  - the body does not end with the trailer paragraph;
 *  - a date, when set, lies in years 1 to 9999;
 *  - parsing is deterministic (twice gives the same document). */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "article.h"
#include "buf.h"
#include "date.h"
#include "doc.h"
#include "err.h"
#include "fuzz.h"
#include "input.h"
#include "utf8.h"

#define YEAR1_SECS (-62135596800LL)     /* 0001-01-01T00:00:00 */
#define YEAR9999_END 253402300799LL     /* 9999-12-31T23:59:59 */

static size_t space_at(const char *s, size_t i, size_t len)
{
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f')
        return 1;
    if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0)
        return 2;
    return 0;
}

/* 1 when f[0..n) is two pieces of the input joined by a space: a title
 * wrapped onto two lines (article.h). */
static int two_lines(const char *text, size_t len, const char *f, size_t n)
{
    for (size_t k = 1; k + 1 < n; k++)
        if (f[k] == ' ' && memmem(text, len, f, k) && memmem(text, len, f + k + 1, n - k - 1))
            return 1;
    return 0;
}

static int starts_with_space(const char *s, size_t len)
{
    return len > 0 && space_at(s, 0, len) > 0;
}

static int ends_with_space(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    unsigned char c = (unsigned char)s[len - 1];
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
           (c == 0xA0 && len >= 2 && (unsigned char)s[len - 2] == 0xC2);
}

/* Whether s[b..e) holds only white space. */
static int blank(const char *s, size_t b, size_t e)
{
    while (b < e) {
        size_t n = space_at(s, b, e);
        if (!n)
            return 0;
        b += n;
    }
    return 1;
}

static int eq_ci(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] + 32) : b[i];
        if (x != y)
            return 0;
    }
    return 1;
}

/* Checks d against article.h; `text` is the (valid UTF-8) input without
 * '\r' bytes, which every field must be made of. */
static void check_doc(const doc *d, const char *text, size_t len)
{
    for (int k = 0; k < DOC_N_FIELDS; k++) {
        const char *f = d->f[k];
        size_t n = d->f_len[k];
        FUZZ_CHECK(f != NULL && f[n] == '\0', "field %d not terminated", k);
        FUZZ_CHECK(utf8_valid(f, n), "field %s is not valid UTF-8", doc_field_name(k));
        FUZZ_CHECK(!memchr(f, '\r', n), "field %s holds a CR", doc_field_name(k));
    }
    const enum doc_field one_line[] = {DOC_TITLE, DOC_SOURCE, DOC_SECTION};
    for (size_t i = 0; i < 3; i++) {
        enum doc_field k = one_line[i];
        const char *f = d->f[k];
        size_t n = d->f_len[k];
        FUZZ_CHECK(!memchr(f, '\n', n), "%s spans lines", doc_field_name(k));
        FUZZ_CHECK(!starts_with_space(f, n) && !ends_with_space(f, n), "%s '%s' not trimmed",
                   doc_field_name(k), f);
        FUZZ_CHECK(n == 0 || memmem(text, len, f, n) || (k == DOC_TITLE && two_lines(text, len, f, n)),
                   "%s '%s' is not in the input", doc_field_name(k), f);
    }

    const char *body = d->f[DOC_BODY];
    size_t n = d->f_len[DOC_BODY];
    FUZZ_CHECK(n <= len, "body longer than the input");
    FUZZ_CHECK(!starts_with_space(body, n) && !ends_with_space(body, n) &&
                   (n == 0 || (body[0] != '\n' && body[n - 1] != '\n')),
               "body not trimmed");
    FUZZ_CHECK(!memmem(body, n, "\n\n\n", 3), "body has two blank lines in a row");
    size_t i = 0, last_para = 0;
    while (i < n) {
        const char *nl = memchr(body + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - body) : n;
        /* A line is either the empty separator or has a non-blank byte. */
        if (e > i)
            FUZZ_CHECK(!blank(body, i, e), "body line at %zu is blank but not empty", i);
        if (e == i) { /* a separator: the paragraph before it ends */
            last_para = e + 1;
        }
        i = e + 1;
    }
    /* Each paragraph comes from the input. */
    size_t p = 0;
    while (p < n) {
        const char *sep = memmem(body + p, n - p, "\n\n", 2);
        size_t e = sep ? (size_t)(sep - body) : n;
        FUZZ_CHECK(e > p && memmem(text, len, body + p, e - p),
                   "body paragraph at %zu is not in the input", p);
        p = e + 2;
    }
    if (n > 0)
        FUZZ_CHECK(!eq_ci(body + last_para, n - last_para, "blog comments powered by Disqus"),
                   "trailer kept at the end of the body");
    FUZZ_CHECK(d->date == DATE_NONE || (d->date >= YEAR1_SECS && d->date <= YEAR9999_END),
               "date %lld out of range", (long long)d->date);
}

static void same_doc(const doc *a, const doc *b)
{
    for (int k = 0; k < DOC_N_FIELDS; k++)
        FUZZ_CHECK(a->f_len[k] == b->f_len[k] && memcmp(a->f[k], b->f[k], a->f_len[k]) == 0,
                   "field %s differs between two parses", doc_field_name(k));
    FUZZ_CHECK(a->date == b->date, "dates differ between two parses");
}

static void on_problem(void *ctx, enum input_problem p, const char *file, uint64_t line,
                       const char *detail)
{
    (void)ctx;
    FUZZ_CHECK(p == INPUT_BAD_UTF8 || p == INPUT_BAD_DATE || p == INPUT_EMPTY,
               "problem %d for an article", (int)p);
    FUZZ_CHECK(file && strcmp(file, "fuzz/article.txt") == 0, "report names '%s'",
               file ? file : "(null)");
    FUZZ_CHECK(detail && detail[0], "report without detail");
    (void)line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *raw = (const char *)data;

    /* record_parse: the path lede-index takes, from raw bytes. */
    record r;
    record_init(&r);
    FUZZ_CHECK(buf_append(&r.bytes, raw, size) == 0 && buf_puts(&r.file, "fuzz/article.txt") == 0 &&
                   buf_puts(&r.default_id, "article.txt") == 0,
               "out of memory");
    r.kind = RECORD_ARTICLE;
    r.line = 1;
    input_opts opts = {0, on_problem, NULL, NULL};
    input_stats st = {0};
    doc viaread;
    doc_init(&viaread);
    int rc = record_parse(&r, &viaread, &opts, &st);
    FUZZ_CHECK(rc == 0 || rc == 1, "record_parse returned %d", rc);

    /* article_parse on the repaired text, as record_parse calls it. */
    buf text = {0}, nocr = {0};
    FUZZ_CHECK(utf8_repair(&text, raw, size, NULL) == 0, "out of memory");
    const char *t = text.data;
    size_t len = text.len;
    if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) {
        t += 3;
        len -= 3;
    }
    for (size_t i = 0; i < len; i++)
        if (t[i] != '\r')
            FUZZ_CHECK(buf_putc(&nocr, t[i]) == 0, "out of memory");
    if (!nocr.data)
        FUZZ_CHECK(buf_append(&nocr, "", 0) == 0, "out of memory");

    doc d1, d2;
    doc_init(&d1);
    doc_init(&d2);
    unsigned warn1 = 0, warn2 = 0;
    FUZZ_CHECK(article_parse(&d1, t, len, &warn1) == 0, "article_parse failed");
    FUZZ_CHECK((warn1 & ~(unsigned)ARTICLE_WARN_BAD_DATE) == 0, "unknown warning %u", warn1);
    check_doc(&d1, nocr.data, nocr.len);
    FUZZ_CHECK(article_parse(&d2, t, len, &warn2) == 0 && warn1 == warn2, "second parse");
    same_doc(&d1, &d2);

    if (rc == 1) {
        /* record_parse keeps what article_parse found, adding the id. */
        for (int k = DOC_TITLE; k < DOC_N_FIELDS; k++)
            FUZZ_CHECK(viaread.f_len[k] == d1.f_len[k] &&
                           memcmp(viaread.f[k], d1.f[k], d1.f_len[k]) == 0,
                       "record_parse and article_parse disagree on %s", doc_field_name(k));
        FUZZ_CHECK(strcmp(viaread.f[DOC_ID], "article.txt") == 0, "id '%s'", viaread.f[DOC_ID]);
        FUZZ_CHECK(viaread.date == d1.date, "record_parse and article_parse disagree on date");
    } else {
        FUZZ_CHECK(blank(d1.f[DOC_TITLE], 0, d1.f_len[DOC_TITLE]) &&
                       blank(d1.f[DOC_BODY], 0, d1.f_len[DOC_BODY]),
                   "a document with a title or body was skipped");
        FUZZ_CHECK(st.n_problem[INPUT_EMPTY] == 1, "skipped without saying why");
    }

    doc_free(&d1);
    doc_free(&d2);
    doc_free(&viaread);
    buf_free(&text);
    buf_free(&nocr);
    record_free(&r);
    return 0;
}
