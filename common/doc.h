/* doc.h - one article as lede sees it, whatever file it came from.
 *
 * Filled by the input readers (article.c for the editorial layout, json.c for
 * JSON Lines), consumed by the analyzer and the indexer. Every string field is
 * owned by the doc, NUL-terminated, valid UTF-8 (readers repair it) and never
 * NULL after doc_init: a missing field is the empty string. */
#ifndef LEDE_DOC_H
#define LEDE_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "date.h"

enum doc_field {
    DOC_ID,
    DOC_TITLE,
    DOC_SOURCE,
    DOC_SECTION,
    DOC_URL,
    DOC_BODY,
    DOC_N_FIELDS
};

typedef struct doc {
    char *f[DOC_N_FIELDS];      /* owned strings, indexed by enum doc_field */
    size_t f_len[DOC_N_FIELDS]; /* their byte lengths */
    int64_t date;               /* seconds since 1970-01-01 UTC, or DATE_NONE */
} doc;

/* Makes every field the empty string and the date DATE_NONE. */
void doc_init(doc *d);
/* Frees the fields; the doc must be doc_init'ed again before reuse. */
void doc_free(doc *d);
/* Resets to empty, keeping nothing. Equivalent to doc_free + doc_init. */
void doc_reset(doc *d);
/* Replaces field `which` with a copy of s[0..len). 0 or LEDE_ENOMEM. */
int doc_set(doc *d, enum doc_field which, const char *s, size_t len);
/* Replaces field `which` with an owned heap string (taken, not copied). */
void doc_take(doc *d, enum doc_field which, char *s, size_t len);
/* The lower-case name of a field ("id", "title", ...). */
const char *doc_field_name(enum doc_field which);

#endif
