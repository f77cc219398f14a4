/* memindex.c - in-memory postings (see memindex.h).
 *
 * Terms live in an open-addressing hash table keyed by (term + field byte).
 * Each term's postings are a byte stream of varints - per document: doc
 * delta, tf, then tf position gaps - kept in a chain of slices carved from
 * large pages (no malloc per term, little slack): a slice's last 4 bytes link
 * to the next slice, which is twice as large, up to 32 KiB.
 * At flush the terms are sorted by key and replayed into segwrite. */
#include "memindex.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "err.h"
#include "format.h"

#define PAGE_BITS 16
#define PAGE_SIZE ((uint32_t)1 << PAGE_BITS)
#define FIRST_SLICE 16
#define MAX_SLICE (32 * 1024)

struct term {
    uint32_t key_off;   /* into m->keys */
    uint32_t head;      /* address of the first slice */
    uint32_t tail;      /* address where the next byte goes */
    uint32_t tail_end;  /* address of the current slice's link field */
    uint32_t slice_len; /* size of the current slice, link included */
    int64_t last_doc;
    uint32_t hash;      /* ingest_key_hash of the key */
    uint32_t stamp;     /* doc + 1 of the document being added, if it has the term */
    uint32_t count;     /* occurrences in that document */
    uint32_t slot;      /* where its positions start in m->posbuf */
    uint8_t key_len;
};

struct memindex {
    segwrite *w;
    /* pool */
    uint8_t **pages;
    uint32_t n_pages, cap_pages;
    uint32_t page_used;   /* bytes used in the last page */
    /* terms */
    struct term *terms;
    uint32_t n_terms, cap_terms;
    uint32_t *table;      /* term index + 1; 0 = empty */
    uint32_t table_mask;
    buf keys;
    /* per-document scratch */
    uint32_t *tok_term;   /* term index of each token */
    uint32_t *posbuf;     /* positions grouped by term */
    uint32_t *distinct;   /* the document's terms in first-seen order */
    size_t cap_toks;
    /* external ids: hash -> doc, open addressing; ids kept for comparison */
    uint64_t *id_hash;
    uint32_t *id_doc;     /* doc + 1; 0 = empty */
    uint32_t id_mask;
    buf ids;              /* all ids, NUL-separated */
    uint32_t *id_off;     /* per doc: offset into ids */
    uint32_t *lens;       /* per doc: title, body */
    hash128 *fps;         /* per doc */
    uint32_t n_docs, cap_docs;
};

static inline uint8_t *addr(const memindex *m, uint32_t a)
{
    return m->pages[a >> PAGE_BITS] + (a & (PAGE_SIZE - 1));
}

/* Allocates n bytes (n <= PAGE_SIZE) from the pool; returns their address. */
static int pool_alloc(memindex *m, uint32_t n, uint32_t *out)
{
    if (m->n_pages == 0 || m->page_used + n > PAGE_SIZE) {
        if (m->n_pages == m->cap_pages) {
            uint32_t cap = m->cap_pages ? m->cap_pages * 2 : 16;
            uint8_t **p = realloc(m->pages, cap * sizeof *p);
            if (!p)
                return LEDE_ENOMEM;
            m->pages = p;
            m->cap_pages = cap;
        }
        if (m->n_pages >= (1u << (32 - PAGE_BITS)))
            return LEDE_ELIMIT;
        m->pages[m->n_pages] = malloc(PAGE_SIZE);
        if (!m->pages[m->n_pages])
            return LEDE_ENOMEM;
        m->n_pages++;
        m->page_used = 0;
    }
    *out = ((m->n_pages - 1) << PAGE_BITS) | m->page_used;
    m->page_used += n;
    return 0;
}

