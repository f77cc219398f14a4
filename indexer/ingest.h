/* ingest.h - the front half of indexing: named inputs -> parsed, analyzed
 * documents, handed to a sink one at a time in input order.
 *
 * Reading is sequential (one reader thread); parsing and analysis run on
 * n_threads workers in batches; the sink is always called on the thread that
 * called ingest_run, in the order the documents appear in the input, so
 * whatever the sink builds is identical for every thread count. Called by
 * lede-index (sink: the in-memory postings) and bench/ingest (sink: counts). */
#ifndef LEDE_INGEST_H
#define LEDE_INGEST_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include "doc.h"
#include "field.h"
#include "hash.h"
#include "input.h"

/* One analyzed term occurrence. The term bytes are terms[term_off..+term_len). */
typedef struct ingest_tok {
    uint32_t key_hash;  /* ingest_key_hash(field, term): computed on the worker
                           threads so the single-threaded sink only probes */
    uint32_t term_off;
    uint32_t pos;       /* position within its field */
    uint16_t term_len;
    uint8_t field;      /* enum field */
} ingest_tok;

/* The hash of an index key (field byte + term) used by the in-memory index;
 * never stored. FNV-1a over the field byte and the term, then murmur3's
 * finalizer so that the low bits (the table slot) depend on every byte:
 * cheaper than XXH3 on words of a few bytes, and computed while the term is
 * copied (ingest_key_hash_copy). */
static inline uint32_t ingest_key_hash_step_(uint32_t h, uint8_t c)
{
    return (h ^ c) * 16777619u;
}

static inline uint32_t ingest_key_hash_mix_(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

static inline uint32_t ingest_key_hash(uint8_t field, const char *term, size_t len)
{
    uint32_t h = ingest_key_hash_step_(2166136261u, field);
    for (size_t i = 0; i < len; i++)
        h = ingest_key_hash_step_(h, (uint8_t)term[i]);
    return ingest_key_hash_mix_(h);
}

/* Copies term[0..len) to dst and returns ingest_key_hash(field, term, len). */
static inline uint32_t ingest_key_hash_copy(uint8_t field, char *dst, const char *term, size_t len)
{
    uint32_t h = ingest_key_hash_step_(2166136261u, field);
    for (size_t i = 0; i < len; i++) {
        char c = term[i];
        dst[i] = c;
        h = ingest_key_hash_step_(h, (uint8_t)c);
    }
    return ingest_key_hash_mix_(h);
}

/* One parsed and analyzed document. Everything is borrowed: valid during the
 * sink call only. */
typedef struct ingest_doc {
    const doc *d;
    const char *terms;
    size_t terms_len;                 /* bytes in terms: the sum of the tokens' term_len */
    const ingest_tok *toks;           /* grouped by field, in position order */
    size_t n_toks;
    uint32_t field_len[N_FIELDS];     /* positions used per field (BM25 length) */
    hash128 fprint;                   /* XXH3-128 of the normalized text: title
                                         terms, a 1 byte, body terms, each term
                                         followed by a 0 byte (docs/FORMAT.md) */
    const char *file;                 /* where it came from, for messages */
    uint64_t line;
    size_t mem;                       /* bytes held for it while it is in the
                                         sink: record, fields, terms, tokens */
} ingest_doc;

/* Returns 0 to go on; nonzero stops ingest_run, which returns that value. */
typedef int (*ingest_sink_fn)(void *ctx, const ingest_doc *id);
/* Called on the sink's thread after each batch, for progress lines. */
typedef void (*ingest_progress_fn)(void *ctx, const input_stats *st, uint64_t total_bytes);

typedef struct ingest_opts {
    const char *const *paths;
    size_t n_paths;
    input_opts input;             /* limits and the problem callback */
    const char *stem_language;    /* NULL for none */
    int n_threads;                /* parse/analyze workers; <= 0: number of cores */
    ingest_progress_fn progress;  /* may be NULL */
    void *progress_ctx;
    volatile sig_atomic_t *stop;          /* may be NULL; once it reads nonzero, no further
                                     document reaches the sink */
} ingest_opts;

/* Reads, parses and analyzes every document of o->paths and gives each to
 * sink in input order. Fills *st with the totals (problems counted from every
 * thread). Returns 0 when all input was read, 1 when o->stop ended it early,
 * the sink's nonzero value, or a negative error (LEDE_ENOMEM, LEDE_EINVAL for
 * an unknown stemming language). */
int ingest_run(const ingest_opts *o, ingest_sink_fn sink, void *ctx, input_stats *st);

/* Number of online processors (at least 1). */
int ingest_default_threads(void);

#endif
