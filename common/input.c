/* input.c - named paths -> records -> documents (see input.h).
 *
 * input_open walks the named directories once into a flat, sorted list of
 * files (directories read with opendir/readdir, names compared bytewise,
 * names starting with '.' skipped, symbolic links to directories not
 * followed, links to regular files read). input_next_record then reads that
 * list file by file through zio: the first HEAD_BYTES decide the file's fate
 * (a NUL byte: binary, skipped; first non-blank byte '{': JSON Lines, one
 * record per non-blank line; otherwise one article per file). Standard input
 * ("-", also its name in messages) is always JSON Lines. Memory stays bounded
 * by max_doc_bytes: lines and articles are never kept beyond it.
 *
 * Problems are reported with line 0 when they concern a whole file (an
 * unreadable, binary or oversized file, an empty article) and with the line
 * number otherwise (a JSON line; for an article, the line of the first
 * invalid UTF-8 sequence or of the Published: date). */
#include "input.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "article.h"
#include "err.h"
#include "json.h"
#include "utf8.h"
#include "zio.h"

#define HEAD_BYTES ((size_t)64 << 10) /* read first; decides binary / JSON / article */

struct file_entry {
    char *path;    /* as reached from the named input; owned */
    size_t id_off; /* the article's default id is path + id_off */
    uint64_t size; /* from stat; 0 for standard input and non-regular files */
};

struct input {
    input_opts opts;
    size_t max_doc;
    input_stats st;
    struct file_entry *files;
    size_t n_files, cap_files, next_file;
    uint64_t total_bytes;

    /* The file being read. */
    zio *z;
    const struct file_entry *cur;
    enum record_kind kind;
    buf head;        /* its first bytes; JSON lines are taken from here first */
    size_t head_pos;
    buf rest;        /* the part of a line after the end of head */
    uint64_t line;   /* lines read so far */
    uint64_t raw_done; /* raw bytes of the files already finished */
    int has_skip;      /* opts.skip_dir exists: its device and inode */
    dev_t skip_dev;
    ino_t skip_ino;
};

int input_problem_skips(enum input_problem p)
{
    return p != INPUT_BAD_UTF8 && p != INPUT_BAD_DATE;
}

const char *input_problem_name(enum input_problem p)
{
    switch (p) {
    case INPUT_UNREADABLE: return "unreadable files";
    case INPUT_BINARY: return "binary files";
    case INPUT_BAD_JSON: return "malformed JSON lines";
    case INPUT_TOO_LARGE: return "documents over the size limit";
    case INPUT_EMPTY: return "empty documents";
    case INPUT_BAD_UTF8: return "documents with invalid UTF-8 (repaired)";
    case INPUT_BAD_DATE: return "documents with an unreadable date (kept without)";
    case INPUT_INDEX_DIR: return "lede index directories (not read)";
    case INPUT_NOT_ARTICLE: return "files named as no article (not read)";
    default: return "problems";
    }
}

void record_init(record *r)
{
    memset(r, 0, sizeof *r);
}

void record_free(record *r)
{
    if (!r)
        return;
    buf_free(&r->bytes);
    buf_free(&r->file);
    buf_free(&r->default_id);
}

static void report(const input_opts *opts, input_stats *st, enum input_problem p,
                   const char *file, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void report(const input_opts *opts, input_stats *st, enum input_problem p,
                   const char *file, uint64_t line, const char *fmt, ...)
{
    if (st)
        st->n_problem[p]++;
    if (!opts || !opts->report)
        return;
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    opts->report(opts->report_ctx, p, file, line, detail);
}

/* --- the file list ---------------------------------------------------------- */

static int add_file(input *in, const char *path, size_t id_off, uint64_t size)
{
    if (in->n_files == in->cap_files) {
        size_t cap = in->cap_files ? in->cap_files * 2 : 64;
        struct file_entry *p = realloc(in->files, cap * sizeof *p);
        if (!p)
            return LEDE_ENOMEM;
        in->files = p;
        in->cap_files = cap;
    }
    char *copy = strdup(path);
    if (!copy)
        return LEDE_ENOMEM;
    in->files[in->n_files++] = (struct file_entry){copy, id_off, size};
    in->total_bytes += size;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    /* strcmp compares as unsigned char: bytewise order. */
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory whose entries names[0..n) are a lede index's: a MANIFEST
 * beside segment files or the writers' LOCK. Its files are no articles (an
 * index inside the tree it indexes would read its own LOCK as one; before
 * its first commit it has no MANIFEST yet: input_opts.skip_dir). */
static int holds_index(char *const *names, size_t n)
{
    int manifest = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        manifest |= strcmp(names[i], "MANIFEST") == 0;
        other |= strcmp(names[i], "LOCK") == 0 || strncmp(names[i], "seg_", 4) == 0;
    }
    return manifest && other;
}

