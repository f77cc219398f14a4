/* bench/ingest.c - how fast does lede read and analyze input?
 *
 * Runs the indexer's ingestion pipeline (read, decompress, parse, repair,
 * tokenize, fold, optionally stem) over the named inputs with a sink that
 * only counts, `runs` times, and prints one JSON object per run:
 *   {"threads":N,"stem":"...","docs":D,"input_mb":M,"tokens":T,
 *    "seconds":S,"mb_per_s":..,"tokens_per_s":..}
 * MB are of decompressed input text (JSON or article bytes as read).
 * usage: bench_ingest [-j N] [--stem LANG] [--runs R] INPUT... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest.h"

struct counts {
    uint64_t docs, tokens;
};

static int count_sink(void *ctx, const ingest_doc *id)
{
    struct counts *c = ctx;
    c->docs++;
    c->tokens += id->n_toks;
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int threads = 1, runs = 1, i = 1;
    const char *stem = NULL;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "-j") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--stem") == 0 && i + 1 < argc)
            stem = argv[++i];
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_ingest [-j N] [--stem LANG] [--runs R] INPUT...\n");
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: bench_ingest [-j N] [--stem LANG] [--runs R] INPUT...\n");
        return 2;
    }
    for (int r = 0; r < runs; r++) {
        ingest_opts o;
        memset(&o, 0, sizeof o);
        o.paths = (const char *const *)argv + i;
        o.n_paths = (size_t)(argc - i);
        o.stem_language = stem;
        o.n_threads = threads;
        struct counts c = {0, 0};
        input_stats st;
        double t0 = now_seconds();
        int rc = ingest_run(&o, count_sink, &c, &st);
        double s = now_seconds() - t0;
        if (rc) {
            fprintf(stderr, "bench_ingest: ingest failed (%d)\n", rc);
            return 1;
        }
        double mb = (double)st.bytes_read / 1e6;
        printf("{\"threads\":%d,\"stem\":\"%s\",\"docs\":%llu,\"input_mb\":%.2f,"
               "\"tokens\":%llu,\"seconds\":%.3f,\"mb_per_s\":%.1f,\"tokens_per_s\":%.0f}\n",
               threads, stem ? stem : "none", (unsigned long long)c.docs, mb,
               (unsigned long long)c.tokens, s, mb / s, (double)c.tokens / s);
        fflush(stdout);
    }
    return 0;
}