int memindex_new(memindex **out, const char *dir, uint32_t number, const char *stem_language)
{
    *out = NULL;
    memindex *m = calloc(1, sizeof *m);
    if (!m)
        return LEDE_ENOMEM;
    m->table_mask = (1u << 16) - 1;
    m->table = calloc((size_t)m->table_mask + 1, sizeof *m->table);
    m->id_mask = (1u << 12) - 1;
    m->id_hash = calloc((size_t)m->id_mask + 1, sizeof *m->id_hash);
    m->id_doc = calloc((size_t)m->id_mask + 1, sizeof *m->id_doc);
    int rc = m->table && m->id_hash && m->id_doc ? 0 : LEDE_ENOMEM;
    if (rc == 0)
        rc = segwrite_open(&m->w, dir, number, stem_language, FORMAT_BLOCK, FORMAT_DICT_BLOCK,
                           FORMAT_STORE_BLOCK);
    if (rc) {
        memindex_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void memindex_free(memindex *m)
{
    if (!m)
        return;
    segwrite_abort(m->w);
    for (uint32_t i = 0; i < m->n_pages; i++)
        free(m->pages[i]);
    free(m->pages);
    free(m->terms);
    free(m->table);
    buf_free(&m->keys);
    free(m->tok_term);
    free(m->posbuf);
    free(m->distinct);
    free(m->id_hash);
    free(m->id_doc);
    buf_free(&m->ids);
    free(m->id_off);
    free(m->lens);
    free(m->fps);
    free(m);
}

uint32_t memindex_n_docs(const memindex *m)
{
    return m->n_docs;
}

/* struct sort_key, the flush's array of one per term: counted in advance so
 * that the flush itself stays within the budget. */
#define SORT_KEY_BYTES 16

size_t memindex_mem(const memindex *m)
{
    return (size_t)m->n_pages * PAGE_SIZE + (size_t)m->cap_terms * sizeof *m->terms +
           (size_t)m->n_terms * SORT_KEY_BYTES +
           ((size_t)m->table_mask + 1) * 4 + m->keys.cap + m->cap_toks * 12 +
           ((size_t)m->id_mask + 1) * 12 + m->ids.cap + (size_t)m->cap_docs * 12 +
           segwrite_mem(m->w);
}

/* What one token of a document can add at most besides its key: a new term
 * (struct term, its hash table slots at half load, its first slice, a sort
 * key, the key's field byte), its position varints and the three scratch
 * arrays. */
#define TOKEN_COST (sizeof(struct term) + 2 * 2 * sizeof(uint32_t) + FIRST_SLICE + \
                    SORT_KEY_BYTES + 1 + 2 * VINT_MAX_BYTES + 3 * sizeof(uint32_t))

size_t memindex_doc_cost(const ingest_doc *d)
{
    size_t n = 0;
    for (int k = 0; k < DOC_N_FIELDS; k++)
        n += d->d->f_len[k];
    n *= 2;
    return n + d->n_toks * TOKEN_COST + d->terms_len;
}

/* --- terms --------------------------------------------------------------------- */

static int grow_table(memindex *m)
{
    uint32_t mask = m->table_mask * 2 + 1;
    uint32_t *t = calloc((size_t)mask + 1, sizeof *t);
    if (!t)
        return LEDE_ENOMEM;
    for (uint32_t i = 0; i < m->n_terms; i++) {
        const struct term *e = &m->terms[i];
        uint32_t h = e->hash & mask;
        while (t[h])
            h = (h + 1) & mask;
        t[h] = i + 1;
    }
    free(m->table);
    m->table = t;
    m->table_mask = mask;
    return 0;
}

/* a[0..n) == b[0..n), for the short terms of the hash table: overlapping
 * word loads instead of a call. */
static inline int same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
    if (n >= 8) {
        uint64_t x, y;
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y)
                return 0;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, a, 4);
        memcpy(&y0, b, 4);
        memcpy(&x1, a + n - 4, 4);
        memcpy(&y1, b + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* Finds or adds the term with key (field, term[0..len)) whose ingest_key_hash
 * is `hash`; *idx receives its index. */
static int term_get(memindex *m, uint32_t hash, uint8_t field, const char *term, size_t len,
                    uint32_t *idx)
{
    uint32_t h = hash & m->table_mask;
    for (;;) {
        uint32_t t = m->table[h];
        if (!t)
            break;
        const struct term *e = &m->terms[t - 1];
        if (e->hash == hash && e->key_len == len + 1) {
            const uint8_t *k = (const uint8_t *)m->keys.data + e->key_off;
            if (format_key_field(k, len + 1) == field && same_bytes(k, (const uint8_t *)term, len)) {
                *idx = t - 1;
                return 0;
            }
        }
        h = (h + 1) & m->table_mask;
    }
    if (m->n_terms == m->cap_terms) {
        uint32_t cap = m->cap_terms ? m->cap_terms * 2 : 4096;
        struct term *p = realloc(m->terms, cap * sizeof *p);
        if (!p)
            return LEDE_ENOMEM;
        m->terms = p;
        m->cap_terms = cap;
    }
    if (m->keys.len > UINT32_MAX - FORMAT_MAX_KEY)
        return LEDE_ELIMIT;
    uint32_t a;
    int rc = pool_alloc(m, FIRST_SLICE, &a);
    if (rc)
        return rc;
    struct term *e = &m->terms[m->n_terms];
    memset(e, 0, sizeof *e);
    e->key_off = (uint32_t)m->keys.len;
    e->key_len = (uint8_t)(len + 1);
    e->hash = hash;
    e->head = e->tail = a;
    e->slice_len = FIRST_SLICE;
    e->tail_end = a + FIRST_SLICE - 4;
    e->last_doc = -1;
    rc = buf_append(&m->keys, term, len); /* the key: term, then field (format_key) */
    rc = rc ? rc : buf_putc(&m->keys, (char)field);
    if (rc)
        return rc;
    m->table[h] = m->n_terms + 1;
    *idx = m->n_terms++;
    if (m->n_terms * 2 > m->table_mask)
        return grow_table(m);
    return 0;
}

/* Appends bytes to a term's slice chain: term_write's path through a full
 * slice. */
static int term_write_grow(memindex *m, struct term *e, const uint8_t *p, size_t n)
{
    while (n > 0) {
        if (e->tail == e->tail_end) {
            uint32_t len = e->slice_len * 2 > MAX_SLICE ? MAX_SLICE : e->slice_len * 2;
            uint32_t a;
            int rc = pool_alloc(m, len, &a);
            if (rc)
                return rc;
            store_u32le(addr(m, e->tail_end), a);
            e->tail = a;
            e->tail_end = a + len - 4;
            e->slice_len = len;
        }
        uint32_t room = e->tail_end - e->tail;
        uint32_t k = n < room ? (uint32_t)n : room;
        memcpy(addr(m, e->tail), p, k);
        e->tail += k;
        p += k;
        n -= k;
    }
    return 0;
}

/* Appends bytes to a term's slice chain; inline for the common case, a few
 * bytes that fit in the current slice. */
static inline int term_write(memindex *m, struct term *e, const uint8_t *p, size_t n)
{
    if (e->tail_end - e->tail <= n)
        return term_write_grow(m, e, p, n);
    uint8_t *dst = addr(m, e->tail);
    for (size_t i = 0; i < n; i++)
        dst[i] = p[i];
    e->tail += (uint32_t)n;
    return 0;
}

/* --- documents ------------------------------------------------------------------- */

static int remember_id(memindex *m, const char *id, size_t len, uint32_t doc)
{
    if ((m->n_docs + 1) * 2 > m->id_mask) {
        uint32_t mask = m->id_mask * 2 + 1;
        uint64_t *hs = calloc((size_t)mask + 1, sizeof *hs);
        uint32_t *ds = calloc((size_t)mask + 1, sizeof *ds);
        if (!hs || !ds) {
            free(hs);
            free(ds);
            return LEDE_ENOMEM;
        }
        for (uint32_t i = 0; i <= m->id_mask; i++) {
            if (!m->id_doc[i])
                continue;
            uint32_t h = (uint32_t)m->id_hash[i] & mask;
            while (ds[h])
                h = (h + 1) & mask;
            hs[h] = m->id_hash[i];
            ds[h] = m->id_doc[i];
        }
        free(m->id_hash);
        free(m->id_doc);
        m->id_hash = hs;
        m->id_doc = ds;
        m->id_mask = mask;
    }
    uint64_t hv = hash64(id, len);
    uint32_t h = (uint32_t)hv & m->id_mask;
    while (m->id_doc[h])
        h = (h + 1) & m->id_mask;
    m->id_hash[h] = hv;
    m->id_doc[h] = doc + 1;
    if (m->ids.len > UINT32_MAX - len - 1)
        return LEDE_ELIMIT;
    m->id_off[doc] = (uint32_t)m->ids.len;
    int rc = buf_append(&m->ids, id, len);
    return rc ? rc : buf_putc(&m->ids, '\0');
}

int memindex_find_id(const memindex *m, const char *id, size_t len, uint32_t *doc)
{
    uint64_t hv = hash64(id, len);
    uint32_t h = (uint32_t)hv & m->id_mask;
    int found = 0;
    for (; m->id_doc[h]; h = (h + 1) & m->id_mask) {
        if (m->id_hash[h] != hv)
            continue;
        uint32_t d = m->id_doc[h] - 1;
        const char *s = m->ids.data + m->id_off[d];
        if (strlen(s) == len && memcmp(s, id, len) == 0 && (!found || d > *doc)) {
            *doc = d;
            found = 1;
        }
    }
    return found;
}

hash128 memindex_fprint(const memindex *m, uint32_t doc)
{
    return m->fps[doc];
}

const char *memindex_id(const memindex *m, uint32_t doc)
{
    return m->ids.data + m->id_off[doc];
}

void memindex_lens(const memindex *m, uint32_t doc, uint32_t *title_len, uint32_t *body_len)
{
    *title_len = m->lens[doc * 2];
    *body_len = m->lens[doc * 2 + 1];
}

int memindex_add(memindex *m, const ingest_doc *d, hash128 fprint)
{
    const doc *dd = d->d;
    uint32_t docid = m->n_docs;
    if (m->n_docs == m->cap_docs) {
        uint32_t cap = m->cap_docs ? m->cap_docs * 2 : 1024;
        uint32_t *io = realloc(m->id_off, cap * sizeof *io);
        if (io)
            m->id_off = io;
        uint32_t *ls = realloc(m->lens, cap * 2 * sizeof *ls);
        if (ls)
            m->lens = ls;
        hash128 *fs = realloc(m->fps, cap * sizeof *fs);
        if (fs)
            m->fps = fs;
        if (!io || !ls || !fs)
            return LEDE_ENOMEM;
        m->cap_docs = cap;
    }
    segdoc sd = {
        dd->f[DOC_ID], dd->f[DOC_TITLE], dd->f[DOC_SOURCE], dd->f[DOC_SECTION], dd->f[DOC_URL],
        dd->f[DOC_BODY], dd->f_len[DOC_ID], dd->f_len[DOC_TITLE], dd->f_len[DOC_SOURCE],
        dd->f_len[DOC_SECTION], dd->f_len[DOC_URL], dd->f_len[DOC_BODY], dd->date,
        {d->field_len[FIELD_TITLE], d->field_len[FIELD_BODY]}, fprint};
    int rc = segwrite_add_doc(m->w, &sd);
    if (rc)
        return rc;
    m->lens[docid * 2] = sd.len[0];
    m->lens[docid * 2 + 1] = sd.len[1];
    m->fps[docid] = fprint;
    rc = remember_id(m, dd->f[DOC_ID], dd->f_len[DOC_ID], docid);
    m->n_docs++;
    if (rc)
        return rc;

    /* Group the positions by term without sorting: count each term's
     * occurrences, lay the groups out, then drop each position in place. */
    if (d->n_toks > m->cap_toks) {
        /* Room for this document and a little more: a huge document would
         * otherwise leave twice its size in scratch arrays behind. */
        size_t cap = d->n_toks + d->n_toks / 8 + 1024;
        uint32_t *a = realloc(m->tok_term, cap * sizeof *a);
        if (a)
            m->tok_term = a;
        uint32_t *b = realloc(m->posbuf, cap * sizeof *b);
        if (b)
            m->posbuf = b;
        uint32_t *c = realloc(m->distinct, cap * sizeof *c);
        if (c)
            m->distinct = c;
        if (!a || !b || !c)
            return LEDE_ENOMEM;
        m->cap_toks = cap;
    }
    uint32_t n_distinct = 0, stamp = docid + 1;
    for (size_t i = 0; i < d->n_toks; i++) {
        const ingest_tok *t = &d->toks[i];
        uint32_t idx;
        rc = term_get(m, t->key_hash, t->field, d->terms + t->term_off, t->term_len, &idx);
        if (rc)
            return rc;
        m->tok_term[i] = idx;
        struct term *e = &m->terms[idx];
        if (e->stamp != stamp) {
            e->stamp = stamp;
            e->count = 0;
            m->distinct[n_distinct++] = idx;
        }
        e->count++;
    }
    uint32_t off = 0;
    for (uint32_t j = 0; j < n_distinct; j++) {
        struct term *e = &m->terms[m->distinct[j]];
        e->slot = off;
        off += e->count;
        e->count = 0;
    }
    for (size_t i = 0; i < d->n_toks; i++) {
        struct term *e = &m->terms[m->tok_term[i]];
        m->posbuf[e->slot + e->count++] = d->toks[i].pos;
    }
    uint8_t tmp[VINT_MAX_BYTES * 64];
    for (uint32_t j = 0; j < n_distinct && rc == 0; j++) {
        struct term *e = &m->terms[m->distinct[j]];
        size_t n = vint_encode(tmp, (uint64_t)((int64_t)docid - e->last_doc));
        n += vint_encode(tmp + n, e->count);
        const uint32_t *ps = m->posbuf + e->slot;
        for (uint32_t k = 0; k < e->count; k++) {
            n += vint_encode(tmp + n, k == 0 ? ps[0] : ps[k] - ps[k - 1] - 1);
            if (n > sizeof tmp - VINT_MAX_BYTES) {
                rc = term_write(m, e, tmp, n);
                n = 0;
            }
        }
        rc = rc ? rc : term_write(m, e, tmp, n);
        e->last_doc = docid;
    }
    return rc;
}

/* --- flush ------------------------------------------------------------------------ */

/* The flush's order: keys compare as memcmp, then the shorter first. A sort
 * key carries the key's first 8 bytes as a big-endian number, which decides
 * nearly every comparison without touching the key. */
struct sort_key {
    uint64_t prefix;
    uint32_t idx;
    uint32_t len;
};
_Static_assert(sizeof(struct sort_key) <= SORT_KEY_BYTES, "memindex_mem counts sort keys");

static uint64_t key_prefix(const uint8_t *k, size_t len)
{
    uint64_t p = 0;
    for (size_t i = 0; i < 8; i++)
        p = p << 8 | (i < len ? k[i] : 0);
    return p;
}

/* x < y. Equal prefixes: the first min(len) <= 8 bytes are equal and the
 * longer key's next bytes (if any within 8) are the padding's zeros, so the
 * shorter key sorts first, as memcmp order says; past 8 bytes, memcmp.
 * (A zero byte ends a title key, but terms hold none, so no key continues
 * with zeros where another ends.) */
static inline int key_less(const memindex *m, const struct sort_key *x, const struct sort_key *y)
{
    if (x->prefix != y->prefix)
        return x->prefix < y->prefix;
    uint32_t n = x->len < y->len ? x->len : y->len;
    if (n > 8) {
        const uint8_t *kx = (const uint8_t *)m->keys.data + m->terms[x->idx].key_off;
        const uint8_t *ky = (const uint8_t *)m->keys.data + m->terms[y->idx].key_off;
        int c = memcmp(kx + 8, ky + 8, n - 8);
        if (c)
            return c < 0;
    }
    return x->len < y->len;
}

static void sift_down(const memindex *m, struct sort_key *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && key_less(m, &a[child], &a[child + 1]))
            child++;
        if (!key_less(m, &a[root], &a[child]))
            return;
        struct sort_key t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

/* Introsort: quicksort (median of three), heapsort past 2 log2 n levels so
 * that no input takes quadratic time, insertion sort for short runs. Keys
 * are distinct, so the result is the one order whatever the algorithm. */
static void sort_keys(const memindex *m, struct sort_key *a, size_t n, unsigned depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            for (size_t i = n / 2; i-- > 0;)
                sift_down(m, a, i, n);
            for (size_t i = n - 1; i > 0; i--) {
                struct sort_key t = a[0];
                a[0] = a[i];
                a[i] = t;
                sift_down(m, a, 0, i);
            }
            return;
        }
        size_t mid = n / 2;
        struct sort_key t;
        if (key_less(m, &a[mid], &a[0])) {
            t = a[mid]; a[mid] = a[0]; a[0] = t;
        }
        if (key_less(m, &a[n - 1], &a[mid])) {
            t = a[n - 1]; a[n - 1] = a[mid]; a[mid] = t;
            if (key_less(m, &a[mid], &a[0])) {
                t = a[mid]; a[mid] = a[0]; a[0] = t;
            }
        }
        struct sort_key pivot = a[mid];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (key_less(m, &a[i], &pivot))
                i++;
            while (key_less(m, &pivot, &a[j]))
                j--;
            if (i >= j)
                break;
            t = a[i]; a[i] = a[j]; a[j] = t;
            i++;
            j--;
        }
        /* a[0..j] <= pivot <= a[j+1..n): recurse on the smaller side. */
        size_t left = j + 1;
        if (left < n - left) {
            sort_keys(m, a, left, depth);
            a += left;
            n -= left;
        } else {
            sort_keys(m, a + left, n - left, depth);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        struct sort_key t = a[i];
        size_t j = i;
        while (j > 0 && key_less(m, &t, &a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = t;
    }
}

/* Reads a term's stream back: a cursor over its slice chain. */
struct chain {
    const memindex *m;
    uint32_t at, slice_end, end;
    uint32_t slice_len;
};

static uint8_t chain_byte(struct chain *c)
{
    if (c->at == c->slice_end) {
        c->at = load_u32le(addr(c->m, c->slice_end));
        c->slice_len = c->slice_len * 2 > MAX_SLICE ? MAX_SLICE : c->slice_len * 2;
        c->slice_end = c->at + c->slice_len - 4;
    }
    return *addr(c->m, c->at++);
}

static uint64_t chain_vint(struct chain *c)
{
    if (c->slice_end - c->at >= VINT_MAX_BYTES) {
        /* The whole varint lies in this slice: no link to follow. */
        const uint8_t *p = addr(c->m, c->at);
        if (p[0] < 0x80) {
            c->at++;
            return p[0];
        }
        uint64_t v = 0;
        uint32_t k = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            uint8_t b = p[k++];
            v |= (uint64_t)(b & 0x7F) << shift;
            if (!(b & 0x80))
                break;
        }
        c->at += k;
        return v;
    }
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b = chain_byte(c);
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            break;
    }
    return v;
}

