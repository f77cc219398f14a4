/* field.c - names of the indexed fields (see field.h). */
#include "field.h"

#include <strings.h>

static const char *const names[N_FIELDS] = {"title", "body", "source", "section"};

const char *field_name(enum field f)
{
    return (unsigned)f < N_FIELDS ? names[f] : "?";
}

int field_by_name(const char *name, size_t len)
{
    for (int f = 0; f < N_FIELDS; f++)
        if (len == __builtin_strlen(names[f]) && strncasecmp(name, names[f], len) == 0)
            return f;
    return -1;
}
