/* fuzz_segment.c - libFuzzer target: a segment file, opened and read in full.
 *
 * Input: the bytes of a segment file (seeds: tests/fuzz/corpus/segment/,
 * real segments of production and tiny-block builds). The envelope is
 * repaired before opening (header magic, version, reserved field, footer
 * magic, XXH3-64 checksum), so mutations get past the open checks and reach
 * the decoders: TOC, META, dictionary, skip data, postings and positions
 * blocks, document table, id index, stored text.
 *
 * Oracle: no crash, no sanitizer report, no hang; every reader call returns
 * success or LEDE_ECORRUPT (LEDE_EVERSION at open); iterators move forward
 * (next strictly increasing, advance never below its target); and whenever
 * a reader finds corruption, segment_check (which verifies the checksum,
 * here always valid) reports at least one problem: check catches everything
 * a search can trip over. A violation aborts with its description.
 *
 * Build (the other fuzz targets' way, or by hand):
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -Icommon -Iindexer \
 *     tests/fuzz/fuzz_segment.c <common/ and indexer/ sources> -lz -lxxhash ...
 * tests/unit/test_corrupt.c replays corpus/segment and crashes/segment. */
#include "fuzz_segment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "codec.h"
#include "err.h"
#include "format.h"
#include "hash.h"
#include "segread.h"

/* Bounds the work per input (a term count or document count read from a
 * mutated META can be large even when the file is small). */
#define SCAN_MAX_TERMS 20000
#define SCAN_MAX_DOCS 20000

struct scan {
    segread *s;
    int corrupt;           /* some reader call reported corruption */
    const char *violation; /* the first oracle violation */
};

static void violate(struct scan *sc, const char *what)
{
    if (!sc->violation)
        sc->violation = what;
}

/* rc of a call that may return 0, 1 or LEDE_ECORRUPT. */
static int expect(struct scan *sc, int rc, const char *call)
{
    if (rc == LEDE_ECORRUPT)
        sc->corrupt = 1;
    else if (rc < 0)
        violate(sc, call);
    return rc;
}

/* Locates the current document's positions and reads them as an exact
 * phrase does (on a block postings_positions has not checked yet), then
 * reads them with postings_positions: 1 when both succeed and disagree. */
static int located_differ(postings *p, const uint32_t **pos, uint32_t *np)
{
    positions_loc loc;
    uint32_t *buf = NULL;
    int lrc = postings_locate_positions(p, &loc);
    if (lrc == 0) {
        positions_loc_prefetch(&loc, NULL);
        buf = malloc((size_t)loc.n * sizeof *buf + 1);
        if (buf && positions_loc_read(&loc, buf) != 0) {
            free(buf);
            buf = NULL;
        }
    }
    *pos = postings_positions(p, np);
    int differ = *pos && buf && (loc.n != *np || memcmp(buf, *pos, (size_t)*np * sizeof *buf) != 0);
    free(buf);
    return differ;
}

/* Every document with its positions, by next(). */
static void scan_next(struct scan *sc, const term_info *ti)
{
    postings *p = NULL;
    if (expect(sc, postings_open(&p, sc->s, ti, 1), "postings_open: unexpected error") < 0)
        return;
    uint64_t prev = 0, n = 0;
    int first = 1;
    for (uint32_t d = postings_next(p); d != POSTINGS_END; d = postings_next(p)) {
        if ((!first && d <= prev) || d >= segread_meta(sc->s)->n_docs)
            violate(sc, "postings_next: documents not increasing or out of range");
        first = 0;
        prev = d;
        n++;
        /* frequencies are decoded on first use: 0 means that failed, and
         * only then (postings_error) */
        if (postings_tf(p) == 0) {
            if (!postings_error(p))
                violate(sc, "postings_tf: 0 for a listed document");
            break;
        }
        uint32_t np;
        const uint32_t *pos;
        if (located_differ(p, &pos, &np))
            violate(sc, "positions_loc_read: other positions than postings_positions'");
        if (!pos)
            break;
        for (uint32_t j = 1; j < np; j++)
            if (pos[j] <= pos[j - 1])
                violate(sc, "postings_positions: positions not increasing");
    }
    if (postings_error(p))
        sc->corrupt = 1;
    else if (n > ti->df)
        violate(sc, "postings_next: more documents than df");
    uint32_t max_tf, min_len;
    postings_term_max(p, &max_tf, &min_len);
    if (postings_error(p))
        sc->corrupt = 1;
    postings_close(p);
}

/* Jumps as a conjunction does: advance, block-max probes, some positions. */
static void scan_advance(struct scan *sc, const term_info *ti)
{
    postings *p = NULL;
    if (expect(sc, postings_open(&p, sc->s, ti, 1), "postings_open: unexpected error") < 0)
        return;
    uint32_t target = 0, step = 1;
    for (;;) {
        uint32_t last, max_tf, min_len;
        uint32_t sh = postings_shallow_advance(p, target);
        if (sh != POSTINGS_END && sh < target)
            violate(sc, "postings_shallow_advance: below its target");
        postings_block_max(p, &last, &max_tf, &min_len);
        uint32_t d = postings_advance(p, target);
        if (d == POSTINGS_END)
            break;
        if (d < target)
            violate(sc, "postings_advance: below its target");
        if (d % 2 == 0) {
            uint32_t np;
            const uint32_t *pos;
            if (located_differ(p, &pos, &np))
                violate(sc, "positions_loc_read: other positions than postings_positions'");
            if (!pos)
                break;
        }
        if (d >= UINT32_MAX - 2 * step)
            break;
        target = d + 1 + (d % 3 == 0 ? step : 0);
        step = step < 4096 ? step * 2 : 1;
    }
    if (postings_error(p))
        sc->corrupt = 1;
    postings_close(p);
}

