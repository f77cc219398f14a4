/* output.c - text and JSON rendering of search results (see output.h).
 *
 * Stored text comes from documents anyone may have written: in text output a
 * control character (C0 but tab and newline, DEL, C1) is shown as U+FFFD, so
 * that no document can send escape sequences to the terminal. JSON output
 * escapes them instead. */
#include "output.h"

#include <inttypes.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "json.h"

/* Snippets are looked for in the first 1 MiB of a body (as Lucene's
 * highlighters stop at a maximum analyzed offset): a huge document costs a
 * hit no more time or memory than a long one (docs/LIMITS.md). */
#define SNIPPET_TEXT_MAX ((size_t)1 << 20)

#define HL_ON "\033[1;33m"
#define HL_OFF "\033[0m"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* The length of the control character at t[i] (1, or 2 for C1 in UTF-8), or 0. */
static size_t control_at(const char *t, size_t i, size_t end)
{
    unsigned char c = (unsigned char)t[i];
    if (c < 0x20 || c == 0x7F)
        return 1;
    if (c == 0xC2 && i + 1 < end && (unsigned char)t[i + 1] >= 0x80 &&
        (unsigned char)t[i + 1] <= 0x9F)
        return 2;
    return 0;
}

/* Appends t[0..len) for the terminal: newlines kept when `newlines` (a "\r"
 * before one dropped), else white space shown as a space; other control
 * characters as U+FFFD. */
static void put_text(buf *o, const char *t, size_t len, int newlines)
{
    size_t run = 0;
    for (size_t i = 0; i < len;) {
        size_t n = control_at(t, i, len);
        if (n == 0) {
            i++;
            continue;
        }
        buf_append(o, t + run, i - run);
        char c = t[i];
        if (newlines && c == '\n')
            buf_putc(o, '\n');
        else if (newlines && c == '\r' && i + 1 < len && t[i + 1] == '\n')
            ; /* CRLF: the newline follows */
        else if (c == '\t' || c == '\n' || c == '\r')
            buf_putc(o, c == '\t' && newlines ? '\t' : ' ');
        else
            buf_puts(o, REPLACEMENT);
        i += n;
        run = i;
    }
    buf_append(o, t + run, len - run);
}

/* Prints text[a..b) with white space runs folded to one space. */
static void put_folded(buf *o, const char *t, uint32_t a, uint32_t b)
{
    int space = 0;
    for (uint32_t i = a; i < b; i++) {
        char ch = t[i];
        if (ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ') {
            space = 1;
            continue;
        }
        if (space)
            buf_putc(o, ' ');
        space = 0;
        size_t n = control_at(t, i, b);
        if (n) {
            buf_puts(o, REPLACEMENT);
            i += (uint32_t)n - 1;
        } else {
            buf_putc(o, ch);
        }
    }
    if (space)
        buf_putc(o, ' ');
}

static void render_fragment(buf *o, const char *text, size_t len, const snippet_fragment *fr,
                            const output_opts *op)
{
    uint32_t at = fr->start;
    if (fr->start > 0)
        buf_puts(o, "...");
    for (size_t i = 0; i < fr->n_matches; i++) {
        const snippet_span *m = &fr->matches[i];
        put_folded(o, text, at, m->start);
        buf_puts(o, op->color ? HL_ON : "[");
        put_folded(o, text, m->start, m->end);
        buf_puts(o, op->color ? HL_OFF : "]");
        at = m->end;
    }
    put_folded(o, text, at, fr->end);
    if (fr->end < len)
        buf_puts(o, "...");
}

static void json_field(buf *o, const char *name, const char *s, size_t len)
{
    buf_printf(o, ",\"%s\":", name);
    json_put_string(o, s, len);
}

