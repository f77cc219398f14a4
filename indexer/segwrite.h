/* segwrite.h - writes one segment file (docs/FORMAT.md, "Segment").
 *
 * Callers give the documents first, in local doc-id order, then the terms in
 * key order, each with its documents in order and their positions. Used by
 * the in-memory index at flush and by merges. The file appears under its final
 * name only at segwrite_finish (written as .tmp, fsynced, renamed). */
#ifndef LEDE_SEGWRITE_H
#define LEDE_SEGWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"

typedef struct segwrite segwrite;

/* Creates DIR's segment `number` (its .tmp file). block_size and dict_block
 * are the format's B and dictionary block size (FORMAT_BLOCK...). */
int segwrite_open(segwrite **out, const char *dir, uint32_t number, const char *stem_language,
                  uint32_t block_size, uint32_t dict_block, uint32_t store_block);

/* The stored fields of one document. Strings need not be NUL-terminated. */
typedef struct segdoc {
    const char *id, *title, *source, *section, *url, *body;
    size_t id_len, title_len, source_len, section_len, url_len, body_len;
    int64_t date;
    uint32_t len[2];  /* title and body lengths in positions */
    hash128 fprint;
} segdoc;

/* Adds the next document (local id = number of documents added before). */
int segwrite_add_doc(segwrite *w, const segdoc *d);
uint32_t segwrite_n_docs(const segwrite *w);
/* Bytes held in memory for the documents so far (for the memory budget). */
size_t segwrite_mem(const segwrite *w);

/* Starts a term; keys strictly increasing, 2..FORMAT_MAX_KEY bytes. */
int segwrite_term_begin(segwrite *w, const uint8_t *key, size_t len);
/* Adds a document of the current term: doc ids strictly increasing and below
 * the document count; tf >= 1 positions, strictly increasing. */
int segwrite_term_doc(segwrite *w, uint32_t doc, const uint32_t *positions, uint32_t tf);
/* Ends the current term. */
int segwrite_term_end(segwrite *w);

/* Writes the remaining sections, TOC and footer, fsyncs and renames the file
 * into place. *file_bytes receives its size. Frees w whatever happens. On
 * LEDE_EIO, *err_no is the errno (ENOSPC...). */
int segwrite_finish(segwrite *w, uint64_t *file_bytes, int *err_no);
/* The errno of the write that failed (ENOSPC, EFBIG...), or 0: for a caller
 * that abandons w after a LEDE_EIO from any call before segwrite_finish. */
int segwrite_errno(const segwrite *w);
/* Abandons the segment and removes its temp file. Accepts NULL. */
void segwrite_abort(segwrite *w);

#endif
