/* segread.c - segment reader (see segread.h and docs/FORMAT.md). */
#include "segread.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "err.h"
#include "field.h"
#include "fileio.h"
#include "hash.h"
#include "zio.h"

struct segread {
    fmap map;
    int borrowed;          /* map points at the caller's bytes (segread_open_mem) */
    char *path;
    const char *problem;   /* the first corruption a decoder found (static text) */
    segmeta meta;
    section sec[SEC_N];
    uint64_t n_dict_blocks;
    uint64_t n_store_blocks;
    /* one decompressed stored-text block */
    uint64_t store_cached; /* block number + 1; 0 = none */
    buf store_raw;
    /* closed postings cursors kept for reuse with their buffers: a query
     * opens and closes several, and malloc/free cost more than the work */
    struct postings *pool[16];
    unsigned n_pool;
};

static void postings_destroy(struct postings *p);

const segmeta *segread_meta(const segread *s) { return &s->meta; }
const char *segread_path(const segread *s) { return s->path; }
const section *segread_section(const segread *s, int id) { return &s->sec[id]; }

const uint8_t *segread_bytes(const segread *s, size_t *len)
{
    *len = s->map.len;
    return s->map.p;
}

static int corrupt(const char **what, const char *msg)
{
    *what = msg;
    return LEDE_ECORRUPT;
}

/* Records what a decoder found wrong (the first problem is kept: later ones
 * are often its consequences) and returns LEDE_ECORRUPT. Cold: the compiler
 * moves the paths that end here out of the hot code. */
__attribute__((cold, noinline)) static int note(segread *s, const char *what)
{
    if (!s->problem)
        s->problem = what;
    return LEDE_ECORRUPT;
}

const char *segread_problem(const segread *s)
{
    return s->problem;
}

void segread_note(segread *s, const char *what)
{
    note(s, what);
}

static int read_toc(segread *s, uint64_t toc, const char **what)
{
    cursor c = cursor_make(s->map.p + toc, s->map.len - FORMAT_FOOTER_LEN - toc);
    uint32_t n = cur_u32le(&c);
    if (c.bad || n > SEC_N * 4)
        return corrupt(what, "malformed table of contents");
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = cur_u32le(&c);
        uint64_t off = cur_u64le(&c), len = cur_u64le(&c);
        if (c.bad)
            return corrupt(what, "malformed table of contents");
        if (id == 0 || id >= SEC_N || s->sec[id].p)
            return corrupt(what, "unknown or repeated section in the table of contents");
        if (off < FORMAT_HEADER_LEN || off > toc || len > toc - off)
            return corrupt(what, "section out of range");
        s->sec[id].p = s->map.p + off;
        s->sec[id].offset = off;
        s->sec[id].len = len;
    }
    if (cursor_left(&c) != 0)
        return corrupt(what, "malformed table of contents");
    for (int id = 1; id < SEC_N; id++)
        if (!s->sec[id].p)
            return corrupt(what, "a required section is missing");
    return 0;
}

static int read_meta(segread *s, const char **what)
{
    const section *m = &s->sec[SEC_META];
    cursor c = cursor_make(m->p, m->len);
    segmeta *g = &s->meta;
    g->number = cur_u32le(&c);
    g->n_docs = cur_u32le(&c);
    g->block_size = cur_u32le(&c);
    g->dict_block = cur_u32le(&c);
    g->n_terms = cur_u64le(&c);
    g->n_postings = cur_u64le(&c);
    g->n_positions = cur_u64le(&c);
    g->sum_len[0] = cur_u64le(&c);
    g->sum_len[1] = cur_u64le(&c);
    g->fingerprint = cur_u64le(&c);
    uint64_t sl = cur_vint(&c);
    const uint8_t *sp = sl < sizeof g->stem_language ? cur_bytes(&c, (size_t)sl) : NULL;
    if (c.bad || !sp || cursor_left(&c) != 0)
        return corrupt(what, "malformed META section");
    memcpy(g->stem_language, sp, (size_t)sl);
    g->stem_language[sl] = '\0';
    if (g->block_size == 0 || g->block_size > FORMAT_MAX_BLOCK || g->dict_block == 0 ||
        g->dict_block > FORMAT_MAX_DICT_BLOCK || g->n_docs == UINT32_MAX)
        return corrupt(what, "bad block sizes in META");
    uint64_t n = g->n_docs;
    /* every dictionary entry takes at least 4 bytes of TERMS (so the block
     * count below cannot overflow) */
    if (g->n_terms > s->sec[SEC_TERMS].len / 4)
        return corrupt(what, "term count in META exceeds the TERMS section");
    s->n_dict_blocks = (g->n_terms + g->dict_block - 1) / g->dict_block;
    if (s->sec[SEC_DOCLEN].len != n * 8 || s->sec[SEC_DOCDATE].len != n * 8 ||
        s->sec[SEC_IDINDEX].len != n * 12 || s->sec[SEC_FPRINTS].len != n * 16 ||
        s->sec[SEC_DOCTABLE].len < (n + 1) * 8)
        return corrupt(what, "document sections do not match the document count");
    if (s->sec[SEC_TERMINDEX].len != s->n_dict_blocks * (8 + FORMAT_KEY_PREFIX))
        return corrupt(what, "TERMINDEX does not match the term count");
    if (s->sec[SEC_STOREINDEX].len % 12 != 0)
        return corrupt(what, "malformed STOREINDEX");
    s->n_store_blocks = s->sec[SEC_STOREINDEX].len / 12;
    if ((n > 0) != (s->n_store_blocks > 0))
        return corrupt(what, "STOREINDEX does not match the document count");
    return 0;
}

/* Checks the envelope, the TOC and META of the bytes in s->map. */
static int open_checks(segread *s, uint32_t expect_number, const char **what)
{
    uint64_t toc;
    uint32_t version;
    int rc = format_check_envelope(s->map.p, s->map.len, FILE_SEGMENT, &toc, &version, what);
    if (rc == 0)
        rc = read_toc(s, toc, what);
    if (rc == 0)
        rc = read_meta(s, what);
    if (rc == 0 && s->meta.number != expect_number)
        rc = corrupt(what, "segment number in META does not match the manifest");
    return rc;
}

