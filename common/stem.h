/* stem.h - Snowball stemming; the only file that includes libstemmer. */
#ifndef LEDE_STEM_H
#define LEDE_STEM_H

#include <stddef.h>

typedef struct stemmer stemmer;

/* A stemmer for a Snowball algorithm name ("english", "porter", "french"...),
 * UTF-8. LEDE_EINVAL for an unknown name, LEDE_ENOMEM. Not thread-safe. */
int stemmer_new(stemmer **out, const char *language);
void stemmer_free(stemmer *s);

/* Stems term[0..len). Returns the stem and its length in *out_len; the
 * pointer is valid until the next call on s. Returns the input unchanged if
 * the stemmer fails. */
const char *stemmer_stem(stemmer *s, const char *term, size_t len, size_t *out_len);

/* The available algorithm names, NULL-terminated (static). */
const char **stemmer_names(void);
/* Nonzero when `language` names an available algorithm. */
int stemmer_exists(const char *language);

#endif
