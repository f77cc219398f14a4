/* output.h - how lede-search prints hits, timelines and documents: plain
 * text (colour on a terminal, [ ] markers otherwise) or JSON Lines. Called
 * by main.c; the searcher library itself never prints. */
#ifndef LEDE_OUTPUT_H
#define LEDE_OUTPUT_H

#include <stdio.h>

#include "search.h"
#include "snippet.h"

typedef struct output_opts {
    int json;
    int color;            /* highlight with ANSI bold/colour instead of [ ] */
    size_t fragments;     /* snippet passages per hit */
    size_t snippet_bytes;
    int explain;
} output_opts;

/* Prints the hits of r (query q, for --explain) and a summary: the total,
 * as "at least N" (JSON "exact":false) when r->total is a lower bound. */
int output_hits(FILE *f, searcher *s, const char *q, size_t qlen, const search_params *p,
                const search_result *r, const output_opts *o, double micros);
/* Prints r's timeline as a bar chart (or JSON). */
int output_timeline(FILE *f, const search_result *r, const output_opts *o, double micros);
/* Prints a whole stored document; its body in pieces, so that it is held
 * in memory once. */
int output_document(FILE *f, searcher *s, uint32_t doc, const output_opts *o);
/* One TREC run line per hit: qid Q0 docid rank score tag. qid and tag must
 * be one word each (the caller checks); the docid is the external id with
 * bytes 0x00-0x20, 0x7F and '%' written %XX (docs/QUERY.md). */
int output_trec(FILE *f, searcher *s, const char *qid, const search_result *r, const char *tag);

#endif