int segread_open(segread **out, const char *path, uint32_t expect_number, const char **what)
{
    *out = NULL;
    *what = NULL;
    segread *s = calloc(1, sizeof *s);
    if (!s)
        return LEDE_ENOMEM;
    s->path = strdup(path);
    int rc = s->path ? fmap_open(&s->map, path) : LEDE_ENOMEM;
    if (rc) {
        if (rc == LEDE_EIO)
            *what = "cannot open segment file";
        free(s->path);
        free(s);
        return rc;
    }
    rc = open_checks(s, expect_number, what);
    if (rc) {
        segread_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

int segread_open_mem(segread **out, const char *name, const void *p, size_t len,
                     uint32_t expect_number, const char **what)
{
    *out = NULL;
    *what = NULL;
    segread *s = calloc(1, sizeof *s);
    if (!s)
        return LEDE_ENOMEM;
    s->path = strdup(name);
    if (!s->path) {
        free(s);
        return LEDE_ENOMEM;
    }
    s->borrowed = 1;
    s->map.p = len ? p : NULL;
    s->map.len = len;
    int rc = open_checks(s, expect_number, what);
    if (rc) {
        segread_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void segread_close(segread *s)
{
    if (!s)
        return;
    if (!s->borrowed)
        fmap_close(&s->map);
    buf_free(&s->store_raw);
    while (s->n_pool)
        postings_destroy(s->pool[--s->n_pool]);
    free(s->path);
    free(s);
}

/* --- dictionary ---------------------------------------------------------------- */

/* Length of the common prefix of a[0..al) and b[0..bl), given that it is at
 * least i. Indexes, not pointer offsets: an empty key may be NULL. */
static size_t common_prefix(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, size_t i)
{
    size_t n = al < bl ? al : bl;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

/* Compares key k[0..kl) with the sought key x[0..xl), given that they share
 * their first m bytes: sets *m to their common prefix length. Keys are short
 * and differ early: a byte loop beats a call to memcmp. */
static int cmp_from(const uint8_t *k, size_t kl, const uint8_t *x, size_t xl, size_t *m)
{
    size_t i = common_prefix(k, kl, x, xl, *m);
    *m = i;
    if (i < kl && i < xl)
        return k[i] < x[i] ? -1 : 1;
    return (kl > xl) - (kl < xl);
}

static int key_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t m = 0;
    return cmp_from(a, al, b, bl, &m);
}

/* Points c at the start of dictionary block b. */
static int block_cursor(segread *s, uint64_t b, cursor *c)
{
    const section *ti = &s->sec[SEC_TERMINDEX], *t = &s->sec[SEC_TERMS];
    uint64_t off = load_u64le(ti->p + b * 8);
    if (off >= t->len)
        return note(s, "TERMINDEX points outside TERMS");
    *c = cursor_make(t->p + off, t->len - off);
    return 0;
}

_Static_assert(FORMAT_KEY_PREFIX == 8, "block_prefix loads the prefix as one u64");

/* The key prefix TERMINDEX holds for block b (docs/FORMAT.md). */
static uint64_t block_prefix(const segread *s, uint64_t b)
{
    const section *ti = &s->sec[SEC_TERMINDEX];
    return load_u64be(ti->p + s->n_dict_blocks * 8 + b * FORMAT_KEY_PREFIX); /* = format_key_prefix
                                                                                 of its 8 bytes */
}

/* 0 when TERMINDEX's prefix of block b is that of the block's first key
 * k[0..kl), else the corruption noted: lookups trust the prefixes, so every
 * block read checks its own. */
static int check_block_prefix(segread *s, uint64_t b, const uint8_t *k, size_t kl)
{
    if (block_prefix(s, b) == format_key_prefix(k, kl))
        return 0;
    return note(s, "TERMINDEX key prefix differs from the block's first key");
}

/* A dictionary entry as stored (docs/FORMAT.md, TERMS): its key is the
 * first `shared` bytes of the previous term, the suffix and the field. */
typedef struct {
    size_t shared, sl;
    const uint8_t *suf;
    uint8_t f;
} entry_key;

/* Bytes one entry takes at most, and within which a malformed one is
 * rejected: two varints of key, a suffix, four varints of term info. */
#define ENTRY_WINDOW (6 * VINT_MAX_BYTES + FORMAT_MAX_KEY)
_Static_assert(ENTRY_WINDOW <= VREADER_WINDOW, "an entry fits the reader's window");

/* Decodes the entry at r (the previous term ptl bytes long; first: the
 * block's first entry) into *e and *in, which holds the previous entry's
 * info on entry (its positions offset is the delta base); *last_post is the
 * block's last postings offset. Returns 1 when the entry is malformed or
 * ends past TERMS. Its values are checked apart (entry_info_ok): a lookup
 * checks only the entry it finds, the ones before it only carry the
 * offsets' sums (which may be wrong for damaged ones, but are then checked
 * where they end). */
static inline int decode_entry(vreader *r, int first, size_t ptl, entry_key *e, term_info *in,
                               uint64_t *last_post)
{
    vreader_window(r, ENTRY_WINDOW);
    const uint8_t *p = r->p;
    int bad = 0;
    uint64_t shared = first ? 0 : vint_get(&p, &bad);
    uint64_t v = vint_get(&p, &bad), sl = v >> 2;
    if (bad || shared > ptl || shared + sl < 1 || shared + sl > FORMAT_MAX_KEY - 1)
        return 1;
    e->suf = p;
    e->shared = (size_t)shared;
    e->sl = (size_t)sl;
    e->f = (uint8_t)(v & 3);
    p += sl;
    uint64_t df = vint_get(&p, &bad), extra = vint_get(&p, &bad), third = vint_get(&p, &bad);
    uint64_t pv = vint_get(&p, &bad);
    in->df = df > UINT32_MAX ? 0 : (uint32_t)df; /* 0: out of range, as entry_info_ok says */
    in->cf = df + extra;
    if (df == 1) {
        in->single_doc = third > UINT32_MAX ? UINT32_MAX : (uint32_t)third;
        in->post_off = 0;
    } else {
        in->single_doc = 0;
        in->post_off = *last_post == UINT64_MAX ? third : *last_post + third;
        *last_post = in->post_off;
    }
    in->pos_off = first ? pv : in->pos_off + pv;
    r->p = p;
    return bad | (p > r->end);
}

/* 1 when a decoded entry's values are in range. */
static inline int entry_info_ok(const segread *s, const term_info *in)
{
    return in->df >= 1 && in->df <= s->meta.n_docs && in->cf - in->df <= (uint64_t)UINT32_MAX * 64 &&
           in->pos_off <= s->sec[SEC_POSITIONS].len &&
           (in->df == 1 ? in->single_doc < s->meta.n_docs : in->post_off < s->sec[SEC_POSTINGS].len);
}

/* Bytes the entry's key shares with the previous key, whose term is ptl
 * bytes long and whose field is pf: the shared term bytes, and one more
 * when the previous term is shared whole and the entry's next byte is the
 * previous field's. */
static inline size_t entry_shared(const entry_key *e, int first, size_t ptl, uint8_t pf)
{
    uint8_t next = e->sl ? e->suf[0] : e->f; /* the key's byte after the shared term bytes */
    return e->shared + (!first && e->shared == ptl && next == pf);
}

/* Makes k[0..*kl), the previous entry's key unless first, the entry's key.
 * Returns 1 when it does not follow the previous one: keys increase
 * strictly (at the first difference the new byte is larger, or the previous
 * key is a proper prefix of the new one). */
static inline int entry_key_into(const entry_key *e, int first, uint8_t *k, size_t *kl)
{
    if (!first) {
        size_t old_len = *kl, ptl = old_len - 1;
        size_t ks = entry_shared(e, 0, ptl, k[ptl]);
        uint8_t next = e->sl ? e->suf[0] : e->f;
        if (ks < old_len ? next <= k[ks] : e->sl == 0)
            return 1;
    }
    memcpy(k + e->shared, e->suf, e->sl);
    k[e->shared + e->sl] = e->f;
    *kl = e->shared + e->sl + 1;
    return 0;
}

/* Compares the entry's key with x[0..xl), given that the key's first
 * e->shared bytes are x's: sets *m to their common prefix length. The key is
 * read where it lies (its suffix in TERMS, its field byte), never copied. */
static inline int entry_cmp(const entry_key *e, const uint8_t *x, size_t xl, size_t *m)
{
    size_t i = e->shared, kl = e->shared + e->sl + 1;
    size_t n = kl - 1 < xl ? kl - 1 : xl;
    while (i < n && e->suf[i - e->shared] == x[i])
        i++;
    if (i == kl - 1 && i < xl && e->f == x[i])
        i++;
    *m = i;
    if (i < kl && i < xl)
        return (i < kl - 1 ? e->suf[i - e->shared] : e->f) < x[i] ? -1 : 1;
    return (kl > xl) - (kl < xl);
}

/* Compares the first key of block b with key[0..len): *cmp < 0, 0, > 0.
 * The binary search's step: the term is compared where it lies, with its
 * field byte after it, nothing copied. */
static int first_key_cmp(segread *s, uint64_t b, const uint8_t *key, size_t len, int *cmp)
{
    cursor c;
    if (block_cursor(s, b, &c))
        return LEDE_ECORRUPT;
    uint64_t v = cur_vint(&c), tl = v >> 2;
    const uint8_t *t = tl >= 1 && tl < FORMAT_MAX_KEY ? cur_bytes(&c, (size_t)tl) : NULL;
    if (!t)
        return note(s, "malformed first key of a dictionary block");
    entry_key e = {0, (size_t)tl, t, (uint8_t)(v & 3)};
    size_t m;
    *cmp = entry_cmp(&e, key, len, &m);
    return 0;
}

static int dict_start_block(dict_iter *it, uint64_t b)
{
    it->block = b;
    it->in_block = 0;
    it->last_post = UINT64_MAX;
    return block_cursor(it->s, b, &it->c);
}

int dict_next(dict_iter *it)
{
    segread *s = it->s;
    if (it->bad)
        return LEDE_ECORRUPT;
    if (it->pending) {
        it->pending = 0; /* dict_seek decoded this entry already */
        return 1;
    }
    uint32_t db = s->meta.dict_block;
    if (it->block * db + it->in_block >= s->meta.n_terms)
        return 0;
    /* a new block's first key must follow the previous block's last key */
    uint8_t prev_key[FORMAT_MAX_KEY];
    size_t prev_len = 0;
    if (it->in_block == db) {
        prev_len = it->key_len;
        memcpy(prev_key, it->key, prev_len);
        if (dict_start_block(it, it->block + 1)) {
            it->bad = 1;
            return LEDE_ECORRUPT;
        }
    }
    int first = it->in_block == 0;
    vreader r;
    entry_key e;
    vreader_init(&r, it->c.p, it->c.end, it->c.end);
    if (decode_entry(&r, first, first ? 0 : it->key_len - 1, &e, &it->info, &it->last_post) ||
        !entry_info_ok(s, &it->info) ||
        entry_key_into(&e, first, it->key, &it->key_len) ||
        (prev_len && key_cmp(prev_key, prev_len, it->key, it->key_len) >= 0)) {
        it->bad = 1;
        return note(s, "malformed term dictionary entry");
    }
    it->c.p = vreader_pos(&r);
    if (first && check_block_prefix(s, it->block, it->key, it->key_len)) {
        it->bad = 1;
        return LEDE_ECORRUPT;
    }
    it->info.field = format_key_field(it->key, it->key_len);
    it->in_block++;
    return 1;
}

/* The last dictionary block whose first key is <= key (block 0 when key
 * precedes every key): a binary search over the blocks' key prefixes, one
 * dense array; a block's first key is read only when its prefix is the
 * key's. */
static int find_block(segread *s, const uint8_t *key, size_t len, uint64_t *block)
{
    uint64_t lo = 0, n = s->n_dict_blocks, want = format_key_prefix(key, len);
    /* the answer is in [lo, lo + n): each step halves n, moving lo by
     * arithmetic, not a branch (whose direction is a coin toss); an equal
     * prefix (rare) asks the key */
    while (n > 1) {
        uint64_t half = n / 2, mid = lo + half, pre = block_prefix(s, mid);
        uint64_t le = pre < want; /* block mid's first key <= key */
        if (__builtin_expect(pre == want, 0)) {
            int cmp;
            if (first_key_cmp(s, mid, key, len, &cmp))
                return LEDE_ECORRUPT;
            le = cmp <= 0;
        }
        lo += half & (0 - le);
        n -= half;
    }
    *block = lo;
    return 0;
}

/* 1 when block b is the one find_block would find for the key, as the
 * prefixes tell without reading a key: b's prefix below the key's, the
 * next block's above it (on a valid index; where damaged prefixes are out
 * of order, either may be wrong, and the block read checks its own). */
static int block_holds(const segread *s, uint64_t b, const uint8_t *key, size_t len)
{
    uint64_t want = format_key_prefix(key, len);
    return b < s->n_dict_blocks && block_prefix(s, b) < want &&
           (b + 1 == s->n_dict_blocks || block_prefix(s, b + 1) > want);
}

int dict_seek(segread *s, dict_iter *it, const uint8_t *key, size_t len)
{
    memset(it, 0, sizeof *it);
    it->s = s;
    it->last_post = UINT64_MAX;
    if (s->meta.n_terms == 0)
        return 0;
    uint64_t b;
    if (find_block(s, key, len, &b) || dict_start_block(it, b)) {
        it->bad = 1;
        return LEDE_ECORRUPT;
    }
    /* Scan to the first key >= key; dict_next then yields it. */
    for (;;) {
        int rc = dict_next(it);
        if (rc <= 0)
            return rc;
        if (key_cmp(it->key, it->key_len, key, len) >= 0) {
            it->pending = 1;
            return 0;
        }
    }
}

/* Finds keys[0..n), strictly ascending (no key a proper prefix of one
 * before it: the target switch below reads keys[t][c0]), in the
 * dictionary: found[i] is 1 with info[i] set, or 0. Per key, the block the
 * prefixes point to, then a scan of its entries. The scan keeps m, the
 * bytes the last key read shares with the key sought, and compares only the
 * entries that share no more than m bytes with their predecessor: one that
 * shares more is still before the key sought, one that shares fewer is past
 * it (keys increase strictly; `check` verifies that, a lookup trusts it).
 * Keys are compared where they lie in TERMS, so nothing is copied. */
static int lookup_keys(segread *s, const uint8_t *const *keys, const size_t *lens, size_t n,
                       uint64_t first_block, term_info *info, int *found)
{
    for (size_t i = 0; i < n; i++)
        found[i] = 0;
    uint64_t db = s->meta.dict_block, prev_block = UINT64_MAX;
    size_t t = 0; /* the next key to find */
    while (t < n && s->meta.n_terms > 0) {
        uint64_t b;
        cursor c;
        if (t == 0 && first_block != DICT_ANY_BLOCK && block_holds(s, first_block, keys[0], lens[0]))
            b = first_block;
        else if (find_block(s, keys[t], lens[t], &b))
            return LEDE_ECORRUPT;
        if (block_cursor(s, b, &c))
            return LEDE_ECORRUPT;
        if (b == prev_block) { /* a whole block was scanned: keys[t] is not there */
            t++;
            continue;
        }
        prev_block = b;
        uint64_t left = s->meta.n_terms - b * db;
        uint32_t n_in = (uint32_t)(left < db ? left : db);
        size_t m = 0, ptl = 0; /* the previous term's length */
        uint8_t pf = 0;        /* and its field */
        term_info in;
        memset(&in, 0, sizeof in);
        uint64_t last_post = UINT64_MAX;
        vreader r;
        vreader_init(&r, c.p, c.end, c.end);
        for (uint32_t j = 0; j < n_in && t < n; j++) {
            entry_key e;
            if (decode_entry(&r, j == 0, ptl, &e, &in, &last_post))
                return note(s, "malformed term dictionary entry");
            size_t ks = entry_shared(&e, j == 0, ptl, pf);
            ptl = e.shared + e.sl;
            pf = e.f;
            int cmp;
            if (j == 0) {
                /* the search trusted the prefixes: a damaged one must not pass for "not found" */
                uint8_t k[FORMAT_KEY_PREFIX]; /* the key's first bytes are all its prefix needs */
                size_t kl = e.sl < FORMAT_KEY_PREFIX ? e.sl + 1 : FORMAT_KEY_PREFIX;
                memcpy(k, e.suf, kl < e.sl ? kl : e.sl);
                if (e.sl < FORMAT_KEY_PREFIX)
                    k[e.sl] = e.f;
                if (check_block_prefix(s, b, k, kl))
                    return LEDE_ECORRUPT;
                cmp = entry_cmp(&e, keys[t], lens[t], &m);
            } else if (ks > m) {
                continue; /* still before keys[t] */
            } else if (ks < m) {
                m = ks; /* past keys[t]: larger where it leaves the previous key */
                cmp = 1;
            } else {
                cmp = entry_cmp(&e, keys[t], lens[t], &m);
            }
            while (cmp >= 0) {
                if (cmp == 0) {
                    if (!entry_info_ok(s, &in))
                        return note(s, "malformed term dictionary entry");
                    found[t] = 1;
                    info[t] = in;
                    info[t].field = e.f;
                }
                if (++t == n)
                    break;
                /* the next key sought: the entry's first e.shared bytes are
                 * the previous one's, whose first m bytes are the entry's */
                const uint8_t *x = keys[t - 1];
                size_t xl = lens[t - 1], c0 = common_prefix(x, xl, keys[t], lens[t], 0);
                if (c0 < e.shared) { /* keys[t] leaves the entry inside the shared bytes */
                    m = c0;
                    cmp = x[c0] < keys[t][c0] ? -1 : 1; /* as keys[t - 1] does: before it */
                } else {
                    cmp = entry_cmp(&e, keys[t], lens[t], &m);
                }
            }
        }
    }
    return 0;
}

void dict_prefetch(segread *s, const char *const *terms, size_t n, uint64_t *blocks)
{
    enum { MAX = 16 };
    uint64_t want[MAX], lo[MAX];
    for (size_t j = 0; blocks && j < n; j++)
        blocks[j] = DICT_ANY_BLOCK;
    if (n > MAX)
        n = MAX;
    if (s->n_dict_blocks == 0)
        return;
    for (size_t j = 0; j < n; j++) {
        uint8_t key[FORMAT_MAX_KEY]; /* the term's title key: its body key is next to it */
        size_t kl = format_key(key, FIELD_TITLE, terms[j], strlen(terms[j]));
        want[j] = kl ? format_key_prefix(key, kl) : 0;
        lo[j] = 0;
    }
    /* the searches in lockstep: each step's loads are independent, so their
     * misses overlap (an equal prefix counts as before the key: a guess is
     * enough here) */
    const section *ti = &s->sec[SEC_TERMINDEX], *t = &s->sec[SEC_TERMS];
    const uint8_t *prefixes = ti->p + s->n_dict_blocks * 8;
    for (uint64_t m = s->n_dict_blocks; m > 1;) {
        uint64_t half = m / 2, m1 = m - half, h1 = m1 / 2, h2 = (m1 - h1) / 2;
        for (size_t j = 0; j < n; j++) {
            if (m <= 8) { /* the block's TERMS offset is among these, in one or two lines */
                __builtin_prefetch(ti->p + lo[j] * 8);
                __builtin_prefetch(ti->p + (lo[j] + m - 1) * 8);
            }
            /* the four places the search can probe two steps on: their loads
             * then overlap this step's and the next one's */
            const uint8_t *at = prefixes + (lo[j] + h2) * FORMAT_KEY_PREFIX;
            __builtin_prefetch(at);
            __builtin_prefetch(at + h1 * FORMAT_KEY_PREFIX);
            __builtin_prefetch(at + half * FORMAT_KEY_PREFIX);
            __builtin_prefetch(at + (half + h1) * FORMAT_KEY_PREFIX);
            lo[j] += half & (0 - (uint64_t)(block_prefix(s, lo[j] + half) <= want[j]));
        }
        m -= half;
    }
    for (size_t j = 0; j < n; j++) {
        if (blocks)
            blocks[j] = lo[j]; /* where the search ended: the lookup checks it (block_holds) */
        uint64_t off = load_u64le(ti->p + lo[j] * 8);
        if (off < t->len) {
            __builtin_prefetch(t->p + off);
            if (off + 64 < t->len)
                __builtin_prefetch(t->p + off + 64);
        }
    }
}

int dict_lookup(segread *s, const uint8_t *key, size_t len, term_info *info)
{
    int found;
    if (len == 0)
        return 0;
    int rc = lookup_keys(s, &key, &len, 1, DICT_ANY_BLOCK, info, &found);
    return rc ? rc : found;
}

int dict_lookup_fields(segread *s, const char *term, size_t len, const uint8_t *fields,
                       size_t n, uint64_t title_block, term_info *info, int *found)
{
    uint8_t keys[N_FIELDS][FORMAT_MAX_KEY];
    const uint8_t *kp[N_FIELDS];
    size_t kl[N_FIELDS];
    if (n > N_FIELDS)
        return LEDE_EINVAL;
    for (size_t i = 0; i < n; i++) {
        kp[i] = keys[i];
        kl[i] = format_key(keys[i], fields[i], term, len);
        if (kl[i] == 0 || (i > 0 && fields[i] <= fields[i - 1])) {
            for (size_t j = 0; j < n; j++)
                found[j] = 0;
            return kl[i] == 0 ? 0 : LEDE_EINVAL;
        }
    }
    return lookup_keys(s, kp, kl, n, n > 0 && fields[0] == FIELD_TITLE ? title_block : DICT_ANY_BLOCK,
                       info, found);
}

/* --- postings ---------------------------------------------------------------- */

struct postings {
    segread *s;
    term_info ti;
    uint32_t B;
    int b_shift;           /* log2(B) when B is a power of two (always, as this
                              build writes), else -1: divisions by B in the
                              positions path cost more than the rest of it */
    uint32_t n_blocks;
    int with_pos;
    int bad;
    /* skip data (n_blocks >= 2), prefix sums for offsets */
    uint32_t *sk_last;
    uint64_t *sk_doc_off;  /* relative to blocks_start */
    uint64_t *sk_pos_off;  /* relative to ti.pos_off */
    uint32_t *sk_max_tf;
    uint32_t *sk_min_len;
    size_t sk_cap;         /* blocks the skip arrays have room for */
    uint64_t blocks_start; /* offset in POSTINGS of block 0 */
    cursor sk_cur;         /* the skip entries not decoded yet */
    uint32_t sk_n;         /* entries decoded so far (decoded on demand) */
    /* the loaded block */
    uint32_t blk;          /* UINT32_MAX: none */
    uint32_t blk_n;
    uint32_t i;
    uint32_t cur;
    uint32_t blk_end;      /* the loaded block's last doc + 1 while i is inside
                              it and nothing failed; else 0 (postings_advance's
                              test for its fast path) */
    uint32_t *docs, *tfs;
    cursor tf_cur;         /* the loaded block's packed frequencies */
    int tfs_ready;         /* tfs holds them (decoded on first use: an
                              intersection mostly skips documents) */
    /* positions of the loaded block: where they lie (block_positions) */
    uint32_t sum_blk;      /* the block pos_starts, pos_total and reg_* are for (UINT32_MAX: none) */
    uint64_t reg_start, reg_end; /* its region in POSITIONS: the widths first */
    uint32_t *pos_starts;  /* [j]: where document j's positions start in the
                              block's sequence, [blk_n] their total (B + 1) */
    uint64_t pos_total;    /* values in the sequence */
    unsigned tf_width;     /* the bit width of the block's frequencies */
    /* and their values (load_positions), decoded chunk by chunk, only where
     * a requested document's positions lie */
    uint32_t pos_blk;      /* the block chunk_off is for (UINT32_MAX: none) */
    uint32_t *pos;         /* the decoded position gaps, doc after doc */
    size_t pos_cap;
    uint64_t *chunk_off;   /* byte offset of each chunk in the region */
    uint8_t *chunk_done;   /* per chunk: decoded into pos */
    size_t chunk_cap;
    uint32_t *doc_pos;     /* the current document's absolute positions */
    size_t doc_pos_cap;
    /* block-max cursor */
    uint32_t shallow_blk;
};

/* x / B, by a shift when B is a power of two (b_shift >= 0) */
static inline uint64_t div_by(uint64_t x, int b_shift, uint32_t B)
{
    return b_shift >= 0 ? x >> b_shift : x / B;
}

static inline uint64_t div_b(const postings *p, uint64_t x)
{
    return div_by(x, p->b_shift, p->B);
}

/* The chunks of a position sequence of `total` values (docs/FORMAT.md,
 * "Positions"): as many as its width bytes. */
static inline uint64_t chunk_count(uint64_t total, int b_shift, uint32_t B)
{
    return div_by(total + B - 1, b_shift, B);
}

static uint32_t block_count(const postings *p, uint32_t k)
{
    return k + 1 < p->n_blocks ? p->B : p->ti.df - (p->n_blocks - 1) * p->B;
}

/* Prepares the skip data: entries are decoded on demand (skip_upto), so a
 * query that stops early, or only needs the first blocks, never pays for
 * the rest. */
static int read_skip(postings *p)
{
    const section *post = &p->s->sec[SEC_POSTINGS];
    cursor c = cursor_make(post->p + p->ti.post_off, post->len - p->ti.post_off);
    size_t n = p->n_blocks;
    /* one allocation: the 64-bit arrays first, for alignment */
    uint8_t *mem = (uint8_t *)p->sk_doc_off;
    if (n > p->sk_cap) {
        free(mem);
        p->sk_doc_off = NULL;
        p->sk_cap = 0;
        mem = malloc((n + 1) * 8 * 2 + n * 4 * 3);
        if (!mem)
            return LEDE_ENOMEM;
        p->sk_cap = n;
    }
    p->sk_doc_off = (uint64_t *)mem;
    p->sk_pos_off = p->sk_doc_off + n + 1;
    p->sk_last = (uint32_t *)(p->sk_pos_off + n + 1);
    p->sk_max_tf = p->sk_last + n;
    p->sk_min_len = p->sk_max_tf + n;
    uint64_t len = cur_vint(&c);
    const uint8_t *sk = len <= cursor_left(&c) ? cur_bytes(&c, (size_t)len) : NULL;
    if (!sk)
        return note(p->s, "skip data runs past POSTINGS");
    p->sk_cur = cursor_make(sk, (size_t)len);
    p->blocks_start = p->ti.post_off + (uint64_t)(c.p - (post->p + p->ti.post_off));
    p->sk_doc_off[0] = 0;
    p->sk_pos_off[0] = 0;
    p->sk_n = 0;
    return 0;
}

/* Bytes one skip entry takes at most: five varints. */
#define SKIP_ENTRY_WINDOW (5 * VINT_MAX_BYTES)

/* Decodes skip entries up to and including block k. 0 or LEDE_ECORRUPT.
 * The reader and the running values stay in locals (stores into the skip
 * arrays would otherwise make the compiler reload them for every varint). */
static int skip_upto(postings *p, uint32_t k)
{
    if (p->sk_n > k || p->sk_n >= p->n_blocks)
        return 0;
    uint64_t doc_room = p->s->sec[SEC_POSTINGS].len - p->blocks_start;
    uint64_t pos_room = p->s->sec[SEC_POSITIONS].len - p->ti.pos_off;
    uint64_t n_docs = p->s->meta.n_docs;
    const section *post = &p->s->sec[SEC_POSTINGS];
    vreader r; /* skip data lies inside POSTINGS: the bytes after it may be read */
    vreader_init(&r, p->sk_cur.p, p->sk_cur.end, post->p + post->len);
    uint32_t j = p->sk_n, end = (uint64_t)k + 1 < p->n_blocks ? k + 1 : p->n_blocks;
    uint64_t last = j ? p->sk_last[j - 1] : 0, doc_off = p->sk_doc_off[j], pos_off = p->sk_pos_off[j];
    int bad = 0;
    for (; j < end; j++) {
        vreader_window(&r, SKIP_ENTRY_WINDOW);
        const uint8_t *q = r.p;
        uint64_t d = vint_get(&q, &bad);
        last = j == 0 ? d : last + d;
        doc_off += vint_get(&q, &bad);
        pos_off += vint_get(&q, &bad);
        uint64_t max_tf = vint_get(&q, &bad), min_len = vint_get(&q, &bad);
        if (bad || q > r.end || last >= n_docs || (j > 0 && d == 0) || doc_off > doc_room ||
            pos_off > pos_room || max_tf > UINT32_MAX || min_len > UINT32_MAX) {
            bad = 1;
            break;
        }
        r.p = q;
        p->sk_max_tf[j] = (uint32_t)max_tf;
        p->sk_min_len[j] = (uint32_t)min_len;
        p->sk_last[j] = (uint32_t)last;
        p->sk_doc_off[j + 1] = doc_off;
        p->sk_pos_off[j + 1] = pos_off;
    }
    p->sk_cur.p = vreader_pos(&r);
    p->sk_n = j;
    if (bad)
        return note(p->s, "malformed skip data");
    if (p->sk_n == p->n_blocks && cursor_left(&p->sk_cur) != 0)
        return note(p->s, "skip data longer than its entries");
    return 0;
}

/* Decodes skip entries until one covers target (its last doc >= target) or
 * none is left: four at a time, since a query that needs one more entry
 * usually needs the next ones too. */
static int skip_until(postings *p, uint32_t target)
{
    while (p->sk_n < p->n_blocks && (p->sk_n == 0 || p->sk_last[p->sk_n - 1] < target))
        if (skip_upto(p, p->n_blocks - p->sk_n > 4 ? p->sk_n + 3 : p->n_blocks - 1))
            return LEDE_ECORRUPT;
    return 0;
}

void postings_prefetch(segread *s, const term_info *ti)
{
    const section *post = &s->sec[SEC_POSTINGS], *pos = &s->sec[SEC_POSITIONS];
    if (ti->df >= 2 && ti->post_off < post->len)
        __builtin_prefetch(post->p + ti->post_off);
    if (ti->pos_off < pos->len)
        __builtin_prefetch(pos->p + ti->pos_off);
}

int postings_open(postings **out, segread *s, const term_info *ti, int with_positions)
{
    *out = NULL;
    /* the cursor and its three block arrays in one allocation: queries open
     * many cursors, most of which read one block */
    uint32_t B = s->meta.block_size;
    postings *p;
    if (s->n_pool) {
        /* reuse a closed cursor and its buffers */
        p = s->pool[--s->n_pool];
        postings keep = *p;
        memset(p, 0, sizeof *p);
        p->sk_doc_off = keep.sk_doc_off;
        p->sk_cap = keep.sk_cap;
        p->pos = keep.pos;
        p->pos_cap = keep.pos_cap;
        p->chunk_off = keep.chunk_off;
        p->chunk_done = keep.chunk_done;
        p->chunk_cap = keep.chunk_cap;
        p->doc_pos = keep.doc_pos;
        p->doc_pos_cap = keep.doc_pos_cap;
    } else {
        p = malloc(sizeof *p + ((size_t)B * 3 + 1) * sizeof(uint32_t));
        if (!p)
            return LEDE_ENOMEM;
        memset(p, 0, sizeof *p); /* the arrays are written before they are read */
    }
    p->s = s;
    p->ti = *ti;
    p->B = B;
    p->with_pos = with_positions;
    p->b_shift = (B & (B - 1)) == 0 ? __builtin_ctz(B) : -1;
    p->n_blocks = (uint32_t)div_b(p, (uint64_t)ti->df + B - 1);
    p->blk = p->pos_blk = p->sum_blk = UINT32_MAX;
    p->cur = POSTINGS_END;
    p->docs = (uint32_t *)(p + 1);
    p->tfs = p->docs + B;
    p->pos_starts = p->tfs + B;
    int rc = 0;
    if (rc == 0 && ti->df >= 2) {
        if (p->n_blocks >= 2)
            rc = read_skip(p);
        else
            p->blocks_start = ti->post_off;
    }
    if (rc) {
        postings_close(p);
        return rc;
    }
    *out = p;
    return 0;
}

void postings_close(postings *p)
{
    if (!p)
        return;
    segread *s = p->s;
    if (s->n_pool < sizeof s->pool / sizeof s->pool[0])
        s->pool[s->n_pool++] = p;
    else
        postings_destroy(p);
}

static void postings_destroy(postings *p)
{
    free(p->sk_doc_off); /* holds all five skip arrays */
    free(p->pos);
    free(p->chunk_off);
    free(p->chunk_done);
    free(p->doc_pos);
    free(p);
}

__attribute__((cold, noinline)) static uint32_t fail(postings *p)
{
    p->bad = LEDE_ECORRUPT;
    p->cur = POSTINGS_END;
    p->i = p->blk_n;
    p->blk_end = 0;
    return POSTINGS_END;
}

/* Decodes block k into docs/tfs. 0 or LEDE_ECORRUPT. */
static int decode_block(postings *p, uint32_t k)
{
    uint32_t n = block_count(p, k);
    p->blk = k;
    p->blk_n = n;
    p->i = 0;
    p->blk_end = 0; /* set once the block is decoded */
    if (p->ti.df == 1) {
        p->docs[0] = p->ti.single_doc;
        p->tfs[0] = (uint32_t)(p->ti.cf - 1);
        p->tf_width = 32; /* not packed: no bound known */
        p->tfs_ready = 1;
        if (p->ti.cf < 1 || p->ti.cf > UINT32_MAX)
            return note(p->s, "term frequency in the dictionary out of range");
        p->blk_end = p->docs[0] + 1; /* below n_docs (entry_info_ok) */
        return 0;
    }
    const section *post = &p->s->sec[SEC_POSTINGS];
    if (p->n_blocks >= 2 && skip_upto(p, k))
        return LEDE_ECORRUPT;
    uint64_t start = p->blocks_start + (p->n_blocks >= 2 ? p->sk_doc_off[k] : 0);
    uint64_t end = p->n_blocks >= 2 ? p->blocks_start + p->sk_doc_off[k + 1] : post->len;
    if (start > end || end > post->len)
        return note(p->s, "skip data places a postings block out of range");
    cursor c = cursor_make(post->p + start, end - start);
    int64_t prev = k == 0 ? -1 : (int64_t)p->sk_last[k - 1];
    /* the rest of POSTINGS may be read (a last block decodes faster) */
    unsigned width = cur_block_ids(&c, p->docs, n, (uint32_t)prev, (size_t)(post->len - end));
    uint64_t n_docs = p->s->meta.n_docs;
    if (prefix_fits32(width, n)) { /* the sum of the gaps fits 32 bits: ids now */
        prev += n ? (uint32_t)(p->docs[n - 1] - (uint32_t)prev) : 0;
    } else { /* gaps this wide are rare: 64-bit sums, at most 2^7 gaps of 2^32 */
        for (uint32_t j = 0; j < n; j++) {
            int64_t d = prev + 1 + (int64_t)p->docs[j];
            p->docs[j] = (uint32_t)d;
            prev = d;
        }
    }
    /* ids increase, so the last one bounds them all */
    if ((uint64_t)prev >= n_docs)
        return note(p->s, "postings block holds a document id out of range");
    if (c.bad || (p->n_blocks >= 2 && p->docs[n - 1] != p->sk_last[k]))
        return note(p->s, "malformed postings block");
    p->tf_cur = c;
    p->tfs_ready = 0;
    p->blk_end = p->docs[n - 1] + 1; /* below n_docs, checked above */
    return 0;
}

/* Decodes the loaded block's frequencies (the rest of its bytes). 0 or
 * LEDE_ECORRUPT. Not inlined: postings_tf stays a small leaf. */
__attribute__((noinline)) static int load_tfs(postings *p)
{
    if (p->tfs_ready)
        return 0;
    cursor c = p->tf_cur;
    uint32_t n = p->blk_n;
    const section *post = &p->s->sec[SEC_POSTINGS];
    p->tf_width = cur_block_in(&c, p->tfs, n, (size_t)(post->p + post->len - c.end)); /* each frequency minus 1 */
    if (c.bad || (p->n_blocks >= 2 && cursor_left(&c) != 0))
        return note(p->s, "malformed postings block");
    p->tfs_ready = 1;
    return 0;
}

/* decode_block, leaving no half-decoded block behind on failure (its raw
 * gaps are no document ids). */
static int load_block(postings *p, uint32_t k)
{
    int rc = decode_block(p, k);
    if (rc)
        p->blk_n = 0;
    return rc;
}

uint32_t postings_doc(const postings *p)
{
    return p->cur;
}

int postings_error(const postings *p)
{
    return p->bad;
}

uint32_t postings_tf(postings *p)
{
    if (p->cur == POSTINGS_END)
        return 0;
    if (!p->tfs_ready && load_tfs(p)) {
        fail(p);
        return 0;
    }
    /* tfs holds frequency - 1: a stored UINT32_MAX is corrupt */
    uint32_t tf = p->tfs[p->i] + 1;
    if (tf == 0) {
        note(p->s, "postings block holds a frequency out of range");
        fail(p);
    }
    return tf;
}

/* postings_next past the loaded block: out of line, so that the common
 * case stays a small function (inlining the block decoder into it made
 * every call save and restore registers). */
static __attribute__((noinline)) uint32_t next_block(postings *p)
{
    uint32_t k = p->blk == UINT32_MAX ? 0 : p->blk + 1;
    if (k >= p->n_blocks) {
        p->i = p->blk_n;
        p->blk_end = 0;
        return p->cur = POSTINGS_END;
    }
    if (load_block(p, k))
        return fail(p);
    return p->cur = p->docs[0];
}

uint32_t postings_next(postings *p)
{
    if (p->bad)
        return POSTINGS_END;
    if (p->blk != UINT32_MAX && p->i + 1 < p->blk_n) {
        p->i++;
        return p->cur = p->docs[p->i];
    }
    return next_block(p);
}

/* The first of d[i..n) that is >= target, or n: often d[i] or the next one;
 * then, with SSE2, the next eight compared at once (an intersection's
 * common term mostly moves a few documents); otherwise a binary search
 * whose steps are conditional moves, not branches (which the processor
 * would mispredict half the time: targets are random here). */
static inline uint32_t block_search(const uint32_t *d, uint32_t i, uint32_t n, uint32_t target)
{
    if (i < n && d[i] < target) {
        i++;
        if (i < n && d[i] < target) {
            i++;
#if defined(__SSE2__)
            if (i + 8 <= n) { /* ids are unsigned: compare them biased by 2^31 */
                const __m128i bias = _mm_set1_epi32(INT32_MIN);
                const __m128i t = _mm_xor_si128(_mm_set1_epi32((int)target), bias);
                __m128i a = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(d + i)), bias);
                __m128i b = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(d + i + 4)), bias);
                unsigned below = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmplt_epi32(a, t))) |
                                 (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmplt_epi32(b, t))) << 4;
                if (below != 0xFF) /* sorted: the ones below target come first */
                    return i + (uint32_t)__builtin_ctz(~below);
                i += 8;
            }
