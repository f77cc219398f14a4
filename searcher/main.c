/* main.c - the lede-search command: argument parsing and messages only.
 * The work is done by the searcher library (search.h, output.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "json.h"
#include "output.h"
#include "search.h"
#include "unicode.h"
#include "utf8.h"

#define EXIT_OK 0
#define EXIT_NO_MATCH 1
#define EXIT_ERROR 2
#define EXIT_CORRUPT 3

static const char usage[] =
    "usage: lede-search [options] DIR [QUERY]\n"
    "       lede-search DIR --doc ID\n"
    "       lede-search DIR --batch QUERIES.tsv [--run-format trec] [-k N]\n"
    "\n"
    "Searches the index in DIR (built by lede-index; opened read-only) and\n"
    "prints the best matches, most relevant first, each with its id, date,\n"
    "source, title and a passage with the matched words marked; then how many\n"
    "documents match. Without QUERY, reads one query per line from standard\n"
    "input and answers each in turn (blank lines are skipped). A query may\n"
    "start with '-' as it is ('-obama sanctions'): only --NAME, -h, -n N and\n"
    "-k N are options.\n"
    "\n"
    "query language (docs/QUERY.md):\n"
    "  putin kim            both words (all words must match by default)\n"
    "  putin OR kim         either;  putin -kim  or  putin NOT kim  excludes\n"
    "  +putin kim           with --any: putin required, kim optional\n"
    "  \"korean peninsula\"   exact phrase;  \"putin kim\"~5  within 5 positions\n"
    "  denucl*              prefix: denuclearize, denuclearization, ...\n"
    "  title:summit  source:reuters  section:editorial  body:\"trade war\"\n"
    "  date:2019-04-25  date:2019-01-01..2019-06-30  date:>=2019  date:<2019-03\n"
    "  (a OR b) AND c       grouping; NOT binds tighter than AND, AND than OR\n"
    "  Case and accents do not matter (Erdogan finds Erdo\xC4\x9F" "an); with the\n"
    "  default stemming, sanction also finds sanctions and sanctioned.\n"
    "  limits: 64 KiB, 1024 terms (64 per phrase), 64 prefixes, parentheses 100\n"
    "  deep; a query over one is refused (docs/LIMITS.md)\n"
    "\n"
    "options:\n"
    "  -n, --limit N        hits to show (default 10)\n"
    "      --offset N       skip the first N hits (paging)\n"
    "      --sort date      newest first instead of by relevance\n"
    "      --any            bare words are optional and ranked (OR), not all required\n"
    "      --count          print only the number of matching documents (exact;\n"
    "                       without it, a search ranked by relevance may stop\n"
    "                       counting once the best hits are certain, and says\n"
    "                       \"at least N matching documents\"); a malformed line\n"
    "                       of standard input prints 'error' in its place\n"
    "      --json           one JSON object per hit, then a summary object\n"
    "                       (\"exact\": false when the total is a lower bound); a\n"
    "                       malformed line of standard input gets\n"
    "                       {\"line\":N,\"error\":\"...\",\"column\":C}\n"
    "      --fragments N    snippet passages per hit (default 1; 0: none)\n"
    "      --explain        show the BM25 contribution of each term and field\n"
    "                       (with --json: the hit's \"explain\" string)\n"
    "      --timeline       matching articles per month (or year) as a bar chart\n"
    "      --doc ID         print one stored article in full\n"
    "      --k1 X --b X     BM25 parameters (default 1.3 and 0.72)\n"
    "      --title-weight X weight of a title occurrence (default 2; body is 1)\n"
    "      --scoring MODEL  bm25f (default): a word without a field scores title and\n"
    "                       body as one weighted field; fields: the sum of a BM25\n"
    "                       score per field (title score times the title weight)\n"
    "      --batch FILE     run 'qid<TAB>query' lines as free text (words OR'ed,\n"
    "                       syntax characters are plain text, English stop words\n"
    "                       left out) and print a TREC run, one line per hit:\n"
    "                       qid Q0 docid rank score tag. A docid byte that would\n"
    "                       split the columns (space, tab, line break, other\n"
    "                       control bytes) is written %XX, and so is % (%25):\n"
    "                       'van Buren-1837' is van%20Buren-1837. A qid must\n"
    "                       be one word: a line with an empty qid or one with\n"
    "                       white space is reported and skipped\n"
    "      --stopwords LIST stop words left out in --batch: snowball (default),\n"
    "                       lucene (its 33 words) or none\n"
    "  -k N                 hits per query in --batch (default 1000)\n"
    "      --run-format trec  the run format (the only one)\n"
    "      --tag NAME       run tag in --batch output, one word (default lede)\n"
    "      --color WHEN     highlight with colour: auto (default), always, never\n"
    "  -h, --help           this text\n"
    "\n"
    "exit status:\n"
    "  0  something matched (--doc: the article was found; --batch: no line had\n"
    "     to be skipped)\n"
    "  1  nothing matched (for queries read from standard input: none of them\n"
    "     matched); --doc: no document has that id\n"
    "  2  a malformed query (the message points at the column), a bad option,\n"
    "     no index in DIR, a --batch line skipped (its FILE:LINE is printed),\n"
    "     or another error (its message says which)\n"
    "  3  the index is damaged (lede-index check DIR says where)\n"
    "\n"
    "examples:\n"
    "  lede-search idx '\"korean peninsula\" putin'\n"
    "  lede-search idx 'sanctions -russia date:2019-01..2019-06'\n"
    "  lede-search idx '-obama sanctions'\n"
    "  lede-search idx --sort date -n 20 'title:summit source:reuters'\n"
    "  lede-search idx --count 'refugee* date:2015'\n"
    "  lede-search idx --timeline 'sanctions source:reuters'\n"
    "  lede-search idx --json -n 20 'title:summit date:2019'\n"
    "  lede-search idx --doc reuters-1234\n";

struct options {
    search_params p;
    output_opts o;
    const char *doc_id;
    const char *batch;
    const char *tag;
    size_t batch_k;
    int count_only;
    int timeline;
};

enum { O_OFFSET = 256, O_SORT, O_ANY, O_COUNT, O_JSON, O_FRAG, O_EXPLAIN, O_TIMELINE, O_DOC,
       O_K1, O_B, O_TW, O_BATCH, O_RUNFMT, O_TAG, O_COLOR, O_STOPWORDS, O_BM25F };
static const struct option longopts[] = {
    {"limit", required_argument, NULL, 'n'}, {"offset", required_argument, NULL, O_OFFSET},
    {"sort", required_argument, NULL, O_SORT}, {"any", no_argument, NULL, O_ANY},
    {"count", no_argument, NULL, O_COUNT}, {"json", no_argument, NULL, O_JSON},
    {"fragments", required_argument, NULL, O_FRAG}, {"explain", no_argument, NULL, O_EXPLAIN},
    {"timeline", no_argument, NULL, O_TIMELINE}, {"doc", required_argument, NULL, O_DOC},
    {"k1", required_argument, NULL, O_K1}, {"b", required_argument, NULL, O_B},
    {"title-weight", required_argument, NULL, O_TW}, {"batch", required_argument, NULL, O_BATCH},
    {"run-format", required_argument, NULL, O_RUNFMT}, {"tag", required_argument, NULL, O_TAG},
    {"color", required_argument, NULL, O_COLOR}, {"help", no_argument, NULL, 'h'},
    {"scoring", required_argument, NULL, O_BM25F},
    {"stopwords", required_argument, NULL, O_STOPWORDS},
    {NULL, 0, NULL, 0}};

/* Whether the long option name (after its "--") takes its value from the
 * next argument: it has required_argument and no "=value". Abbreviations
 * count as getopt_long reads them (--lim 5); an unknown or ambiguous name is
 * left to getopt_long to report. */
