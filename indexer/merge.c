/* merge.c - k-way segment merge (see merge.h).
 *
 * Documents first (stored fields copied, bodies decompressed and compressed
 * again into the new blocks), then the dictionaries merged in key order; for
 * each key the inputs' postings are replayed with their documents renumbered.
 * A term whose documents are all deleted disappears. */
#include "merge.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "format.h"
#include "segwrite.h"

static int copy_docs(segwrite *w, const merge_input *in, size_t n, uint32_t **map)
{
    buf body = {0};
    int rc = 0;
    uint32_t next = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const segmeta *m = segread_meta(in[i].seg);
        map[i] = malloc(((size_t)m->n_docs + 1) * sizeof **map);
        if (!map[i]) {
            rc = LEDE_ENOMEM;
            break;
        }
        for (uint32_t d = 0; d < m->n_docs && rc == 0; d++) {
            if (in[i].del && deletions_has(in[i].del, d)) {
                map[i][d] = UINT32_MAX;
                continue;
            }
            docrec r;
            rc = segread_doc(in[i].seg, d, &r);
            buf_clear(&body);
            rc = rc ? rc : segread_body(in[i].seg, d, &body);
            if (rc)
                break;
            segdoc sd = {r.id, r.title, r.source, r.section, r.url, body.data ? body.data : "",
                         r.id_len, r.title_len, r.source_len, r.section_len, r.url_len, body.len,
                         segread_date(in[i].seg, d),
                         {segread_len(in[i].seg, d, 0), segread_len(in[i].seg, d, 1)},
                         {0, 0}};
            segread_fprint(in[i].seg, d, &sd.fprint.lo, &sd.fprint.hi);
            rc = segwrite_add_doc(w, &sd);
            map[i][d] = next++;
        }
    }
    buf_free(&body);
    return rc;
}

struct source {
    dict_iter it;
    int live; /* it holds an entry */
};

static int key_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t k = al < bl ? al : bl;
    int c = memcmp(a, b, k);
    return c ? c : (al > bl) - (al < bl);
}

int merge_segments(const char *dir, uint32_t number, const char *stem_language,
                   const merge_input *in, size_t n, uint32_t *n_docs, uint64_t *file_bytes,
                   int *err_no)
{
    *n_docs = 0;
    *file_bytes = 0;
    *err_no = 0;
    uint32_t **map = calloc(n ? n : 1, sizeof *map);
    struct source *src = calloc(n ? n : 1, sizeof *src);
    segwrite *w = NULL;
    int rc = map && src ? 0 : LEDE_ENOMEM;
    rc = rc ? rc : segwrite_open(&w, dir, number, stem_language, FORMAT_BLOCK, FORMAT_DICT_BLOCK,
                                 FORMAT_STORE_BLOCK);
    rc = rc ? rc : copy_docs(w, in, n, map);
    if (rc == 0 && segwrite_n_docs(w) == 0) {
        segwrite_abort(w);
        w = NULL;
        goto cleanup;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = dict_seek(in[i].seg, &src[i].it, NULL, 0);
        if (rc == 0) {
            rc = dict_next(&src[i].it);
            src[i].live = rc == 1;
            rc = rc < 0 ? rc : 0;
        }
    }
    while (rc == 0) {
        /* the smallest key among the inputs */
        int min = -1;
        for (size_t i = 0; i < n; i++)
            if (src[i].live && (min < 0 || key_cmp(src[i].it.key, src[i].it.key_len,
                                                   src[min].it.key, src[min].it.key_len) < 0))
                min = (int)i;
        if (min < 0)
            break;
        uint8_t key[FORMAT_MAX_KEY];
        size_t key_len = src[min].it.key_len;
        memcpy(key, src[min].it.key, key_len);
        int begun = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (!src[i].live || key_cmp(src[i].it.key, src[i].it.key_len, key, key_len) != 0)
                continue;
            postings *p = NULL;
            rc = postings_open(&p, in[i].seg, &src[i].it.info, 1);
            for (uint32_t d = rc ? POSTINGS_END : postings_next(p); d != POSTINGS_END;
                 d = postings_next(p)) {
                if (map[i][d] == UINT32_MAX)
                    continue;
                uint32_t np;
                const uint32_t *ps = postings_positions(p, &np);
                if (!ps || np == 0) {
                    rc = postings_error(p) ? postings_error(p) : LEDE_ECORRUPT;
                    break;
                }
                if (!begun) {
                    rc = segwrite_term_begin(w, key, key_len);
                    begun = 1;
                }
                rc = rc ? rc : segwrite_term_doc(w, map[i][d], ps, np);
                if (rc)
                    break;
            }
            if (rc == 0 && p)
                rc = postings_error(p);
            postings_close(p);
            if (rc == 0) {
                int r = dict_next(&src[i].it);
                src[i].live = r == 1;
                rc = r < 0 ? r : 0;
            }
        }
        if (rc == 0 && begun)
            rc = segwrite_term_end(w);
    }
    if (rc == 0) {
        *n_docs = segwrite_n_docs(w);
        segwrite *ww = w;
        w = NULL;
        rc = segwrite_finish(ww, file_bytes, err_no);
    }
cleanup:
    if (rc == LEDE_EIO && w)
        *err_no = segwrite_errno(w);
    segwrite_abort(w);
    for (size_t i = 0; map && i < n; i++)
        free(map[i]);
    free(map);
    free(src);
    return rc;
}