#endif
            uint32_t len = n - i; /* the answer is in [i, i + len] */
            while (len > 1) {
                uint32_t half = len / 2;
                i = d[i + half - 1] < target ? i + half : i;
                len -= half;
            }
            if (len == 1)
                i += d[i] < target;
        }
    }
    return i;
}

/* postings_advance when the loaded block cannot hold the answer: skip data,
 * another block, or the end. Kept out of line so that the common case, an
 * answer inside the loaded block, is a small function. */
static __attribute__((noinline)) uint32_t advance_to_block(postings *p, uint32_t target)
{
    if (p->blk != UINT32_MAX && p->i >= p->blk_n && p->blk + 1 >= p->n_blocks)
        return POSTINGS_END; /* already at the end */
    /* Find the first block whose last doc >= target. */
    uint32_t k = p->blk == UINT32_MAX ? 0 : p->blk;
    if (p->n_blocks >= 2) {
        if (skip_upto(p, k) || skip_until(p, target))
            return fail(p);
        if (p->sk_last[k] < target) {
            uint32_t lo = k + 1, hi = p->sk_n; /* search in [lo, hi) */
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (p->sk_last[mid] < target)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo >= p->sk_n) {
                p->blk = p->n_blocks - 1;
                p->blk_n = 0;
                p->i = 0;
                p->blk_end = 0;
                return p->cur = POSTINGS_END;
            }
            k = lo;
        }
    }
    if (k != p->blk) {
        if (load_block(p, k))
            return fail(p);
    }
    p->i = block_search(p->docs, p->i, p->blk_n, target);
    if (p->i == p->blk_n) {
        /* single block (no skip data) exhausted, or a block ending before target */
        if (p->blk + 1 < p->n_blocks) {
            if (load_block(p, p->blk + 1))
                return fail(p);
            return p->cur = p->docs[0];
        }
        p->blk_end = 0;
        return p->cur = POSTINGS_END;
    }
    return p->cur = p->docs[p->i];
}