static int long_wants_next(const char *name)
{
    if (strchr(name, '='))
        return 0;
    size_t len = strlen(name);
    const struct option *found = NULL;
    int n_found = 0;
    for (const struct option *o = longopts; o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        if (o->name[len] == '\0')
            return o->has_arg == required_argument;
        found = o;
        n_found++;
    }
    return n_found == 1 && found->has_arg == required_argument;
}

/* How many arguments arg starts as an option: 1, or 2 when its value is the
 * next argument; 0 for a word of DIR or the query; -1 for "--". The query
 * language writes exclusion as -word, so a '-' makes an option only in
 * --NAME, -h, -n N, -k N and -nDIGITS, -kDIGITS: '-nato russia' is a query,
 * not --limit 'ato russia'. */
static int option_span(const char *arg)
{
    if (arg[0] != '-' || arg[1] == '\0')
        return 0;
    if (arg[1] == '-')
        return arg[2] == '\0' ? -1 : 1 + long_wants_next(arg + 2);
    if (strcmp(arg, "-h") == 0)
        return 1;
    if (arg[1] == 'n' || arg[1] == 'k') {
        if (arg[2] == '\0')
            return 2;
        if (strspn(arg + 2, "0123456789") == strlen(arg + 2))
            return 1;
    }
    return 0;
}

