/* test_corrupt.c - damaged indexes (issue "Trust: corrupt input").
 *
 * A small index (three segments, two deletion files, a manifest) is built
 * through the library; then, one file at a time, copies of it are damaged:
 * truncated at many points and given thousands of random byte flips. For
 * each damaged copy:
 *   - index_check must report a problem naming the damaged file;
 *   - searcher_open must succeed or fail with LEDE_ECORRUPT (message
 *     "index corrupt: FILE: WHAT") or LEDE_EVERSION;
 *   - once open, queries of every kind (terms, AND/OR/NOT, phrases exact and
 *     sloppy, prefixes, fields, dates, ranked OR, free text, date order,
 *     counting, timelines, explanations, snippets and stored text, lookups
 *     by id) must answer or fail with LEDE_ECORRUPT, whose message names the
 *     damaged file;
 *   - a damaged segment is also scanned from an exact-size heap copy by the
 *     fuzz target's scan (tests/fuzz/fuzz_segment.c).
 * Nothing may crash or hang (an alarm per case), and the sanitizer build
 * reads index files into exact-size heap copies (LEDE_FMAP_COPY), so a read
 * past the end of any file is an AddressSanitizer error.
 *
 * Damage is drawn from a seeded PRNG: LEDE_SEED=N reproduces a run (the seed
 * is printed), and every failure names its case. Each TEST prints what the
 * user saw, counted by outcome. The fuzz corpus and crash reproducers of
 * tests/fuzz/ are replayed here as well. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "codec.h"
#include "err.h"
#include "fileio.h"
#include "format.h"
#include "fuzz_segment.h"
#include "hash.h"
#include "index.h"
#include "ingest.h"
#include "output.h"
#include "search.h"
#include "t.h"

/* Cases per test (see docs/TESTING.md, "Corrupt input"). */
#define N_FLIPS_MANIFEST 1500
#define N_FLIPS_DELETIONS 1500
#define N_FLIPS_SEGMENT 1200
#define N_FLIPS_SEGMENT_RESEALED 500
#define N_TRUNC_SPREAD 150      /* evenly spread truncation points per segment */
#define N_TRUNC_EDGE 160        /* every point in the first and last bytes */
#define CASE_SECONDS 30         /* a case that takes longer hangs */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t seed_from_env(void)
{
    const char *s = getenv("LEDE_SEED");
    return s ? strtoull(s, NULL, 10) : 20261201;
}

/* --- the index ------------------------------------------------------------------ */

static const char *const vocab[] = {
    "korea", "peninsula", "putin", "kim", "summit", "talks", "trade", "china", "russia",
    "economy", "election", "vote", "minister", "policy", "market", "peace", "sanctions",
    "nuclear", "border", "court", "the", "of", "and",
};
#define N_VOCAB (sizeof vocab / sizeof *vocab)

static void word(buf *b)
{
    uint64_t r = rnd() % 100;
    if (r < 6)
        buf_printf(b, "w%llu", (unsigned long long)(rnd() % 300));
    else if (r < 40)
        buf_puts(b, vocab[20 + rnd() % 3]); /* the, of, and: in most documents */
    else
        buf_puts(b, vocab[rnd() % N_VOCAB]);
}