static inline uint32_t advance(postings *p, uint32_t target)
{
    if (target < p->blk_end) { /* the loaded block holds the answer: no skip data needed */
        p->i = block_search(p->docs, p->i, p->blk_n, target);
        return p->cur = p->docs[p->i];
    }
    /* here cur < target or there is no current document: blk_end > cur
     * whenever a block is loaded */
    if (p->bad)
        return POSTINGS_END;
    return advance_to_block(p, target);
}

uint32_t postings_advance(postings *p, uint32_t target)
{
    return advance(p, target);
}

uint32_t postings_align(postings *const *ps, size_t n, uint32_t target)
{
    for (;;) {
        uint32_t d = advance(ps[0], target);
        if (d == POSTINGS_END)
            return d;
        size_t i = 1;
        while (i < n && (target = advance(ps[i], d)) == d)
            i++;
        if (i == n)
            return d;
        if (target == POSTINGS_END)
            return target;
    }
}

/* Finds the loaded block's region in POSITIONS and where each document's
 * positions start in it (pos_starts), from the frequencies and skip data
 * alone: nothing in POSITIONS is read. */
static int block_positions(postings *p)
{
    if (p->sum_blk == p->blk)
        return 0;
    if (load_tfs(p))
        return LEDE_ECORRUPT;
    const section *ps = &p->s->sec[SEC_POSITIONS];
    if (p->n_blocks >= 2 && skip_upto(p, p->blk))
        return LEDE_ECORRUPT;
    uint64_t start = p->ti.pos_off + (p->n_blocks >= 2 ? p->sk_pos_off[p->blk] : 0);
    uint64_t end = p->n_blocks >= 2 ? p->ti.pos_off + p->sk_pos_off[p->blk + 1] : ps->len;
    if (start > end || end > ps->len)
        return note(p->s, "skip data places a positions block out of range");
    /* Where each document's positions start: sums of (frequency - 1) + 1,
     * exact in 32 bits once the total is known to fit. */
    if (!prefix_fits32(p->tf_width, p->blk_n)) { /* a wide frequency: sum in 64 bits first */
        uint64_t wide = p->blk_n;
        for (uint32_t j = 0; j < p->blk_n; j++)
            wide += p->tfs[j];
        if (wide > UINT32_MAX)
            return note(p->s, "frequencies promise more positions than the block holds");
    }
    p->pos_starts[0] = 0;
    prefix_sum_plus1(p->pos_starts + 1, p->tfs, p->blk_n, 0);
    uint64_t total = p->pos_starts[p->blk_n];
    /* A block holds no more positions than its term (a single block all of
     * them), a term no more than the segment, and each chunk has a width
     * byte: frequencies that promise more are corrupt. So the buffers below
     * hold at most B values per byte of the region. */
    uint64_t n_chunks = chunk_count(total, p->b_shift, p->B);
    if (total > p->ti.cf || (p->n_blocks == 1 && total != p->ti.cf) ||
        p->ti.cf > p->s->meta.n_positions || n_chunks > end - start)
        return note(p->s, "frequencies promise more positions than the block holds");
    p->reg_start = start;
    p->reg_end = end;
    p->pos_total = total;
    p->sum_blk = p->blk;
    return 0;
}

