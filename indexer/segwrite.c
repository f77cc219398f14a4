/* segwrite.c - segment writer (see segwrite.h and docs/FORMAT.md).
 *
 * File layout as written: header, POSITIONS (streamed to disk term by term),
 * then TERMS, TERMINDEX, POSTINGS, the document sections, STORE, STOREINDEX,
 * META, the TOC and the footer. The sections that grow with the text (TERMS,
 * POSTINGS, the DOCTABLE records, STORE) wait in spill files until then, so
 * memory holds only fixed-size entries per document (DOCLEN, DOCDATE, the
 * DOCTABLE offsets, IDINDEX, FPRINTS: about 56 bytes) and one entry per dictionary
 * block: a segment of ten million terms costs no more memory than one of ten.
 * Errors are sticky: once w->rc is set every call returns it. */
#include "segwrite.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "err.h"
#include "fileio.h"
#include "field.h"
#include "format.h"
#include "zio.h"

/* zlib level of stored text: level 1 compresses news text to about 43% at
 * several times the speed of level 6 (which gets about 38%): measured on
 * wikipedia-sample, bench/index, 2026-11-28. */
#define STORE_LEVEL 1

struct id_entry {
    uint64_t hash;
    uint32_t doc;
};

struct segwrite {
    fwriter *fw;
    int rc;
    uint32_t number;
    char *stem;
    uint32_t B, dict_block, store_block;
    uint64_t positions_start; /* file offset of POSITIONS */

    /* documents */
    uint32_t n_docs;
    buf doclen, docdate, docoffs, fprints;
    spill *docrecs;           /* DOCTABLE records, on disk until finish */
    buf rec;                  /* the record being built */
    struct id_entry *ids;
    size_t ids_cap;
    spill *store;             /* STORE, on disk until finish */
    buf storeindex, store_raw, zbuf;
    uint32_t store_first;
    uint64_t sum_len[2];

    /* dictionary and postings */
    spill *terms;             /* TERMS, on disk until finish */
    buf termindex, termprefix; /* TERMINDEX's two arrays: offsets, key prefixes */
    buf entry;                /* the dictionary entry being built */
    spill *postings;          /* POSTINGS, on disk until finish */
    uint64_t n_terms, n_postings, n_positions;
    uint8_t prev_key[FORMAT_MAX_KEY];
    size_t prev_key_len;
    uint32_t in_dict_block;
    uint64_t last_post;       /* UINT64_MAX: no postings entry yet in the dict block */
    uint64_t last_pos;

    /* the current term */
    int in_term;
    uint8_t key[FORMAT_MAX_KEY];
    size_t key_len;
    uint32_t df;
    uint64_t cf;
    uint64_t term_pos_off;    /* relative to POSITIONS */
    int64_t prev_doc;         /* last doc of the previous block */
    int64_t last_doc;         /* last doc added */
    uint32_t *blk_docs, *blk_tfs;
    uint32_t blk_n;
    uint32_t blk_max_tf, blk_min_len;
    uint32_t *blk_pos;        /* position gaps of the block */
    size_t blk_pos_n, blk_pos_cap;
    uint32_t n_blocks;
    buf term_skip, term_blocks, scratch;
    uint32_t *packbuf;

    hash64_stream *fp;
    buf fpbuf;                /* fingerprint stream bytes not yet hashed */
    zdeflater *z;
};

static int set_rc(segwrite *w, int rc)
{
    if (rc && !w->rc)
        w->rc = rc;
    return w->rc;
}

