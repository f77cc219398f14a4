/* bench/index.c - how fast does lede build an index, how big is it, and how
 * does SQLite FTS5 do on the same documents?
 *
 * For each run (lede with -j 1, lede with -j N, FTS5), a child process reads
 * the same inputs through lede's ingestion and builds its index in a fresh
 * directory; the parent reports wall time, throughput, the child's peak RSS
 * and the index size, one JSON object per line. lede's index is split by
 * kind of data (the same split as `lede-index stats`).
 * FTS5: one table fts5(title, body, tokenize='unicode61'), all rows in one
 * transaction, then the 'optimize' command, as a bulk load is normally done.
 *
 * usage: bench_index [-j N] [--memory BYTES] [--skip-fts5] WORKDIR INPUT... */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "index.h"
#include "ingest.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct result {
    double seconds;
    uint64_t docs;
    uint64_t text_bytes; /* decompressed input bytes */
    index_totals t;      /* lede only */
    uint64_t fts_bytes;  /* fts5 only: the database file */
    uint64_t fts_index_bytes; /* fts5 only: its index (the %_data, %_idx tables) */
};

/* --- lede ---------------------------------------------------------------------- */

static int lede_sink(void *ctx, const ingest_doc *d)
{
    int outcome;
    char msg[512];
    int rc = ixwriter_add(ctx, d, &outcome, msg, sizeof msg);
    if (rc)
        fprintf(stderr, "bench_index: %s\n", msg);
    return rc;
}

static int run_lede(const char *dir, int threads, size_t memory, char **paths, int n,
                    struct result *r)
{
    ixwriter_opts wo = {NULL, memory, 1, 0}; /* keep duplicates: same rows as FTS5 */
    ixwriter *w = NULL;
    char msg[512];
    double t0 = now_seconds();
    if (ixwriter_open(&w, dir, &wo, msg, sizeof msg)) {
        fprintf(stderr, "bench_index: %s\n", msg);
        return 1;
    }
    ingest_opts io;
    memset(&io, 0, sizeof io);
    io.paths = (const char *const *)paths;
    io.n_paths = (size_t)n;
    io.n_threads = threads;
    input_stats st;
    int rc = ingest_run(&io, lede_sink, w, &st);
    rc = rc ? rc : ixwriter_commit(w, msg, sizeof msg);
    r->docs = ixwriter_get_stats(w)->n_added;
    ixwriter_close(w);
    r->seconds = now_seconds() - t0;
    r->text_bytes = st.bytes_read;
    uint64_t problems;
    if (rc == 0)
        rc = index_check(dir, CHECK_STATS_ONLY, NULL, NULL, &r->t, &problems);
    return rc != 0;
}

/* --- FTS5 ---------------------------------------------------------------------- */

struct fts {
    sqlite3 *db;
    sqlite3_stmt *ins;
    uint64_t docs;
};

static int fts_sink(void *ctx, const ingest_doc *d)
{
    struct fts *f = ctx;
    sqlite3_bind_text(f->ins, 1, d->d->f[DOC_TITLE], (int)d->d->f_len[DOC_TITLE], SQLITE_STATIC);
    sqlite3_bind_text(f->ins, 2, d->d->f[DOC_BODY], (int)d->d->f_len[DOC_BODY], SQLITE_STATIC);
    if (sqlite3_step(f->ins) != SQLITE_DONE) {
        fprintf(stderr, "bench_index: fts5 insert: %s\n", sqlite3_errmsg(f->db));
        return 1;
    }
    sqlite3_reset(f->ins);
    f->docs++;
    return 0;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_index: %s: %s\n", sql, err ? err : "?");
        sqlite3_free(err);
        return 1;
    }
    return 0;
}