/* n documents with ids <prefix><i>; some without a date, some long. */
static void write_docs(const char *path, const char *prefix, int n)
{
    static const char *const sources[] = {"reuters", "ap", "xinhua"};
    static const char *const sections[] = {"editorial", "world"};
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    buf b = {0};
    for (int i = 0; i < n; i++) {
        buf_clear(&b);
        buf_printf(&b, "{\"id\":\"%s%d\",\"title\":\"", prefix, i);
        int nt = 1 + (int)(rnd() % 5);
        for (int k = 0; k < nt; k++) {
            if (k)
                buf_putc(&b, ' ');
            word(&b);
        }
        buf_puts(&b, "\"");
        if (rnd() % 8)
            buf_printf(&b, ",\"date\":\"20%02d-%02d-%02d\"", 17 + (int)(rnd() % 4),
                       1 + (int)(rnd() % 12), 1 + (int)(rnd() % 28));
        buf_printf(&b, ",\"source\":\"%s\",\"section\":\"%s\",\"url\":\"http://x/%s%d\",\"body\":\"",
                   sources[rnd() % 3], sections[rnd() % 2], prefix, i);
        int nb = 3 + (int)(rnd() % (rnd() % 16 ? 25 : 250));
        for (int k = 0; k < nb; k++) {
            if (k)
                buf_putc(&b, (rnd() % 15) ? ' ' : '.');
            word(&b);
        }
        buf_puts(&b, "\"}\n");
        fputs(b.data, f);
    }
    buf_free(&b);
    fclose(f);
}

static int add_sink(void *ctx, const ingest_doc *d)
{
    int outcome;
    char msg[512];
    return ixwriter_add(ctx, d, &outcome, msg, sizeof msg);
}

/* One writer session: adds path (if any), deletes ids, commits. */
static int session(const char *dir, const char *path, const char *const *del, size_t n_del)
{
    ixwriter_opts wo = {NULL, 0, 1, 1}; /* merge factor 1: the segments stay apart */
    ixwriter *w = NULL;
    char msg[512];
    int rc = ixwriter_open(&w, dir, &wo, msg, sizeof msg);
    if (rc == 0 && path) {
        ingest_opts io;
        memset(&io, 0, sizeof io);
        io.paths = &path;
        io.n_paths = 1;
        io.n_threads = 1;
        input_stats is;
        rc = ingest_run(&io, add_sink, w, &is);
    }
    for (size_t i = 0; rc == 0 && i < n_del; i++)
        rc = ixwriter_delete(w, del[i], strlen(del[i]), msg, sizeof msg) < 0;
    if (rc == 0)
        rc = ixwriter_commit(w, msg, sizeof msg);
    if (rc)
        fprintf(stderr, "session on %s: %s\n", dir, msg);
    ixwriter_close(w);
    return rc;
}

enum kind { K_MANIFEST, K_SEGMENT, K_DELETIONS };

struct file {
    char name[256];
    char path[4600];
    enum kind kind;
    uint32_t number;    /* segments */
    uint8_t *data;      /* the intact bytes */
    size_t len;
};

struct fixture {
    char root[64];
    char dir[4200];
    struct file files[16];
    size_t n_files;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct file *)a)->name, ((const struct file *)b)->name);
}

/* Builds the index: segment 1 (170 documents: common words span several
 * postings blocks of 128), segments 2 and 3 (40 and 25), deletions in 1 and
 * 2. Returns 0 and fills fx with the files and their intact bytes. */