int segwrite_open(segwrite **out, const char *dir, uint32_t number, const char *stem_language,
                  uint32_t block_size, uint32_t dict_block, uint32_t store_block)
{
    *out = NULL;
    segwrite *w = calloc(1, sizeof *w);
    if (!w)
        return LEDE_ENOMEM;
    w->number = number;
    w->B = block_size;
    w->dict_block = dict_block;
    w->store_block = store_block;
    w->last_post = UINT64_MAX;
    w->in_dict_block = dict_block; /* the first term starts a block */
    w->stem = strdup(stem_language ? stem_language : "");
    w->blk_docs = malloc(block_size * sizeof *w->blk_docs);
    w->blk_tfs = malloc(block_size * sizeof *w->blk_tfs);
    w->packbuf = malloc(block_size * sizeof *w->packbuf);
    buf path = {0};
    int rc = w->stem && w->blk_docs && w->blk_tfs && w->packbuf ? 0 : LEDE_ENOMEM;
    rc = rc ? rc : hash64_stream_new(&w->fp);
    rc = rc ? rc : zdeflater_new(&w->z, STORE_LEVEL);
    rc = rc ? rc : spill_open(&w->postings, dir);
    rc = rc ? rc : spill_open(&w->store, dir);
    rc = rc ? rc : spill_open(&w->terms, dir);
    rc = rc ? rc : spill_open(&w->docrecs, dir);
    rc = rc ? rc : format_segment_path(&path, dir, number);
    rc = rc ? rc : fwriter_open(&w->fw, path.data);
    buf_free(&path);
    if (rc == 0) {
        uint8_t h[FORMAT_HEADER_LEN];
        format_header(h, FILE_SEGMENT);
        rc = fwriter_write(w->fw, h, sizeof h);
        w->positions_start = FORMAT_HEADER_LEN;
    }
    if (rc == 0)
        rc = put_u64le(&w->docoffs, 0);
    if (rc) {
        segwrite_abort(w);
        return rc;
    }
    *out = w;
    return 0;
}

static void free_bufs(segwrite *w)
{
    buf *bufs[] = {&w->doclen, &w->docdate, &w->docoffs, &w->rec, &w->fprints,
                   &w->zbuf, &w->storeindex, &w->store_raw, &w->entry, &w->termindex,
                   &w->termprefix, &w->term_skip, &w->term_blocks, &w->scratch, &w->fpbuf};
    spill_close(w->postings);
    spill_close(w->store);
    spill_close(w->terms);
    spill_close(w->docrecs);
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        buf_free(bufs[i]);
    free(w->ids);
    free(w->blk_docs);
    free(w->blk_tfs);
    free(w->blk_pos);
    free(w->packbuf);
    free(w->stem);
    hash64_stream_free(w->fp);
    zdeflater_free(w->z);
}

void segwrite_abort(segwrite *w)
{
    if (!w)
        return;
    fwriter_abort(w->fw);
    free_bufs(w);
    free(w);
}

uint32_t segwrite_n_docs(const segwrite *w)
{
    return w->n_docs;
}

size_t segwrite_mem(const segwrite *w)
{
    return w->doclen.cap + w->docdate.cap + w->docoffs.cap + w->rec.cap + w->fprints.cap +
           w->zbuf.cap + w->storeindex.cap + w->store_raw.cap + w->ids_cap * sizeof *w->ids;
}

/* --- documents ------------------------------------------------------------------- */

static int put_str(buf *b, const char *s, size_t len)
{
    int rc = vint_put(b, len);
    return rc ? rc : buf_append(b, s, len);
}

static int close_store_block(segwrite *w)
{
    if (w->store_raw.len == 0)
        return 0;
    uint64_t off = spill_size(w->store);
    buf_clear(&w->zbuf);
    int rc = put_u32le(&w->zbuf, (uint32_t)w->store_raw.len);
    rc = rc ? rc : put_u32le(&w->zbuf, 0); /* comp_len, patched below */
    rc = rc ? rc : zdeflater_run(w->z, &w->zbuf, w->store_raw.data, w->store_raw.len);
    if (rc)
        return rc;
    store_u32le((uint8_t *)w->zbuf.data + 4, (uint32_t)(w->zbuf.len - 8));
    rc = spill_write(w->store, w->zbuf.data, w->zbuf.len);
    rc = rc ? rc : put_u32le(&w->storeindex, w->store_first);
    rc = rc ? rc : put_u64le(&w->storeindex, off);
    buf_clear(&w->store_raw);
    w->store_first = w->n_docs;
    return rc;
}

