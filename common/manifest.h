/* manifest.h - the MANIFEST file and deletion files (docs/FORMAT.md):
 * which segments make up a commit, and which of their documents are deleted.
 * Read by every index reader; written by the indexer's commit. */
#ifndef LEDE_MANIFEST_H
#define LEDE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct manifest_seg {
    uint32_t number;
    uint32_t n_docs;
    uint64_t del_generation; /* 0: no deletion file */
    uint32_t n_deleted;
} manifest_seg;

typedef struct manifest {
    uint64_t generation;     /* 0: an index with no commit yet */
    uint32_t next_segment;
    char *stem_language;     /* owned; "" for none */
    uint32_t block_size;
    manifest_seg *segs;      /* owned */
    size_t n_segs;
} manifest;

void manifest_init(manifest *m);
void manifest_free(manifest *m);
/* Deep copy. */
int manifest_copy(manifest *dst, const manifest *src);

/* Reads DIR/MANIFEST. LEDE_EIO with errno ENOENT when there is none (no index
 * yet); LEDE_ECORRUPT / LEDE_EVERSION with *what set (static text) when it is
 * damaged or too new. Verifies the checksum (the file is small). */
int manifest_read(manifest *out, const char *dir, const char **what, uint32_t *version);
/* Encodes m as a complete file image (header, body, footer) into out. */
int manifest_encode(const manifest *m, buf *out);

typedef struct deletions {
    uint32_t segment;
    uint32_t n_docs;
    uint32_t n_deleted;
    uint64_t deleted_len[2];
    uint8_t *bitmap;         /* owned; ceil(n_docs/8) bytes */
} deletions;

/* An empty set for a segment of n_docs documents. */
int deletions_new(deletions *out, uint32_t segment, uint32_t n_docs);
void deletions_free(deletions *d);
static inline int deletions_has(const deletions *d, uint32_t doc)
{
    return d->bitmap && (d->bitmap[doc >> 3] >> (doc & 7)) & 1;
}
/* Marks doc deleted (with its title and body lengths); returns 1 if it was
 * live, 0 if already deleted. */
int deletions_add(deletions *d, uint32_t doc, uint32_t title_len, uint32_t body_len);
/* Reads and fully verifies (checksum, counts) a deletion file. */
int deletions_read(deletions *out, const char *path, const char **what);
int deletions_encode(const deletions *d, buf *out);

#endif
