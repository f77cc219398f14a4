/* segread.h - reading one segment file (docs/FORMAT.md, "Segment").
 *
 * The file is mapped read-only; opening checks the envelope, the table of
 * contents and META, and loads nothing else, so it costs the same for any
 * number of documents. Every decoder is bounds-checked: corrupt bytes give
 * LEDE_ECORRUPT and a message, never a read outside the file.
 * Used by the searcher, and by the indexer for merges, updates and check.
 * Borrowed pointers returned here point into the map: valid until
 * segread_close. A segread is not thread-safe (it caches one stored-text
 * block); open one per thread. */
#ifndef LEDE_SEGREAD_H
#define LEDE_SEGREAD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "codec.h"
#include "format.h"

typedef struct segread segread;

typedef struct segmeta {
    uint32_t number;
    uint32_t n_docs;
    uint32_t block_size;
    uint32_t dict_block;
    uint64_t n_terms;
    uint64_t n_postings;
    uint64_t n_positions;
    uint64_t sum_len[2];   /* title, body */
    uint64_t fingerprint;
    char stem_language[65];
} segmeta;

typedef struct section {
    const uint8_t *p;
    uint64_t offset; /* in the file */
    uint64_t len;
} section;

/* Opens `path`. `expect_number` is the segment number the manifest gives it
 * (checked against META). On LEDE_ECORRUPT/LEDE_EVERSION, *what says what is
 * wrong (static text). LEDE_EIO keeps errno. */
int segread_open(segread **out, const char *path, uint32_t expect_number, const char **what);
/* Opens a segment held in memory, p[0..len) (borrowed: it must outlive the
 * segread), with the same checks; `name` stands for the path in messages.
 * For tests and fuzzing, which hand the reader buffers of exactly the
 * file's size so that any read past the end is caught. */
int segread_open_mem(segread **out, const char *name, const void *p, size_t len,
                     uint32_t expect_number, const char **what);
void segread_close(segread *s);

/* What the first decoder that found corruption in s found (static text,
 * e.g. "malformed postings block"), or NULL when none has. The decoders
 * return LEDE_ECORRUPT (or end their iterator with postings_error) and
 * record this, so that a caller far up the stack can name the problem. */
const char *segread_problem(const segread *s);
/* Records a problem found by a caller in s's data (for example a date out of
 * range), unless one is recorded already. */
void segread_note(segread *s, const char *what);

const segmeta *segread_meta(const segread *s);
const char *segread_path(const segread *s);
const section *segread_section(const segread *s, int id);
/* The whole mapped file (for checksum verification). */
const uint8_t *segread_bytes(const segread *s, size_t *len);

/* --- dictionary ------------------------------------------------------------ */

typedef struct term_info {
    uint8_t field;        /* the key's field byte */
    uint32_t df;
    uint64_t cf;
    uint32_t single_doc;  /* the document when df == 1 */
    uint64_t post_off;    /* into POSTINGS when df >= 2 */
    uint64_t pos_off;     /* into POSITIONS */
} term_info;

/* Walks the dictionary in key order. */
typedef struct dict_iter {
    segread *s;
    uint64_t block;       /* current block number */
    uint32_t in_block;    /* entries of the block consumed so far */
    cursor c;             /* inside TERMS */
    uint8_t key[FORMAT_MAX_KEY];
    size_t key_len;
    term_info info;
    uint64_t last_post;   /* postings offset of the block's last entry with
                             postings; UINT64_MAX: none yet */
    int bad;
    int pending;          /* the entry in key/info is the next to yield */
} dict_iter;

/* Positions `it` before the first key >= key[0..len) (len 0: the first key).
 * Then dict_next yields that key and the following ones. Returns 0 or
 * LEDE_ECORRUPT. */
int dict_seek(segread *s, dict_iter *it, const uint8_t *key, size_t len);
/* Advances: 1 with it->key/info set, 0 at the end, LEDE_ECORRUPT. */
int dict_next(dict_iter *it);
/* Starts loading the dictionary blocks of terms[0..n) (at most 16 are
 * used) into the cache, all at once: their lookups then find them there
 * instead of waiting for each in turn. blocks (NULL, or room for n): the
 * block where the search for each term's title key ended, for
 * dict_lookup_fields, which checks it; DICT_ANY_BLOCK for the terms past
 * the 16th and in an empty dictionary. Reports no error: a damaged
 * dictionary is for the lookup to find. */
#define DICT_ANY_BLOCK UINT64_MAX
void dict_prefetch(segread *s, const char *const *terms, size_t n, uint64_t *blocks);
/* Exact lookup: 1 found (info set), 0 absent, LEDE_ECORRUPT. */
int dict_lookup(segread *s, const uint8_t *key, size_t len, term_info *info);
/* One term in several fields (ascending, at most N_FIELDS): found[i] is 1
 * with info[i] set, or 0. The keys are neighbours, so this costs about one
 * lookup. title_block: dict_prefetch's block for the term, which spares the
 * search when fields[0] is the title and the key prefixes around the block
 * confirm it (not when a prefix equals the key's), or DICT_ANY_BLOCK. 0, or
 * LEDE_ECORRUPT (LEDE_EINVAL for fields out of order). */
int dict_lookup_fields(segread *s, const char *term, size_t len, const uint8_t *fields,
                       size_t n, uint64_t title_block, term_info *info, int *found);

/* --- postings ---------------------------------------------------------------- */

#define POSTINGS_END UINT32_MAX

typedef struct postings postings;

/* Opens the postings of a term. with_positions: positions() may be called.
 * LEDE_ECORRUPT, LEDE_ENOMEM. */
int postings_open(postings **out, segread *s, const term_info *ti, int with_positions);
void postings_close(postings *p);
/* Starts loading the first bytes of a term's postings and positions into
 * the cache (a hint): a query that will open several terms asks for all of
 * them first, so that their misses overlap. */