int segwrite_add_doc(segwrite *w, const segdoc *d)
{
    if (w->rc)
        return w->rc;
    if (w->in_term || w->n_terms || w->n_docs == UINT32_MAX - 1)
        return set_rc(w, LEDE_EINVAL);
    if (w->store_raw.len == 0)
        w->store_first = w->n_docs;
    if (w->n_docs == w->ids_cap) {
        size_t cap = w->ids_cap ? w->ids_cap * 2 : 1024;
        struct id_entry *p = realloc(w->ids, cap * sizeof *p);
        if (!p)
            return set_rc(w, LEDE_ENOMEM);
        w->ids = p;
        w->ids_cap = cap;
    }
    w->ids[w->n_docs].hash = hash64(d->id, d->id_len);
    w->ids[w->n_docs].doc = w->n_docs;
    int rc = put_u32le(&w->doclen, d->len[0]);
    rc = rc ? rc : put_u32le(&w->doclen, d->len[1]);
    rc = rc ? rc : put_u64le(&w->docdate, (uint64_t)d->date);
    buf_clear(&w->rec);
    rc = rc ? rc : put_str(&w->rec, d->id, d->id_len);
    rc = rc ? rc : put_str(&w->rec, d->title, d->title_len);
    rc = rc ? rc : put_str(&w->rec, d->source, d->source_len);
    rc = rc ? rc : put_str(&w->rec, d->section, d->section_len);
    rc = rc ? rc : put_str(&w->rec, d->url, d->url_len);
    rc = rc ? rc : spill_write(w->docrecs, w->rec.data, w->rec.len);
    rc = rc ? rc : put_u64le(&w->docoffs, spill_size(w->docrecs));
    rc = rc ? rc : put_u64le(&w->fprints, d->fprint.lo);
    rc = rc ? rc : put_u64le(&w->fprints, d->fprint.hi);
    rc = rc ? rc : put_str(&w->store_raw, d->body, d->body_len);
    if (rc)
        return set_rc(w, rc);
    w->n_docs++;
    w->sum_len[0] += d->len[0];
    w->sum_len[1] += d->len[1];
    if (w->store_raw.len >= w->store_block)
        rc = close_store_block(w);
    return set_rc(w, rc);
}

/* --- terms ------------------------------------------------------------------------ */

/* The content fingerprint's stream (docs/FORMAT.md) collects in w->fpbuf and
 * reaches the hash in pieces of FP_CHUNK bytes or more: XXH3's streaming digest
 * does not depend on how the stream is cut, and one call per term-document
 * pair cost more than the hashing itself. */
#define FP_CHUNK (32u * 1024)

static void fp_drain(segwrite *w, size_t min)
{
    if (w->fpbuf.len >= min && w->fpbuf.len > 0) {
        hash64_stream_update(w->fp, w->fpbuf.data, w->fpbuf.len);
        buf_clear(&w->fpbuf);
    }
}

_Static_assert(N_FIELDS <= 4, "a field takes two bits of a dictionary entry");

int segwrite_term_begin(segwrite *w, const uint8_t *key, size_t len)
{
    if (w->rc)
        return w->rc;
    if (w->in_term || len < 2 || len > FORMAT_MAX_KEY || format_key_field(key, len) >= N_FIELDS)
        return set_rc(w, LEDE_EINVAL); /* a field takes two bits of the entry */
    if (w->n_terms) {
        size_t n = len < w->prev_key_len ? len : w->prev_key_len;
        int c = memcmp(key, w->prev_key, n);
        if (c < 0 || (c == 0 && len <= w->prev_key_len))
            return set_rc(w, LEDE_EINVAL); /* keys must increase */
    }
    w->in_term = 1;
    memcpy(w->key, key, len);
    w->key_len = len;
    w->df = 0;
    w->cf = 0;
    w->prev_doc = -1;
    w->last_doc = -1;
    w->blk_n = 0;
    w->blk_pos_n = 0;
    w->n_blocks = 0;
    w->blk_max_tf = 0;
    w->blk_min_len = UINT32_MAX;
    w->term_pos_off = fwriter_offset(w->fw) - w->positions_start;
    buf_clear(&w->term_skip);
    buf_clear(&w->term_blocks);
    int rc = put_u32le(&w->fpbuf, (uint32_t)len);
    rc = rc ? rc : buf_append(&w->fpbuf, key, len);
    if (rc == 0)
        fp_drain(w, FP_CHUNK);
    return set_rc(w, rc);
}

