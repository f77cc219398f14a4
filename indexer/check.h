/* check.h - verifying an index and measuring where its bytes go.
 *
 * index_check reads every file of the current generation: checksums,
 * structure (sorted terms, increasing doc ids and positions, offsets in
 * range, counts), and content (the postings fingerprint recorded at write
 * time is recomputed from the decoded postings). Every problem is reported
 * with the file it is in. The same scan gathers the statistics that
 * `lede-index stats` prints. Called by lede-index check and stats. */
#ifndef LEDE_CHECK_H
#define LEDE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "field.h"
#include "format.h"
#include "segread.h"

typedef void (*check_report_fn)(void *ctx, const char *file, const char *what);

typedef struct index_totals {
    uint64_t generation;
    uint64_t n_segments;
    uint64_t n_docs, n_live;
    uint64_t n_terms, n_postings, n_positions;
    uint64_t section_bytes[SEC_N];   /* summed over segments */
    uint64_t docid_bytes, freq_bytes, skip_bytes, inline_postings;
    uint64_t file_bytes;             /* all files of the generation */
    uint64_t deletion_bytes, manifest_bytes;
} index_totals;

enum { CHECK_STATS_ONLY = 0, CHECK_FULL = 1 };

/* Scans DIR. Returns 0 when the scan ran (problems are counted in
 * *n_problems and reported), or a negative error when the index could not
 * be opened at all (also reported), or LEDE_ENOMEM when the scan could not
 * finish (not reported: no memory is not damage). */
int index_check(const char *dir, int mode, check_report_fn report, void *ctx, index_totals *tot,
                uint64_t *n_problems);

/* Verifies one open segment as index_check verifies each: checksum,
 * structure and content, every problem reported with segread_path(s) as
 * the file. Returns the number of problems. Used by index_check's tests and
 * the fuzz target, on segments opened from memory. */
uint64_t segment_check(segread *s, check_report_fn report, void *ctx);

#endif