/* Prepares the loaded block's position sequence for decoding on demand. */
static int load_positions(postings *p)
{
    int rc = block_positions(p);
    if (rc)
        return rc;
    const section *ps = &p->s->sec[SEC_POSITIONS];
    uint64_t start = p->reg_start, end = p->reg_end, total = p->pos_total;
    uint64_t n_chunks = chunk_count(total, p->b_shift, p->B);
    if (total > p->pos_cap) {
        size_t cap = (size_t)total;
        uint32_t *np = realloc(p->pos, cap * sizeof *np);
        if (!np)
            return LEDE_ENOMEM;
        p->pos = np;
        p->pos_cap = cap;
    }
    if (n_chunks > p->chunk_cap) {
        uint64_t *co = realloc(p->chunk_off, n_chunks * sizeof *co);
        if (co)
            p->chunk_off = co;
        uint8_t *cd = realloc(p->chunk_done, n_chunks);
        if (cd)
            p->chunk_done = cd;
        if (!co || !cd)
            return LEDE_ENOMEM;
        p->chunk_cap = n_chunks;
    }
    /* every chunk's offset from the widths (one cache line for up to 64
     * chunks); they must end where the region does */
    const uint8_t *widths = ps->p + start;
    uint64_t off = n_chunks;
    for (uint64_t j = 0; j < n_chunks; j++) {
        p->chunk_off[j] = off;
        p->chunk_done[j] = 0;
        if (widths[j] > 32)
            return note(p->s, "malformed positions");
        off += bitpack_bytes(format_chunk_len(total, p->B, j), widths[j]);
    }
    if (off > end - start || (p->n_blocks >= 2 && off != end - start))
        return note(p->s, "malformed positions");
    p->pos_blk = p->blk;
    return 0;
}

