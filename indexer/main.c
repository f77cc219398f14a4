/* main.c - the lede-index command: argument parsing and messages only.
 * The work is done by the indexer library (ingest, index, check, dump). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "date.h"
#include "dump.h"
#include "err.h"
#include "index.h"
#include "ingest.h"
#include "stem.h"

/* Exit statuses (docs/INPUT.md). */
#define EXIT_ALL_GOOD 0
#define EXIT_SOME_SKIPPED 1
#define EXIT_FATAL 2
#define EXIT_CORRUPT 3

static const char usage[] =
    "usage: lede-index [options] DIR INPUT...   build the index DIR, or add to it\n"
    "       lede-index delete DIR ID...         remove documents by their id\n"
    "       lede-index optimize DIR             merge into one segment, dropping\n"
    "                                           deleted documents\n"
    "       lede-index check DIR...             verify every byte of every file\n"
    "       lede-index stats DIR                counts, and where the bytes go\n"
    "       lede-index dump DIR [[FIELD:]TERM]  the index (or one term) as text\n"
    "       lede-index ids DIR                  the ids of the live documents\n"
    "       lede-index scan [options] INPUT...  read and analyze input, write nothing\n"
    "\n"
    "INPUT is a file (JSON Lines, plain or gzip, or an article in the editorial\n"
    "layout), a directory (read recursively), or - for JSON Lines on standard\n"
    "input (docs/INPUT.md). A document whose id is already in DIR replaces it\n"
    "(an update); a duplicate (the same words in title and body as a live\n"
    "document under another id, whatever the case, punctuation or word\n"
    "endings) is skipped and reported, unless its id is in DIR already.\n"
    "To search the index:\n"
    "lede-search DIR 'putin kim' (lede-search --help).\n"
    "\n"
    "options:\n"
    "  -j, --threads N        parse and analyze with N threads (default: cores);\n"
    "                         the index is identical for every N\n"
    "      --stem LANG        Snowball stemming for a new index (english, porter,\n"
    "                         ..., or none; default " IXWRITER_DEFAULT_STEM "); recorded in DIR and\n"
    "                         used for queries\n"
    "  -m, --memory SIZE      memory budget: in-memory postings are flushed to a\n"
    "                         segment past SIZE (default 256M; suffixes k, M, G)\n"
    "      --commit-every N   commit every N documents (default: only at the end)\n"
    "      --keep-duplicates  index exact duplicates too\n"
    "      --merge-factor N   merge N adjacent segments of one size class (or\n"
    "                         of two neighbouring ones)\n"
    "                         (default 10; 1 disables automatic merging)\n"
    "      --max-doc-size SIZE\n"
    "                         skip larger documents (default and at most --memory\n"
    "                         / 32, so 8M, and never over 256M: a document takes\n"
    "                         up to 32 times its size in memory while indexed)\n"
    "      --list             (scan) print one line per document\n"
    "  -q, --quiet            no progress line and no per-problem messages\n"
    "  -h, --help             this text\n"
    "\n"
    "exit status:\n"
    "  0  everything was read and committed\n"
    "  1  some input was skipped or repaired, and the rest indexed (each case is\n"
    "     reported as FILE:LINE: what happened); or delete found no document\n"
    "     with one of the ids\n"
    "  2  nothing usable in the input, a bad option, no index in DIR, or a fatal\n"
    "     error such as a full disk, or Ctrl-C while indexing: the index stays as\n"
    "     it was at its last commit\n"
    "  3  the index is damaged (found by check, or by any command reading it)\n"
    "Every limit and its message: docs/LIMITS.md.\n"
    "\n"
    "examples:\n"
    "  lede-index idx editorials.jsonl.gz articles/  build idx (or add to it)\n"
    "  zcat feed.jsonl.gz | lede-index idx -          add today's feed\n"
    "  lede-index --commit-every 10000 idx archive/   a long import, committed\n"
    "                                                 as it goes\n"
    "  lede-index delete idx reuters-1234             remove one article\n"
    "  lede-index check idx && lede-index stats idx\n";