/* Is dir the directory opts.skip_dir names (the same device and inode,
 * found once by input_open)? */
static int is_skip_dir(const input *in, const char *dir)
{
    struct stat b;
    return in->has_skip && stat(dir, &b) == 0 && b.st_dev == in->skip_dev &&
           b.st_ino == in->skip_ino;
}

/* Endings of file names that are not articles nor JSON Lines: met in a
 * tree, such a file is reported and left out (named on the command line, it
 * is read whatever its name). */
static const char *const not_article_endings[] = {
    ".csv", ".tsv", ".html", ".htm", ".xml", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt",
    ".rtf", ".zip", ".tar", ".tgz", ".tar.gz", ".bz2", ".xz", ".7z", ".jpg", ".jpeg", ".png",
    ".gif", ".mp3", ".mp4", ".exe", ".so", ".o", ".py", ".sh", ".css", ".js"};

/* The ending of name that says it is no article, or NULL. */
static const char *not_article(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof not_article_endings / sizeof *not_article_endings; i++) {
        const char *e = not_article_endings[i];
        size_t k = strlen(e);
        if (n > k && strcasecmp(name + n - k, e) == 0)
            return e;
    }
    return NULL;
}

/* Adds the files under directory `path` (a buf holding the path as reached;
 * restored on return). base_len: length of the named root plus its '/'. */
static int walk(input *in, buf *path, size_t base_len)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    DIR *dir = opendir(path->data);
    if (!dir) {
        report(&in->opts, &in->st, INPUT_UNREADABLE, path->data, 0,
               "cannot open directory: %s", strerror(errno));
        return 0;
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(dir);
        if (!e) {
            if (errno)
                report(&in->opts, &in->st, INPUT_UNREADABLE, path->data, 0,
                       "cannot read directory: %s (the rest of it is skipped)",
                       strerror(errno));
            break;
        }
        if (e->d_name[0] == '.')
            continue; /* also "." and ".." */
        if (n == cap) {
            size_t c = cap ? cap * 2 : 32;
            char **p = realloc(names, c * sizeof *p);
            if (!p) {
                rc = LEDE_ENOMEM;
                goto cleanup;
            }
            names = p;
            cap = c;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = LEDE_ENOMEM;
            goto cleanup;
        }
        n++;
    }
    /* Closed before descending, so deep trees do not hold one fd per level. */
    closedir(dir);
    dir = NULL;
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    if (holds_index(names, n) || is_skip_dir(in, path->data)) {
        report(&in->opts, &in->st, INPUT_INDEX_DIR, path->data, 0,
               "a lede index, not articles: not read");
        goto cleanup;
    }

    size_t keep = path->len;
    for (size_t i = 0; i < n && rc == 0; i++) {
        path->len = keep;
        if (keep == 0 || path->data[keep - 1] != '/')
            rc = buf_putc(path, '/');
        if (rc == 0)
            rc = buf_puts(path, names[i]);
        if (rc)
            break;
        struct stat sb;
        if (lstat(path->data, &sb) != 0) {
            report(&in->opts, &in->st, INPUT_UNREADABLE, path->data, 0, "%s",
                   strerror(errno));
            continue;
        }
        if (S_ISLNK(sb.st_mode)) {
            /* A link to a file is read; a link to a directory is not followed
             * (no cycles, no tree read twice). */
            if (stat(path->data, &sb) != 0) {
                report(&in->opts, &in->st, INPUT_UNREADABLE, path->data, 0,
                       "broken symbolic link: %s", strerror(errno));
                continue;
            }
            if (S_ISREG(sb.st_mode))
                rc = add_file(in, path->data, base_len, (uint64_t)sb.st_size);
        } else if (S_ISDIR(sb.st_mode)) {
            rc = walk(in, path, base_len);
        } else if (S_ISREG(sb.st_mode)) {
            const char *ending = not_article(names[i]);
            if (ending)
                report(&in->opts, &in->st, INPUT_NOT_ARTICLE, path->data, 0,
                       "a %s file is no article (name it on the command line to read it anyway)",
                       ending);
            else
                rc = add_file(in, path->data, base_len, (uint64_t)sb.st_size);
        }
        /* Devices, FIFOs and sockets found in a tree are left alone. */
    }
    path->len = keep;
    if (path->data)
        path->data[keep] = '\0';

