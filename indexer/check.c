/* check.c - integrity check and statistics scan (see check.h). */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codec.h"
#include "date.h"
#include "err.h"
#include "hash.h"
#include "ixread.h"

struct scan {
    int mode;
    check_report_fn report;
    void *ctx;
    index_totals *tot;
    uint64_t problems;
    const char *file;
    int rc; /* LEDE_ENOMEM: the scan stopped short */
};

static void problem(struct scan *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct scan *sc, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    sc->problems++;
    if (sc->report)
        sc->report(sc->ctx, sc->file, what);
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Splits a term's postings bytes into doc ids, frequencies and skip data. */
static void measure_postings(segread *s, const term_info *ti, index_totals *t)
{
    if (ti->df == 1) {
        t->inline_postings++;
        return;
    }
    const section *post = segread_section(s, SEC_POSTINGS);
    uint32_t B = segread_meta(s)->block_size;
    uint32_t n_blocks = (ti->df + B - 1) / B;
    cursor c = cursor_make(post->p + ti->post_off, post->len - ti->post_off);
    if (n_blocks >= 2) {
        const uint8_t *start = c.p;
        uint64_t len = cur_vint(&c);
        cur_bytes(&c, len <= cursor_left(&c) ? (size_t)len : SIZE_MAX);
        t->skip_bytes += (uint64_t)(c.p - start);
    }
    for (uint32_t k = 0; k < n_blocks && !c.bad; k++) {
        uint32_t n = k + 1 < n_blocks ? B : ti->df - (n_blocks - 1) * B;
        uint8_t w = cur_u8(&c);
        size_t nb = bitpack_bytes(n, w);
        cur_bytes(&c, nb);
        t->docid_bytes += 1 + nb;
        w = cur_u8(&c);
        nb = bitpack_bytes(n, w);
        cur_bytes(&c, nb);
        t->freq_bytes += 1 + nb;
    }
}

static void hash_u32(hash64_stream *h, uint32_t v)
{
    uint8_t b[4];
    store_u32le(b, v);
    hash64_stream_update(h, b, 4);
}

/* Decodes every posting of every term; verifies counts, order, ranges and
 * the content fingerprint. */
static void check_terms(struct scan *sc, segread *s)
{
    const segmeta *m = segread_meta(s);
    hash64_stream *fp = NULL;
    if (sc->mode == CHECK_FULL && hash64_stream_new(&fp)) {
        sc->rc = LEDE_ENOMEM;
        return;
    }
    dict_iter it;
    uint64_t n_terms = 0, n_postings = 0, n_positions = 0;
    int rc = dict_seek(s, &it, NULL, 0);
    while (rc >= 0) {
        rc = dict_next(&it);
        if (rc <= 0)
            break;
        n_terms++;
        const term_info *ti = &it.info;
        measure_postings(s, ti, sc->tot);
        n_postings += ti->df;
        n_positions += ti->cf;
        if (it.info.field >= N_FIELDS) {
            problem(sc, "term %llu has an unknown field byte %u", (unsigned long long)n_terms, it.info.field);
            continue;
        }
        if (sc->mode != CHECK_FULL)
            continue;
        hash_u32(fp, (uint32_t)it.key_len);
        hash64_stream_update(fp, it.key, it.key_len);
        postings *p = NULL;
        int prc = postings_open(&p, s, ti, 1);
        if (prc == LEDE_ENOMEM) {
            sc->rc = prc;
            break;
        }
        if (prc) {
            problem(sc, "postings of term '%.*s' (field %u) cannot be opened", (int)it.key_len - 1,
                    it.key, it.info.field);
            continue;
        }
        uint64_t df = 0, cf = 0;
        int bound_reported = 0, pos_reported = 0;
        for (uint32_t d = postings_next(p); d != POSTINGS_END; d = postings_next(p)) {
            uint32_t n;
            const uint32_t *pos = postings_positions(p, &n);
            if (!pos)
                break;
            df++;
            cf += n;
            hash_u32(fp, d);
            hash_u32(fp, n);
            uint32_t flen = it.info.field <= 1 ? segread_len(s, d, it.info.field) : UINT32_MAX;
            /* the block-max bounds that pruning trusts must hold (a
             * single block's are computed from the block itself) */
            uint32_t last = d, max_tf = n, min_len = 0;
            if (ti->df > m->block_size) {
                postings_shallow_advance(p, d);
                postings_block_max(p, &last, &max_tf, &min_len);
            }
            if (!bound_reported && (last < d || n > max_tf || (it.info.field <= 1 && flen < min_len))) {
                problem(sc, "term '%.*s': the skip data's bounds (max tf %u, min length %u) do not "
                        "hold for document %u (tf %u, length %u)", (int)it.key_len - 1, it.key,
                        max_tf, min_len, d, n, flen);
                bound_reported = 1;
            }
            for (uint32_t j = 0; j < n; j++) {
                hash_u32(fp, pos[j]);
                if (pos[j] >= flen && !pos_reported) { /* once per term: damage spreads */
                    problem(sc, "term '%.*s': position %u of document %u is beyond the field's length %u",
                            (int)it.key_len - 1, it.key, pos[j], d, flen);
                    pos_reported = 1;
                }
            }
        }
        if (postings_error(p) == LEDE_ENOMEM) {
            sc->rc = LEDE_ENOMEM;
            postings_close(p);
            break;
        }
        if (postings_error(p))
            problem(sc, "postings of term '%.*s' (field %u) are corrupt", (int)it.key_len - 1,
                    it.key, it.info.field);
        else if (df != ti->df || cf != ti->cf)
            problem(sc, "term '%.*s': the dictionary says df %u cf %llu, the postings hold df %llu cf %llu",
                    (int)it.key_len - 1, it.key, ti->df, (unsigned long long)ti->cf,
                    (unsigned long long)df, (unsigned long long)cf);
        postings_close(p);
    }
    if (sc->rc) {
        /* stopped short: the counts prove nothing */
    } else if (rc < 0)
        problem(sc, "term dictionary is corrupt after %llu terms: %s", (unsigned long long)n_terms,
                segread_problem(s) ? segread_problem(s) : "malformed");
    else if (n_terms != m->n_terms || n_postings != m->n_postings || n_positions != m->n_positions)
        problem(sc, "META counts (terms %llu, postings %llu, positions %llu) differ from the "
                "dictionary (%llu, %llu, %llu)", (unsigned long long)m->n_terms,
                (unsigned long long)m->n_postings, (unsigned long long)m->n_positions,
                (unsigned long long)n_terms, (unsigned long long)n_postings,
                (unsigned long long)n_positions);
    else if (fp && hash64_stream_digest(fp) != m->fingerprint)
        problem(sc, "content fingerprint mismatch: the postings decoded from the file are not "
                "the ones that were written");
    sc->tot->n_terms += n_terms;
    sc->tot->n_postings += n_postings;
    sc->tot->n_positions += n_positions;
    hash64_stream_free(fp);
}

/* The dates date_parse can produce: 0001-01-01T00:00:00 to 9999-12-31T23:59:59. */
#define CHECK_DATE_MIN (-62135596800LL)
#define CHECK_DATE_MAX (253402300799LL)

static void check_docs(struct scan *sc, segread *s)
{
    const segmeta *m = segread_meta(s);
    uint64_t sum[2] = {0, 0};
    uint8_t *seen = calloc((size_t)m->n_docs / 8 + 1, 1);
    buf body = {0};
    if (!seen) {
        sc->rc = LEDE_ENOMEM;
        return;
    }
    for (uint32_t d = 0; d < m->n_docs; d++) {
        docrec r;
        if (segread_doc(s, d, &r)) {
            problem(sc, "document table record %u is corrupt", d);
            break;
        }
        sum[0] += segread_len(s, d, 0);
        sum[1] += segread_len(s, d, 1);
        int64_t t = segread_date(s, d);
        if (t != DATE_NONE && (t < CHECK_DATE_MIN || t > CHECK_DATE_MAX)) {
            problem(sc, "date of document %u is out of range (years 1 to 9999)", d);
            break;
        }
        buf_clear(&body);
        int brc = segread_body(s, d, &body);
        if (brc == LEDE_ENOMEM) {
            sc->rc = brc;
            break;
        }
        if (brc) {
            problem(sc, "stored text of document %u cannot be read", d);
            break;
        }
    }
    if (sc->rc) {
        buf_free(&body);
        free(seen);
        return;
    }
    if (sum[0] != m->sum_len[0] || sum[1] != m->sum_len[1])
        problem(sc, "field lengths do not add up to META's totals");
    const section *ix = segread_section(s, SEC_IDINDEX);
    uint64_t prev = 0;
    for (uint32_t i = 0; i < m->n_docs; i++) {
        uint64_t h = load_u64le(ix->p + (size_t)i * 12);
        uint32_t d = load_u32le(ix->p + (size_t)i * 12 + 8);
        docrec r;
        if (h < prev || d >= m->n_docs || (seen[d / 8] >> (d % 8)) & 1 || segread_doc(s, d, &r) ||
            hash64(r.id, r.id_len) != h) {
            problem(sc, "IDINDEX entry %u is wrong", i);
            break;
        }
        seen[d / 8] |= (uint8_t)(1u << (d % 8));
        prev = h;
    }
    const section *si = segread_section(s, SEC_STOREINDEX);
    for (uint64_t b = 0; b + 1 < si->len / 12; b++)
        if (load_u32le(si->p + b * 12) >= load_u32le(si->p + (b + 1) * 12) ||
            load_u64le(si->p + b * 12 + 4) >= load_u64le(si->p + (b + 1) * 12 + 4)) {
            problem(sc, "STOREINDEX is not increasing");
            break;
        }
    if (si->len && load_u32le(si->p) != 0)
        problem(sc, "STOREINDEX does not start at document 0");
    buf_free(&body);
    free(seen);
}

static void check_segment(struct scan *sc, segread *s, const uint8_t *bytes, size_t len)
{
    uint64_t before = sc->problems;
    if (sc->mode == CHECK_FULL && format_verify_checksum(bytes, len) != 0)
        problem(sc, "checksum mismatch (the file changed after it was written)");
    check_terms(sc, s);
    if (sc->mode == CHECK_FULL)
        check_docs(sc, s);
    if (sc->mode == CHECK_FULL && segread_problem(s) && sc->problems == before)
        problem(sc, "%s", segread_problem(s)); /* never unreported */
}

/* The deleted lengths recorded in a deletion file must be those of the
 * documents it deletes (the searcher's average lengths depend on them). */
static void check_deletions(struct scan *sc, const ixseg *g, const char *path)
{
    uint64_t sum[2] = {0, 0};
    for (uint32_t d = 0; d < g->del.n_docs; d++)
        if (deletions_has(&g->del, d)) {
            sum[0] += segread_len(g->seg, d, 0);
            sum[1] += segread_len(g->seg, d, 1);
        }
    if (sum[0] != g->del.deleted_len[0] || sum[1] != g->del.deleted_len[1]) {
        const char *file = sc->file;
        sc->file = path;
        problem(sc, "deleted lengths (%llu, %llu) are not those of the deleted documents (%llu, %llu)",
                (unsigned long long)g->del.deleted_len[0], (unsigned long long)g->del.deleted_len[1],
                (unsigned long long)sum[0], (unsigned long long)sum[1]);
        sc->file = file;
    }
}

uint64_t segment_check(segread *s, check_report_fn report, void *ctx)
{
    index_totals tot;
    memset(&tot, 0, sizeof tot);
    struct scan sc = {.mode = CHECK_FULL, .report = report, .ctx = ctx, .tot = &tot,
                      .file = segread_path(s)};
    size_t len;
    const uint8_t *bytes = segread_bytes(s, &len);
    check_segment(&sc, s, bytes, len);
    return sc.problems;
}

int index_check(const char *dir, int mode, check_report_fn report, void *ctx, index_totals *tot,
                uint64_t *n_problems)
{
    memset(tot, 0, sizeof *tot);
    *n_problems = 0;
    struct scan sc = {mode, report, ctx, tot, 0, dir, 0};
    char msg[1024];
    ixread *r = NULL;
    int rc = ixread_open(&r, dir, msg, sizeof msg);
    if (rc == LEDE_ENOMEM)
        return rc;
    if (rc) {
        sc.file = dir;
        problem(&sc, "%s", msg);
        *n_problems = sc.problems;
        return rc;
    }
    buf path = {0};
    format_manifest_path(&path, dir);
    tot->manifest_bytes = file_size(path.data);
    tot->file_bytes += tot->manifest_bytes;
    tot->generation = r->man.generation;
    tot->n_segments = r->n_segs;
    tot->n_docs = r->n_docs;
    tot->n_live = r->n_live;
    for (size_t i = 0; i < r->n_segs && sc.rc == 0; i++) {
        ixseg *g = &r->segs[i];
        sc.file = segread_path(g->seg);
        size_t len;
        const uint8_t *bytes = segread_bytes(g->seg, &len);
        tot->file_bytes += len;
        for (int id = 1; id < SEC_N; id++)
            tot->section_bytes[id] += segread_section(g->seg, id)->len;
        if (g->ms.del_generation) {
            format_deletions_path(&path, dir, g->ms.number, g->ms.del_generation);
            uint64_t sz = file_size(path.data);
            tot->deletion_bytes += sz;
            tot->file_bytes += sz;
        }
        if (mode == CHECK_FULL && strcmp(segread_meta(g->seg)->stem_language, r->man.stem_language) != 0)
            problem(&sc, "segment analyzed with stemming '%s', the index says '%s'",
                    segread_meta(g->seg)->stem_language, r->man.stem_language);
        check_segment(&sc, g->seg, bytes, len);
        if (mode == CHECK_FULL && g->ms.del_generation)
            check_deletions(&sc, g, path.data);
    }
    buf_free(&path);
    ixread_close(r);
    *n_problems = sc.problems;
    return sc.rc;
}