/* Encodes a position sequence (docs/FORMAT.md, "Positions"): the chunks'
 * widths, then the chunks of B values packed, the last one holding the
 * remainder (fewer than B values) when n is not a multiple of B. */
static int put_sequence(segwrite *w, buf *out, const uint32_t *v, size_t n)
{
    size_t n_chunks = (n + w->B - 1) / w->B, at = out->len;
    int rc = 0;
    for (size_t j = 0; rc == 0 && j < n_chunks; j++)
        rc = put_u8(out, (uint8_t)bitpack_width(v + j * w->B, (size_t)format_chunk_len(n, w->B, j)));
    for (size_t j = 0; rc == 0 && j < n_chunks; j++)
        rc = packed_put(out, v + j * w->B, (size_t)format_chunk_len(n, w->B, j), (uint8_t)out->data[at + j]);
    return rc;
}

/* Writes the buffered block (full, or the tail at term end). */
static int flush_block(segwrite *w)
{
    uint32_t n = w->blk_n;
    if (n == 0)
        return 0;
    size_t doc_start = w->term_blocks.len;
    int rc = 0;
    int64_t prev = w->prev_doc;
    for (uint32_t i = 0; i < n; i++) {
        w->packbuf[i] = (uint32_t)((int64_t)w->blk_docs[i] - prev - 1);
        prev = w->blk_docs[i];
    }
    rc = block_put(&w->term_blocks, w->packbuf, n);
    for (uint32_t i = 0; i < n; i++)
        w->packbuf[i] = w->blk_tfs[i] - 1;
    rc = rc ? rc : block_put(&w->term_blocks, w->packbuf, n);
    /* positions of the block, straight to the file */
    buf_clear(&w->scratch);
    rc = rc ? rc : put_sequence(w, &w->scratch, w->blk_pos, w->blk_pos_n);
    rc = rc ? rc : fwriter_write(w->fw, w->scratch.data, w->scratch.len);
    /* skip entry */
    uint32_t last = w->blk_docs[n - 1];
    rc = rc ? rc : vint_put(&w->term_skip, w->n_blocks == 0 ? last : (uint64_t)(last - w->prev_doc));
    rc = rc ? rc : vint_put(&w->term_skip, w->term_blocks.len - doc_start);
    rc = rc ? rc : vint_put(&w->term_skip, w->scratch.len);
    rc = rc ? rc : vint_put(&w->term_skip, w->blk_max_tf);
    rc = rc ? rc : vint_put(&w->term_skip, w->blk_min_len == UINT32_MAX ? 0 : w->blk_min_len);
    w->prev_doc = last;
    w->n_blocks++;
    w->blk_n = 0;
    w->blk_pos_n = 0;
    w->blk_max_tf = 0;
    w->blk_min_len = UINT32_MAX;
    return rc;
}