cleanup:
    if (dir)
        closedir(dir);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int add_named(input *in, const char *p)
{
    if (strcmp(p, "-") == 0)
        return add_file(in, "-", 0, 0);
    struct stat sb;
    if (stat(p, &sb) != 0) {
        report(&in->opts, &in->st, INPUT_UNREADABLE, p, 0, "%s", strerror(errno));
        return 0;
    }
    if (S_ISDIR(sb.st_mode)) {
        buf path = {0};
        int rc = buf_puts(&path, p);
        if (rc == 0) {
            size_t base = path.len;
            if (base == 0 || path.data[base - 1] != '/')
                base++;
            rc = walk(in, &path, base);
        }
        buf_free(&path);
        return rc;
    }
    /* A named file, or anything else named explicitly (a FIFO, /dev/stdin):
     * its id is the path as named, without leading "./". */
    size_t id_off = 0;
    while (p[id_off] == '.' && p[id_off + 1] == '/') {
        id_off += 2;
        while (p[id_off] == '/')
            id_off++;
    }
    return add_file(in, p, id_off, S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0);
}

int input_open(input **out, const char *const *paths, size_t n_paths, const input_opts *opts)
{
    *out = NULL;
    input *in = calloc(1, sizeof *in);
    if (!in)
        return LEDE_ENOMEM;
    if (opts)
        in->opts = *opts;
    in->max_doc = in->opts.max_doc_bytes ? in->opts.max_doc_bytes : INPUT_DEFAULT_MAX_DOC_BYTES;
    if (in->max_doc > SIZE_MAX / 2)
        in->max_doc = SIZE_MAX / 2; /* room for the +1 probes below */
    struct stat sk;
    if (in->opts.skip_dir && stat(in->opts.skip_dir, &sk) == 0) {
        in->has_skip = 1;
        in->skip_dev = sk.st_dev;
        in->skip_ino = sk.st_ino;
    }
    for (size_t i = 0; i < n_paths; i++) {
        int rc = add_named(in, paths[i]);
        if (rc) {
            input_close(in);
            return rc;
        }
    }
    *out = in;
    return 0;
}

static void finish_file(input *in)
{
    if (!in->z)
        return;
    uint64_t raw = zio_raw_offset(in->z);
    /* A file skipped part way still counts whole, so progress reaches the
     * total. */
    in->raw_done += raw > in->cur->size ? raw : in->cur->size;
    in->st.raw_bytes_read = in->raw_done;
    zio_close(in->z);
    in->z = NULL;
    in->cur = NULL;
    buf_clear(&in->head);
    in->head_pos = 0;
}

void input_close(input *in)
{
    if (!in)
        return;
    zio_close(in->z);
    for (size_t i = 0; i < in->n_files; i++)
        free(in->files[i].path);
    free(in->files);
    buf_free(&in->head);
    buf_free(&in->rest);
    free(in);
}

const input_stats *input_get_stats(const input *in)
{
    return &in->st;
}

uint64_t input_total_bytes(const input *in)
{
    return in->total_bytes;
}

/* --- reading ---------------------------------------------------------------- */

static const char *read_error(int rc)
{
    if (rc == LEDE_ECORRUPT)
        return "damaged or truncated gzip data";
    if (rc == LEDE_EIO)
        return strerror(errno);
    return err_str(rc);
}

