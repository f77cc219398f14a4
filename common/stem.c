/* stem.c - libstemmer (Snowball) adapter (see stem.h). */
#include "stem.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

struct stemmer {
    struct sb_stemmer *sb;
};

const char **stemmer_names(void)
{
    return sb_stemmer_list();
}

int stemmer_exists(const char *language)
{
    for (const char **l = sb_stemmer_list(); *l; l++)
        if (strcmp(*l, language) == 0)
            return 1;
    return 0;
}

int stemmer_new(stemmer **out, const char *language)
{
    *out = NULL;
    if (!language || !stemmer_exists(language))
        return LEDE_EINVAL;
    stemmer *s = calloc(1, sizeof *s);
    if (!s)
        return LEDE_ENOMEM;
    s->sb = sb_stemmer_new(language, "UTF_8");
    if (!s->sb) {
        free(s);
        return LEDE_ENOMEM;
    }
    *out = s;
    return 0;
}

void stemmer_free(stemmer *s)
{
    if (!s)
        return;
    sb_stemmer_delete(s->sb);
    free(s);
}

const char *stemmer_stem(stemmer *s, const char *term, size_t len, size_t *out_len)
{
    const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)term, (int)len);
    if (!r) {
        *out_len = len;
        return term;
    }
    *out_len = (size_t)sb_stemmer_length(s->sb);
    return (const char *)r;
}