static int fixture_make(struct fixture *fx)
{
    /* tmpfs when there is one: thousands of small rewrites, no disk */
    snprintf(fx->root, sizeof fx->root, "%s/lede-test-corrupt-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(fx->root))
        return -1;
    char a[4300], b[4300], c[4300];
    snprintf(fx->dir, sizeof fx->dir, "%s/ix", fx->root);
    snprintf(a, sizeof a, "%s/a.jsonl", fx->root);
    snprintf(b, sizeof b, "%s/b.jsonl", fx->root);
    snprintf(c, sizeof c, "%s/c.jsonl", fx->root);
    write_docs(a, "a", 170);
    write_docs(b, "b", 40);
    write_docs(c, "c", 25);
    const char *del[] = {"a3", "a50", "a51", "a169", "b7"};
    if (session(fx->dir, a, NULL, 0) || session(fx->dir, b, NULL, 0) ||
        session(fx->dir, c, NULL, 0) || session(fx->dir, NULL, del, 5))
        return -1;
    DIR *d = opendir(fx->dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && fx->n_files < 16) {
        struct file *f = &fx->files[fx->n_files];
        unsigned n;
        unsigned long long g;
        char tail[8];
        if (strcmp(e->d_name, "MANIFEST") == 0)
            f->kind = K_MANIFEST;
        else if (sscanf(e->d_name, "seg_%u_%llu.ld%7s", &n, &g, tail) == 3 && strcmp(tail, "el") == 0)
            f->kind = K_DELETIONS;
        else if (sscanf(e->d_name, "seg_%u.ls%7s", &n, tail) == 2 && strcmp(tail, "eg") == 0)
            f->kind = K_SEGMENT, f->number = n;
        else
            continue;
        snprintf(f->name, sizeof f->name, "%s", e->d_name);
        snprintf(f->path, sizeof f->path, "%s/%s", fx->dir, e->d_name);
        if (file_read_all(f->path, &f->data, &f->len))
            break;
        fx->n_files++;
    }
    closedir(d);
    qsort(fx->files, fx->n_files, sizeof *fx->files, by_name);
    return 0;
}

static void fixture_free(struct fixture *fx)
{
    for (size_t i = 0; i < fx->n_files; i++)
        free(fx->files[i].data);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->root);
    if (fx->root[0] && system(cmd) != 0)
        T_FAIL("cannot remove %s", fx->root);
}

/* Replaces path's content. A new file rather than a truncated one: ext4
 * flushes a file truncated and rewritten when it is closed, which made each
 * case wait for the disk. */
static int write_file(const char *path, const uint8_t *p, size_t len)
{
    unlink(path);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = len ? fwrite(p, 1, len, f) : 0;
    return fclose(f) != 0 || n != len ? -1 : 0;
}

/* --- outcomes ---------------------------------------------------------------------- */

#define MAX_TALLY 96

struct tally {
    const char *title;
    uint64_t cases;
    uint64_t check_reported, check_only_checksum;
    uint64_t open_corrupt, open_version, opened;
    uint64_t all_answered, some_corrupt;
    uint64_t queries, queries_corrupt;
    size_t n_msgs;
    char msg[MAX_TALLY][160];
    uint64_t msg_n[MAX_TALLY];
};

/* Counts a message with its numbers, terms and the temporary directory left
 * out. */
static void tally_msg(struct tally *t, const char *prefix, const char *what, const char *dir)
{
    char norm[160];
    size_t o = 0, dl = strlen(dir);
    o += (size_t)snprintf(norm, sizeof norm, "%s", prefix);
    for (const char *p = what; *p && o + 1 < sizeof norm; p++) {
        if (dl && strncmp(p, dir, dl) == 0) {
            norm[o++] = 'D';
            p += dl - 1;
        } else if (*p == '\'' && strchr(p + 1, '\'')) { /* a term: 'T' */
            norm[o++] = 'T';
            p = strchr(p + 1, '\'');
        } else if (*p >= '0' && *p <= '9') {
            if (o == 0 || norm[o - 1] != '#')
                norm[o++] = '#';
        } else {
            norm[o++] = *p;
        }
    }
    norm[o] = '\0';
    for (size_t i = 0; i < t->n_msgs; i++)
        if (strcmp(t->msg[i], norm) == 0) {
            t->msg_n[i]++;
            return;
        }
    if (t->n_msgs < MAX_TALLY) {
        snprintf(t->msg[t->n_msgs], sizeof t->msg[0], "%s", norm);
        t->msg_n[t->n_msgs++] = 1;
    }
}

static void tally_print(const struct tally *t)
{
    fprintf(stderr,
            "corrupt: %s: %llu cases. check reported a problem naming the file in %llu "
            "(%llu by the checksum alone). lede-search: open refused %llu (index corrupt %llu, "
            "unsupported version %llu); opened %llu: every query answered in %llu, some query "
            "'index corrupt' in %llu (%llu of %llu queries)\n",
            t->title, (unsigned long long)t->cases, (unsigned long long)t->check_reported,
            (unsigned long long)t->check_only_checksum,
            (unsigned long long)(t->open_corrupt + t->open_version),
            (unsigned long long)t->open_corrupt, (unsigned long long)t->open_version,
            (unsigned long long)t->opened, (unsigned long long)t->all_answered,
            (unsigned long long)t->some_corrupt, (unsigned long long)t->queries_corrupt,
            (unsigned long long)t->queries);
    for (size_t i = 0; i < t->n_msgs; i++)
        fprintf(stderr, "  %6llu  %s\n", (unsigned long long)t->msg_n[i], t->msg[i]);
}