int memindex_flush(memindex *m, uint64_t *file_bytes, int *err_no)
{
    *file_bytes = 0;
    *err_no = 0;
    int rc = 0;
    if (m->n_docs == 0) {
        memindex_free(m);
        return 0;
    }
    struct sort_key *order = malloc(((size_t)m->n_terms + 1) * sizeof *order);
    uint32_t *pos = NULL;
    size_t pos_cap = 0;
    if (!order)
        rc = LEDE_ENOMEM;
    for (uint32_t i = 0; rc == 0 && i < m->n_terms; i++) {
        order[i].prefix = key_prefix((const uint8_t *)m->keys.data + m->terms[i].key_off,
                                     m->terms[i].key_len);
        order[i].len = m->terms[i].key_len;
        order[i].idx = i;
    }
    if (rc == 0) {
        unsigned depth = 0;
        for (uint32_t k = m->n_terms; k > 1; k >>= 1)
            depth += 2;
        sort_keys(m, order, m->n_terms, depth);
    }
    for (uint32_t i = 0; rc == 0 && i < m->n_terms; i++) {
        const struct term *e = &m->terms[order[i].idx];
        rc = segwrite_term_begin(m->w, (const uint8_t *)m->keys.data + e->key_off, e->key_len);
        struct chain c = {m, e->head, e->head + FIRST_SLICE - 4, e->tail, FIRST_SLICE};
        int64_t doc = -1;
        while (rc == 0 && c.at != c.end) {
            doc += (int64_t)chain_vint(&c);
            uint32_t tf = (uint32_t)chain_vint(&c);
            if (tf > pos_cap) {
                size_t cap = tf * 2;
                uint32_t *p = realloc(pos, cap * sizeof *p);
                if (!p) {
                    rc = LEDE_ENOMEM;
                    break;
                }
                pos = p;
                pos_cap = cap;
            }
            uint32_t prev = 0;
            for (uint32_t k = 0; k < tf; k++) {
                uint32_t g = (uint32_t)chain_vint(&c);
                prev = k == 0 ? g : prev + 1 + g;
                pos[k] = prev;
            }
            rc = segwrite_term_doc(m->w, (uint32_t)doc, pos, tf);
        }
        rc = rc ? rc : segwrite_term_end(m->w);
    }
    free(order);
    free(pos);
    if (rc == 0) {
        segwrite *w = m->w;
        m->w = NULL;
        rc = segwrite_finish(w, file_bytes, err_no);
    } else if (rc == LEDE_EIO) {
        *err_no = segwrite_errno(m->w);
    }
    memindex_free(m);
    return rc;
}