static int run_fts5(const char *dir, char **paths, int n, struct result *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/fts5.db", dir);
    mkdir(dir, 0755);
    unlink(path);
    struct fts f = {NULL, NULL, 0};
    double t0 = now_seconds();
    if (sqlite3_open(path, &f.db) != SQLITE_OK)
        return 1;
    /* Text is stored by FTS5 itself (a normal, not contentless, table), so
     * both sides keep the articles for display. */
    if (exec(f.db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                   "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61');"
                   "BEGIN;") ||
        sqlite3_prepare_v2(f.db, "INSERT INTO docs(title, body) VALUES (?, ?)", -1, &f.ins, NULL) != SQLITE_OK)
        return 1;
    ingest_opts io;
    memset(&io, 0, sizeof io);
    io.paths = (const char *const *)paths;
    io.n_paths = (size_t)n;
    io.n_threads = 1;
    input_stats st;
    int rc = ingest_run(&io, fts_sink, &f, &st);
    sqlite3_finalize(f.ins);
    rc = rc ? rc : exec(f.db, "COMMIT; INSERT INTO docs(docs) VALUES('optimize');");
    sqlite3_stmt *q = NULL;
    /* the index proper, without the stored text, counted with dbstat */
    if (rc == 0 && sqlite3_prepare_v2(f.db,
            "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('docs_data','docs_idx')", -1, &q,
            NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        r->fts_index_bytes = (uint64_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(f.db);
    r->seconds = now_seconds() - t0;
    r->docs = f.docs;
    r->text_bytes = st.bytes_read;
    struct stat sb;
    r->fts_bytes = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    return rc != 0;
}

/* Runs fn in a child; returns its result and peak RSS. */
static int in_child(int which, const char *dir, int threads, size_t memory, char **paths, int n,
                    struct result *r, long *rss_kb, double *cpu_s)
{
    int pfd[2];
    if (pipe(pfd))
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        struct result res;
        memset(&res, 0, sizeof res);
        int rc = which == 0 ? run_lede(dir, threads, memory, paths, n, &res)
                            : run_fts5(dir, paths, n, &res);
        if (write(pfd[1], &res, sizeof res) != (ssize_t)sizeof res)
            rc = 1;
        _exit(rc);
    }
    close(pfd[1]);
    ssize_t got = read(pfd[0], r, sizeof *r);
    close(pfd[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return 1;
    *rss_kb = ru.ru_maxrss;
    *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return got != (ssize_t)sizeof *r || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

int main(int argc, char **argv)
{
    int threads = (int)sysconf(_SC_NPROCESSORS_ONLN), i = 1, skip_fts = 0;
    size_t memory = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-j") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--memory") == 0 && i + 1 < argc)
            memory = (size_t)strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--skip-fts5") == 0)
            skip_fts = 1;
        else
            break;
    }
    if (argc - i < 2) {
        fprintf(stderr, "usage: bench_index [-j N] [--memory BYTES] [--skip-fts5] WORKDIR INPUT...\n");
        return 2;
    }
    const char *work = argv[i++];
    char **paths = argv + i;
    int n = argc - i;
    mkdir(work, 0755);
    int thread_counts[2] = {1, threads};
    for (int k = 0; k < (threads > 1 ? 2 : 1); k++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/lede-j%d", work, thread_counts[k]);
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
        struct result r;
        long rss;
        double cpu;
        if (in_child(0, dir, thread_counts[k], memory, paths, n, &r, &rss, &cpu)) {
            fprintf(stderr, "bench_index: lede run failed\n");
            return 1;
        }
        const index_totals *t = &r.t;
        uint64_t store = t->section_bytes[SEC_STORE] + t->section_bytes[SEC_STOREINDEX];
        uint64_t dict = t->section_bytes[SEC_TERMS] + t->section_bytes[SEC_TERMINDEX];
        uint64_t doctab = t->section_bytes[SEC_DOCLEN] + t->section_bytes[SEC_DOCDATE] +
                          t->section_bytes[SEC_DOCTABLE] + t->section_bytes[SEC_IDINDEX] +
                          t->section_bytes[SEC_FPRINTS];
        double mb = (double)r.text_bytes / 1e6;
        printf("{\"engine\":\"lede\",\"threads\":%d,\"docs\":%" PRIu64 ",\"input_mb\":%.2f,"
               "\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"docs_per_s\":%.0f,\"mb_per_s\":%.2f,\"peak_rss_mb\":%.1f,"
               "\"index_mb\":%.2f,\"without_stored_mb\":%.2f,\"without_stored_pct\":%.1f,"
               "\"dictionary_mb\":%.2f,\"docids_freqs_mb\":%.2f,\"positions_mb\":%.2f,"
               "\"doctable_mb\":%.2f,\"stored_mb\":%.2f,\"segments\":%" PRIu64 "}\n",
               thread_counts[k], r.docs, mb, r.seconds, cpu, (double)r.docs / r.seconds, mb / r.seconds,
               (double)rss / 1024, (double)t->file_bytes / 1e6, (double)(t->file_bytes - store) / 1e6,
               100.0 * (double)(t->file_bytes - store) / (double)r.text_bytes, (double)dict / 1e6,
               (double)(t->docid_bytes + t->freq_bytes + t->skip_bytes) / 1e6,
               (double)t->section_bytes[SEC_POSITIONS] / 1e6, (double)doctab / 1e6,
               (double)store / 1e6, t->n_segments);
        fflush(stdout);
    }
    if (!skip_fts) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/fts5", work);
        struct result r;
        long rss;
        double cpu;
        if (in_child(1, dir, 1, 0, paths, n, &r, &rss, &cpu)) {
            fprintf(stderr, "bench_index: fts5 run failed\n");
            return 1;
        }
        double mb = (double)r.text_bytes / 1e6;
        printf("{\"engine\":\"fts5\",\"threads\":1,\"docs\":%" PRIu64 ",\"input_mb\":%.2f,"
               "\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"docs_per_s\":%.0f,\"mb_per_s\":%.2f,\"peak_rss_mb\":%.1f,"
               "\"db_mb\":%.2f,\"db_pct\":%.1f,\"index_mb\":%.2f,\"index_pct\":%.1f}\n",
               r.docs, mb, r.seconds, cpu, (double)r.docs / r.seconds, mb / r.seconds, (double)rss / 1024,
               (double)r.fts_bytes / 1e6, 100.0 * (double)r.fts_bytes / (double)r.text_bytes,
               (double)r.fts_index_bytes / 1e6, 100.0 * (double)r.fts_index_bytes / (double)r.text_bytes);
    }
    return 0;
}
