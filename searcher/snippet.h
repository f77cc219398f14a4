/* snippet.h - the passage of a document's text that best shows why it
 * matched, with the matched words marked.
 *
 * The text is analyzed with the index's analyzer; a token whose term is one
 * of the query's terms is a match. Passages are windows of about
 * `max_bytes` bytes cut at word boundaries; the best has the most distinct
 * matched terms, then the most matches, then comes first. Called by the
 * searcher's output for each hit. */
#ifndef LEDE_SNIPPET_H
#define LEDE_SNIPPET_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"

typedef struct snippet_span {
    uint32_t start, end;   /* byte offsets into the text */
} snippet_span;

typedef struct snippet_fragment {
    uint32_t start, end;   /* the passage: byte offsets into the text, at
                              word or sentence boundaries */
    snippet_span *matches; /* matched tokens inside it, in order */
    size_t n_matches;
} snippet_fragment;

typedef struct snippet {
    snippet_fragment *frags; /* in text order; at most n_fragments */
    size_t n_frags;
} snippet;

typedef struct snippet_opts {
    size_t max_bytes;      /* passage length target (default 240) */
    size_t n_fragments;    /* how many passages (default 1) */
} snippet_opts;

/* Finds the best passages of text[0..len) for the query terms
 * terms[0..n_terms): analyzed terms, as the index stores them, and two forms
 * no analyzed term takes (it holds no '*', '"' or space):
 *   - "abc*", a prefix, which every term starting with abc matches;
 *   - "\"a b ? c\"", an exact phrase ('?' for a position left empty): its
 *     words are matches only inside an occurrence of the phrase, unless
 *     terms[] also holds them alone.
 * With no match, one passage from the start of the text. Returns 0 or
 * LEDE_ENOMEM; free *out with snippet_free. */
int snippet_make(snippet *out, analyzer *a, const char *text, size_t len,
                 const char *const *terms, const size_t *term_lens, size_t n_terms,
                 const snippet_opts *o);
void snippet_free(snippet *s);

#endif