int segwrite_term_doc(segwrite *w, uint32_t doc, const uint32_t *positions, uint32_t tf)
{
    if (w->rc)
        return w->rc;
    if (!w->in_term || tf == 0 || doc >= w->n_docs || (int64_t)doc <= w->last_doc)
        return set_rc(w, LEDE_EINVAL);
    if (w->blk_pos_n + tf > w->blk_pos_cap) {
        size_t cap = w->blk_pos_cap ? w->blk_pos_cap : 1024;
        while (cap < w->blk_pos_n + tf)
            cap *= 2;
        uint32_t *p = realloc(w->blk_pos, cap * sizeof *p);
        if (!p)
            return set_rc(w, LEDE_ENOMEM);
        w->blk_pos = p;
        w->blk_pos_cap = cap;
    }
    size_t fp_n = 8 + (size_t)tf * 4;
    if (w->fpbuf.cap - w->fpbuf.len <= fp_n && buf_reserve(&w->fpbuf, fp_n))
        return set_rc(w, LEDE_ENOMEM);
    uint8_t *fb = (uint8_t *)w->fpbuf.data + w->fpbuf.len;
    store_u32le(fb, doc);
    store_u32le(fb + 4, tf);
    for (uint32_t i = 0; i < tf; i++) {
        if (i > 0 && positions[i] <= positions[i - 1])
            return set_rc(w, LEDE_EINVAL);
        w->blk_pos[w->blk_pos_n++] = i == 0 ? positions[0] : positions[i] - positions[i - 1] - 1;
        store_u32le(fb + 8 + (size_t)i * 4, positions[i]);
    }
    w->fpbuf.len += fp_n;
    w->fpbuf.data[w->fpbuf.len] = '\0';
    fp_drain(w, FP_CHUNK);
    w->blk_docs[w->blk_n] = doc;
    w->blk_tfs[w->blk_n] = tf;
    w->blk_n++;
    if (tf > w->blk_max_tf)
        w->blk_max_tf = tf;
    uint8_t field = format_key_field(w->key, w->key_len);
    if (field <= 1) {
        uint32_t len = load_u32le((const uint8_t *)w->doclen.data + (size_t)doc * 8 + field * 4);
        if (len < w->blk_min_len)
            w->blk_min_len = len;
    }
    w->df++;
    w->cf += tf;
    w->last_doc = doc;
    if (w->blk_n == w->B)
        return set_rc(w, flush_block(w));
    return 0;
}

/* Appends the dictionary entry of the finished term. */
static int put_dict_entry(segwrite *w, uint64_t post_off)
{
    buf *t = &w->entry;
    buf_clear(t);
    int rc = 0;
    if (w->in_dict_block == w->dict_block) {
        uint8_t pre[FORMAT_KEY_PREFIX];
        format_key_prefix_bytes(pre, w->key, w->key_len);
        rc = put_u64le(&w->termindex, spill_size(w->terms));
        rc = rc ? rc : buf_append(&w->termprefix, pre, sizeof pre);
        w->in_dict_block = 0;
        w->last_post = UINT64_MAX;
    }
    /* the term's bytes front-coded against the previous term; the field in
     * the low two bits of the suffix length (docs/FORMAT.md, TERMS) */
    size_t tl = w->key_len - 1, shared = 0;
    uint8_t field = format_key_field(w->key, w->key_len);
    if (w->in_dict_block > 0) {
        size_t max = tl < w->prev_key_len - 1 ? tl : w->prev_key_len - 1;
        while (shared < max && w->key[shared] == w->prev_key[shared])
            shared++;
        rc = rc ? rc : vint_put(t, shared);
    }
    rc = rc ? rc : vint_put(t, (uint64_t)(tl - shared) << 2 | field);
    rc = rc ? rc : buf_append(t, w->key + shared, tl - shared);
    rc = rc ? rc : vint_put(t, w->df);
    rc = rc ? rc : vint_put(t, w->cf - w->df);
    if (w->df == 1) {
        rc = rc ? rc : vint_put(t, (uint64_t)w->last_doc);
    } else {
        rc = rc ? rc : vint_put(t, w->last_post == UINT64_MAX ? post_off : post_off - w->last_post);
        w->last_post = post_off;
    }
    rc = rc ? rc : vint_put(t, w->in_dict_block == 0 ? w->term_pos_off : w->term_pos_off - w->last_pos);
    w->last_pos = w->term_pos_off;
    rc = rc ? rc : spill_write(w->terms, t->data, t->len);
    w->in_dict_block++;
    memcpy(w->prev_key, w->key, w->key_len);
    w->prev_key_len = w->key_len;
    return rc;
}