struct options {
    int n_threads;
    const char *stem;
    size_t max_doc;
    size_t memory;
    uint64_t commit_every;
    uint32_t merge_factor;
    int keep_duplicates;
    int list;
    int quiet;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* 1 when s starts with a digit: strtoull would take "-5" as 2^64 - 5. */
static int digit_first(const char *s)
{
    return s[0] >= '0' && s[0] <= '9';
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || !digit_first(s))
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (v > (SIZE_MAX >> shift))
        return -1;
    v <<= shift;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v == 0)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* A size for messages: 8M, 1.5G, 4096. */
static const char *size_text(char out[32], size_t v)
{
    if (v >= (1u << 30) && v % (1u << 30) == 0)
        snprintf(out, 32, "%zuG", v >> 30);
    else if (v >= (1u << 30))
        snprintf(out, 32, "%.2fG", (double)v / (1u << 30));
    else if (v >= (1u << 20) && v % (1u << 20) == 0)
        snprintf(out, 32, "%zuM", v >> 20);
    else if (v >= (1u << 10) && v % (1u << 10) == 0)
        snprintf(out, 32, "%zuk", v >> 10);
    else
        snprintf(out, 32, "%zu", v);
    return out;
}

/* The document size limit follows the memory budget (docs/LIMITS.md):
 * memory / IXWRITER_DOC_FACTOR unless given, and never more. */
