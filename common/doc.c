/* doc.c - the document record (see doc.h). */
#include "doc.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

static char empty_string[1];

void doc_init(doc *d)
{
    for (int i = 0; i < DOC_N_FIELDS; i++) {
        d->f[i] = empty_string;
        d->f_len[i] = 0;
    }
    d->date = DATE_NONE;
}

void doc_free(doc *d)
{
    for (int i = 0; i < DOC_N_FIELDS; i++) {
        if (d->f[i] != empty_string)
            free(d->f[i]);
        d->f[i] = empty_string;
        d->f_len[i] = 0;
    }
}

void doc_reset(doc *d)
{
    doc_free(d);
    doc_init(d);
}

void doc_take(doc *d, enum doc_field which, char *s, size_t len)
{
    if (d->f[which] != empty_string)
        free(d->f[which]);
    d->f[which] = s ? s : empty_string;
    d->f_len[which] = s ? len : 0;
}

int doc_set(doc *d, enum doc_field which, const char *s, size_t len)
{
    if (len == 0) {
        doc_take(d, which, NULL, 0);
        return 0;
    }
    char *p = malloc(len + 1);
    if (!p)
        return LEDE_ENOMEM;
    memcpy(p, s, len);
    p[len] = '\0';
    doc_take(d, which, p, len);
    return 0;
}

const char *doc_field_name(enum doc_field which)
{
    static const char *const names[DOC_N_FIELDS] = {
        "id", "title", "source", "section", "url", "body"};
    return which < DOC_N_FIELDS ? names[which] : "?";
}