/* --- one damaged copy ---------------------------------------------------------------- */

static char case_label[4800];

static void on_alarm(int sig)
{
    (void)sig;
    static const char m[] = "\ncorrupt: case hangs: ";
    if (write(2, m, sizeof m - 1) < 0 || write(2, case_label, strlen(case_label)) < 0 ||
        write(2, "\n", 1) < 0)
        _exit(1);
    _exit(1);
}

struct reports {
    const char *name;   /* the damaged file's name */
    int named;          /* some report names it */
    int n;
    int checksum_only;  /* the only reports are checksum mismatches */
    struct tally *t;
    const char *dir;
};

static void on_report(void *ctx, const char *file, const char *what)
{
    struct reports *r = ctx;
    if (strstr(file, r->name) || strstr(what, r->name))
        r->named = 1;
    if (r->n == 0)
        r->checksum_only = 1;
    if (!strstr(what, "checksum mismatch"))
        r->checksum_only = 0;
    if (r->n++ == 0)
        tally_msg(r->t, "check: ", what, r->dir);
}

struct query {
    const char *q;
    int any, free_text, sort_date, count, timeline, explain, json;
    int show; /* print the hits with snippets (stored text), as lede-search does */
};

static const struct query queries[] = {
    {.q = "korea", .show = 1}, {.q = "the"}, {.q = "korea putin"}, {.q = "korea OR kim"}, {.q = "korea -putin"},
    {.q = "korea NOT (summit OR talks)"}, {.q = "\"of the\""}, {.q = "\"korea peninsula\""},
    {.q = "\"putin kim\"~5", .show = 1}, {.q = "\"the of and\"~3"}, {.q = "pea*"}, {.q = "title:su*"}, {.q = "w1*"},
    {.q = "title:summit"}, {.q = "body:trade"}, {.q = "source:reuters"}, {.q = "section:editorial china", .show = 1},
    {.q = "date:2019-03"}, {.q = "date:2018-01-01..2019-06-30 korea"}, {.q = "(korea OR china) AND NOT russia"},
    {.q = "w17"}, {.q = "title:\"trade talks\""},
    {.q = "korea kim trade market the", .any = 1},
    {.q = "+korea kim summit", .any = 1},
    {.q = "korea peninsula summit of the talks", .free_text = 1},
    {.q = "korea", .sort_date = 1, .show = 1}, {.q = "date:>=2019", .sort_date = 1},
    {.q = "the", .count = 1}, {.q = "korea OR w5", .count = 1},
    {.q = "korea", .timeline = 1}, {.q = "date:2018", .timeline = 1},
    {.q = "korea putin", .explain = 1, .show = 1}, {.q = "\"the of\" market", .json = 1, .show = 1},
};
#define N_QUERIES (sizeof queries / sizeof *queries)

static const char *const lookup_ids[] = {"a0", "a50", "a120", "b3", "c24", "nope"};