/* The end of a term found in one document: a dictionary entry holds its
 * document, so only its positions are written (no postings, no skip data). */
static int flush_single(segwrite *w)
{
    if (w->blk_n == 0)
        return 0; /* already flushed as a full block (tiny block sizes) */
    buf_clear(&w->scratch);
    int rc = put_sequence(w, &w->scratch, w->blk_pos, w->blk_pos_n);
    rc = rc ? rc : fwriter_write(w->fw, w->scratch.data, w->scratch.len);
    w->n_blocks++;
    w->blk_n = 0;
    w->blk_pos_n = 0;
    return rc;
}

int segwrite_term_end(segwrite *w)
{
    if (w->rc)
        return w->rc;
    if (!w->in_term || w->df == 0)
        return set_rc(w, LEDE_EINVAL);
    int rc = w->df == 1 ? flush_single(w) : flush_block(w);
    uint64_t post_off = spill_size(w->postings);
    if (rc == 0 && w->df >= 2) {
        if (w->n_blocks >= 2) {
            uint8_t len[VINT_MAX_BYTES];
            rc = spill_write(w->postings, len, vint_encode(len, w->term_skip.len));
            rc = rc ? rc : spill_write(w->postings, w->term_skip.data, w->term_skip.len);
        }
        rc = rc ? rc : spill_write(w->postings, w->term_blocks.data, w->term_blocks.len);
    }
    rc = rc ? rc : put_dict_entry(w, post_off);
    w->n_terms++;
    w->n_postings += w->df;
    w->n_positions += w->cf;
    w->in_term = 0;
    return set_rc(w, rc);
}

/* --- finishing ----------------------------------------------------------------------- */