/* Appends up to `want` more bytes of the file to b. Returns 0 or an error. */
static int read_into(input *in, buf *b, size_t want)
{
    while (want > 0) {
        size_t step = want < HEAD_BYTES ? want : HEAD_BYTES;
        int rc = buf_reserve(b, step);
        if (rc)
            return rc;
        ptrdiff_t n = zio_read(in->z, b->data + b->len, step);
        if (n < 0)
            return (int)n;
        if (n == 0)
            break;
        b->len += (size_t)n;
        b->data[b->len] = '\0';
        in->st.bytes_read += (uint64_t)n;
        want -= (size_t)n;
    }
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Opens the next file of the list and decides its kind. Returns 1 when a file
 * is ready, 0 when the list is done, or LEDE_ENOMEM. */
static int open_next(input *in)
{
    while (in->next_file < in->n_files) {
        const struct file_entry *f = &in->files[in->next_file++];
        int rc = zio_open(&in->z, f->path);
        if (rc == LEDE_ENOMEM)
            return rc;
        if (rc) {
            report(&in->opts, &in->st, INPUT_UNREADABLE, f->path, 0, "cannot open: %s",
                   strerror(errno));
            in->raw_done += f->size;
            in->st.raw_bytes_read = in->raw_done;
            continue;
        }
        in->st.n_files++;
        in->cur = f;
        in->line = 0;
        in->head_pos = 0;
        buf_clear(&in->head);
        rc = read_into(in, &in->head, HEAD_BYTES);
        if (rc == LEDE_ENOMEM)
            return rc;
        /* With some bytes read, go on: zio's error is sticky and comes back
         * at the next read, after the complete lines before it. */
        if (rc && in->head.len == 0) {
            report(&in->opts, &in->st, INPUT_UNREADABLE, f->path, 0, "cannot read: %s",
                   read_error(rc));
            finish_file(in);
            continue;
        }
        const char *h = in->head.data ? in->head.data : "";
        const char *nul = memchr(h, '\0', in->head.len);
        if (nul) {
            report(&in->opts, &in->st, INPUT_BINARY, f->path, 0,
                   "binary file (NUL byte at offset %zu)", (size_t)(nul - h));
            finish_file(in);
            continue;
        }
        size_t i = 0;
        if (in->head.len >= 3 && memcmp(h, "\xEF\xBB\xBF", 3) == 0)
            i = 3; /* a UTF-8 byte order mark */
        while (i < in->head.len && is_blank(h[i]))
            i++;
        in->kind = strcmp(f->path, "-") == 0 || (i < in->head.len && h[i] == '{')
                       ? RECORD_JSON
                       : RECORD_ARTICLE;
        return 1;
    }
    return 0;
}

/* The next line of the current JSON Lines file into out, from head first and
 * then from the stream. Returns 1, 0 at the end, or an error. */
static int next_line(input *in, buf *out, int *too_long)
{
    size_t max = in->max_doc;
    buf_clear(out);
    *too_long = 0;
    if (in->head_pos >= in->head.len) {
        int rc = zio_getline(in->z, out, max, too_long);
        if (rc == 1)
            in->st.bytes_read += (uint64_t)out->len + 1; /* approximate: "\r" and
                                                            dropped lines uncounted */
        return rc;
    }
    /* read_into counted head's bytes already. */
    const char *p = in->head.data + in->head_pos;
    size_t avail = in->head.len - in->head_pos;
    const char *nl = memchr(p, '\n', avail);
    if (nl) {
        size_t n = (size_t)(nl - p);
        in->head_pos += n + 1;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n > max) {
            *too_long = 1;
            return 1;
        }
        return buf_append(out, p, n) ? LEDE_ENOMEM : 1;
    }
    /* The line goes on past head. */
    in->head_pos = in->head.len;
    int tl = 0;
    int rc = zio_getline(in->z, &in->rest, avail <= max ? max - avail : 0, &tl);
    if (rc < 0)
        return rc;
    if (rc == 0) { /* the file ends with this line, without a newline */
        if (avail > max)
            *too_long = 1;
        else if (buf_append(out, p, avail))
            return LEDE_ENOMEM;
        return 1;
    }
    in->st.bytes_read += (uint64_t)in->rest.len + 1;
    if (tl || avail > max + 1) {
        *too_long = 1;
        return 1;
    }
    if (buf_append(out, p, avail) || buf_append(out, in->rest.data, in->rest.len))
        return LEDE_ENOMEM;
    if (in->rest.len == 0 && out->len > 0 && out->data[out->len - 1] == '\r')
        out->data[--out->len] = '\0'; /* the "\r\n" fell across the end of head */
    if (out->len > max) {
        *too_long = 1;
        buf_clear(out);
    }
    return 1;
}