/* One query; returns 0, LEDE_ECORRUPT, or another error (a failure). */
static int run_query(searcher *s, const struct query *qq, FILE *devnull)
{
    search_params p;
    search_params_default(&p);
    p.any_default = qq->any;
    p.free_text = qq->free_text;
    p.sort_date = qq->sort_date;
    if (qq->count) {
        p.exact_count = 1;
        p.limit = 0;
    }
    if (qq->free_text)
        p.limit = 1000;
    if (qq->show)
        p.limit = 4;
    search_result r;
    query_error qe;
    size_t len = strlen(qq->q);
    int rc = qq->timeline ? searcher_timeline(s, qq->q, len, &p, &r, &qe)
                          : searcher_search(s, qq->q, len, &p, &r, &qe);
    if (rc)
        return rc;
    output_opts o = {qq->json, 0, 2, 240, qq->explain};
    if (qq->timeline)
        rc = output_timeline(devnull, &r, &o, 0);
    else if (qq->show)
        rc = output_hits(devnull, s, qq->q, len, &p, &r, &o, 0);
    for (size_t i = 0; rc == 0 && i < r.n_hits; i++) { /* what --batch prints */
        docrec d;
        int64_t date;
        rc = searcher_doc(s, r.hits[i].doc, &d, &date);
    }
    search_result_free(&r);
    return rc;
}

/* Every query and lookup on an opened searcher. */
static void run_queries(searcher *s, const struct file *f, struct tally *t, const char *dir,
                        FILE *devnull)
{
    int corrupt = 0;
    for (size_t i = 0; i < N_QUERIES + sizeof lookup_ids / sizeof *lookup_ids; i++) {
        int rc;
        if (i < N_QUERIES) {
            rc = run_query(s, &queries[i], devnull);
        } else {
            const char *id = lookup_ids[i - N_QUERIES];
            uint32_t doc;
            rc = searcher_find_id(s, id, strlen(id), &doc);
            if (rc == 1) {
                output_opts o = {i % 2, 0, 0, 240, 0};
                rc = output_document(devnull, s, doc, &o);
            }
            rc = rc > 0 ? 0 : rc;
        }
        t->queries++;
        if (rc == 0)
            continue;
        if (rc != LEDE_ECORRUPT) {
            T_FAIL("%s: query %zu returned %s", case_label, i, err_str(rc));
            continue;
        }
        t->queries_corrupt++;
        corrupt = 1;
        char msg[1024];
        searcher_corrupt_message(s, msg, sizeof msg);
        if (strncmp(msg, "index corrupt: ", 15) != 0 || !strstr(msg, f->name))
            T_FAIL("%s: query %zu: message does not name the file: %s", case_label, i, msg);
        tally_msg(t, "search: ", msg, dir);
    }
    if (corrupt)
        t->some_corrupt++;
    else
        t->all_answered++;
}

/* Installs bytes as file f, runs check, the searcher and (segments) the fuzz
 * scan, restores f. must_check: check has to report the damage (not so for
 * flips whose checksum was recomputed: a flipped date or title letter is
 * only visible to the checksum). */
static uint64_t run_case(struct fixture *fx, const struct file *f, const uint8_t *bytes,
                         size_t len, struct tally *t, FILE *devnull, int must_check)
{
    t->cases++;
    alarm(CASE_SECONDS);
    if (write_file(f->path, bytes, len)) {
        T_FAIL("%s: cannot write %s", case_label, f->path);
        return 0;
    }
    /* check */
    struct reports rp = {f->name, 0, 0, 0, t, fx->dir};
    index_totals tot;
    uint64_t problems = 0;
    int rc = index_check(fx->dir, CHECK_FULL, on_report, &rp, &tot, &problems);
    if (problems == 0 && must_check)
        T_FAIL("%s: check reported nothing (rc %d)", case_label, rc);
    else if (problems && !rp.named)
        T_FAIL("%s: check did not name %s", case_label, f->name);
    else if (problems)
        t->check_reported++;
    t->check_only_checksum += rp.checksum_only;
    /* search */
    char msg[1024];
    searcher *s = NULL;
    rc = searcher_open(&s, fx->dir, msg, sizeof msg);
    if (rc == LEDE_ECORRUPT) {
        t->open_corrupt++;
        if (strncmp(msg, "index corrupt: ", 15) != 0 || !strstr(msg, f->name))
            T_FAIL("%s: open message does not name the file: %s", case_label, msg);
        tally_msg(t, "open: ", msg, fx->dir);
    } else if (rc == LEDE_EVERSION) {
        t->open_version++;
        if (!strstr(msg, "unsupported format version") || !strstr(msg, f->name))
            T_FAIL("%s: version message: %s", case_label, msg);
        tally_msg(t, "open: ", msg, fx->dir);
    } else if (rc) {
        T_FAIL("%s: searcher_open returned %s: %s", case_label, err_str(rc), msg);
    } else {
        t->opened++;
        run_queries(s, f, t, fx->dir, devnull);
    }
    searcher_close(s);
    /* the segment alone, from an exact-size copy */
    if (f->kind == K_SEGMENT) {
        uint8_t *copy = malloc(len ? len : 1);
        if (copy) {
            memcpy(copy, bytes, len);
            const char *v = fuzz_segment_scan(copy, len, f->number);
            if (v)
                T_FAIL("%s: segment scan: %s", case_label, v);
            free(copy);
        }
    }
    alarm(0);
    if (write_file(f->path, f->data, f->len))
        T_FAIL("cannot restore %s", f->path);
    return problems;
}