/* Decodes the values [a, b) of the block's sequence into pos (raw gaps):
 * a few values of a chunk alone, more by decoding the whole chunk once.
 * load_positions saw every chunk lie inside the region. */
static void decode_range(postings *p, uint64_t a, uint64_t b)
{
    const uint8_t *r = p->s->sec[SEC_POSITIONS].p + p->reg_start; /* the widths, then the chunks */
    for (uint64_t j = div_b(p, a); j * p->B < b; j++) {
        if (p->chunk_done[j])
            continue;
        uint64_t first = j * p->B, cnt = format_chunk_len(p->pos_total, p->B, j);
        uint64_t lo = a > first ? a : first, hi = b < first + cnt ? b : first + cnt;
        const uint8_t *ch = r + p->chunk_off[j];
        unsigned width = r[j];
        if (hi - lo <= cnt / 8) { /* a few of the chunk's values: read them alone */
            bitpack_get_range(p->pos + lo, ch, (size_t)cnt, (size_t)(lo - first), (size_t)(hi - first),
                              width);
            continue;
        }
        bitpack_decode(p->pos + first, ch, (size_t)cnt, width);
        p->chunk_done[j] = 1;
    }
}

/* Turns n position gaps (the first value absolute) into positions, in
 * place (out may be gaps). 0, or LEDE_ECORRUPT with the segment's message. */
