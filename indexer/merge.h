/* merge.h - merging segments into one: the live documents of the inputs, in
 * input order, renumbered densely, with every term's postings concatenated.
 * Used by the index writer's merge policy and by `lede-index optimize`. */
#ifndef LEDE_MERGE_H
#define LEDE_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "segread.h"

typedef struct merge_input {
    segread *seg;
    const deletions *del; /* NULL: nothing deleted */
} merge_input;

/* Writes DIR's segment `number` from in[0..n). *n_docs gets its document
 * count (0: nothing was live, and no file was written). On LEDE_EIO, *err_no
 * is the errno; on LEDE_ECORRUPT an input was damaged. */
int merge_segments(const char *dir, uint32_t number, const char *stem_language,
                   const merge_input *in, size_t n, uint32_t *n_docs, uint64_t *file_bytes,
                   int *err_no);

#endif