static int set_record(record *r, enum record_kind kind, const char *file, uint64_t line)
{
    r->kind = kind;
    r->line = line;
    buf_clear(&r->file);
    buf_clear(&r->default_id);
    if (buf_puts(&r->file, file))
        return LEDE_ENOMEM;
    return 0;
}

int input_next_record(input *in, record *r)
{
    for (;;) {
        if (!in->z) {
            int rc = open_next(in);
            if (rc <= 0)
                return rc;
        }
        const struct file_entry *f = in->cur;

        if (in->kind == RECORD_ARTICLE) {
            buf_clear(&r->bytes);
            int rc = buf_append(&r->bytes, in->head.data ? in->head.data : "", in->head.len);
            /* One byte past the limit tells "too large" without reading on. */
            if (rc == 0 && r->bytes.len <= in->max_doc)
                rc = read_into(in, &r->bytes, in->max_doc + 1 - r->bytes.len);
            if (rc == LEDE_ENOMEM)
                return rc;
            if (rc) {
                report(&in->opts, &in->st, INPUT_UNREADABLE, f->path, 0, "cannot read: %s",
                       read_error(rc));
                finish_file(in);
                continue;
            }
            if (r->bytes.len > in->max_doc) {
                report(&in->opts, &in->st, INPUT_TOO_LARGE, f->path, 0,
                       "document larger than the limit of %zu bytes", in->max_doc);
                buf_clear(&r->bytes);
                finish_file(in);
                continue;
            }
            if (set_record(r, RECORD_ARTICLE, f->path, 1) ||
                buf_puts(&r->default_id, f->path + f->id_off))
                return LEDE_ENOMEM;
            finish_file(in);
            in->st.n_records++;
            return 1;
        }

        int too_long = 0;
        int rc = next_line(in, &r->bytes, &too_long);
        if (rc == LEDE_ENOMEM)
            return rc;
        if (rc < 0) {
            report(&in->opts, &in->st, INPUT_UNREADABLE, f->path, in->line + 1,
                   "cannot read: %s; the rest of the file is skipped", read_error(rc));
            finish_file(in);
            continue;
        }
        if (rc == 0) {
            finish_file(in);
            continue;
        }
        in->line++;
        if ((in->line & 255) == 0) /* zio_raw_offset costs a system call */
            in->st.raw_bytes_read = in->raw_done + zio_raw_offset(in->z);
        if (too_long) {
            report(&in->opts, &in->st, INPUT_TOO_LARGE, f->path, in->line,
                   "JSON line longer than the limit of %zu bytes", in->max_doc);
            continue;
        }
        size_t i = 0;
        while (i < r->bytes.len && is_blank(r->bytes.data[i]))
            i++;
        if (i == r->bytes.len)
            continue; /* blank lines separate nothing and are not records */
        if (set_record(r, RECORD_JSON, f->path, in->line) ||
            buf_printf(&r->default_id, "%s:%" PRIu64, f->path, in->line))
            return LEDE_ENOMEM;
        in->st.n_records++;
        return 1;
    }
}

/* --- parsing ---------------------------------------------------------------- */

static int field_blank(const doc *d, enum doc_field k)
{
    for (size_t i = 0; i < d->f_len[k]; i++)
        if (!is_blank(d->f[k][i]))
            return 0;
    return 1;
}

/* Replaces field k by its UTF-8 repair when it needs one. */
static int repair_field(doc *d, enum doc_field k, size_t *n_bad)
{
    if (utf8_valid(d->f[k], d->f_len[k]))
        return 0;
    buf b = {0};
    if (utf8_repair(&b, d->f[k], d->f_len[k], n_bad)) {
        buf_free(&b);
        return LEDE_ENOMEM;
    }
    size_t n = b.len;
    char *s = buf_detach(&b);
    if (!s)
        return LEDE_ENOMEM;
    doc_take(d, k, s, n);
    return 0;
}