static int gaps_to_positions(segread *s, uint32_t *out, const uint32_t *gaps, uint64_t n)
{
    uint64_t prev = 0;
    for (uint64_t q = 0; q < n; q++) {
        uint64_t v = q == 0 ? gaps[0] : prev + 1 + gaps[q];
        if (v > UINT32_MAX - 1)
            return note(s, "position out of range");
        out[q] = (uint32_t)v;
        prev = v;
    }
    return 0;
}

const uint32_t *postings_positions(postings *p, uint32_t *n)
{
    *n = 0;
    if (p->bad || p->cur == POSTINGS_END || !p->with_pos)
        return NULL;
    int rc = p->pos_blk != p->blk ? load_positions(p) : 0;
    uint64_t a = 0, b = 0;
    if (rc == 0) {
        a = p->pos_starts[p->i];
        b = p->pos_starts[p->i + 1];
        decode_range(p, a, b);
    }
    if (rc == 0 && b - a > p->doc_pos_cap) {
        uint32_t *dp = realloc(p->doc_pos, (size_t)(b - a) * sizeof *dp);
        if (!dp)
            rc = LEDE_ENOMEM;
        else {
            p->doc_pos = dp;
            p->doc_pos_cap = (size_t)(b - a);
        }
    }
    if (rc) {
        fail(p);
        p->bad = rc; /* LEDE_ENOMEM is not damage */
        return NULL;
    }
    if (gaps_to_positions(p->s, p->doc_pos, p->pos + a, b - a)) {
        fail(p);
        return NULL;
    }
    *n = (uint32_t)(b - a);
    return p->doc_pos;
}

int postings_locate_positions(postings *p, positions_loc *loc)
{
    if (p->bad)
        return p->bad;
    if (p->cur == POSTINGS_END || !p->with_pos)
        return LEDE_EINVAL;
    int rc = block_positions(p);
    if (rc) {
        fail(p);
        return p->bad = rc;
    }
    const section *ps = &p->s->sec[SEC_POSITIONS];
    loc->s = p->s;
    loc->region = ps->p + p->reg_start;
    loc->len = p->reg_end - p->reg_start;
    loc->total = p->pos_total;
    loc->first = p->pos_starts[p->i];
    loc->n = p->pos_starts[p->i + 1] - p->pos_starts[p->i];
    loc->B = p->B;
    loc->b_shift = p->b_shift;
    loc->chunk = UINT64_MAX;
    __builtin_prefetch(loc->region); /* the widths, then the first chunk */
    if (loc->len > 64)
        __builtin_prefetch(loc->region + 64);
    return 0;
}

/* Sets loc->chunk and loc->off: the chunk holding the document's first
 * value, and its offset in the region, summing the widths before it from
 * the first chunk, or from `from`'s chunk when `from` (NULL: none) lies in
 * the same region no further on. 0, or LEDE_ECORRUPT. The region holds a
 * width byte per chunk (block_positions checked that). */
static int loc_find_chunk(positions_loc *l, const positions_loc *from)
{
    if (l->chunk != UINT64_MAX)
        return 0;
    uint64_t j = div_by(l->first, l->b_shift, l->B), i = 0, off = chunk_count(l->total, l->b_shift, l->B);
    if (from && from->region == l->region && from->chunk <= j) { /* chunk UINT64_MAX: not found */
        i = from->chunk;
        off = from->off;
    }
    for (; i < j; i++) {
        if (l->region[i] > 32)
            return note(l->s, "malformed positions");
        off += bitpack_bytes(format_chunk_len(l->total, l->B, i), l->region[i]);
    }
    l->chunk = j;
    l->off = off;
    return 0;
}

void positions_loc_prefetch(positions_loc *l, const positions_loc *from)
{
    if (loc_find_chunk(l, from) != 0 || l->off >= l->len || l->region[l->chunk] > 32)
        return;
    uint64_t at = l->off + (l->first - l->chunk * l->B) * l->region[l->chunk] / 8;
    __builtin_prefetch(l->region + (at < l->len ? at : l->len - 1));
}

int positions_loc_read(positions_loc *l, uint32_t *out)
{
    if (loc_find_chunk(l, NULL))
        return LEDE_ECORRUPT;
    uint64_t a = l->first, b = a + l->n, off = l->off;
    for (uint64_t j = l->chunk; j * l->B < b; j++) {
        unsigned w = l->region[j]; /* j < the number of chunks: b <= total */
        uint64_t first = j * l->B, cnt = format_chunk_len(l->total, l->B, j);
        uint64_t bytes = bitpack_bytes((size_t)cnt, w);
        if (w > 32 || off > l->len || bytes > l->len - off)
            return note(l->s, "malformed positions");
        uint64_t lo = a > first ? a : first, hi = b < first + cnt ? b : first + cnt;
        bitpack_get_range(out + (lo - a), l->region + off, (size_t)cnt, (size_t)(lo - first),
                          (size_t)(hi - first), w);
        off += bytes;
    }
    return gaps_to_positions(l->s, out, out, l->n);
}

