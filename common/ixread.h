/* ixread.h - opening a whole index read-only: the manifest of the current
 * generation, its segments (mapped) and their deletions. Opening costs the
 * same for any number of documents; nothing is written.
 *
 * A writer may commit while a reader opens: if a segment named by the
 * manifest it read is already gone, the reader reads the manifest again
 * (a few times). Once open, the reader sees its generation until closed.
 * Used by lede-search and by lede-index check/stats/dump. */
#ifndef LEDE_IXREAD_H
#define LEDE_IXREAD_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "segread.h"

typedef struct ixseg {
    segread *seg;
    deletions del;      /* empty bitmap when nothing is deleted */
    uint32_t base;      /* global doc id of the segment's document 0 */
    manifest_seg ms;
} ixseg;

typedef struct ixread {
    char *dir;
    manifest man;
    ixseg *segs;
    size_t n_segs;
    uint64_t n_docs;        /* documents, deleted included */
    uint64_t n_live;        /* live documents */
    uint64_t live_len[2];   /* total title and body lengths of live documents */
} ixread;

/* Opens segment ms of DIR and its deletions (an empty set when it has none)
 * and checks both against the manifest entry. On failure *seg is NULL, *del
 * is freed, msg (cap bytes) names the file and the problem, and errno is
 * kept for LEDE_EIO (ENOENT: the file is gone). A file of another format
 * version than the (version 1) manifest naming it is LEDE_ECORRUPT. Used
 * by ixread_open and by the index writer. */
int ixseg_open(const char *dir, const manifest_seg *ms, segread **seg, deletions *del, char *msg,
               size_t cap);

/* Opens DIR. Errors: LEDE_EIO with errno ENOENT when DIR holds no index;
 * LEDE_ECORRUPT (also for a file the manifest names that does not exist) /
 * LEDE_EVERSION. msg (cap bytes) gets a sentence naming the file and the
 * problem ("index corrupt: FILE: WHAT"). */
int ixread_open(ixread **out, const char *dir, char *msg, size_t cap);
void ixread_close(ixread *r);

/* The segment holding global doc id `doc`, and the local id within it. */
const ixseg *ixread_locate(const ixread *r, uint64_t doc, uint32_t *local);

#endif
