/* manifest.c - MANIFEST and deletion files (see manifest.h, FORMAT.md). */
#include "manifest.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "err.h"
#include "fileio.h"
#include "format.h"
#include "hash.h"

void manifest_init(manifest *m)
{
    memset(m, 0, sizeof *m);
}

void manifest_free(manifest *m)
{
    free(m->stem_language);
    free(m->segs);
    manifest_init(m);
}

int manifest_copy(manifest *dst, const manifest *src)
{
    manifest_init(dst);
    *dst = *src;
    dst->stem_language = strdup(src->stem_language ? src->stem_language : "");
    dst->segs = malloc((src->n_segs ? src->n_segs : 1) * sizeof *dst->segs);
    if (!dst->stem_language || !dst->segs) {
        free(dst->stem_language);
        free(dst->segs);
        manifest_init(dst);
        return LEDE_ENOMEM;
    }
    if (src->n_segs)
        memcpy(dst->segs, src->segs, src->n_segs * sizeof *dst->segs);
    return 0;
}

/* Appends the footer to a file image in `out` and checksums it. */
static int finish_image(buf *out, uint64_t toc)
{
    uint8_t f[16];
    format_footer_head(f, toc);
    int rc = buf_append(out, f, 16);
    if (rc == 0)
        rc = put_u64le(out, hash64(out->data, out->len));
    return rc;
}

int manifest_encode(const manifest *m, buf *out)
{
    uint8_t h[FORMAT_HEADER_LEN];
    format_header(h, FILE_MANIFEST);
    buf_clear(out);
    const char *stem = m->stem_language ? m->stem_language : "";
    size_t sl = strlen(stem);
    int rc = buf_append(out, h, sizeof h);
    rc = rc ? rc : put_u64le(out, m->generation);
    rc = rc ? rc : put_u32le(out, m->next_segment);
    rc = rc ? rc : vint_put(out, sl);
    rc = rc ? rc : buf_append(out, stem, sl);
    rc = rc ? rc : put_u32le(out, m->block_size);
    rc = rc ? rc : vint_put(out, m->n_segs);
    for (size_t i = 0; i < m->n_segs && rc == 0; i++) {
        rc = vint_put(out, m->segs[i].number);
        rc = rc ? rc : vint_put(out, m->segs[i].n_docs);
        rc = rc ? rc : vint_put(out, m->segs[i].del_generation);
        rc = rc ? rc : vint_put(out, m->segs[i].n_deleted);
    }
    return rc ? rc : finish_image(out, 0);
}

int manifest_read(manifest *out, const char *dir, const char **what, uint32_t *version)
{
    manifest_init(out);
    *what = NULL;
    *version = 0;
    buf path = {0};
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = format_manifest_path(&path, dir);
    if (rc == 0)
        rc = file_read_all(path.data, &data, &len);
    buf_free(&path);
    if (rc)
        return rc;
    uint64_t toc;
    rc = format_check_envelope(data, len, FILE_MANIFEST, &toc, version, what);
    if (rc == 0 && format_verify_checksum(data, len) != 0) {
        *what = "checksum mismatch";
        rc = LEDE_ECORRUPT;
    }
    if (rc) {
        free(data);
        return rc;
    }
    cursor c = cursor_make(data + FORMAT_HEADER_LEN, len - FORMAT_HEADER_LEN - FORMAT_FOOTER_LEN);
    out->generation = cur_u64le(&c);
    out->next_segment = cur_u32le(&c);
    uint64_t sl = cur_vint(&c);
    const uint8_t *s = sl <= 64 ? cur_bytes(&c, (size_t)sl) : NULL;
    out->stem_language = s ? strndup((const char *)s, (size_t)sl) : NULL;
    out->block_size = cur_u32le(&c);
    uint64_t n = cur_vint(&c);
    if (!s || c.bad || n > cursor_left(&c) / 4 + 1) {
        *what = "malformed manifest body";
        rc = LEDE_ECORRUPT;
    } else if (!out->stem_language) {
        rc = LEDE_ENOMEM;
    }
    if (rc == 0) {
        out->segs = calloc(n ? (size_t)n : 1, sizeof *out->segs);
        if (!out->segs)
            rc = LEDE_ENOMEM;
    }
    for (uint64_t i = 0; rc == 0 && i < n; i++) {
        manifest_seg *g = &out->segs[i];
        g->number = cur_vint32(&c);
        g->n_docs = cur_vint32(&c);
        g->del_generation = cur_vint(&c);
        g->n_deleted = cur_vint32(&c);
        if (g->n_deleted > g->n_docs || (g->del_generation == 0) != (g->n_deleted == 0) ||
            g->del_generation > out->generation)
            c.bad = 1;
    }
    out->n_segs = rc == 0 ? (size_t)n : 0;
    if (rc == 0 && (c.bad || cursor_left(&c) != 0 || out->block_size == 0 ||
                    out->block_size > FORMAT_MAX_BLOCK || out->generation == 0)) {
        *what = "malformed manifest body";
        rc = LEDE_ECORRUPT;
    }
    free(data);
    if (rc)
        manifest_free(out);
    return rc;
}