/* 1-based line of the first invalid UTF-8 sequence (or NUL) in s. */
static uint64_t first_bad_line(const char *s, size_t len)
{
    uint64_t line = 1;
    size_t i = 0;
    while (i < len) {
        int32_t cp;
        size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (cp < 0)
            return line;
        if (cp == '\n')
            line++;
        i += n;
    }
    return line;
}

/* 1-based line of the first "Published:" in s, or 0. */
static uint64_t published_line(const char *s, size_t len)
{
    static const char key[] = "Published:";
    uint64_t line = 1;
    for (size_t i = 0; i + sizeof key - 1 <= len; i++) {
        if (s[i] == '\n')
            line++;
        else if (s[i] == 'P' && memcmp(s + i, key, sizeof key - 1) == 0)
            return line;
    }
    return 0;
}

int record_parse(const record *r, doc *d, const input_opts *opts, input_stats *stats)
{
    doc_reset(d);
    const char *file = r->file.data ? r->file.data : "";
    const char *text = r->bytes.data ? r->bytes.data : "";
    size_t n_bad = 0;
    uint64_t bad_line = r->line;
    int bad_date = 0;
    uint64_t date_line = r->line;
    char detail[256] = "";
    buf fixed = {0};
    int rc = 0;

    if (r->kind == RECORD_JSON) {
        unsigned warn = 0;
        rc = json_parse_doc(d, text, r->bytes.len, &warn, detail, sizeof detail);
        if (rc == LEDE_ECORRUPT) {
            report(opts, stats, INPUT_BAD_JSON, file, r->line, "%s", detail);
            doc_reset(d);
            return 0;
        }
        if (rc)
            goto cleanup;
        bad_date = (warn & JSON_WARN_BAD_DATE) != 0;
        for (int k = 0; k < DOC_N_FIELDS && rc == 0; k++)
            rc = repair_field(d, (enum doc_field)k, &n_bad);
        if (rc)
            goto cleanup;
    } else {
        /* article_parse wants valid UTF-8: repair the bytes first. */
        size_t len = r->bytes.len;
        if (!utf8_valid(text, len)) {
            bad_line = first_bad_line(text, len);
            rc = utf8_repair(&fixed, text, len, &n_bad);
            if (rc)
                goto cleanup;
            text = fixed.data ? fixed.data : "";
            len = fixed.len;
        } else {
            bad_line = 0;
        }
        if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            text += 3; /* a byte order mark is not part of the title */
            len -= 3;
        }
        unsigned warn = 0;
        rc = article_parse(d, text, len, &warn);
        if (rc)
            goto cleanup;
        if (warn & ARTICLE_WARN_BAD_DATE) {
            bad_date = 1;
            date_line = published_line(text, len);
            snprintf(detail, sizeof detail,
                     "the Published: date is not a date (expected YYYY/M/D H:MM:SS)");
        }
    }

    if (field_blank(d, DOC_TITLE) && field_blank(d, DOC_BODY)) {
        report(opts, stats, INPUT_EMPTY, file, r->kind == RECORD_JSON ? r->line : 0,
               "empty document (no title and no body)");
        rc = 0;
        doc_reset(d);
        goto cleanup;
    }

    if (d->f_len[DOC_ID] == 0) {
        rc = doc_set(d, DOC_ID, r->default_id.data ? r->default_id.data : "",
                     r->default_id.len);
        if (rc == 0)
            rc = repair_field(d, DOC_ID, &n_bad); /* a file name need not be UTF-8 */
        if (rc)
            goto cleanup;
    }
    if (n_bad > 0)
        report(opts, stats, INPUT_BAD_UTF8, file, bad_line,
               "%zu invalid UTF-8 sequence%s replaced with U+FFFD", n_bad,
               n_bad == 1 ? "" : "s");
    if (bad_date)
        report(opts, stats, INPUT_BAD_DATE, file, date_line, "%s; kept without a date",
               detail);
    rc = 1;

cleanup:
    buf_free(&fixed);
    if (rc < 0)
        doc_reset(d);
    return rc;
}

int input_next(input *in, record *scratch, doc *d)
{
    for (;;) {
        int rc = input_next_record(in, scratch);
        if (rc <= 0)
            return rc;
        rc = record_parse(scratch, d, &in->opts, &in->st);
        if (rc != 0)
            return rc;
    }
}