/* The name of the section of segment f holding byte `at` ("header",
 * "TOC", ...). */
static const char *where_in(const struct file *f, size_t at)
{
    if (at < FORMAT_HEADER_LEN)
        return "header";
    if (at >= f->len - FORMAT_FOOTER_LEN)
        return "footer";
    segread *s = NULL;
    const char *what, *name = "TOC";
    if (segread_open_mem(&s, f->name, f->data, f->len, f->number, &what) != 0)
        return "?";
    for (int id = 1; id < SEC_N; id++) {
        const section *sec = segread_section(s, id);
        if (at >= sec->offset && at - sec->offset < sec->len)
            name = format_section_name(id);
    }
    segread_close(s);
    return name;
}

/* --- the sweeps ------------------------------------------------------------------------ */

struct sweep {
    struct fixture fx;
    struct tally t;
    FILE *devnull;
    uint8_t *scratch;
};

static int sweep_begin(struct sweep *w, const char *title, uint64_t salt)
{
    memset(w, 0, sizeof *w);
    w->t.title = title;
    uint64_t seed = seed_from_env();
    rng_state = seed;
    fprintf(stderr, "corrupt: %s: seed %llu (LEDE_SEED reproduces)\n", title,
            (unsigned long long)seed);
    signal(SIGALRM, on_alarm);
    if (fixture_make(&w->fx) != 0) {
        T_FAIL("cannot build the index");
        return -1;
    }
    rng_state = seed ^ salt; /* each test its own stream, the index the same */
    w->devnull = fopen("/dev/null", "w");
    size_t max = 0;
    for (size_t i = 0; i < w->fx.n_files; i++)
        max = w->fx.files[i].len > max ? w->fx.files[i].len : max;
    w->scratch = malloc(max + 1);
    if (!w->devnull || !w->scratch) {
        T_FAIL("setup");
        return -1;
    }
    /* the intact index checks clean and answers every query */
    index_totals tot;
    uint64_t problems = 1;
    index_check(w->fx.dir, CHECK_FULL, NULL, NULL, &tot, &problems);
    CHECK_INT(problems, 0);
    CHECK_INT(tot.n_segments, 3);
    char msg[1024];
    searcher *s = NULL;
    if (searcher_open(&s, w->fx.dir, msg, sizeof msg) != 0) {
        T_FAIL("intact index: %s", msg);
        return -1;
    }
    for (size_t i = 0; i < N_QUERIES; i++)
        if (run_query(s, &queries[i], w->devnull) != 0)
            T_FAIL("intact index: query '%s' fails", queries[i].q);
    searcher_close(s);
    return t_failed ? -1 : 0;
}

