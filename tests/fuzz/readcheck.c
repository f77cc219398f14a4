/* readcheck.c - reads the scratch file through input.c and checks the
 * result (contract in readcheck.h). */
#include "readcheck.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc.h"
#include "err.h"
#include "fuzz.h"
#include "input.h"
#include "json.h"
#include "utf8.h"

/* input.c reads this much first to tell binary, JSON Lines and articles
 * apart (HEAD_BYTES there). */
#define MODEL_HEAD_BYTES ((size_t)64 << 10)
#define YEAR1_SECS (-62135596800LL)   /* 0001-01-01T00:00:00 */
#define YEAR9999_END 253402300799LL   /* 9999-12-31T23:59:59 */

static char scratch_path[64];
static int scratch_fd = -1;

static void remove_scratch(void)
{
    if (scratch_fd >= 0) {
        close(scratch_fd);
        unlink(scratch_path);
    }
}

const char *readcheck_write(const void *data, size_t len)
{
    if (scratch_fd < 0) {
        /* In memory when possible: the file is rewritten for every input. */
        const char *dir = getenv("TMPDIR");
        if (!dir || !*dir || strlen(dir) >= 40)
            dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(scratch_path, sizeof scratch_path, "%s/lede-fuzz-XXXXXX", dir);
        scratch_fd = mkstemp(scratch_path);
        FUZZ_CHECK(scratch_fd >= 0, "cannot create a scratch file in %s", scratch_path);
        atexit(remove_scratch);
    }
    FUZZ_CHECK(ftruncate(scratch_fd, 0) == 0, "cannot truncate %s", scratch_path);
    const char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(scratch_fd, p + done, len - done, (off_t)done);
        FUZZ_CHECK(n > 0, "cannot write %s", scratch_path);
        done += (size_t)n;
    }
    return scratch_path;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int all_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_blank(s[i]))
            return 0;
    return 1;
}

/* --- the reading ------------------------------------------------------------ */

struct ctx {
    buf *log;                 /* where reports go now */
    int parsing;              /* inside record_parse (else inside the reader) */
    int damaged_ok;
    enum record_kind kind;    /* of the record being parsed */
    uint64_t max_line;        /* lines in the file, for bounds on report lines */
    uint64_t n_reports[INPUT_N_PROBLEMS];
};

static void on_problem(void *vctx, enum input_problem p, const char *file, uint64_t line,
                       const char *detail)
{
    struct ctx *c = vctx;
    FUZZ_CHECK((unsigned)p < INPUT_N_PROBLEMS, "problem %d", (int)p);
    FUZZ_CHECK(file && strcmp(file, scratch_path) == 0, "report names '%s'",
               file ? file : "(null)");
    FUZZ_CHECK(detail && detail[0], "report without a detail");
    FUZZ_CHECK(line <= c->max_line, "report at line %" PRIu64 " of a %" PRIu64 "-line file",
               line, c->max_line);
    if (c->parsing) {
        int ok = p == INPUT_BAD_UTF8 || p == INPUT_BAD_DATE || p == INPUT_EMPTY ||
                 (p == INPUT_BAD_JSON && c->kind == RECORD_JSON);
        FUZZ_CHECK(ok, "record_parse reported problem %d", (int)p);
    } else {
        int ok = p == INPUT_BINARY || p == INPUT_TOO_LARGE || (p == INPUT_UNREADABLE && c->damaged_ok);
        FUZZ_CHECK(ok, "the reader reported problem %d (%s)", (int)p, detail);
    }
    c->n_reports[p]++;
    if (c->parsing)
        buf_printf(c->log, "prob %d %" PRIu64 " %s\n", (int)p, line, detail);
    else
        buf_printf(c->log, "prob %d %" PRIu64 "\n", (int)p, line);
}

static void check_doc(const doc *d)
{
    for (int k = 0; k < DOC_N_FIELDS; k++) {
        FUZZ_CHECK(d->f[k] && d->f[k][d->f_len[k]] == '\0', "field %d not terminated", k);
        FUZZ_CHECK(utf8_valid(d->f[k], d->f_len[k]), "field %s is not valid UTF-8",
                   doc_field_name(k));
    }
    FUZZ_CHECK(d->f_len[DOC_ID] > 0, "a document without an id");
    FUZZ_CHECK(!all_blank(d->f[DOC_TITLE], d->f_len[DOC_TITLE]) ||
                   !all_blank(d->f[DOC_BODY], d->f_len[DOC_BODY]),
               "an empty document was kept");
    FUZZ_CHECK(d->date == DATE_NONE || (d->date >= YEAR1_SECS && d->date <= YEAR9999_END),
               "date %" PRId64 " out of range", d->date);
}

