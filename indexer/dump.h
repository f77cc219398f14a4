/* dump.h - `lede-index dump`: an index as stable, human-readable text.
 * Without a term: the manifest, each segment's META and every term with its
 * df and cf. With a term: its postings in every segment and field (global
 * doc id, external id, tf, positions). Output only; never changes DIR. */
#ifndef LEDE_DUMP_H
#define LEDE_DUMP_H

#include <stddef.h>
#include <stdio.h>

/* `term` may be NULL, "word" (all fields) or "field:word"; the word is
 * analyzed the way the index analyzes text. Returns 0 or an error (msg). */
int index_dump(const char *dir, const char *term, FILE *out, char *msg, size_t cap);

/* Prints the external id of every live document, one per line, in internal
 * doc-id order (the order they were added in). */
int index_list_ids(const char *dir, FILE *out, char *msg, size_t cap);

#endif
