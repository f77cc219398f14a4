/* field.h - the indexed fields of an article, shared by indexer and searcher.
 *
 * Title and body are full text and scored; source and section are analyzed
 * the same way but serve as filters (source:reuters). The numbers are part of
 * the on-disk format (docs/FORMAT.md). */
#ifndef LEDE_FIELD_H
#define LEDE_FIELD_H

#include <stddef.h>

enum field {
    FIELD_TITLE = 0,
    FIELD_BODY = 1,
    FIELD_SOURCE = 2,
    FIELD_SECTION = 3,
    N_FIELDS = 4
};

/* "title", "body", "source", "section". */
const char *field_name(enum field f);
/* The field named name[0..len) (case-insensitive), or -1. */
int field_by_name(const char *name, size_t len);

#endif