/* Each field written as a JSON string and read back is the same bytes. */
static void check_json_round_trip(const doc *d)
{
    buf line = {0};
    doc back;
    doc_init(&back);
    for (int k = 0; k < DOC_N_FIELDS; k++) {
        if (d->f_len[k] == 0)
            continue;
        buf_clear(&line);
        FUZZ_CHECK(buf_puts(&line, "{\"title\":") == 0 &&
                       json_put_string(&line, d->f[k], d->f_len[k]) == 0 &&
                       buf_putc(&line, '}') == 0,
                   "out of memory");
        unsigned warn = 0;
        char detail[256];
        int rc = json_parse_doc(&back, line.data, line.len, &warn, detail, sizeof detail);
        FUZZ_CHECK(rc == 0, "json_put_string of %s gave '%s', which does not parse: %s",
                   doc_field_name(k), line.data, detail);
        FUZZ_CHECK(back.f_len[DOC_TITLE] == d->f_len[k] &&
                       memcmp(back.f[DOC_TITLE], d->f[k], d->f_len[k]) == 0,
                   "%s did not survive json_put_string: '%s'", doc_field_name(k), line.data);
    }
    doc_free(&back);
    buf_free(&line);
}

static void log_doc(buf *log, const doc *d)
{
    buf_printf(log, "doc %" PRId64, d->date);
    for (int k = 0; k < DOC_N_FIELDS; k++) {
        buf_printf(log, " %zu:", d->f_len[k]);
        buf_append(log, d->f[k], d->f_len[k]);
    }
    buf_putc(log, '\n');
}