int output_hits(FILE *f, searcher *s, const char *q, size_t qlen, const search_params *p,
                const search_result *r, const output_opts *o, double micros)
{
    buf line = {0};
    analyzer *a = searcher_analyzer(s);
    snippet_opts so = {o->snippet_bytes, o->fragments};
    int rc = 0;
    for (size_t i = 0; i < r->n_hits && rc == 0; i++) {
        const search_hit *h = &r->hits[i];
        docrec d;
        int64_t date;
        const char *text;
        size_t text_len;
        rc = searcher_doc(s, h->doc, &d, &date);
        /* borrowed, not copied: a 200 MB body is in memory once, decompressed */
        rc = rc ? rc : searcher_body_ref(s, h->doc, &text, &text_len);
        if (rc)
            break;
        size_t scan = text_len;
        if (scan > SNIPPET_TEXT_MAX) { /* cut before a character, not inside one */
            scan = SNIPPET_TEXT_MAX;
            while (scan > 0 && ((unsigned char)text[scan] & 0xC0) == 0x80)
                scan--;
        }
        snippet sn = {NULL, 0};
        if (o->fragments)
            rc = snippet_make(&sn, a, text, scan, (const char *const *)r->terms, r->term_lens,
                              r->n_terms, &so);
        if (rc)
            break;
        char ds[32];
        if (!date_format(ds, sizeof ds, date, 0))
            ds[0] = '\0';
        buf_clear(&line);
        size_t rank = p->offset + i + 1;
        if (o->json) {
            buf_printf(&line, "{\"rank\":%zu,\"score\":%.6f", rank, h->score);
            json_field(&line, "id", d.id, d.id_len);
            if (ds[0])
                json_field(&line, "date", ds, strlen(ds));
            else
                buf_puts(&line, ",\"date\":null");
            json_field(&line, "source", d.source, d.source_len);
            json_field(&line, "section", d.section, d.section_len);
            json_field(&line, "title", d.title, d.title_len);
            buf_puts(&line, ",\"snippets\":[");
            for (size_t k = 0; k < sn.n_frags; k++) {
                const snippet_fragment *fr = &sn.frags[k];
                buf_printf(&line, "%s{\"start\":%u,\"end\":%u", k ? "," : "", fr->start, fr->end);
                json_field(&line, "text", text + fr->start, fr->end - fr->start);
                buf_puts(&line, ",\"matches\":[");
                for (size_t m = 0; m < fr->n_matches; m++)
                    buf_printf(&line, "%s[%u,%u]", m ? "," : "", fr->matches[m].start,
                               fr->matches[m].end);
                buf_puts(&line, "]}");
            }
            buf_putc(&line, ']');
            if (o->explain) { /* the text --explain prints, as one string */
                buf ex = {0};
                query_error qe;
                rc = searcher_explain(s, q, qlen, p, h->doc, &ex, &qe);
                rc = rc ? rc : ex.err;
                if (rc == 0)
                    json_field(&line, "explain", ex.data ? ex.data : "", ex.len);
                buf_free(&ex);
            }
            buf_puts(&line, "}\n");
        } else {
            buf_printf(&line, "%zu. ", rank);
            put_text(&line, d.id, d.id_len, 0);
            buf_printf(&line, "  %s  ", ds[0] ? ds : "(no date)");
            put_text(&line, d.source, d.source_len, 0);
            if (!p->sort_date)
                buf_printf(&line, "  (score %.3f)", h->score);
            buf_printf(&line, "\n   %s", o->color ? "\033[1m" : "");
            put_text(&line, d.title, d.title_len, 0);
            buf_printf(&line, "%s\n", o->color ? HL_OFF : "");
            for (size_t k = 0; k < sn.n_frags; k++) {
                buf_puts(&line, "   ");
                render_fragment(&line, text, text_len, &sn.frags[k], o);
                buf_putc(&line, '\n');
            }
            if (o->explain) {
                query_error qe;
                rc = searcher_explain(s, q, qlen, p, h->doc, &line, &qe);
            }
            buf_putc(&line, '\n');
        }
        snippet_free(&sn);
        if (rc == 0 && line.err)
            rc = line.err;
        if (rc == 0)
            fwrite(line.data, 1, line.len, f);
    }
    if (rc == 0) {
        if (o->json)
            fprintf(f, "{\"summary\":true,\"total\":%" PRIu64 ",\"exact\":%s,\"returned\":%zu,"
                       "\"offset\":%zu,\"micros\":%.0f}\n",
                    r->total, r->total_exact ? "true" : "false", r->n_hits, p->offset, micros);
        else
            fprintf(f, "%s%" PRIu64 " matching document%s%s; showing %zu from %zu (%.2f ms)\n",
                    r->total_exact ? "" : "at least ", r->total, r->total == 1 ? "" : "s",
                    r->total_exact ? "" : " (--count counts them all)", r->n_hits,
                    r->n_hits || p->offset ? p->offset + 1 : 0, micros / 1000.0);
    }
    buf_free(&line);
    return rc;
}