void postings_prefetch(segread *s, const term_info *ti);
/* The current document, POSTINGS_END before the first next() and at the end
 * (check postings_started / postings_error). */
uint32_t postings_doc(const postings *p);
/* Moves to the next document; returns it or POSTINGS_END. */
uint32_t postings_next(postings *p);
/* Moves to the first document >= target (never backwards); returns it or
 * POSTINGS_END. Uses the skip data to jump over whole blocks. */
uint32_t postings_advance(postings *p, uint32_t target);
/* Moves ps[0..n) (n >= 1) to the first document >= target that all of them
 * hold and returns it, or POSTINGS_END when there is none: ps[0] leads (the
 * rarest, for speed), the others follow it, and whoever disagrees sets the
 * next target. The same moves as postings_advance calls would make, in one
 * loop: the innermost one of conjunctions and phrases. */
uint32_t postings_align(postings *const *ps, size_t n, uint32_t target);
/* Frequency of the current document (decoded with the rest of its block on
 * first use): 0 at the end, or when that decoding finds corruption
 * (postings_error is then set). */
uint32_t postings_tf(postings *p);
/* The positions of the current document: *n of them, valid until the next
 * move. NULL on corruption or no memory (then postings_error says which). */
const uint32_t *postings_positions(postings *p, uint32_t *n);
/* Where one document's positions lie in POSITIONS, found from the postings
 * alone (frequencies, skip data), so that a phrase can ask for several
 * candidates' positions before it reads the first: reading them later does
 * not need the postings to stay on the document. */
typedef struct positions_loc {
    segread *s;
    const uint8_t *region; /* the block's positions: chunk widths, then chunks */
    uint64_t len;          /* the region's bytes */
    uint64_t total;        /* values in the block's sequence */
    uint64_t first;        /* the document's first value in it */
    uint32_t n;            /* the document's values: its frequency */
    uint32_t B;
    int b_shift;           /* log2(B), or -1 */
    uint64_t chunk, off;   /* the chunk holding value first, its offset in the
                              region (UINT64_MAX: not found yet) */
} positions_loc;
/* Locates the current document's positions into *loc and starts loading
 * the region's first bytes (its widths) into the cache. 0; on damage or
 * no memory, the error that ends the iterator (postings_error); LEDE_EINVAL
 * when the iterator is at its end or has no positions. */
int postings_locate_positions(postings *p, positions_loc *loc);
/* Reads the widths (cached by now, with luck) and starts loading the line
 * where the document's positions start. from (NULL: none): a location in
 * the same term found before, whose chunk the widths are summed from. A
 * hint: errors wait for the read. */
void positions_loc_prefetch(positions_loc *loc, const positions_loc *from);
/* The document's loc->n positions, absolute, into out. 0, or LEDE_ECORRUPT
 * (the segment's message says what). It checks the bytes it reads, not the
 * whole block as postings_positions does: `check` finds damage elsewhere
 * in the block. */
int positions_loc_read(positions_loc *loc, uint32_t *out);
/* 0, or the error that ended the iterator: LEDE_ECORRUPT once any decoding
 * found corruption, LEDE_ENOMEM when positions found no memory. */
int postings_error(const postings *p);
/* Block-max data for the block holding the current document (or the next
 * one after advance_shallow): its last doc, max tf and min field length.
 * For single-block terms these are computed from the block. */
void postings_block_max(postings *p, uint32_t *last_doc, uint32_t *max_tf, uint32_t *min_len);
/* Upper bounds over the whole term: the largest frequency and the shortest
 * field length among its documents (from the skip data; computed from the
 * block for single-block terms). */
void postings_term_max(postings *p, uint32_t *max_tf, uint32_t *min_len);
/* Moves the block cursor (not the document) to the block that may hold
 * target, for block-max pruning; returns that block's last doc or
 * POSTINGS_END when no block can. */
uint32_t postings_shallow_advance(postings *p, uint32_t target);

/* --- documents ---------------------------------------------------------------- */

typedef struct docrec {
    const char *id, *title, *source, *section, *url; /* NOT NUL-terminated */
    size_t id_len, title_len, source_len, section_len, url_len;
} docrec;

/* Document table entry of doc. LEDE_ECORRUPT on a bad record. */
int segread_doc(segread *s, uint32_t doc, docrec *out);
int64_t segread_date(const segread *s, uint32_t doc);
/* Length (positions) of field 0 (title) or 1 (body) of doc. */
uint32_t segread_len(const segread *s, uint32_t doc, int field);
/* Starts loading doc's field lengths into the cache (a hint). */
void segread_prefetch_len(const segread *s, uint32_t doc);
/* Finds the document whose external id is id[0..len) (the newest, when the
 * segment holds several versions; it may be deleted: check the deletions):
 * 1 (doc set), 0 absent, LEDE_ECORRUPT. */
int segread_find_id(segread *s, const char *id, size_t len, uint32_t *doc);
/* The stored fingerprint of doc (16 bytes: lo, hi little-endian). */
void segread_fprint(const segread *s, uint32_t doc, uint64_t *lo, uint64_t *hi);
/* Appends the stored body of doc to out. LEDE_ECORRUPT, LEDE_ENOMEM. */
int segread_body(segread *s, uint32_t doc, buf *out);
/* Points *out at the stored body of doc (*len bytes, not NUL-terminated)
 * without copying it. Borrowed from s's one cached stored-text block: valid
 * until the next segread_body or segread_body_ref on s, or segread_close.
 * On failure *out is NULL. LEDE_ECORRUPT, LEDE_ENOMEM. */
int segread_body_ref(segread *s, uint32_t doc, const char **out, size_t *len);

#endif