uint64_t readcheck_lines(const char *s, size_t len)
{
    uint64_t n = 1;
    for (const char *p = s, *e = s + len; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        n++;
    return n;
}

void readcheck_read(size_t max_doc, uint64_t n_lines, int damaged_ok, buf *records, buf *docs)
{
    struct ctx c = {records, 0, damaged_ok, RECORD_JSON, n_lines, {0}};

    const char *paths[1] = {scratch_path};
    input_opts opts = {max_doc, on_problem, &c, NULL};
    input *in = NULL;
    FUZZ_CHECK(input_open(&in, paths, 1, &opts) == 0 && in, "input_open failed");
    record r;
    record_init(&r);
    doc d;
    doc_init(&d);
    input_stats st;
    memset(&st, 0, sizeof st);
    uint64_t n_records = 0, prev_line = 0;
    size_t limit = max_doc ? max_doc : INPUT_DEFAULT_MAX_DOC_BYTES;
    for (;;) {
        c.log = records;
        c.parsing = 0;
        int rc = input_next_record(in, &r);
        FUZZ_CHECK(rc == 0 || rc == 1, "input_next_record returned %d", rc);
        if (rc == 0)
            break;
        n_records++;
        FUZZ_CHECK(r.bytes.len <= limit, "a record of %zu bytes over the limit %zu", r.bytes.len,
                   limit);
        FUZZ_CHECK(r.file.data && strcmp(r.file.data, scratch_path) == 0, "record file");
        if (r.kind == RECORD_JSON) {
            FUZZ_CHECK(r.line > prev_line, "JSON line %" PRIu64 " after %" PRIu64, r.line,
                       prev_line);
            FUZZ_CHECK(!memchr(r.bytes.data, '\n', r.bytes.len), "a JSON record with a newline");
            FUZZ_CHECK(!all_blank(r.bytes.data, r.bytes.len), "a blank JSON record");
            prev_line = r.line;
        } else {
            FUZZ_CHECK(r.line == 1 && n_records == 1, "article record at line %" PRIu64, r.line);
        }
        buf_printf(records, "rec %d %" PRIu64 " %zu:", (int)r.kind, r.line, r.bytes.len);
        buf_append(records, r.bytes.data ? r.bytes.data : "", r.bytes.len);
        buf_putc(records, '\n');

        /* What json_parse_doc alone says about the line. */
        int json_rc = 1;
        int json_blank = 0; /* title and body blank after UTF-8 repair */
        if (r.kind == RECORD_JSON) {
            doc j;
            doc_init(&j);
            unsigned warn = 0;
            json_rc = json_parse_doc(&j, r.bytes.data, r.bytes.len, &warn, NULL, 0);
            FUZZ_CHECK(json_rc == 0 || json_rc == LEDE_ECORRUPT, "json_parse_doc returned %d",
                       json_rc);
            if (json_rc == 0) {
                buf t = {0}, b = {0};
                FUZZ_CHECK(utf8_repair(&t, j.f[DOC_TITLE], j.f_len[DOC_TITLE], NULL) == 0 &&
                               utf8_repair(&b, j.f[DOC_BODY], j.f_len[DOC_BODY], NULL) == 0,
                           "out of memory");
                json_blank = all_blank(t.data, t.len) && all_blank(b.data, b.len);
                buf_free(&t);
                buf_free(&b);
            }
            doc_free(&j);
        }

        c.log = docs;
        c.parsing = 1;
        c.kind = r.kind;
        uint64_t before = c.n_reports[INPUT_BAD_JSON] + c.n_reports[INPUT_EMPTY];
        rc = record_parse(&r, &d, &opts, &st);
        FUZZ_CHECK(rc == 0 || rc == 1, "record_parse returned %d", rc);
        if (rc == 1) {
            check_doc(&d);
            log_doc(docs, &d);
            check_json_round_trip(&d);
        } else {
            FUZZ_CHECK(c.n_reports[INPUT_BAD_JSON] + c.n_reports[INPUT_EMPTY] == before + 1,
                       "a record skipped without a report");
        }
        if (r.kind == RECORD_JSON)
            FUZZ_CHECK(rc == (json_rc == 0 && !json_blank),
                       "record_parse %d, json_parse_doc %d (blank title and body %d)", rc,
                       json_rc, json_blank);
    }
    const input_stats *ist = input_get_stats(in);
    FUZZ_CHECK(ist->n_records == n_records, "stats count %" PRIu64 " records, not %" PRIu64,
               ist->n_records, n_records);
    for (int p = 0; p < INPUT_N_PROBLEMS; p++)
        FUZZ_CHECK(ist->n_problem[p] + st.n_problem[p] == c.n_reports[p],
                   "problem %d counted %" PRIu64 " times, reported %" PRIu64, p,
                   ist->n_problem[p] + st.n_problem[p], c.n_reports[p]);
    doc_free(&d);
    record_free(&r);
    input_close(in);
}

/* --- the model --------------------------------------------------------------- */

void readcheck_model(const char *s, size_t len, size_t max_doc, buf *out)
{
    size_t limit = max_doc ? max_doc : INPUT_DEFAULT_MAX_DOC_BYTES;
    size_t head = len < MODEL_HEAD_BYTES ? len : MODEL_HEAD_BYTES;
    if (memchr(s, '\0', head)) {
        buf_printf(out, "prob %d 0\n", (int)INPUT_BINARY);
        return;
    }
    size_t i = head >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < head && is_blank(s[i]))
        i++;
    if (!(i < head && s[i] == '{')) { /* one article */
        if (len > limit) {
            buf_printf(out, "prob %d 0\n", (int)INPUT_TOO_LARGE);
        } else {
            buf_printf(out, "rec %d 1 %zu:", (int)RECORD_ARTICLE, len);
            buf_append(out, s, len);
            buf_putc(out, '\n');
        }
        return;
    }
    uint64_t line = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - s) : len;
        size_t n = end - pos;
        if (nl && n > 0 && s[end - 1] == '\r')
            n--; /* "\r\n" ends a line; a lone "\r" at the very end stays */
        line++;
        if (n > limit) {
            buf_printf(out, "prob %d %" PRIu64 "\n", (int)INPUT_TOO_LARGE, line);
        } else if (!all_blank(s + pos, n)) {
            buf_printf(out, "rec %d %" PRIu64 " %zu:", (int)RECORD_JSON, line, n);
            buf_append(out, s + pos, n);
            buf_putc(out, '\n');
        }
        pos = end + 1;
    }
}