/* Copies argv into out (room for argc + 2 pointers) as getopt_long is to
 * read it: the options with their values, "--", then the other arguments in
 * their order (those after a "--" whatever they look like); returns the new
 * argc. Options may still follow the query (idx putin --json). */
static int order_args(int argc, char **argv, char **out)
{
    int n = 0, i, span = 0;
    out[n++] = argv[0];
    for (i = 1; i < argc && (span = option_span(argv[i])) >= 0; i += span ? span : 1) {
        if (span == 2 && i + 1 == argc) { /* no value: getopt_long is to say so */
            out[n++] = argv[i];
            out[n] = NULL;
            return n;
        }
        for (int j = 0; j < span; j++)
            out[n++] = argv[i + j];
    }
    out[n++] = "--";
    for (i = 1; i < argc && (span = option_span(argv[i])) >= 0; i += span ? span : 1)
        if (span == 0)
            out[n++] = argv[i];
    for (i++; i < argc; i++)
        out[n++] = argv[i];
    out[n] = NULL;
    return n;
}

static double now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The character at s[i..len): its bytes (*n) and the columns a terminal
 * gives it, or -1 for one to print as '?': a control, an invalid byte, a
 * format character (a direction override could reorder the line). */
static int char_width(const char *s, size_t len, size_t i, size_t *n)
{
    int32_t cp;
    *n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
    return cp == '\t' ? 1 : cp < 0 ? -1 : unicode_width(cp);
}

/* Writes s[0..len) to f with its printable characters as they are and the
 * others as '?' (char_width), so that no input can send escape sequences to
 * the terminal. */
static void put_plain(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0, n; i < len; i += n) {
        if (char_width(s, len, i, &n) < 0)
            fputc('?', f);
        else
            fwrite(s + i, 1, n, f);
    }
}

/* Prints the query (put_plain) and, under it, a caret at byte column
 * `column`, after the columns the characters before it take (two for a
 * wide one). */
static void echo_with_caret(const char *q, size_t len, uint32_t column)
{
    fputs("  ", stderr);
    put_plain(stderr, q, len);
    fputs("\n  ", stderr);
    for (size_t i = 0, n; i + 1 < column && i < len; i += n) {
        int w = char_width(q, len, i, &n);
        for (int k = 0; k < (w < 0 ? 1 : w); k++)
            fputc(q[i] == '\t' ? '\t' : ' ', stderr);
    }
    fputs("^\n", stderr);
}

/* Prints a query error, and under it the query (when under 200 bytes) with
 * a caret at the column (echo_with_caret). lineno is the query's line of
 * standard input (0: the command line): the message then starts "stdin:N: ",
 * and with --json the line also gets {"line":N,"error":...,"column":C} on
 * standard output, with --count the line "error", so that a script reading
 * the answers stays in step with its queries. */