static void scan_terms(struct scan *sc)
{
    dict_iter it;
    int rc = expect(sc, dict_seek(sc->s, &it, NULL, 0), "dict_seek: unexpected error");
    uint64_t n = 0;
    uint8_t prev[FORMAT_MAX_KEY];
    size_t prev_len = 0;
    while (rc == 0 && n < SCAN_MAX_TERMS) {
        rc = expect(sc, dict_next(&it), "dict_next: unexpected error");
        if (rc != 1)
            break;
        rc = 0;
        n++;
        if (it.key_len < 2 || it.key_len > FORMAT_MAX_KEY)
            violate(sc, "dict_next: key length out of range");
        size_t k = prev_len < it.key_len ? prev_len : it.key_len;
        int c = memcmp(prev, it.key, k);
        if (n > 1 && (c > 0 || (c == 0 && prev_len >= it.key_len)))
            violate(sc, "dict_next: keys not increasing");
        memcpy(prev, it.key, it.key_len);
        prev_len = it.key_len;
        term_info ti = it.info;
        scan_next(sc, &ti);
        scan_advance(sc, &ti);
        /* the key is found again by lookup, and by a seek to its prefix */
        term_info again;
        int found = expect(sc, dict_lookup(sc->s, prev, prev_len, &again), "dict_lookup: unexpected error");
        if (found == 0)
            sc->corrupt = 1; /* blocks out of order: a lookup misses a listed key */
        /* the term in every field at once (one scan from key to key) */
        static const uint8_t all_fields[] = {0, 1, 2, 3};
        term_info tis[4];
        int hits[4];
        expect(sc, dict_lookup_fields(sc->s, (const char *)prev, prev_len - 1, all_fields, 4, DICT_ANY_BLOCK, tis, hits),
               "dict_lookup_fields: unexpected error");
        /* again from the block dict_prefetch's search finds (on a corrupt
         * index, whose prefixes may be out of order, the answer may differ:
         * only errors and memory are checked) */
        char term[FORMAT_MAX_KEY];
        memcpy(term, prev, prev_len - 1);
        term[prev_len - 1] = '\0';
        const char *terms[1] = {term};
        uint64_t block;
        dict_prefetch(sc->s, terms, 1, &block);
        expect(sc, dict_lookup_fields(sc->s, term, prev_len - 1, all_fields, 4, block, tis, hits),
               "dict_lookup_fields from a block: unexpected error");
        dict_iter pi;
        if (expect(sc, dict_seek(sc->s, &pi, prev, prev_len > 2 ? prev_len - 1 : prev_len),
                   "dict_seek: unexpected error") == 0)
            expect(sc, dict_next(&pi), "dict_next after seek: unexpected error");
    }
}

static void scan_docs(struct scan *sc)
{
    uint32_t n = segread_meta(sc->s)->n_docs;
    buf body = {0};
    for (uint32_t d = 0; d < n && d < SCAN_MAX_DOCS; d++) {
        docrec r;
        uint64_t lo, hi;
        (void)segread_len(sc->s, d, 0);
        (void)segread_len(sc->s, d, 1);
        (void)segread_date(sc->s, d);
        segread_fprint(sc->s, d, &lo, &hi);
        buf_clear(&body);
        expect(sc, segread_body(sc->s, d, &body), "segread_body: unexpected error");
        if (expect(sc, segread_doc(sc->s, d, &r), "segread_doc: unexpected error") != 0)
            continue;
        uint32_t at;
        int found = expect(sc, segread_find_id(sc->s, r.id, r.id_len, &at), "segread_find_id: unexpected error");
        if (found == 1 && at >= n)
            violate(sc, "segread_find_id: a document out of range");
        if (found == 0)
            sc->corrupt = 1; /* IDINDEX misses a listed id */
    }
    uint32_t at;
    expect(sc, segread_find_id(sc->s, "no such id", 10, &at), "segread_find_id: unexpected error");
    buf_free(&body);
}

const char *fuzz_segment_scan(const uint8_t *p, size_t len, uint32_t number)
{
    struct scan sc = {NULL, 0, NULL};
    const char *what = NULL;
    int rc = segread_open_mem(&sc.s, "fuzz.lseg", p, len, number, &what);
    if (rc == LEDE_ECORRUPT || rc == LEDE_EVERSION)
        return what ? NULL : "segread_open: an error without a description";
    if (rc)
        return "segread_open: unexpected error";
    /* check first, on its own reader: the scan's findings stay out of it */
    segread *c = NULL;
    uint64_t problems = 0;
    if (segread_open_mem(&c, "fuzz.lseg", p, len, number, &what) == 0)
        problems = segment_check(c, NULL, NULL);
    else
        violate(&sc, "segread_open: a second open failed");
    segread_close(c);
    scan_terms(&sc);
    scan_docs(&sc);
    if (sc.corrupt && problems == 0)
        violate(&sc, "a reader found corruption that segment_check did not report");
    segread_close(sc.s);
    return sc.violation;
}

const char *fuzz_segment_one(const uint8_t *data, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, data, len);
    if (len >= FORMAT_HEADER_LEN + FORMAT_FOOTER_LEN) {
        format_header(p, FILE_SEGMENT);
        memcpy(p + len - 16, "LEDE/END", 8);
        store_u64le(p + len - 8, hash64(p, len - 8));
    }
    const char *v = fuzz_segment_scan(p, len, 1);
    free(p);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const char *v = fuzz_segment_one(data, len);
    if (v) {
        fprintf(stderr, "fuzz_segment: oracle violated: %s\n", v);
        abort();
    }
    return 0;
}
