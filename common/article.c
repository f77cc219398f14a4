/* article.c - the editorial plain-text layout (contract and layout in
 * article.h).
 *
 * Called by the input reader for every file that is not JSON Lines, so it
 * must stay linear: one forward pass finds the title and the metadata line,
 * one backward pass over the tail peels off the trailer boilerplate and the
 * "Posted in:" section, and one forward pass copies the paragraphs in
 * between. Each byte is looked at a bounded number of times. */
#include "article.h"

#include <string.h>

#include "buf.h"
#include "date.h"
#include "err.h"

/* Paragraphs that layout generators append after the article and that are
 * never part of it. Compared with the whole trimmed paragraph, ignoring ASCII
 * case; only dropped at the end of the text. */
static const char *const trailer_lines[] = {
    "blog comments powered by Disqus",
};

/* ---- white space: ASCII blanks and U+00A0 (UTF-8 C2 A0) ---- */

static int is_ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Length of the white space at t[i] (0 if none); never reads past end. */
static size_t space_at(const char *t, size_t i, size_t end)
{
    unsigned char c = (unsigned char)t[i];
    if (is_ascii_space(c))
        return 1;
    if (c == 0xC2 && i + 1 < end && (unsigned char)t[i + 1] == 0xA0)
        return 2;
    return 0;
}

/* Length of the white space ending just before t[end] (0 if none). */
static size_t space_before(const char *t, size_t begin, size_t end)
{
    unsigned char c = (unsigned char)t[end - 1];
    if (is_ascii_space(c))
        return 1;
    if (c == 0xA0 && end - begin >= 2 && (unsigned char)t[end - 2] == 0xC2)
        return 2;
    return 0;
}

static size_t skip_space(const char *t, size_t i, size_t end)
{
    size_t n;
    while (i < end && (n = space_at(t, i, end)) != 0)
        i += n;
    return i;
}

static size_t skip_space_back(const char *t, size_t begin, size_t end)
{
    size_t n;
    while (end > begin && (n = space_before(t, begin, end)) != 0)
        end -= n;
    return end;
}

/* Narrows [*b, *e) to exclude surrounding white space. */
static void trim(const char *t, size_t *b, size_t *e)
{
    *b = skip_space(t, *b, *e);
    *e = skip_space_back(t, *b, *e);
}