static void sweep_end(struct sweep *w)
{
    tally_print(&w->t);
    if (t_failed)
        fprintf(stderr, "corrupt: failed with LEDE_SEED=%llu\n", (unsigned long long)seed_from_env());
    if (w->devnull)
        fclose(w->devnull);
    free(w->scratch);
    fixture_free(&w->fx);
}

/* Truncates file f at every point in edge bytes from both ends, and at
 * `spread` points between. */
static void truncations(struct sweep *w, const struct file *f, size_t edge, size_t spread)
{
    int every = edge >= f->len / 2;
    size_t step = every || !spread ? 1 : (f->len - 2 * edge) / spread + 1;
    for (size_t at = 0; at < f->len; at++) {
        int near = every || at < edge || f->len - at <= edge;
        if (!near && (!spread || (at - edge) % step != 0))
            continue;
        snprintf(case_label, sizeof case_label, "%s truncated to %zu of %zu bytes", f->name, at, f->len);
        run_case(&w->fx, f, f->data, at, &w->t, w->devnull, 1);
        if (t_failed)
            return;
    }
}

/* n random byte flips over files of kind k. With reseal, the checksum is
 * recomputed after the flip, so only structural checks can see it. */
static void flips(struct sweep *w, enum kind k, size_t n, int reseal)
{
    const struct file *of_kind[16];
    size_t nk = 0;
    for (size_t i = 0; i < w->fx.n_files; i++)
        if (w->fx.files[i].kind == k)
            of_kind[nk++] = &w->fx.files[i];
    REQUIRE(nk > 0);
    for (size_t i = 0; i < n; i++) {
        const struct file *f = of_kind[i % nk];
        size_t at;
        if (k == K_SEGMENT && i % 2) {
            /* half the flips aimed at one section, chosen uniformly, so the
             * small sections get their share */
            segread *s = NULL;
            const char *what;
            if (segread_open_mem(&s, f->name, f->data, f->len, f->number, &what) != 0) {
                T_FAIL("intact %s does not open: %s", f->name, what);
                return;
            }
            const section *sec = segread_section(s, 1 + (int)(rnd() % (SEC_N - 1)));
            at = sec->len ? (size_t)(sec->offset + rnd() % sec->len) : (size_t)(rnd() % f->len);
            segread_close(s);
        } else {
            at = (size_t)(rnd() % f->len);
        }
        uint8_t x = (uint8_t)(rnd() % 2 ? 1u << (rnd() % 8) : 1 + rnd() % 255);
        memcpy(w->scratch, f->data, f->len);
        w->scratch[at] ^= x;
        if (reseal && f->len >= FORMAT_HEADER_LEN + FORMAT_FOOTER_LEN && at < f->len - 8)
            store_u64le(w->scratch + f->len - 8, hash64(w->scratch, f->len - 8));
        snprintf(case_label, sizeof case_label, "%s: byte %zu of %zu xor 0x%02x%s", f->name, at,
                 f->len, x, reseal ? " (checksum recomputed)" : "");
        if (run_case(&w->fx, f, w->scratch, f->len, &w->t, w->devnull, !reseal) == 0)
            tally_msg(&w->t, "check saw nothing (only the checksum would) in ", where_in(f, at), "");
        if (t_failed)
            return;
    }
}

TEST(test_corrupt__manifest)
{
    struct sweep w;
    if (sweep_begin(&w, "MANIFEST truncated at every byte, random flips", 1) == 0) {
        truncations(&w, &w.fx.files[0], SIZE_MAX, 0);
        flips(&w, K_MANIFEST, N_FLIPS_MANIFEST, 0);
    }
    sweep_end(&w);
}

TEST(test_corrupt__deletions)
{
    struct sweep w;
    if (sweep_begin(&w, "deletion files truncated at every byte, random flips", 2) == 0) {
        for (size_t i = 0; i < w.fx.n_files && !t_failed; i++)
            if (w.fx.files[i].kind == K_DELETIONS)
                truncations(&w, &w.fx.files[i], SIZE_MAX, 0);
        flips(&w, K_DELETIONS, N_FLIPS_DELETIONS, 0);
    }
    sweep_end(&w);
}