static void query_problem(const struct options *op, unsigned long lineno, const char *q,
                          size_t len, const query_error *e)
{
    if (lineno)
        fprintf(stderr, "stdin:%lu: ", lineno);
    else
        fputs("lede-search: ", stderr);
    fprintf(stderr, "query error at column %u: ", e->column);
    put_plain(stderr, e->message, strlen(e->message)); /* it may quote the query */
    fputc('\n', stderr);
    if (len < 200)
        echo_with_caret(q, len, e->column);
    if (lineno && op->o.json) {
        /* the message may quote the query's bytes; JSON wants UTF-8 */
        buf msg = {0}, out = {0};
        int rc = utf8_repair(&msg, e->message, strlen(e->message), NULL);
        buf_printf(&out, "{\"line\":%lu,\"error\":", lineno);
        rc = rc ? rc : json_put_string(&out, msg.data ? msg.data : "", msg.len);
        buf_printf(&out, ",\"column\":%u}\n", e->column);
        rc = rc ? rc : out.err;
        if (rc)
            fprintf(stderr, "lede-search: %s\n", err_str(rc));
        else
            fwrite(out.data, 1, out.len, stdout);
        buf_free(&msg);
        buf_free(&out);
    } else if (lineno && op->count_only) {
        puts("error"); /* a count per non-blank line, as the counts are */
    }
}

/* Reports an error from the searcher once the index is open; returns the
 * exit status it calls for. */
static int index_problem(const searcher *s, int rc)
{
    if (rc == LEDE_ECORRUPT) {
        char msg[1024] = "";
        searcher_corrupt_message(s, msg, sizeof msg);
        fprintf(stderr, "lede-search: %s\n", msg);
        return EXIT_CORRUPT;
    }
    fprintf(stderr, "lede-search: %s\n", err_str(rc));
    return EXIT_ERROR;
}

/* A line of queries is read up to this many bytes (room for a --batch qid
 * before a query of QUERY_MAX_BYTES); the rest is counted, not kept. */
#define LINE_KEEP (QUERY_MAX_BYTES + 1024)

/* Reads one line of f into line (without its "\n" or "\r\n"), keeping at most
 * LINE_KEEP bytes of it: a longer query is refused anyway, so it must not cost
 * more memory than that. *total gets the line's full length (> line->len when
 * cut short). Returns 1, 0 at the end of input, or LEDE_ENOMEM. */
static int read_line(FILE *f, buf *line, size_t *total)
{
    buf_clear(line);
    *total = 0;
    int c = EOF;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (*total < LINE_KEEP && buf_putc(line, (char)c))
            return LEDE_ENOMEM;
        (*total)++;
    }
    if (c == EOF && *total == 0)
        return 0;
    if (*total == line->len && line->len > 0 && line->data[line->len - 1] == '\r') {
        line->data[--line->len] = '\0';
        (*total)--;
    }
    return 1;
}

/* The error for a line longer than QUERY_MAX_BYTES (the parser's wording). */
static void too_long(query_error *e, size_t total)
{
    e->column = QUERY_MAX_BYTES + 1;
    snprintf(e->message, sizeof e->message,
             "the query is %zu bytes long, over the limit of %d bytes; shorten it", total,
             QUERY_MAX_BYTES);
}

/* A TREC run's query id and tag are written as given, so they must be one
 * field: not empty, no white space or control byte (docids are escaped
 * instead, output.c). */
static int trec_field_ok(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7F)
            return 0;
    return 1;
}

/* Answers one query, from line lineno of standard input (0: the command
 * line); returns an exit status. */