static int is_blank(const char *t, size_t b, size_t e)
{
    return skip_space(t, b, e) == e;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether t[i..end) starts with the lower-case ASCII word w, ignoring case. */
static int starts_with_ci(const char *t, size_t i, size_t end, const char *w)
{
    size_t n = strlen(w);
    if (end - i < n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (ascii_lower(t[i + k]) != w[k])
            return 0;
    return 1;
}

/* If t[i..end) is `key`, optional white space and ':', returns the index after
 * the ':'; else 0 (never a valid answer, since the key is not empty). */
static size_t keyword_colon(const char *t, size_t i, size_t end, const char *key)
{
    if (!starts_with_ci(t, i, end, key))
        return 0;
    i = skip_space(t, i + strlen(key), end);
    return i < end && t[i] == ':' ? i + 1 : 0;
}

/* ---- lines ---- */

/* The line starting at `pos`: [pos, *line_end) without the '\n'; returns the
 * start of the next line (len when there is none). */
static size_t next_line(const char *t, size_t pos, size_t len, size_t *line_end)
{
    const char *nl = memchr(t + pos, '\n', len - pos);
    if (!nl) {
        *line_end = len;
        return len;
    }
    *line_end = (size_t)(nl - t);
    return *line_end + 1;
}

/* The start of the line that ends at `end` (the line holds no '\n'). */
static size_t line_start_back(const char *t, size_t begin, size_t end)
{
    while (end > begin && t[end - 1] != '\n')
        end--;
    return end;
}

/* Finds the last paragraph in t[begin..end) when it is a single line (the
 * only kind a trailer or a "Posted in:" line can be): *pb, *pe get its trimmed
 * span and *line_begin the start of the line, so the text before it is
 * t[begin..*line_begin). Returns 0 when the range holds only blank lines or
 * ends with a longer paragraph, without scanning that paragraph further. */
static int last_line_paragraph(const char *t, size_t begin, size_t end, size_t *pb, size_t *pe,
                               size_t *line_begin)
{
    size_t ls;
    for (;;) { /* skip blank lines at the end */
        if (end <= begin)
            return 0;
        ls = line_start_back(t, begin, end);
        if (!is_blank(t, ls, end))
            break;
        end = ls > begin ? ls - 1 : begin; /* also drop the '\n' before the line */
    }
    if (ls > begin) { /* is the line above part of the same paragraph? */
        size_t above_end = ls - 1;
        size_t above = line_start_back(t, begin, above_end);
        if (!is_blank(t, above, above_end))
            return 0;
    }
    *line_begin = ls;
    *pb = ls;
    *pe = end;
    trim(t, pb, pe);
    return 1;
}

/* '\r' bytes are skipped: they are removed from everything the parser
 * keeps, so a paragraph reads as the trailer once they are gone. */
static int is_trailer(const char *t, size_t b, size_t e)
{
    for (size_t k = 0; k < sizeof trailer_lines / sizeof trailer_lines[0]; k++) {
        const char *w = trailer_lines[k];
        size_t n = strlen(w), i = 0, j = b;
        for (; j < e; j++) {
            if (t[j] == '\r')
                continue;
            if (i == n || ascii_lower(t[j]) != ascii_lower(w[i]))
                break;
            i++;
        }
        if (i == n && j == e)
            return 1;
    }
    return 0;
}

/* Drops trailer paragraphs from the end of t[begin..*end). */
static void drop_trailers(const char *t, size_t begin, size_t *end)
{
    size_t pb, pe, line_begin;
    while (last_line_paragraph(t, begin, *end, &pb, &pe, &line_begin) && is_trailer(t, pb, pe))
        *end = line_begin;
}

/* ---- the metadata line ---- */

/* The parts of a metadata line, as spans of the text. */
struct meta {
    size_t src_b, src_e;   /* the source, trimmed (empty when absent) */
    size_t date_b, date_e; /* the text after "Published:", trimmed */
    int has_date;          /* whether there was a "Published:" at all */
};

/* Parses "Source:<s> Published: <date>" (either part optional) in the
 * trimmed line t[b..e). Returns 1 if it is such a line, 0 if it is ordinary
 * text. */
static int parse_meta(const char *t, size_t b, size_t e, struct meta *m)
{
    size_t vd = keyword_colon(t, b, e, "published");
    m->src_b = m->src_e = m->date_b = m->date_e = b;
    m->has_date = 0;
    if (vd == 0) {
        size_t vs = keyword_colon(t, b, e, "source");
        if (vs == 0)
            return 0;
        /* The source ends where a word "Published" followed by ':' starts; a
         * source that merely contains the word keeps it. */
        m->src_b = vs;
        m->src_e = e;
        for (size_t i = vs; i < e; i++) {
            if (i > vs && space_before(t, vs, i) == 0)
                continue;
            if ((vd = keyword_colon(t, i, e, "published")) != 0) {
                m->src_e = i;
                break;
            }
        }
        trim(t, &m->src_b, &m->src_e);
    }
    if (vd != 0) {
        m->has_date = 1;
        m->date_b = vd;
        m->date_e = e;
        trim(t, &m->date_b, &m->date_e);
    }
    return 1;
}

/* ---- body ---- */

/* Appends t[b..e) without '\r' bytes. */
static int append_no_cr(buf *out, const char *t, size_t b, size_t e)
{
    while (b < e) {
        const char *cr = memchr(t + b, '\r', e - b);
        size_t stop = cr ? (size_t)(cr - t) : e;
        int rc = buf_append(out, t + b, stop - b);
        if (rc)
            return rc;
        b = cr ? stop + 1 : e;
    }
    return 0;
}

/* Copies the paragraphs of t[begin..end) into out, trimmed and joined by
 * "\n\n". */
static int copy_paragraphs(buf *out, const char *t, size_t begin, size_t end)
{
    size_t pos = begin, para_b = 0, para_e = 0;
    int in_para = 0;
    while (pos < end) {
        size_t le;
        size_t next = next_line(t, pos, end, &le);
        if (is_blank(t, pos, le)) {
            in_para = 0;
        } else {
            if (!in_para) {
                /* Flush the previous paragraph now that we know another one
                 * follows it. */
                if (para_e > para_b) {
                    int rc = append_no_cr(out, t, para_b, para_e);
                    if (!rc)
                        rc = buf_append(out, "\n\n", 2);
                    if (rc)
                        return rc;
                }
                para_b = skip_space(t, pos, le);
                in_para = 1;
            }
            para_e = skip_space_back(t, pos, le);
        }
        pos = next;
    }
    if (para_e > para_b)
        return append_no_cr(out, t, para_b, para_e);
    return 0;
}

/* Finds the first non-blank line at or after `pos`: *b, *e get its trimmed
 * span and *after the start of the line after it. Returns 0 if there is none. */
static int next_nonblank(const char *t, size_t pos, size_t len, size_t *b, size_t *e,
                         size_t *after)
{
    while (pos < len) {
        size_t le, next = next_line(t, pos, len, &le);
        if (!is_blank(t, pos, le)) {
            *b = pos;
            *e = le;
            trim(t, b, e);
            *after = next;
            return 1;
        }
        pos = next;
    }
    return 0;
}

/* 1 when byte b (of a non-blank line) lies on the line that starts at `at`:
 * no blank line came between. */
static int on_line_at(const char *t, size_t at, size_t len, size_t b)
{
    size_t le;
    next_line(t, at, len, &le);
    return b < le;
}

/* Sets field `which` to t[b..e) with '\r' removed. */
static int set_field(doc *d, enum doc_field which, const char *t, size_t b, size_t e)
{
    if (!memchr(t + b, '\r', e - b))
        return doc_set(d, which, t + b, e - b);
    buf tmp = {0};
    int rc = append_no_cr(&tmp, t, b, e);
    if (rc) {
        buf_free(&tmp);
        return rc;
    }
    size_t n = tmp.len;
    char *s = buf_detach(&tmp);
    if (!s)
        return LEDE_ENOMEM;
    doc_take(d, which, s, n);
    return 0;
}

int article_parse(doc *d, const char *text, size_t len, unsigned *warn)
{
    int rc = 0;
    buf body = {0};
    const char *t = text ? text : "";
    if (!text)
        len = 0;

    d->date = DATE_NONE;
    doc_take(d, DOC_TITLE, NULL, 0);
    doc_take(d, DOC_SOURCE, NULL, 0);
    doc_take(d, DOC_SECTION, NULL, 0);
    doc_take(d, DOC_BODY, NULL, 0);

    size_t pos = 0;
    if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 byte order mark */
        pos = 3;

    /* The first two non-blank lines: title and metadata line. */
    size_t b1, e1, b2 = 0, e2 = 0, after1, after2 = len;
    if (!next_nonblank(t, pos, len, &b1, &e1, &after1))
        return 0;
    int has2 = next_nonblank(t, after1, len, &b2, &e2, &after2);
    struct meta m1, m2;
    int meta1 = parse_meta(t, b1, e1, &m1);
    int meta2 = has2 && parse_meta(t, b2, e2, &m2);
    const struct meta *m = NULL;
    size_t body_begin = after1;
    size_t b3, e3, after3;
    struct meta m3;
    if (!meta1 && !meta2 && has2 && on_line_at(t, after1, len, b2) &&
        next_nonblank(t, after2, len, &b3, &e3, &after3) && on_line_at(t, after2, len, b3) &&
        parse_meta(t, b3, e3, &m3)) {
        /* A title wrapped onto a second line, the metadata line third (no
         * blank line between them): the two lines are the title. */
        buf title = {0};
        rc = append_no_cr(&title, t, b1, e1);
        rc = rc ? rc : buf_putc(&title, ' ');
        rc = rc ? rc : append_no_cr(&title, t, b2, e2);
        size_t n = title.len;
        char *st = rc ? NULL : buf_detach(&title);
        buf_free(&title);
        if (!st)
            return rc ? rc : LEDE_ENOMEM;
        doc_take(d, DOC_TITLE, st, n);
        m = &m3;
        body_begin = after3;
    } else if (meta1 && !meta2) {
        /* An empty title line left the metadata line first (737 files of
         * the reuters21578 corpus). A headline that merely looks like one is
         * told apart by the real metadata line after it. */
        m = &m1;
    } else {
        if ((rc = set_field(d, DOC_TITLE, t, b1, e1)) != 0)
            return rc;
        if (meta2) {
            m = &m2;
            body_begin = after2;
        }
    }
    if (m) {
        if ((rc = set_field(d, DOC_SOURCE, t, m->src_b, m->src_e)) != 0)
            return rc;
        if (m->has_date && date_parse(&d->date, t + m->date_b, m->date_e - m->date_b) != 0 &&
            warn)
            *warn |= ARTICLE_WARN_BAD_DATE;
    }

    /* Tail: trailer boilerplate, then "Posted in: <SECTION>" as the last
     * paragraph, then (in case the order was swapped) boilerplate again. */
    size_t body_end = len;
    drop_trailers(t, body_begin, &body_end);
    size_t pb, pe, line_begin;
    if (last_line_paragraph(t, body_begin, body_end, &pb, &pe, &line_begin)) {
        size_t v = keyword_colon(t, pb, pe, "posted in");
        if (v != 0) {
            size_t sb = v, se = pe;
            trim(t, &sb, &se);
            if ((rc = set_field(d, DOC_SECTION, t, sb, se)) != 0)
                return rc;
            body_end = line_begin;
            drop_trailers(t, body_begin, &body_end);
        }
    }

    if (body_end > body_begin && (rc = buf_reserve(&body, body_end - body_begin)) != 0)
        goto cleanup;
    if ((rc = copy_paragraphs(&body, t, body_begin, body_end)) != 0)
        goto cleanup;
    if (body.len > 0) {
        size_t n = body.len;
        char *s = buf_detach(&body);
        if (!s) {
            rc = LEDE_ENOMEM;
            goto cleanup;
        }
        doc_take(d, DOC_BODY, s, n);
    }

cleanup:
    buf_free(&body);
    return rc;
}