TEST(test_corrupt__segment_truncated)
{
    struct sweep w;
    if (sweep_begin(&w, "segments truncated", 3) == 0)
        for (size_t i = 0; i < w.fx.n_files && !t_failed; i++)
            if (w.fx.files[i].kind == K_SEGMENT)
                truncations(&w, &w.fx.files[i], N_TRUNC_EDGE, N_TRUNC_SPREAD);
    sweep_end(&w);
}

TEST(test_corrupt__segment_flipped)
{
    struct sweep w;
    if (sweep_begin(&w, "segments with random flips", 4) == 0)
        flips(&w, K_SEGMENT, N_FLIPS_SEGMENT, 0);
    sweep_end(&w);
}

TEST(test_corrupt__segment_flipped_resealed)
{
    struct sweep w;
    if (sweep_begin(&w, "segments with random flips, checksum recomputed", 5) == 0)
        flips(&w, K_SEGMENT, N_FLIPS_SEGMENT_RESEALED, 1);
    sweep_end(&w);
}

/* Each file removed in turn: check names it; the searcher refuses the index
 * with "index corrupt: FILE: missing ..." (no MANIFEST: no index at all). */
TEST(test_corrupt__missing_files)
{
    struct sweep w;
    if (sweep_begin(&w, "each file removed", 6) != 0) {
        sweep_end(&w);
        return;
    }
    for (size_t i = 0; i < w.fx.n_files; i++) {
        const struct file *f = &w.fx.files[i];
        REQUIRE(unlink(f->path) == 0);
        struct reports rp = {f->name, 0, 0, 0, &w.t, w.fx.dir};
        index_totals tot;
        uint64_t problems = 0;
        int rc = index_check(w.fx.dir, CHECK_FULL, on_report, &rp, &tot, &problems);
        if (problems == 0 || !rp.named)
            T_FAIL("%s removed: check said nothing about it", f->name);
        else
            w.t.check_reported++;
        char msg[1024];
        searcher *s = NULL;
        rc = searcher_open(&s, w.fx.dir, msg, sizeof msg);
        w.t.cases++;
        if (f->kind == K_MANIFEST) {
            CHECK_INT(rc, LEDE_EIO);
        } else if (rc != LEDE_ECORRUPT || !strstr(msg, "index corrupt: ") || !strstr(msg, f->name)) {
            T_FAIL("%s removed: searcher_open returned %d: %s", f->name, rc, msg);
        } else {
            w.t.open_corrupt++;
        }
        tally_msg(&w.t, "open: ", msg, w.fx.dir);
        searcher_close(s);
        REQUIRE(write_file(f->path, f->data, f->len) == 0);
    }
    sweep_end(&w);
}

/* --- the fuzz target's corpus and crash reproducers ---------------------------------------- */

static void replay_dir(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4300];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        uint8_t *data = NULL;
        size_t len = 0;
        if (file_read_all(path, &data, &len) != 0) {
            T_FAIL("cannot read %s", path);
            continue;
        }
        snprintf(case_label, sizeof case_label, "%s", path);
        alarm(CASE_SECONDS);
        const char *v = fuzz_segment_one(data, len);
        alarm(0);
        if (v)
            T_FAIL("%s: %s", path, v);
        free(data);
        (*n)++;
    }
    closedir(d);
}

TEST(test_corrupt__fuzz_segment_replay)
{
    signal(SIGALRM, on_alarm);
    size_t n = 0;
    replay_dir(LEDE_FUZZ_DATA "/corpus/segment", &n);
    size_t seeds = n;
    replay_dir(LEDE_FUZZ_DATA "/crashes/segment", &n);
    fprintf(stderr, "corrupt: replayed %zu corpus inputs and %zu crash reproducers\n", seeds, n - seeds);
    CHECK(seeds > 0);
}

TEST_MAIN()