/* Empty periods in a row from which the chart prints one line for them. */
#define TIMELINE_EMPTY_RUN 4

int output_timeline(FILE *f, const search_result *r, const output_opts *o, double micros)
{
    uint64_t max = 1;
    for (size_t i = 0; i < r->n_buckets; i++)
        max = r->timeline[i].count > max ? r->timeline[i].count : max;
    if (o->json) {
        for (size_t i = 0; i < r->n_buckets; i++) {
            const timeline_bucket *b = &r->timeline[i];
            if (b->month)
                fprintf(f, "{\"period\":\"%04d-%02d\",\"count\":%" PRIu64 "}\n", b->year, b->month, b->count);
            else
                fprintf(f, "{\"period\":\"%04d\",\"count\":%" PRIu64 "}\n", b->year, b->count);
        }
        fprintf(f, "{\"summary\":true,\"total\":%" PRIu64 ",\"exact\":%s,\"undated\":%" PRIu64
                   ",\"micros\":%.0f}\n",
                r->total, r->total_exact ? "true" : "false", r->undated, micros);
        return 0;
    }
    const int width = 50;
    for (size_t i = 0; i < r->n_buckets; i++) {
        const timeline_bucket *b = &r->timeline[i];
        /* a long empty stretch (one misdated article can make the span
         * centuries long) is one line, not a row per period */
        size_t run = 0;
        while (i + run < r->n_buckets && r->timeline[i + run].count == 0)
            run++;
        if (run >= TIMELINE_EMPTY_RUN && i > 0 && i + run < r->n_buckets) {
            fprintf(f, "%-8s %8s (%zu %s without a match)\n", "...", "", run,
                    b->month ? "months" : "years");
            i += run - 1;
            continue;
        }
        char period[16];
        if (b->month)
            snprintf(period, sizeof period, "%04d-%02d", b->year, b->month);
        else
            snprintf(period, sizeof period, "%04d", b->year);
        int bar = (int)((b->count * (uint64_t)width + max - 1) / max);
        fprintf(f, "%-8s %8" PRIu64 " ", period, b->count);
        for (int k = 0; k < bar; k++)
            fputs(o->color ? "\u2588" : "#", f);
        fputc('\n', f);
    }
    fprintf(f, "%s%" PRIu64 " matching document%s", r->total_exact ? "" : "at least ", r->total,
            r->total == 1 ? "" : "s");
    if (r->undated)
        fprintf(f, " (%" PRIu64 " without a date, not shown)", r->undated);
    fprintf(f, " (%.2f ms)\n", micros / 1000.0);
    return 0;
}

/* A document's body is printed in pieces of about this many bytes, so that
 * printing it holds its text once (decompressed), not a second time escaped. */
#define DOC_PIECE ((size_t)64 << 10)

/* Writes body[0..len) to f as put_text (newlines kept) or as the inside of a
 * JSON string would, piece by piece, with line as scratch. A piece never
 * ends on a '\r' or a 0xC2 (put_text looks at the byte after them: CRLF, C1
 * controls), so the output is that of one call on the whole body. */
