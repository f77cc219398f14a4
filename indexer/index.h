/* index.h - the index writer: owns DIR while it runs (the writer lock),
 * adds, updates and deletes documents, flushes in-memory segments within a
 * memory budget, commits atomically, and keeps the segment count bounded by
 * merging. Called by lede-index; one writer per DIR at a time.
 *
 * Nothing is visible to readers before ixwriter_commit; a crash or an
 * ixwriter_close without commit leaves DIR at its last commit. */
#ifndef LEDE_INDEX_H
#define LEDE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "ingest.h"

#define IXWRITER_DEFAULT_MEMORY ((size_t)256 << 20)
/* A document takes up to this many times its size in memory while it is
 * analyzed and added: 16-byte tokens and 12 bytes of scratch per token (17x
 * for "a b c ..."), about 100 bytes per new term (23x for a text of distinct
 * short words); measured with lede-index, docs/LIMITS.md. lede-index admits
 * documents up to memory / IXWRITER_DOC_FACTOR, so that one fits the budget. */
#define IXWRITER_DOC_FACTOR 32
/* The in-memory segment addresses its postings with 32 bits: it is flushed
 * at 2 GiB whatever the budget, which leaves room for one more document of
 * up to IXWRITER_MAX_DOC (the largest lede-index admits) below 4 GiB. */
#define IXWRITER_MAX_SEGMENT_MEMORY ((size_t)2 << 30)
#define IXWRITER_MAX_DOC ((size_t)256 << 20)
#define IXWRITER_DEFAULT_MERGE_FACTOR 10
/* The stemming lede-index gives a new index when --stem is not given: Snowball
 * English wins on five of the six judged collections, by up to 0.08 nDCG@10
 * (docs/RELEVANCE.md). Library callers choose for themselves: a NULL
 * ixwriter_opts.stem_language still means no stemming for a new index. */
#define IXWRITER_DEFAULT_STEM "english"

typedef struct ixwriter ixwriter;

typedef struct ixwriter_opts {
    const char *stem_language; /* for a new index; NULL keeps an existing index's
                                  choice (or none for a new one) */
    size_t memory;             /* flush budget in bytes; 0: the default */
    int keep_duplicates;       /* index exact duplicates instead of skipping them */
    uint32_t merge_factor;     /* 0: the default; 1: never merge automatically */
} ixwriter_opts;

typedef struct ixwriter_stats {
    uint64_t n_added;          /* documents added (updates included) */
    uint64_t n_replaced;       /* older versions replaced by an update */
    uint64_t n_duplicates;     /* skipped as exact duplicates of a live document */
    uint64_t n_deleted;        /* deleted by ixwriter_delete */
    uint64_t n_flushes, n_merges;
    uint64_t n_orphaned;       /* segment files found with no MANIFEST, kept
                                  aside in orphan_dir (ixwriter_open) */
    char orphan_dir[64];       /* its name inside DIR */
} ixwriter_stats;

/* Opens DIR for writing, creating it and an empty index if needed. Takes the
 * lock (LEDE_ELOCKED: msg names the holder), reads the manifest and removes
 * files no commit names. msg (cap bytes) receives a sentence on failure:
 * "index corrupt: FILE: WHAT", "unsupported format version ...", etc. A stem
 * language different from an existing index's is LEDE_EINVAL. */
int ixwriter_open(ixwriter **out, const char *dir, const ixwriter_opts *o, char *msg, size_t cap);
/* Releases the lock; uncommitted changes are discarded. The committed
 * segments this writer wrote leave the page cache (file_drop_cache: searches
 * run faster on pages read back in). Accepts NULL. */
void ixwriter_close(ixwriter *w);

/* 1 when dir holds an index (a committed manifest), else 0 (dir may not
 * exist): for the options only a new index takes, such as its stemming.
 * LEDE_ENOMEM when it cannot tell. */
int ixwriter_exists(const char *dir);

/* The stemming language the index uses ("" for none). */
const char *ixwriter_stem_language(const ixwriter *w);

/* Adds a document; replaces a live document with the same id; skips an
 * exact duplicate of a live document unless keep_duplicates.
 * *outcome: 0 added, 1 added replacing an older version, 2 skipped duplicate
 * (msg: the id of the document it duplicates), 3 added replacing a document
 * this writer added (the same id twice in one run: often two articles that
 * came out with one id). */
int ixwriter_add(ixwriter *w, const ingest_doc *d, int *outcome, char *msg, size_t cap);
/* Deletes the live document with external id id[0..len): 1 deleted, 0 none. */
int ixwriter_delete(ixwriter *w, const char *id, size_t len, char *msg, size_t cap);
/* Makes all changes durable and visible as the next generation, then merges
 * as the policy asks (each merge is committed too). */
int ixwriter_commit(ixwriter *w, char *msg, size_t cap);
/* Merges every segment into one, dropping deleted documents, and commits. */
int ixwriter_optimize(ixwriter *w, char *msg, size_t cap);

const ixwriter_stats *ixwriter_get_stats(const ixwriter *w);
/* Live documents in the index (committed or not). */
uint64_t ixwriter_live_docs(const ixwriter *w);
/* Current generation (last commit). */
uint64_t ixwriter_generation(const ixwriter *w);

#endif