static int answer(searcher *s, const struct options *op, unsigned long lineno, const char *q,
                  size_t len)
{
    search_result r;
    query_error qe;
    double t0 = now_micros();
    int rc = op->timeline ? searcher_timeline(s, q, len, &op->p, &r, &qe)
                          : searcher_search(s, q, len, &op->p, &r, &qe);
    double us = now_micros() - t0;
    if (rc == LEDE_EQUERY || rc == LEDE_ELIMIT) {
        query_problem(op, lineno, q, len, &qe);
        return EXIT_ERROR;
    }
    if (rc) {
        fprintf(stderr, "lede-search: %s\n", qe.message[0] ? qe.message : err_str(rc));
        return rc == LEDE_ECORRUPT ? EXIT_CORRUPT : EXIT_ERROR;
    }
    if (op->count_only) {
        if (op->o.json)
            printf("{\"summary\":true,\"total\":%" PRIu64 ",\"exact\":%s,\"micros\":%.0f}\n",
                   r.total, r.total_exact ? "true" : "false", us);
        else
            printf("%" PRIu64 "\n", r.total);
    } else if (op->timeline) {
        rc = output_timeline(stdout, &r, &op->o, us);
    } else {
        rc = output_hits(stdout, s, q, len, &op->p, &r, &op->o, us);
    }
    uint64_t total = r.total;
    search_result_free(&r);
    if (rc)
        return index_problem(s, rc);
    return total ? EXIT_OK : EXIT_NO_MATCH;
}

static int run_batch(searcher *s, const struct options *op)
{
    FILE *f = strcmp(op->batch, "-") == 0 ? stdin : fopen(op->batch, "r");
    if (!f) {
        fprintf(stderr, "lede-search: cannot open %s: %s\n", op->batch, strerror(errno));
        return EXIT_ERROR;
    }
    search_params p = op->p;
    p.free_text = 1;
    p.limit = op->batch_k;
    p.offset = 0;
    buf line = {0};
    size_t total;
    unsigned long lineno = 0;
    int status = EXIT_OK, more;
    while ((more = read_line(f, &line, &total)) > 0) {
        lineno++;
        if (total == 0)
            continue;
        char *tab = memchr(line.data, '\t', line.len);
        if (!tab) {
            fprintf(stderr, "%s:%lu: expected 'qid<TAB>query'; line skipped\n", op->batch, lineno);
            status = EXIT_ERROR;
            continue;
        }
        *tab = '\0';
        if (!trec_field_ok(line.data, (size_t)(tab - line.data))) {
            fprintf(stderr, "%s:%lu: the query id '", op->batch, lineno);
            put_plain(stderr, line.data, (size_t)(tab - line.data));
            fputs("' is empty or holds white space or a control character, which would split the "
                  "run's columns; line skipped\n", stderr);
            status = EXIT_ERROR;
            continue;
        }
        const char *q = tab + 1;
        size_t qlen = line.len - (size_t)(q - line.data);
        search_result r;
        query_error qe;
        int rc;
        if (total > line.len) { /* cut short by read_line */
            too_long(&qe, total - (size_t)(q - line.data));
            rc = LEDE_ELIMIT;
        } else {
            rc = searcher_search(s, q, qlen, &p, &r, &qe);
        }
        if (rc == LEDE_EQUERY) /* a query of only punctuation: no hits */
            continue;
        if (rc == LEDE_ELIMIT) { /* refused, and said: the run lacks this query */
            fprintf(stderr, "%s:%lu: query '%s' skipped: %s\n", op->batch, lineno, line.data,
                    qe.message);
            status = EXIT_ERROR;
            continue;
        }
        if (rc) {
            fprintf(stderr, "lede-search: %s\n", qe.message[0] ? qe.message : err_str(rc));
            buf_free(&line);
            if (f != stdin)
                fclose(f);
            return rc == LEDE_ECORRUPT ? EXIT_CORRUPT : EXIT_ERROR;
        }
        rc = output_trec(stdout, s, line.data, &r, op->tag);
        search_result_free(&r);
        if (rc) {
            buf_free(&line);
            if (f != stdin)
                fclose(f);
            return index_problem(s, rc);
        }
    }
    buf_free(&line);
    if (f != stdin)
        fclose(f);
    if (more < 0) {
        fprintf(stderr, "lede-search: %s\n", err_str(more));
        return EXIT_ERROR;
    }
    return status;
}

