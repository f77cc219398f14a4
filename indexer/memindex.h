/* memindex.h - the in-memory segment being built: documents as they arrive,
 * and per term a compact stream of (doc, tf, positions), until the memory
 * budget or a commit flushes it to a segment file through segwrite.
 * Called by the index writer (index.c), single-threaded. */
#ifndef LEDE_MEMINDEX_H
#define LEDE_MEMINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "segwrite.h"

typedef struct memindex memindex;

/* An empty in-memory segment that will become DIR's segment `number`. */
int memindex_new(memindex **out, const char *dir, uint32_t number, const char *stem_language);
void memindex_free(memindex *m);

/* Adds a document (local id = memindex_n_docs() before the call). */
int memindex_add(memindex *m, const ingest_doc *d, hash128 fprint);
uint32_t memindex_n_docs(const memindex *m);
/* Approximate bytes of memory held, the flush's own arrays included. */
size_t memindex_mem(const memindex *m);
/* At most how much memindex_mem can grow when d is added: every token a new
 * term, its stored fields copied once more. */
size_t memindex_doc_cost(const ingest_doc *d);
/* Local id of the document with external id id[0..len), latest first; 1
 * found, 0 absent. */
int memindex_find_id(const memindex *m, const char *id, size_t len, uint32_t *doc);
/* The fingerprint a document was added with. */
hash128 memindex_fprint(const memindex *m, uint32_t doc);
/* The external id of a document (NUL-terminated; valid until the next add). */
const char *memindex_id(const memindex *m, uint32_t doc);
/* Title and body lengths of a document (for deletion bookkeeping). */
void memindex_lens(const memindex *m, uint32_t doc, uint32_t *title_len, uint32_t *body_len);

/* Writes the segment file (if any document was added) and frees m. *file_bytes
 * gets its size; on LEDE_EIO *err_no the errno. */
int memindex_flush(memindex *m, uint64_t *file_bytes, int *err_no);

#endif