void postings_block_max(postings *p, uint32_t *last_doc, uint32_t *max_tf, uint32_t *min_len)
{
    if (p->bad) {
        *last_doc = POSTINGS_END;
        *max_tf = *min_len = 0;
        return;
    }
    uint32_t k = p->shallow_blk;
    if (p->n_blocks >= 2) {
        if (k < p->n_blocks && skip_upto(p, k)) {
            fail(p);
            k = p->n_blocks;
        }
        *last_doc = k < p->n_blocks ? p->sk_last[k] : POSTINGS_END;
        *max_tf = k < p->n_blocks ? p->sk_max_tf[k] : 0;
        *min_len = k < p->n_blocks ? p->sk_min_len[k] : 0;
        return;
    }
    /* one block: compute from it (loading it if the iterator has not yet,
     * then forgetting it again so that next() starts at its first doc) */
    int loaded_here = p->blk == UINT32_MAX;
    if ((loaded_here && load_block(p, 0)) || load_tfs(p)) {
        fail(p);
        *last_doc = POSTINGS_END;
        *max_tf = *min_len = 0;
        return;
    }
    uint32_t mt = 0, ml = UINT32_MAX;
    int f = p->ti.field <= 1 ? p->ti.field : 1;
    for (uint32_t j = 0; j < p->blk_n; j++) {
        if (p->tfs[j] + 1 > mt)
            mt = p->tfs[j] + 1;
        uint32_t l = segread_len(p->s, p->docs[j], f);
        if (l < ml)
            ml = l;
    }
    *last_doc = p->blk_n ? p->docs[p->blk_n - 1] : POSTINGS_END;
    *max_tf = mt;
    *min_len = ml;
    if (loaded_here) {
        p->blk = UINT32_MAX;
        p->blk_end = 0;
    }
}

void postings_term_max(postings *p, uint32_t *max_tf, uint32_t *min_len)
{
    if (p->n_blocks < 2) {
        uint32_t saved = p->shallow_blk, last;
        p->shallow_blk = 0;
        postings_block_max(p, &last, max_tf, min_len);
        p->shallow_blk = saved;
        return;
    }
    uint32_t mt = 0, ml = UINT32_MAX;
    if (skip_upto(p, p->n_blocks - 1)) {
        fail(p);
        *max_tf = *min_len = 0;
        return;
    }
    for (uint32_t k = 0; k < p->n_blocks; k++) {
        if (p->sk_max_tf[k] > mt)
            mt = p->sk_max_tf[k];
        if (p->sk_min_len[k] < ml)
            ml = p->sk_min_len[k];
    }
    *max_tf = mt;
    *min_len = ml;
}

uint32_t postings_shallow_advance(postings *p, uint32_t target)
{
    if (p->n_blocks < 2) {
        uint32_t last, mt, ml;
        postings_block_max(p, &last, &mt, &ml);
        return last >= target ? last : POSTINGS_END;
    }
    while (p->shallow_blk < p->n_blocks) {
        if (skip_upto(p, p->shallow_blk)) {
            fail(p);
            return POSTINGS_END;
        }
        if (p->sk_last[p->shallow_blk] >= target)
            break;
        p->shallow_blk++;
    }
    return p->shallow_blk < p->n_blocks ? p->sk_last[p->shallow_blk] : POSTINGS_END;
}

/* --- documents ---------------------------------------------------------------- */

int64_t segread_date(const segread *s, uint32_t doc)
{
    return (int64_t)load_u64le(s->sec[SEC_DOCDATE].p + (size_t)doc * 8);
}

uint32_t segread_len(const segread *s, uint32_t doc, int field)
{
    return load_u32le(s->sec[SEC_DOCLEN].p + (size_t)doc * 8 + (size_t)field * 4);
}

void segread_prefetch_len(const segread *s, uint32_t doc)
{
    if ((uint64_t)doc * 8 < s->sec[SEC_DOCLEN].len)
        __builtin_prefetch(s->sec[SEC_DOCLEN].p + (size_t)doc * 8);
}

void segread_fprint(const segread *s, uint32_t doc, uint64_t *lo, uint64_t *hi)
{
    const uint8_t *p = s->sec[SEC_FPRINTS].p + (size_t)doc * 16;
    *lo = load_u64le(p);
    *hi = load_u64le(p + 8);
}

static const char *take_str(cursor *c, size_t *len)
{
    uint64_t n = cur_vint(c);
    const uint8_t *p = n <= cursor_left(c) ? cur_bytes(c, (size_t)n) : NULL;
    if (!p) {
        c->bad = 1;
        *len = 0;
        return "";
    }
    *len = (size_t)n;
    return (const char *)p;
}

int segread_doc(segread *s, uint32_t doc, docrec *out)
{
    memset(out, 0, sizeof *out);
    const section *t = &s->sec[SEC_DOCTABLE];
    uint64_t n = s->meta.n_docs;
    if (doc >= n)
        return LEDE_EINVAL;
    uint64_t base = (n + 1) * 8;
    uint64_t a = load_u64le(t->p + (size_t)doc * 8), b = load_u64le(t->p + (size_t)doc * 8 + 8);
    if (a > b || b > t->len - base)
        return note(s, "DOCTABLE offsets out of range");
    cursor c = cursor_make(t->p + base + a, b - a);
    out->id = take_str(&c, &out->id_len);
    out->title = take_str(&c, &out->title_len);
    out->source = take_str(&c, &out->source_len);
    out->section = take_str(&c, &out->section_len);
    out->url = take_str(&c, &out->url_len);
    return c.bad || cursor_left(&c) ? note(s, "malformed DOCTABLE record") : 0;
}

int segread_find_id(segread *s, const char *id, size_t len, uint32_t *doc)
{
    uint64_t h = hash64(id, len);
    const uint8_t *ix = s->sec[SEC_IDINDEX].p;
    uint32_t lo = 0, hi = s->meta.n_docs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (load_u64le(ix + (size_t)mid * 12) < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Entries with equal hashes are in doc order: the last match is the
     * newest version (an id added twice in one session leaves the older
     * one deleted in the same segment). */
    int found = 0;
    for (uint32_t i = lo; i < s->meta.n_docs && load_u64le(ix + (size_t)i * 12) == h; i++) {
        uint32_t d = load_u32le(ix + (size_t)i * 12 + 8);
        docrec r;
        int rc = segread_doc(s, d, &r);
        if (rc)
            return rc == LEDE_EINVAL ? note(s, "IDINDEX names a document that does not exist") : rc;
        if (r.id_len == len && memcmp(r.id, id, len) == 0) {
            *doc = d;
            found = 1;
        }
    }
    return found;
}

int segread_body_ref(segread *s, uint32_t doc, const char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (doc >= s->meta.n_docs)
        return LEDE_EINVAL;
    const uint8_t *ix = s->sec[SEC_STOREINDEX].p;
    uint64_t lo = 0, hi = s->n_store_blocks; /* last block with first_doc <= doc */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (load_u32le(ix + mid * 12) <= doc)
            lo = mid;
        else
            hi = mid;
    }
    uint32_t first = load_u32le(ix + lo * 12);
    uint64_t off = load_u64le(ix + lo * 12 + 4);
    const section *st = &s->sec[SEC_STORE];
    if (first > doc || off > st->len)
        return note(s, "STOREINDEX out of range");
    if (s->store_cached != lo + 1) {
        cursor c = cursor_make(st->p + off, st->len - off);
        uint32_t raw = cur_u32le(&c), comp = cur_u32le(&c);
        const uint8_t *z = cur_bytes(&c, comp);
        if (!z || raw > (1u << 30))
            return note(s, "malformed stored-text block header");
        buf_clear(&s->store_raw);
        s->store_cached = 0;
        int rc = zio_inflate(&s->store_raw, z, comp, raw);
        if (rc == LEDE_ECORRUPT)
            return note(s, "stored-text block does not inflate to its stated size");
        if (rc)
            return rc;
        s->store_cached = lo + 1;
    }
    cursor c = cursor_make(s->store_raw.data, s->store_raw.len);
    size_t n = 0;
    const char *body = "";
    for (uint32_t d = first; d <= doc && !c.bad; d++)
        body = take_str(&c, &n);
    if (c.bad)
        return note(s, "stored-text block holds fewer documents than STOREINDEX says");
    *out = body;
    *len = n;
    return 0;
}

int segread_body(segread *s, uint32_t doc, buf *out)
{
    const char *body;
    size_t len;
    int rc = segread_body_ref(s, doc, &body, &len);
    return rc ? rc : buf_append(out, body, len);
}