static int settle_max_doc(struct options *op)
{
    size_t memory = op->memory ? op->memory : IXWRITER_DEFAULT_MEMORY;
    size_t most = memory / IXWRITER_DOC_FACTOR;
    if (most > IXWRITER_MAX_DOC)
        most = IXWRITER_MAX_DOC;
    if (!op->max_doc) {
        op->max_doc = most;
        return 0;
    }
    if (op->max_doc <= most)
        return 0;
    if (op->max_doc > IXWRITER_MAX_DOC) {
        char a[32], b[32];
        fprintf(stderr,
                "lede-index: --max-doc-size %s is over the largest document lede indexes, %s\n",
                size_text(a, op->max_doc), size_text(b, IXWRITER_MAX_DOC));
        return 1;
    }
    char a[32], b[32], c[32], d[32];
    size_t need = op->max_doc > (SIZE_MAX >> 21) ? SIZE_MAX
                                                 : op->max_doc * IXWRITER_DOC_FACTOR;
    if (need < SIZE_MAX - (1u << 20))
        need = (need + (1u << 20) - 1) & ~(size_t)((1u << 20) - 1); /* whole MiB */
    fprintf(stderr,
            "lede-index: --max-doc-size %s needs --memory %s or more (a document takes up to %d "
            "times its size in memory while it is indexed); with --memory %s documents can be "
            "up to %s\n",
            size_text(a, op->max_doc), size_text(b, need), IXWRITER_DOC_FACTOR,
            size_text(c, memory), size_text(d, most));
    return 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "s" for a count other than one: "1 document", "2 documents". */
static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

static void report_problem(void *ctx, enum input_problem p, const char *file, uint64_t line,
                           const char *detail)
{
    const struct options *op = ctx;
    if (op->quiet)
        return;
    const char *what = input_problem_skips(p) ? "skipped" : "repaired";
    if (line)
        fprintf(stderr, "%s:%" PRIu64 ": %s: %s\n", file, line, what, detail);
    else
        fprintf(stderr, "%s: %s: %s\n", file, what, detail);
}

/* --- progress ----------------------------------------------------------------------- */

struct progress {
    int on;
    double start, last;
    uint64_t docs;
};

static void show_progress(void *ctx, const input_stats *st, uint64_t total)
{
    struct progress *pr = ctx;
    if (!pr->on)
        return;
    double t = now_seconds();
    if (t - pr->last < 0.1)
        return;
    pr->last = t;
    double mb = (double)st->raw_bytes_read / 1e6, secs = t - pr->start;
    double rate = secs > 0 ? mb / secs : 0;
    char eta[32] = "";
    if (total && rate > 0 && st->raw_bytes_read <= total)
        snprintf(eta, sizeof eta, ", ETA %.0f s", ((double)total / 1e6 - mb) / rate);
    fprintf(stderr, "\r%" PRIu64 " documents, %.1f MB read, %.1f MB/s%s   ", pr->docs, mb, rate, eta);
}

static void end_progress(struct progress *pr)
{
    if (pr->on && pr->last > 0)
        fputs("\r\033[K", stderr);
}

/* Prints the skipped/repaired counts; returns 1 if any. */
static int print_problems(const input_stats *st, const struct options *op)
{
    int any = 0;
    for (int p = 0; p < INPUT_N_PROBLEMS; p++) {
        if (!st->n_problem[p])
            continue;
        fprintf(stderr, "  %s %" PRIu64 " %s\n", input_problem_skips(p) ? "skipped: " : "repaired:",
                st->n_problem[p], input_problem_name(p));
        any = 1;
    }
    if (st->n_problem[INPUT_TOO_LARGE]) {
        char a[32];
        fprintf(stderr,
                "  (the limit is %s: --max-doc-size raises it, up to --memory / %d; "
                "docs/LIMITS.md)\n",
                size_text(a, op->max_doc), IXWRITER_DOC_FACTOR);
    }
    return any;
}

static void fill_ingest(ingest_opts *io, const struct options *op, char **paths, int n_paths)
{
    memset(io, 0, sizeof *io);
    io->paths = (const char *const *)paths;
    io->n_paths = (size_t)n_paths;
    io->input.max_doc_bytes = op->max_doc;
    io->input.report = report_problem;
    io->input.report_ctx = (void *)op;
    io->stem_language = op->stem ? op->stem : IXWRITER_DEFAULT_STEM; /* scan: as a new index */
    io->n_threads = op->n_threads;
    io->stop = &interrupted;
}

/* --- scan ------------------------------------------------------------------------------ */

struct scan {
    const struct options *op;
    uint64_t n_docs, n_tokens;
};

static int scan_sink(void *ctx, const ingest_doc *id)
{
    struct scan *sc = ctx;
    sc->n_docs++;
    sc->n_tokens += id->n_toks;
    if (sc->op->list) {
        char date[32];
        if (!date_format(date, sizeof date, id->d->date, 0))
            strcpy(date, "-");
        printf("%s\t%s\t%s\t%zu\t%s\n", id->d->f[DOC_ID], date,
               id->d->f_len[DOC_SOURCE] ? id->d->f[DOC_SOURCE] : "-", id->n_toks,
               id->d->f[DOC_TITLE]);
    }
    return 0;
}

static int cmd_scan(const struct options *op, char **paths, int n_paths)
{
    struct scan sc = {op, 0, 0};
    ingest_opts io;
    fill_ingest(&io, op, paths, n_paths);
    input_stats st;
    double t0 = now_seconds();
    int rc = ingest_run(&io, scan_sink, &sc, &st);
    double secs = now_seconds() - t0;
    if (rc == LEDE_EINVAL) {
        fprintf(stderr, "lede-index: unknown stemming language '%s'\n", op->stem);
        return EXIT_FATAL;
    }
    if (rc < 0) {
        fprintf(stderr, "lede-index: %s\n", err_str(rc));
        return EXIT_FATAL;
    }
    if (rc == 1)
        fprintf(stderr, "lede-index: interrupted\n");
    double mb = (double)st.bytes_read / 1e6;
    fprintf(stderr, "read %" PRIu64 " document%s from %" PRIu64 " file%s, %.1f MB in %.2f s "
                    "(%.1f MB/s, %.2f M tokens/s)\n",
            sc.n_docs, plural(sc.n_docs), st.n_files, plural(st.n_files), mb, secs, secs > 0 ? mb / secs : 0,
            secs > 0 ? (double)sc.n_tokens / secs / 1e6 : 0);
    int any = print_problems(&st, op);
    if (sc.n_docs == 0) {
        fprintf(stderr, "lede-index: no usable documents in the input\n");
        return EXIT_FATAL;
    }
    return any || rc == 1 ? EXIT_SOME_SKIPPED : EXIT_ALL_GOOD;
}

/* --- index ------------------------------------------------------------------------------ */

struct build {
    const struct options *op;
    ixwriter *w;
    struct progress pr;
    uint64_t since_commit;
    char msg[1024];
    int failed;
    int warned_stdin_ids; /* said once that -:LINE ids come back next run */
};

/* Prints "FILE[:LINE]: " and the message, for a document met in the input. */
static void say_at(const ingest_doc *id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say_at(const ingest_doc *id, const char *fmt, ...)
{
    fprintf(stderr, "%s", id->file);
    if (id->line)
        fprintf(stderr, ":%" PRIu64, id->line);
    fputs(": ", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int build_sink(void *ctx, const ingest_doc *id)
{
    struct build *b = ctx;
    int outcome;
    int rc = ixwriter_add(b->w, id, &outcome, b->msg, sizeof b->msg);
    if (rc) {
        b->failed = rc;
        return rc;
    }
    if (!b->warned_stdin_ids && !b->op->quiet && strcmp(id->file, "-") == 0 && id->line) {
        char made[32];
        int n = snprintf(made, sizeof made, "-:%" PRIu64, id->line);
        if ((size_t)n == id->d->f_len[DOC_ID] && memcmp(made, id->d->f[DOC_ID], (size_t)n) == 0) {
            fprintf(stderr, "-: warning: lines without an id get '-:LINE', which the next run's "
                            "lines get again and replace: give every line an id (docs/INPUT.md, "
                            "\"Ids\")\n");
            b->warned_stdin_ids = 1;
        }
    }
    int shown = (int)(id->d->f_len[DOC_ID] < 200 ? id->d->f_len[DOC_ID] : 200); /* of the id */
    if (outcome == 3 && !b->op->quiet)
        say_at(id, "warning: id '%.*s' came earlier in this run too; this document replaces "
                   "that one (two articles with one id? docs/INPUT.md, \"Ids\")",
               shown, id->d->f[DOC_ID]);
    if (outcome == 2 && !b->op->quiet) /* b->msg: the id it duplicates */
        say_at(id, "skipped: '%.*s' has the same words in its title and body as '%s' (an "
                   "exact duplicate; --keep-duplicates keeps both)",
               shown, id->d->f[DOC_ID], b->msg);
    b->pr.docs++;
    if (b->op->commit_every && ++b->since_commit >= b->op->commit_every) {
        b->since_commit = 0;
        rc = ixwriter_commit(b->w, b->msg, sizeof b->msg);
        if (rc) {
            b->failed = rc;
            return rc;
        }
    }
    return 0;
}

static uint64_t dir_bytes(const char *dir)
{
    index_totals t;
    uint64_t problems;
    if (index_check(dir, CHECK_STATS_ONLY, NULL, NULL, &t, &problems))
        return 0;
    return t.file_bytes;
}

/* For the commands that change an existing index (delete, optimize): an
 * error, not a new empty index, when DIR holds none. */
static int require_index(const char *dir)
{
    int exists = ixwriter_exists(dir);
    if (exists > 0)
        return 0;
    if (exists < 0)
        fprintf(stderr, "lede-index: %s: %s\n", dir, err_str(exists));
    else
        fprintf(stderr, "lede-index: %s holds no lede index (no MANIFEST); build one with "
                        "lede-index %s INPUT...\n", dir, dir);
    return EXIT_FATAL;
}

static int open_writer(const struct options *op, const char *dir, ixwriter **w)
{
    /* without --stem: an existing index keeps its stemming, a new one gets the default */
    const char *stem = op->stem;
    int exists = stem ? 0 : ixwriter_exists(dir);
    if (exists < 0) {
        fprintf(stderr, "lede-index: %s: %s\n", dir, err_str(exists));
        return EXIT_FATAL;
    }
    if (!stem && !exists)
        stem = IXWRITER_DEFAULT_STEM;
    ixwriter_opts wo = {stem, op->memory, op->keep_duplicates, op->merge_factor};
    char msg[1024] = "";
    int rc = ixwriter_open(w, dir, &wo, msg, sizeof msg);
    const ixwriter_stats *ws = rc ? NULL : ixwriter_get_stats(*w);
    if (ws && ws->n_orphaned)
        fprintf(stderr,
                "lede-index: warning: %s held %" PRIu64 " segment file%s but no MANIFEST: what a first "
                "run stopped before it committed leaves, or an index whose MANIFEST was lost. They "
                "are kept in %s/%s (restore the MANIFEST and move them back to recover that "
                "index); a new index starts in %s\n",
                dir, ws->n_orphaned, plural(ws->n_orphaned), dir, ws->orphan_dir, dir);
    if (rc) {
        fprintf(stderr, "lede-index: %s\n", msg[0] ? msg : err_str(rc));
        return rc == LEDE_ECORRUPT ? EXIT_CORRUPT : EXIT_FATAL;
    }
    return 0;
}

static int cmd_index(const struct options *op, const char *dir, char **paths, int n_paths)
{
    struct build b;
    memset(&b, 0, sizeof b);
    b.op = op;
    int status = open_writer(op, dir, &b.w);
    if (status)
        return status;
    struct options eff = *op;
    eff.stem = ixwriter_stem_language(b.w);
    ingest_opts io;
    fill_ingest(&io, &eff, paths, n_paths);
    io.input.skip_dir = dir; /* an index inside the tree it reads is not read */
    b.pr.on = !op->quiet && isatty(STDERR_FILENO);
    b.pr.start = now_seconds();
    io.progress = show_progress;
    io.progress_ctx = &b.pr;
    input_stats st;
    double t0 = now_seconds();
    int rc = ingest_run(&io, build_sink, &b, &st);
    end_progress(&b.pr);
    if (rc == 0 && !b.failed)
        rc = ixwriter_commit(b.w, b.msg, sizeof b.msg);
    double secs = now_seconds() - t0;
    uint64_t gen = ixwriter_generation(b.w);
    const ixwriter_stats wstats = *ixwriter_get_stats(b.w); /* outlives the writer */
    const ixwriter_stats *ws = &wstats;
    uint64_t live = ixwriter_live_docs(b.w);
    if (b.failed || rc < 0) {
        if (b.failed || b.msg[0])
            fprintf(stderr, "lede-index: %s\n", b.msg[0] ? b.msg : err_str(rc));
        else
            fprintf(stderr, "lede-index: %s\n", err_str(rc));
        fprintf(stderr, "lede-index: stopped; %s stays at its last commit (generation %" PRIu64 ")\n",
                dir, gen);
        ixwriter_close(b.w);
        return EXIT_FATAL;
    }
    if (rc == 1) {
        fprintf(stderr, "lede-index: interrupted; %s stays at its last commit (generation %" PRIu64 ")\n",
                dir, gen);
        ixwriter_close(b.w);
        return EXIT_FATAL;
    }
    ixwriter_close(b.w);
    double mb = (double)st.raw_bytes_read / 1e6;
    uint64_t size = dir_bytes(dir);
    fprintf(stderr,
            "indexed %" PRIu64 " document%s (%" PRIu64 " replaced older version%s, %" PRIu64
            " exact duplicate%s skipped) from %" PRIu64 " file%s, %.1f MB in %.2f s (%.1f MB/s)\n"
            "%s: %" PRIu64 " live document%s, %.1f MB, generation %" PRIu64 "\n",
            ws->n_added, plural(ws->n_added), ws->n_replaced, plural(ws->n_replaced),
            ws->n_duplicates, plural(ws->n_duplicates), st.n_files, plural(st.n_files), mb, secs,
            secs > 0 ? mb / secs : 0, dir, live, plural(live), (double)size / 1e6, gen);
    int any = print_problems(&st, op);
    if (ws->n_added == 0 && ws->n_duplicates == 0 && any) {
        fprintf(stderr, "lede-index: no usable documents in the input\n");
        return EXIT_FATAL;
    }
    return any ? EXIT_SOME_SKIPPED : EXIT_ALL_GOOD;
}

static int cmd_delete(const struct options *op, const char *dir, char **ids, int n_ids)
{
    ixwriter *w = NULL;
    int status = require_index(dir);
    status = status ? status : open_writer(op, dir, &w);
    if (status)
        return status;
    char msg[1024] = "";
    int missing = 0;
    for (int i = 0; i < n_ids; i++) {
        int rc = ixwriter_delete(w, ids[i], strlen(ids[i]), msg, sizeof msg);
        if (rc < 0) {
            fprintf(stderr, "lede-index: %s\n", msg[0] ? msg : err_str(rc));
            ixwriter_close(w);
            return EXIT_FATAL;
        }
        if (rc == 0) {
            fprintf(stderr, "lede-index: %s: no document with id '%s'\n", dir, ids[i]);
            missing++;
        }
    }
    int rc = ixwriter_commit(w, msg, sizeof msg);
    if (rc) {
        fprintf(stderr, "lede-index: %s\n", msg[0] ? msg : err_str(rc));
        fprintf(stderr, "lede-index: stopped; %s stays at its last commit (generation %" PRIu64 ")\n",
                dir, ixwriter_generation(w));
        ixwriter_close(w);
        return EXIT_FATAL;
    }
    if (!op->quiet)
        fprintf(stderr, "deleted %d of %d document%s; %s: generation %" PRIu64 "\n", n_ids - missing,
                n_ids, plural((uint64_t)n_ids), dir, ixwriter_generation(w));
    ixwriter_close(w);
    return missing ? EXIT_SOME_SKIPPED : EXIT_ALL_GOOD;
}

static int cmd_optimize(const struct options *op, const char *dir)
{
    ixwriter *w = NULL;
    int status = require_index(dir);
    status = status ? status : open_writer(op, dir, &w);
    if (status)
        return status;
    char msg[1024] = "";
    double t0 = now_seconds();
    int rc = ixwriter_optimize(w, msg, sizeof msg);
    if (rc) {
        fprintf(stderr, "lede-index: %s\n", msg[0] ? msg : err_str(rc));
        fprintf(stderr, "lede-index: stopped; %s stays at its last commit (generation %" PRIu64 ")\n",
                dir, ixwriter_generation(w));
        ixwriter_close(w);
        return rc == LEDE_ECORRUPT ? EXIT_CORRUPT : EXIT_FATAL;
    }
    if (!op->quiet)
        fprintf(stderr, "optimized %s in %.2f s: %" PRIu64 " live document%s, generation %" PRIu64 "\n",
                dir, now_seconds() - t0, ixwriter_live_docs(w), plural(ixwriter_live_docs(w)),
                ixwriter_generation(w));
    ixwriter_close(w);
    return EXIT_ALL_GOOD;
}

static void print_check_problem(void *ctx, const char *file, const char *what)
{
    (void)ctx;
    printf("%s: %s\n", file, what);
}

static int cmd_check(const char *dir)
{
    index_totals t;
    uint64_t problems;
    double t0 = now_seconds();
    int rc = index_check(dir, CHECK_FULL, print_check_problem, NULL, &t, &problems);
    if (rc == LEDE_ENOMEM) {
        fprintf(stderr, "lede-index: %s: %s; the check did not finish\n", dir, err_str(rc));
        return EXIT_FATAL;
    }
    if (rc && rc != LEDE_ECORRUPT)
        return EXIT_FATAL; /* no index, a newer format, or I/O: not damage */
    if (problems) {
        printf("%s: %" PRIu64 " problem%s found\n", dir, problems, problems == 1 ? "" : "s");
        return EXIT_CORRUPT;
    }
    printf("%s: ok: generation %" PRIu64 ", %" PRIu64 " segment%s, %" PRIu64 " document%s (%" PRIu64
           " live), %" PRIu64 " dictionary key%s, %" PRIu64 " posting%s, %" PRIu64 " position%s verified in %.2f s\n",
           dir, t.generation, t.n_segments, plural(t.n_segments), t.n_docs, plural(t.n_docs), t.n_live,
           t.n_terms, plural(t.n_terms), t.n_postings, plural(t.n_postings), t.n_positions,
           plural(t.n_positions), now_seconds() - t0);
    return EXIT_ALL_GOOD;
}

static int cmd_stats(const char *dir)
{
    index_totals t;
    uint64_t problems;
    int rc = index_check(dir, CHECK_STATS_ONLY, print_check_problem, NULL, &t, &problems);
    if (rc == LEDE_ENOMEM)
        fprintf(stderr, "lede-index: %s: %s\n", dir, err_str(rc));
    if (rc)
        return rc == LEDE_ECORRUPT ? EXIT_CORRUPT : EXIT_FATAL;
    printf("generation      %" PRIu64 "\nsegments        %" PRIu64 "\ndocuments       %" PRIu64
           "\nlive documents  %" PRIu64 "\ndictionary keys %" PRIu64 "%s\npostings        %" PRIu64
           "\npositions       %" PRIu64 "\n",
           t.generation, t.n_segments, t.n_docs, t.n_live, t.n_terms,
           t.n_segments > 1 ? " (summed over the segments: a word in several counts in each)" : "",
           t.n_postings, t.n_positions);
    printf("\nbytes by kind of data:\n");
    uint64_t dict = t.section_bytes[SEC_TERMS] + t.section_bytes[SEC_TERMINDEX];
    uint64_t docs = t.section_bytes[SEC_DOCLEN] + t.section_bytes[SEC_DOCDATE] +
                    t.section_bytes[SEC_DOCTABLE] + t.section_bytes[SEC_IDINDEX] +
                    t.section_bytes[SEC_FPRINTS];
    uint64_t store = t.section_bytes[SEC_STORE] + t.section_bytes[SEC_STOREINDEX];
    struct {
        const char *name;
        uint64_t bytes;
    } rows[] = {
        {"dictionary", dict},
        {"doc ids", t.docid_bytes},
        {"frequencies", t.freq_bytes},
        {"skip data", t.skip_bytes},
        {"positions", t.section_bytes[SEC_POSITIONS]},
        {"document table", docs},
        {"stored text", store},
        {"other (headers, META, deletions, manifest)", 0},
    };
    uint64_t counted = 0;
    for (size_t i = 0; i + 1 < sizeof rows / sizeof *rows; i++)
        counted += rows[i].bytes;
    rows[7].bytes = t.file_bytes > counted ? t.file_bytes - counted : 0;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        printf("  %-44s %12" PRIu64 "  %5.1f%%\n", rows[i].name, rows[i].bytes,
               t.file_bytes ? 100.0 * (double)rows[i].bytes / (double)t.file_bytes : 0);
    printf("  %-44s %12" PRIu64 "\n", "total", t.file_bytes);
    printf("  %-44s %12" PRIu64 "\n", "total without stored text", t.file_bytes - store);
    uint64_t np = t.n_postings - t.inline_postings;
    printf("\nbits per doc id     %.2f  (%" PRIu64 " postings in blocks; %" PRIu64 " single-document "
           "terms kept in the dictionary)\n",
           np ? 8.0 * (double)t.docid_bytes / (double)np : 0, np, t.inline_postings);
    printf("bits per frequency  %.2f\n", np ? 8.0 * (double)t.freq_bytes / (double)np : 0);
    printf("bits per position   %.2f\n",
           t.n_positions ? 8.0 * (double)t.section_bytes[SEC_POSITIONS] / (double)t.n_positions : 0);
    return problems ? EXIT_CORRUPT : EXIT_ALL_GOOD;
}

/* --- arguments --------------------------------------------------------------------------- */

static const struct option longopts[] = {
    {"threads", required_argument, NULL, 'j'},
    {"stem", required_argument, NULL, 'S'},
    {"memory", required_argument, NULL, 'm'},
    {"commit-every", required_argument, NULL, 'C'},
    {"keep-duplicates", no_argument, NULL, 'K'},
    {"merge-factor", required_argument, NULL, 'F'},
    {"max-doc-size", required_argument, NULL, 'M'},
    {"list", no_argument, NULL, 'l'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int bad_value(const char *opt, const char *want, const char *got)
{
    fprintf(stderr, "lede-index: %s wants %s, not '%s' (see lede-index --help)\n", opt, want, got);
    return EXIT_FATAL;
}

/* Parses options; returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, const char *optstring, struct options *op)
{
    int c;
    while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'j': {
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256)
                return bad_value("-j", "a thread count from 1 to 256", optarg);
            op->n_threads = (int)n;
            break;
        }
        case 'S': op->stem = optarg; break;
        case 'm':
            if (parse_size(optarg, &op->memory) || op->memory < (1u << 20))
                return bad_value("--memory", "a size of at least 1M, like 256M", optarg);
            break;
        case 'C': {
            unsigned long long n = strtoull(optarg, &end, 10);
            if (*end || n == 0 || !digit_first(optarg))
                return bad_value("--commit-every", "a positive document count", optarg);
            op->commit_every = n;
            break;
        }
        case 'K': op->keep_duplicates = 1; break;
        case 'F': {
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 1000)
                return bad_value("--merge-factor", "a number from 1 to 1000", optarg);
            op->merge_factor = (uint32_t)n;
            break;
        }
        case 'M':
            if (parse_size(optarg, &op->max_doc))
                return bad_value("--max-doc-size", "a size like 64M", optarg);
            break;
        case 'l': op->list = 1; break;
        case 'q': op->quiet = 1; break;
        case 'h': fputs(usage, stdout); return EXIT_ALL_GOOD;
        default: fputs("(lede-index --help shows every option)\n", stderr); return EXIT_FATAL;
        }
    }
    return -1;
}

/* A --stem value that names no Snowball algorithm: says which exist. */
static int bad_stem(const char *lang)
{
    if (!lang || !*lang || strcmp(lang, "none") == 0 || stemmer_exists(lang))
        return 0;
    fprintf(stderr, "lede-index: unknown stemming language '%s'; available: none", lang);
    for (const char **l = stemmer_names(); *l; l++)
        fprintf(stderr, ", %s", *l);
    fputc('\n', stderr);
    return 1;
}

static int need(int n, int argc, const char *what)
{
    if (argc < n) {
        fprintf(stderr, "lede-index: %s\n(lede-index --help shows every command)\n", what);
        return 1;
    }
    return 0;
}

/* need, and no more than max arguments: an extra one is refused, not
 * ignored (check i1 i2 once looked at i1 only). */
static int need_at_most(int n, int max, int argc, char **args, const char *what)
{
    if (need(n, argc, what))
        return 1;
    if (argc > max) {
        fprintf(stderr, "lede-index: %s takes no argument '%s'\n%s\n", args[0], args[max], what);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options op;
    memset(&op, 0, sizeof op);
    /* GNU getopt permutes: options may come anywhere, "--" ends them. */
    int status = parse_options(argc, argv, "j:m:qh", &op);
    if (status >= 0)
        return status;
    if (settle_max_doc(&op))
        return EXIT_FATAL;
    char **args = argv + optind;
    int n = argc - optind;
    if (n == 0) {
        fputs(usage, stderr);
        return EXIT_FATAL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A file-size limit must fail the write (EFBIG), not kill us mid-way. */
    signal(SIGXFSZ, SIG_IGN);

    const char *cmd = args[0];
    if (bad_stem(op.stem))
        return EXIT_FATAL;
    if (strcmp(cmd, "scan") == 0) {
        if (need(2, n, "scan needs at least one INPUT (a file, a directory, or -)"))
            return EXIT_FATAL;
        return cmd_scan(&op, args + 1, n - 1);
    }
    if (strcmp(cmd, "delete") == 0) {
        if (need(3, n, "usage: lede-index delete DIR ID..."))
            return EXIT_FATAL;
        return cmd_delete(&op, args[1], args + 2, n - 2);
    }
    if (strcmp(cmd, "optimize") == 0) {
        if (need_at_most(2, 2, n, args, "usage: lede-index optimize DIR"))
            return EXIT_FATAL;
        return cmd_optimize(&op, args[1]);
    }
    if (strcmp(cmd, "check") == 0) {
        if (need(2, n, "usage: lede-index check DIR..."))
            return EXIT_FATAL;
        int worst = EXIT_ALL_GOOD;
        for (int i = 1; i < n; i++) { /* each DIR given; the worst status */
            int st = cmd_check(args[i]);
            worst = st > worst ? st : worst;
        }
        return worst;
    }
    if (strcmp(cmd, "stats") == 0) {
        if (need_at_most(2, 2, n, args, "usage: lede-index stats DIR"))
            return EXIT_FATAL;
        return cmd_stats(args[1]);
    }
    if (strcmp(cmd, "ids") == 0) {
        if (need_at_most(2, 2, n, args, "usage: lede-index ids DIR"))
            return EXIT_FATAL;
        char msg[1024] = "";
        int rc = index_list_ids(args[1], stdout, msg, sizeof msg);
        if (rc) {
            fprintf(stderr, "lede-index: %s\n", msg[0] ? msg : err_str(rc));
            return rc == LEDE_ECORRUPT ? EXIT_CORRUPT : EXIT_FATAL;
        }
        return EXIT_ALL_GOOD;
    }
    if (strcmp(cmd, "dump") == 0) {
        if (need_at_most(2, 3, n, args, "usage: lede-index dump DIR [[FIELD:]TERM]"))
            return EXIT_FATAL;
        char msg[1024] = "";
        int rc = index_dump(args[1], n > 2 ? args[2] : NULL, stdout, msg, sizeof msg);
        if (rc) {
            fprintf(stderr, "lede-index: %s\n", msg[0] ? msg : err_str(rc));
            return rc == LEDE_ECORRUPT ? EXIT_CORRUPT : EXIT_FATAL;
        }
        return EXIT_ALL_GOOD;
    }
    if (need(2, n, "name the index DIR and at least one INPUT (a file, a directory, or -)"))
        return EXIT_FATAL;
    return cmd_index(&op, args[0], args + 1, n - 1);
}