static int put_body(FILE *f, buf *line, const char *body, size_t len, int json)
{
    for (size_t at = 0; at < len;) {
        size_t n = len - at < DOC_PIECE ? len - at : DOC_PIECE;
        while (at + n < len && (body[at + n - 1] == '\r' || (unsigned char)body[at + n - 1] == 0xC2))
            n++;
        buf_clear(line);
        if (json)
            json_put_string(line, body + at, n);
        else
            put_text(line, body + at, n, 1);
        if (line->err)
            return line->err;
        if (json) /* without the quotes */
            fwrite(line->data + 1, 1, line->len - 2, f);
        else
            fwrite(line->data, 1, line->len, f);
        at += n;
    }
    return 0;
}

int output_document(FILE *f, searcher *s, uint32_t doc, const output_opts *o)
{
    docrec d;
    int64_t date;
    buf line = {0};
    const char *body;
    size_t body_len;
    int rc = searcher_doc(s, doc, &d, &date);
    rc = rc ? rc : searcher_body_ref(s, doc, &body, &body_len);
    if (rc)
        return rc;
    char ds[32];
    if (!date_format(ds, sizeof ds, date, 0))
        ds[0] = '\0';
    if (o->json) {
        buf_puts(&line, "{\"id\":");
        json_put_string(&line, d.id, d.id_len);
        if (ds[0])
            json_field(&line, "date", ds, strlen(ds));
        json_field(&line, "source", d.source, d.source_len);
        json_field(&line, "section", d.section, d.section_len);
        json_field(&line, "url", d.url, d.url_len);
        json_field(&line, "title", d.title, d.title_len);
        buf_puts(&line, ",\"body\":\"");
    } else {
        put_text(&line, d.title, d.title_len, 0);
        buf_puts(&line, "\n\nid: ");
        put_text(&line, d.id, d.id_len, 0);
        buf_putc(&line, '\n');
        if (ds[0])
            buf_printf(&line, "date: %s\n", ds);
        const struct {
            const char *name, *s;
            size_t len;
        } rows[] = {{"source", d.source, d.source_len},
                    {"section", d.section, d.section_len},
                    {"url", d.url, d.url_len}};
        for (size_t k = 0; k < sizeof rows / sizeof *rows; k++) {
            if (!rows[k].len)
                continue;
            buf_printf(&line, "%s: ", rows[k].name);
            put_text(&line, rows[k].s, rows[k].len, 0);
            buf_putc(&line, '\n');
        }
        buf_putc(&line, '\n');
    }
    rc = line.err;
    if (rc == 0)
        fwrite(line.data, 1, line.len, f);
    if (rc == 0)
        rc = put_body(f, &line, body, body_len, o->json);
    if (rc == 0)
        fputs(o->json ? "\"}\n" : "\n", f);
    buf_free(&line);
    return rc;
}

/* A TREC run line is six fields split at ASCII white space: in a docid,
 * each byte that could split it or end the line (0x00-0x20, DEL) is written
 * %XX, and so is '%' itself, so the docid field decodes back to the id
 * (docs/QUERY.md, "Free-text mode"). Bytes from 0x80 pass as they are. */
static int trec_escapes(unsigned char c)
{
    return c <= 0x20 || c == 0x7F || c == '%';
}

static void put_trec_id(buf *o, const char *id, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (!trec_escapes(c))
            continue;
        buf_append(o, id + run, i - run);
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        buf_append(o, esc, 3);
        run = i + 1;
    }
    buf_append(o, id + run, len - run);
}

int output_trec(FILE *f, searcher *s, const char *qid, const search_result *r, const char *tag)
{
    buf line = {0};
    int rc = 0;
    for (size_t i = 0; i < r->n_hits && rc == 0; i++) {
        docrec d;
        rc = searcher_doc(s, r->hits[i].doc, &d, NULL);
        if (rc)
            break;
        buf_clear(&line);
        buf_printf(&line, "%s Q0 ", qid);
        put_trec_id(&line, d.id, d.id_len);
        buf_printf(&line, " %zu %.6f %s\n", i + 1, r->hits[i].score, tag);
        rc = line.err;
        if (rc == 0)
            fwrite(line.data, 1, line.len, f);
    }
    buf_free(&line);
    return rc;
}