/* Options that would quietly ignore each other or a QUERY: returns why,
 * or NULL. has_query: words follow DIR. */
static const char *conflict(const struct options *op, int has_query)
{
    if (op->count_only && op->timeline)
        return "--count prints only the number of matches and does not combine with --timeline";
    if (op->doc_id && op->batch)
        return "--doc prints one article and does not combine with --batch";
    if (op->doc_id && has_query)
        return "--doc prints one article; it takes no QUERY";
    if (op->batch && has_query)
        return "--batch runs the queries in its FILE; it takes no QUERY";
    return NULL;
}

static int parse_number(const char *opt, const char *arg, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || v < lo || v > hi) {
        fprintf(stderr, "lede-search: %s wants a number from %g to %g, not '%s'\n", opt, lo, hi, arg);
        return -1;
    }
    *out = v;
    return 0;
}

static int run(int argc, char **argv)
{
    struct options op;
    memset(&op, 0, sizeof op);
    search_params_default(&op.p);
    op.o.fragments = 1;
    op.o.snippet_bytes = 240;
    op.tag = "lede";
    op.batch_k = 1000;
    int color = isatty(STDOUT_FILENO);
    int c;
    double v;
    while ((c = getopt_long(argc, argv, "n:k:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_number("--limit", optarg, 0, 1e9, &v))
                return EXIT_ERROR;
            op.p.limit = (size_t)v;
            break;
        case 'k':
            if (parse_number("-k", optarg, 1, 1e9, &v))
                return EXIT_ERROR;
            op.batch_k = (size_t)v;
            break;
        case O_OFFSET:
            if (parse_number("--offset", optarg, 0, 1e9, &v))
                return EXIT_ERROR;
            op.p.offset = (size_t)v;
            break;
        case O_SORT:
            if (strcmp(optarg, "date") == 0)
                op.p.sort_date = 1;
            else if (strcmp(optarg, "score") != 0 && strcmp(optarg, "relevance") != 0) {
                fprintf(stderr, "lede-search: --sort takes 'date' or 'relevance' (or 'score', "
                                "the same), not '%s'\n", optarg);
                return EXIT_ERROR;
            }
            break;
        case O_ANY: op.p.any_default = 1; break;
        case O_COUNT: op.count_only = 1; op.p.exact_count = 1; op.p.limit = 0; break;
        case O_JSON: op.o.json = 1; break;
        case O_FRAG:
            if (parse_number("--fragments", optarg, 0, 100, &v))
                return EXIT_ERROR;
            op.o.fragments = (size_t)v;
            break;
        case O_EXPLAIN: op.o.explain = 1; break;
        case O_TIMELINE: op.timeline = 1; break;
        case O_DOC: op.doc_id = optarg; break;
        case O_K1:
            if (parse_number("--k1", optarg, 0, 100, &op.p.k1))
                return EXIT_ERROR;
            break;
        case O_B:
            if (parse_number("--b", optarg, 0, 1, &op.p.b))
                return EXIT_ERROR;
            break;
        case O_TW:
            if (parse_number("--title-weight", optarg, 0, 1000, &op.p.title_weight))
                return EXIT_ERROR;
            break;
        case O_BATCH: op.batch = optarg; break;
        case O_STOPWORDS:
            if (stopwords_by_name(optarg) < 0) {
                fprintf(stderr, "lede-search: --stopwords takes snowball, lucene or none, not '%s'\n",
                        optarg);
                return EXIT_ERROR;
            }
            op.p.stopwords = optarg;
            break;
        case O_RUNFMT:
            if (strcmp(optarg, "trec") != 0) {
                fprintf(stderr, "lede-search: --run-format supports 'trec' only\n");
                return EXIT_ERROR;
            }
            break;
        case O_TAG:
            if (!trec_field_ok(optarg, strlen(optarg))) {
                fprintf(stderr, "lede-search: --tag wants one word (no white space or control "
                                "character), not '");
                put_plain(stderr, optarg, strlen(optarg));
                fputs("'\n", stderr);
                return EXIT_ERROR;
            }
            op.tag = optarg;
            break;
        case O_COLOR:
            if (strcmp(optarg, "always") == 0)
                color = 1;
            else if (strcmp(optarg, "never") == 0)
                color = 0;
            else if (strcmp(optarg, "auto") != 0) {
                fprintf(stderr, "lede-search: --color takes auto, always or never\n");
                return EXIT_ERROR;
            }
            break;
        case O_BM25F:
            if (strcmp(optarg, "bm25f") == 0)
                op.p.combined_fields = 1;
            else if (strcmp(optarg, "fields") == 0)
                op.p.combined_fields = 0;
            else {
                fprintf(stderr, "lede-search: --scoring takes bm25f or fields, not '%s'\n", optarg);
                return EXIT_ERROR;
            }
            break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: fputs("(lede-search --help shows every option)\n", stderr); return EXIT_ERROR;
        }
    }
    op.o.color = color && !op.o.json;
    if (optind >= argc) {
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    const char *dir = argv[optind++];
    const char *why = conflict(&op, optind < argc);
    if (why) {
        fprintf(stderr, "lede-search: %s\n", why);
        return EXIT_ERROR;
    }
    char msg[1024] = "";
    searcher *s = NULL;
    int rc = searcher_open(&s, dir, msg, sizeof msg);
    if (rc) {
        fprintf(stderr, "lede-search: %s\n", msg[0] ? msg : err_str(rc));
        return rc == LEDE_ECORRUPT ? EXIT_CORRUPT : EXIT_ERROR;
    }
    int status;
    if (op.doc_id) {
        uint32_t doc;
        int found = searcher_find_id(s, op.doc_id, strlen(op.doc_id), &doc);
        int rc2 = found == 1 ? output_document(stdout, s, doc, &op.o) : found;
        if (found == 0) {
            fprintf(stderr, "lede-search: %s: no document with id '%s'\n", dir, op.doc_id);
            status = EXIT_NO_MATCH;
        } else {
            status = rc2 ? index_problem(s, rc2) : EXIT_OK;
        }
    } else if (op.batch) {
        status = run_batch(s, &op);
    } else if (optind < argc) {
        /* the rest of the arguments form the query */
        buf q = {0};
        for (int i = optind; i < argc; i++) {
            if (i > optind)
                buf_putc(&q, ' ');
            buf_puts(&q, argv[i]);
        }
        if (q.err) {
            fprintf(stderr, "lede-search: %s\n", err_str(q.err));
            status = EXIT_ERROR;
        } else {
            status = answer(s, &op, 0, q.data, q.len);
        }
        buf_free(&q);
    } else {
        buf line = {0};
        size_t total;
        unsigned long lineno = 0;
        status = EXIT_NO_MATCH;
        int more;
        while ((more = read_line(stdin, &line, &total)) > 0) {
            lineno++;
            if (total == 0)
                continue;
            int st;
            if (total > line.len) {
                query_error qe;
                too_long(&qe, total);
                query_problem(&op, lineno, line.data, line.len, &qe);
                st = EXIT_ERROR;
            } else {
                st = answer(s, &op, lineno, line.data, line.len);
            }
            if (st == EXIT_OK && status == EXIT_NO_MATCH)
                status = EXIT_OK;
            if (st >= EXIT_ERROR)
                status = st;
            fflush(stdout);
        }
        buf_free(&line);
        if (more < 0) {
            fprintf(stderr, "lede-search: %s\n", err_str(more));
            status = EXIT_ERROR;
        }
    }
    searcher_close(s);
    return status;
}

int main(int argc, char **argv)
{
    char **args = malloc(((size_t)argc + 2) * sizeof *args);
    if (!args) {
        fprintf(stderr, "lede-search: %s\n", err_str(LEDE_ENOMEM));
        return EXIT_ERROR;
    }
    int status = run(order_args(argc, argv, args), args);
    free(args);
    return status;
}
