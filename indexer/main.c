/* main.c - the lede-index command: argument parsing and messages only.
 * The work is done by the indexer library (ingest.h) and common/. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "err.h"
#include "ingest.h"

/* Exit statuses (docs/CLI.md). */
#define EXIT_ALL_GOOD 0
#define EXIT_SOME_SKIPPED 1
#define EXIT_FATAL 2

static const char usage[] =
    "usage: lede-index scan [options] INPUT...\n"
    "       lede-index --help\n"
    "\n"
    "Reads articles and analyzes them the way the index will. INPUT is a file\n"
    "(JSON Lines, plain or gzip, or an article in the editorial layout), a\n"
    "directory (read recursively), or - for JSON Lines on standard input.\n"
    "\n"
    "commands:\n"
    "  scan            read and analyze INPUT, report problems and totals; with\n"
    "                  --list, print one line per document (id, date, source,\n"
    "                  terms, title). Writes nothing.\n"
    "\n"
    "options:\n"
    "  -j, --threads N     parse and analyze with N threads (default: cores)\n"
    "      --stem LANG     Snowball stemming (english, ...; default none)\n"
    "      --max-doc-size BYTES  skip larger documents (default 64 MiB;\n"
    "                      suffixes k, M, G)\n"
    "      --list          (scan) print each document\n"
    "  -q, --quiet         no per-problem messages, only the summary\n"
    "  -h, --help          this text\n"
    "\n"
    "exit status: 0 everything was read; 1 some input was skipped or\n"
    "repaired (each case is reported as FILE:LINE: what happened); 2 nothing\n"
    "usable, a bad option, or a fatal error.\n"
    "\n"
    "examples:\n"
    "  lede-index scan ../shared/corpora/seed/\n"
    "  lede-index scan --list --stem english articles.jsonl.gz\n"
    "  zcat news.jsonl.gz | lede-index scan -\n";

struct options {
    int n_threads;
    const char *stem;
    size_t max_doc;
    int list;
    int quiet;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    switch (*end) {
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    default: break;
    }
    if (*end || v == 0)
        return -1;
    *out = (size_t)v;
    return 0;
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

struct scan {
    const struct options *op;
    uint64_t n_docs, n_tokens, n_text_bytes;
};

static int scan_sink(void *ctx, const ingest_doc *id)
{
    struct scan *sc = ctx;
    sc->n_docs++;
    sc->n_tokens += id->n_toks;
    sc->n_text_bytes += id->d->f_len[DOC_TITLE] + id->d->f_len[DOC_BODY];
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

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints the final summary; returns the exit status it implies. */
static int summarize(const input_stats *st, uint64_t n_docs, uint64_t n_tokens, double secs)
{
    double mb = (double)st->bytes_read / 1e6;
    fprintf(stderr,
            "read %" PRIu64 " documents from %" PRIu64 " files, %.1f MB in %.2f s "
            "(%.1f MB/s, %.2f M tokens/s)\n",
            n_docs, st->n_files, mb, secs, secs > 0 ? mb / secs : 0,
            secs > 0 ? (double)n_tokens / secs / 1e6 : 0);
    int any_skipped = 0, any = 0;
    for (int p = 0; p < INPUT_N_PROBLEMS; p++) {
        if (!st->n_problem[p])
            continue;
        fprintf(stderr, "  %s %" PRIu64 " %s\n", input_problem_skips(p) ? "skipped: " : "repaired:",
                st->n_problem[p], input_problem_name(p));
        any = 1;
        if (input_problem_skips(p))
            any_skipped = 1;
    }
    if (n_docs == 0) {
        fprintf(stderr, "lede-index: no usable documents in the input\n");
        return EXIT_FATAL;
    }
    return any_skipped || any ? EXIT_SOME_SKIPPED : EXIT_ALL_GOOD;
}

static int cmd_scan(const struct options *op, char **paths, int n_paths)
{
    struct scan sc = {op, 0, 0, 0};
    ingest_opts io;
    memset(&io, 0, sizeof io);
    io.paths = (const char *const *)paths;
    io.n_paths = (size_t)n_paths;
    io.input.max_doc_bytes = op->max_doc;
    io.input.report = report_problem;
    io.input.report_ctx = (void *)op;
    io.stem_language = op->stem;
    io.n_threads = op->n_threads;
    io.stop = &interrupted;
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
    return summarize(&st, sc.n_docs, sc.n_tokens, secs);
}

static const struct option longopts[] = {
    {"threads", required_argument, NULL, 'j'},
    {"stem", required_argument, NULL, 'S'},
    {"max-doc-size", required_argument, NULL, 'M'},
    {"list", no_argument, NULL, 'l'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Parses options up to the first non-option argument ("+" in optstring) or
 * through the end. Returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, const char *optstring, struct options *op)
{
    int c;
    while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
        switch (c) {
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256) {
                fprintf(stderr, "lede-index: -j wants a thread count from 1 to 256, not '%s'\n", optarg);
                return EXIT_FATAL;
            }
            op->n_threads = (int)n;
            break;
        }
        case 'S': op->stem = optarg; break;
        case 'M':
            if (parse_size(optarg, &op->max_doc)) {
                fprintf(stderr, "lede-index: --max-doc-size wants a size like 64M, not '%s'\n", optarg);
                return EXIT_FATAL;
            }
            break;
        case 'l': op->list = 1; break;
        case 'q': op->quiet = 1; break;
        case 'h': fputs(usage, stdout); return EXIT_ALL_GOOD;
        default: fputs(usage, stderr); return EXIT_FATAL;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct options op = {0, NULL, 0, 0, 0};
    int status = parse_options(argc, argv, "+j:qh", &op);
    if (status >= 0)
        return status;
    if (optind >= argc) {
        fputs(usage, stderr);
        return EXIT_FATAL;
    }
    const char *cmd = argv[optind++];
    status = parse_options(argc, argv, "j:qh", &op); /* options may follow the command */
    if (status >= 0)
        return status;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (strcmp(cmd, "scan") == 0) {
        if (optind >= argc) {
            fprintf(stderr, "lede-index scan: name at least one INPUT (a file, a directory, or -)\n");
            return EXIT_FATAL;
        }
        return cmd_scan(&op, argv + optind, argc - optind);
    }
    fprintf(stderr, "lede-index: unknown command '%s' (building an index on disk is not "
                    "implemented yet; 'scan' reads and analyzes input)\n", cmd);
    return EXIT_FATAL;
}