int deletions_new(deletions *out, uint32_t segment, uint32_t n_docs)
{
    memset(out, 0, sizeof *out);
    out->segment = segment;
    out->n_docs = n_docs;
    out->bitmap = calloc((size_t)n_docs / 8 + 1, 1);
    return out->bitmap ? 0 : LEDE_ENOMEM;
}

void deletions_free(deletions *d)
{
    if (!d)
        return;
    free(d->bitmap);
    memset(d, 0, sizeof *d);
}

int deletions_add(deletions *d, uint32_t doc, uint32_t title_len, uint32_t body_len)
{
    if (doc >= d->n_docs || deletions_has(d, doc))
        return 0;
    d->bitmap[doc >> 3] |= (uint8_t)(1u << (doc & 7));
    d->n_deleted++;
    d->deleted_len[0] += title_len;
    d->deleted_len[1] += body_len;
    return 1;
}

int deletions_encode(const deletions *d, buf *out)
{
    uint8_t h[FORMAT_HEADER_LEN];
    format_header(h, FILE_DELETIONS);
    buf_clear(out);
    int rc = buf_append(out, h, sizeof h);
    rc = rc ? rc : put_u32le(out, d->segment);
    rc = rc ? rc : put_u32le(out, d->n_docs);
    rc = rc ? rc : put_u32le(out, d->n_deleted);
    rc = rc ? rc : put_u64le(out, d->deleted_len[0]);
    rc = rc ? rc : put_u64le(out, d->deleted_len[1]);
    rc = rc ? rc : buf_append(out, d->bitmap, ((size_t)d->n_docs + 7) / 8);
    return rc ? rc : finish_image(out, 0);
}

int deletions_read(deletions *out, const char *path, const char **what)
{
    memset(out, 0, sizeof *out);
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = file_read_all(path, &data, &len);
    if (rc) {
        *what = "cannot read deletion file";
        return rc;
    }
    uint64_t toc;
    uint32_t version;
    rc = format_check_envelope(data, len, FILE_DELETIONS, &toc, &version, what);
    if (rc == 0 && format_verify_checksum(data, len) != 0) {
        *what = "checksum mismatch";
        rc = LEDE_ECORRUPT;
    }
    if (rc == 0) {
        cursor c = cursor_make(data + FORMAT_HEADER_LEN, len - FORMAT_HEADER_LEN - FORMAT_FOOTER_LEN);
        uint32_t seg = cur_u32le(&c), n_docs = cur_u32le(&c), n_del = cur_u32le(&c);
        uint64_t l0 = cur_u64le(&c), l1 = cur_u64le(&c);
        size_t nb = ((size_t)n_docs + 7) / 8;
        const uint8_t *bits = cur_bytes(&c, nb);
        if (!bits || c.bad || cursor_left(&c) != 0) {
            *what = "malformed deletion file";
            rc = LEDE_ECORRUPT;
        } else if ((rc = deletions_new(out, seg, n_docs)) == 0) {
            memcpy(out->bitmap, bits, nb);
            uint32_t count = 0;
            for (size_t i = 0; i < nb; i++)
                count += popcount64(out->bitmap[i]);
            if ((n_docs & 7) && (out->bitmap[nb - 1] >> (n_docs & 7)))
                count = UINT32_MAX; /* bits past n_docs */
            out->n_deleted = n_del;
            out->deleted_len[0] = l0;
            out->deleted_len[1] = l1;
            if (count != n_del) {
                *what = "deletion count does not match the bitmap";
                rc = LEDE_ECORRUPT;
                deletions_free(out);
            }
        }
    }
    free(data);
    return rc;
}
