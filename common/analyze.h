/* analyze.h - text analysis: UTF-8 text in, normalized terms with positions
 * and byte offsets out. The same analyzer runs over documents (indexer) and
 * over query text (searcher), so both see identical terms.
 *
 * Rules (docs/ANALYSIS.md):
 *  - a token is a run of letters and digits (Unicode categories L* and N*,
 *    with combining marks M* inside a run); everything else separates;
 *  - terms are case folded and stripped of diacritics (NFKD + case fold +
 *    mark removal via utf8proc): é -> e, ü -> u, ß -> ss, ﬁ -> fi;
 *  - an apostrophe (' or U+2019) between two letters/digits stays in the
 *    token, always as ASCII '; a trailing possessive 's (or 's) is removed:
 *    Pyongyang's -> pyongyang, don't -> don't, countries' -> countries;
 *  - everything else splits: Jong-un -> jong, un (consecutive positions);
 *    21:18:40 -> 21, 18, 40; U.S. -> u, s;
 *  - each CJK ideograph (and each kana) is a token of its own, also when
 *    folding makes it (half-width katakana, circled ideographs); a letter
 *    that folds to nothing acts as a combining mark;
 *  - a term longer than ANALYZE_MAX_TERM bytes after folding is dropped, but
 *    still takes its position, so phrases across it do not falsely match;
 *  - optional Snowball stemming (e.g. "english") applied last; a word the
 *    stemmer would erase entirely (Porter: "s") or lengthen past
 *    ANALYZE_MAX_TERM is kept unstemmed.
 * Positions count tokens from `first_pos`; offsets are bytes into the text. */
#ifndef LEDE_ANALYZE_H
#define LEDE_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#define ANALYZE_MAX_TERM 128

typedef struct token {
    const char *term;  /* normalized UTF-8, not NUL-terminated; valid only
                          during the callback */
    size_t term_len;   /* 1..ANALYZE_MAX_TERM */
    uint32_t pos;      /* word index within the field */
    uint32_t start;    /* byte offset of the token's first byte in the text */
    uint32_t end;      /* byte offset just past its last byte */
} token;

/* Receives each token in order. Return 0 to go on; a nonzero value stops
 * analysis and is returned by analyzer_run. */
typedef int (*token_fn)(void *ctx, const token *t);

typedef struct analyzer_opts {
    const char *stem_language; /* Snowball algorithm name ("english"), or NULL
                                  or "" or "none" for no stemming */
} analyzer_opts;

typedef struct analyzer analyzer;

/* Creates an analyzer. Not thread-safe: use one per thread. LEDE_EINVAL
 * when the stemming language is unknown, LEDE_ENOMEM. */
int analyzer_new(analyzer **out, const analyzer_opts *opts);
void analyzer_free(analyzer *a);

/* Tokenizes text[0..len) (valid UTF-8; invalid bytes act as separators) and
 * calls emit for each term. Texts of 4 GiB or more are refused (LEDE_ELIMIT).
 * Returns 0, LEDE_ENOMEM, or emit's nonzero return. *n_pos (may be NULL)
 * receives the number of positions used, dropped terms included. */
int analyzer_run(analyzer *a, const char *text, size_t len, uint32_t first_pos,
                 token_fn emit, void *ctx, uint32_t *n_pos);

/* Normalizes one word the way analyzer_run would normalize a token, writing
 * the term to out[0..cap). Returns its length, or 0 if the word has no
 * letters or digits or does not fit. For tests and diagnostics. */
size_t analyzer_term(analyzer *a, const char *word, size_t len, char *out, size_t cap);

/* The term that analyzer_run makes of a word whose normalized form is
 * term[0..len) (the stem, with stemming; else the term itself), written to
 * out[0..cap). Returns its length, or 0 if it does not fit. */
size_t analyzer_stem(analyzer *a, const char *term, size_t len, char *out, size_t cap);
/* 1 when the analyzer stems its terms. */
int analyzer_stems(const analyzer *a);

#endif