static int cmp_id(const void *a, const void *b)
{
    const struct id_entry *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

struct toc_entry {
    uint32_t id;
    uint64_t off, len;
};

static int write_section(segwrite *w, struct toc_entry *toc, int *n, uint32_t id, const void *p,
                         size_t len)
{
    toc[*n].id = id;
    toc[*n].off = fwriter_offset(w->fw);
    toc[*n].len = len;
    (*n)++;
    return len ? fwriter_write(w->fw, p, len) : 0;
}

static int copy_section(segwrite *w, struct toc_entry *toc, int *n, uint32_t id, spill *sp)
{
    toc[*n].id = id;
    toc[*n].off = fwriter_offset(w->fw);
    toc[*n].len = spill_size(sp);
    (*n)++;
    return spill_copy_to(sp, w->fw);
}

int segwrite_finish(segwrite *w, uint64_t *file_bytes, int *err_no)
{
    *file_bytes = 0;
    *err_no = 0;
    int rc = w->rc;
    if (rc == 0 && w->in_term)
        rc = LEDE_EINVAL;
    rc = rc ? rc : close_store_block(w);
    struct toc_entry toc[SEC_N];
    int n = 0;
    toc[n].id = SEC_POSITIONS;
    toc[n].off = w->positions_start;
    toc[n].len = fwriter_offset(w->fw) - w->positions_start;
    n++;
    buf tmp = {0};
    if (rc == 0)
        rc = copy_section(w, toc, &n, SEC_TERMS, w->terms);
    if (rc == 0)
        rc = buf_append(&w->termindex, w->termprefix.data, w->termprefix.len);
    if (rc == 0)
        rc = write_section(w, toc, &n, SEC_TERMINDEX, w->termindex.data, w->termindex.len);
    if (rc == 0)
        rc = copy_section(w, toc, &n, SEC_POSTINGS, w->postings);
    if (rc == 0)
        rc = write_section(w, toc, &n, SEC_DOCLEN, w->doclen.data, w->doclen.len);
    if (rc == 0)
        rc = write_section(w, toc, &n, SEC_DOCDATE, w->docdate.data, w->docdate.len);
    if (rc == 0) {
        /* DOCTABLE: offsets then records, as one section */
        toc[n].id = SEC_DOCTABLE;
        toc[n].off = fwriter_offset(w->fw);
        toc[n].len = w->docoffs.len + spill_size(w->docrecs);
        n++;
        rc = fwriter_write(w->fw, w->docoffs.data, w->docoffs.len);
        rc = rc ? rc : spill_copy_to(w->docrecs, w->fw);
    }
    if (rc == 0 && w->n_docs)
        qsort(w->ids, w->n_docs, sizeof *w->ids, cmp_id);
    for (uint32_t i = 0; rc == 0 && i < w->n_docs; i++) {
        rc = put_u64le(&tmp, w->ids[i].hash);
        rc = rc ? rc : put_u32le(&tmp, w->ids[i].doc);
    }
    if (rc == 0)
        rc = write_section(w, toc, &n, SEC_IDINDEX, tmp.data, tmp.len);
    if (rc == 0)
        rc = write_section(w, toc, &n, SEC_FPRINTS, w->fprints.data, w->fprints.len);
    if (rc == 0)
        rc = copy_section(w, toc, &n, SEC_STORE, w->store);
    if (rc == 0)
        rc = write_section(w, toc, &n, SEC_STOREINDEX, w->storeindex.data, w->storeindex.len);
    if (rc == 0) {
        buf_clear(&tmp);
        size_t sl = strlen(w->stem);
        rc = put_u32le(&tmp, w->number);
        rc = rc ? rc : put_u32le(&tmp, w->n_docs);
        rc = rc ? rc : put_u32le(&tmp, w->B);
        rc = rc ? rc : put_u32le(&tmp, w->dict_block);
        rc = rc ? rc : put_u64le(&tmp, w->n_terms);
        rc = rc ? rc : put_u64le(&tmp, w->n_postings);
        rc = rc ? rc : put_u64le(&tmp, w->n_positions);
        rc = rc ? rc : put_u64le(&tmp, w->sum_len[0]);
        rc = rc ? rc : put_u64le(&tmp, w->sum_len[1]);
        fp_drain(w, 0);
        rc = rc ? rc : put_u64le(&tmp, hash64_stream_digest(w->fp));
        rc = rc ? rc : vint_put(&tmp, sl);
        rc = rc ? rc : buf_append(&tmp, w->stem, sl);
        rc = rc ? rc : write_section(w, toc, &n, SEC_META, tmp.data, tmp.len);
    }
    uint64_t toc_off = fwriter_offset(w->fw);
    if (rc == 0) {
        buf_clear(&tmp);
        rc = put_u32le(&tmp, (uint32_t)n);
        for (int i = 0; i < n && rc == 0; i++) {
            rc = put_u32le(&tmp, toc[i].id);
            rc = rc ? rc : put_u64le(&tmp, toc[i].off);
            rc = rc ? rc : put_u64le(&tmp, toc[i].len);
        }
        rc = rc ? rc : fwriter_write(w->fw, tmp.data, tmp.len);
    }
    if (rc == 0) {
        uint8_t f[16];
        format_footer_head(f, toc_off);
        rc = fwriter_write(w->fw, f, 16);
        uint8_t sum[8];
        store_u64le(sum, fwriter_checksum(w->fw));
        rc = rc ? rc : fwriter_write(w->fw, sum, 8);
    }
    buf_free(&tmp);
    if (rc == 0) {
        *file_bytes = fwriter_offset(w->fw);
        fwriter *fw = w->fw;
        w->fw = NULL;
        rc = fwriter_commit(fw);
        *err_no = errno;
    } else {
        *err_no = segwrite_errno(w);
    }
    segwrite_abort(w);
    return rc;
}

int segwrite_errno(const segwrite *w)
{
    if (!w)
        return 0;
    int e = w->fw ? fwriter_errno(w->fw) : 0;
    spill *spills[] = {w->postings, w->store, w->terms, w->docrecs};
    for (size_t i = 0; !e && i < sizeof spills / sizeof *spills; i++)
        e = spill_errno(spills[i]);
    return e;
}
