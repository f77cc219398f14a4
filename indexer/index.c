/* index.c - the index writer (see index.h, docs/FORMAT.md "Commit protocol").
 *
 * State: the last committed manifest; the open segments with their current
 * deletions (committed or pending); the in-memory segment; and a table of
 * the fingerprints of live documents, for duplicate detection. Segments are
 * kept in document order; merges only join adjacent segments, so the order
 * of documents (the searcher's tie-break) is always the order they were
 * added in. */
#include "index.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "ixread.h"
#include "format.h"
#include "manifest.h"
#include "memindex.h"
#include "merge.h"
#include "segread.h"

struct seg {
    manifest_seg ms;  /* as last committed (del_generation, n_deleted) */
    segread *r;
    deletions del;    /* current deletions, pending ones included */
    int dirty;        /* del changed since the last commit */
};

#define FP_EMPTY UINT32_MAX
#define FP_GONE (UINT32_MAX - 1)
#define MEM_SLOT (UINT32_MAX - 2)

struct fpent {
    uint64_t lo, hi;
    uint32_t slot; /* index into segs, MEM_SLOT, FP_EMPTY, FP_GONE */
    uint32_t doc;
};

struct ixwriter {
    char *dir;
    flock_handle *lock;
    manifest man;          /* last committed */
    char *stem;
    struct seg *segs;
    size_t n_segs, cap_segs;
    memindex *mem;
    uint32_t mem_number;
    buf mem_del;           /* bitmap of deleted in-memory documents */
    uint32_t next_segment;
    uint32_t first_new;    /* segments numbered from here on were written by this writer */
    struct fpent *fp;
    size_t fp_mask, fp_used;
    ixwriter_opts o;
    ixwriter_stats st;
    int changed;           /* something to commit: a document added or
                              deleted, or segments merged, since the last
                              commit (or no commit yet) */
};

static void say(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t cap, const char *fmt, ...)
{
    if (!cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
}

/* Says what an I/O failure on `what` was, keeping errno's text. path may be
 * NULL (its name could not be built: no memory). */
static int io_fail(char *msg, size_t cap, int rc, int err_no, const char *what, const char *path)
{
    if (!path)
        say(msg, cap, "%s: %s", what, err_str(rc));
    else if (rc == LEDE_EIO)
        say(msg, cap, "%s %s: %s", what, path, strerror(err_no ? err_no : EIO));
    else if (rc == LEDE_ENOMEM)
        say(msg, cap, "%s %s: out of memory", what, path);
    else
        say(msg, cap, "%s %s: %s", what, path, err_str(rc));
    return rc;
}

/* --- fingerprints of live documents ----------------------------------------------- */

static int fp_resize(ixwriter *w, size_t mask)
{
    struct fpent *t = malloc((mask + 1) * sizeof *t);
    if (!t)
        return LEDE_ENOMEM;
    for (size_t i = 0; i <= mask; i++)
        t[i].slot = FP_EMPTY;
    size_t used = 0;
    for (size_t i = 0; w->fp && i <= w->fp_mask; i++) {
        if (w->fp[i].slot >= FP_GONE)
            continue;
        size_t h = w->fp[i].lo & mask;
        while (t[h].slot != FP_EMPTY)
            h = (h + 1) & mask;
        t[h] = w->fp[i];
        used++;
    }
    free(w->fp);
    w->fp = t;
    w->fp_mask = mask;
    w->fp_used = used;
    return 0;
}

static struct fpent *fp_find(ixwriter *w, hash128 f)
{
    for (size_t h = f.lo & w->fp_mask;; h = (h + 1) & w->fp_mask) {
        struct fpent *e = &w->fp[h];
        if (e->slot == FP_EMPTY)
            return NULL;
        if (e->slot != FP_GONE && e->lo == f.lo && e->hi == f.hi)
            return e;
    }
}

static int fp_insert(ixwriter *w, hash128 f, uint32_t slot, uint32_t doc)
{
    if ((w->fp_used + 1) * 2 > w->fp_mask) {
        int rc = fp_resize(w, w->fp_mask * 2 + 1);
        if (rc)
            return rc;
    }
    if (fp_find(w, f))
        return 0; /* keep_duplicates: the first live copy stands for all */
    size_t h = f.lo & w->fp_mask;
    while (w->fp[h].slot < FP_GONE)
        h = (h + 1) & w->fp_mask;
    if (w->fp[h].slot == FP_EMPTY)
        w->fp_used++;
    w->fp[h] = (struct fpent){f.lo, f.hi, slot, doc};
    return 0;
}

static void fp_remove(ixwriter *w, hash128 f, uint32_t slot, uint32_t doc)
{
    struct fpent *e = fp_find(w, f);
    if (e && e->slot == slot && e->doc == doc)
        e->slot = FP_GONE;
}

/* Rebuilds the table from the segments (after a merge renumbered documents). */
static int fp_rebuild(ixwriter *w)
{
    for (size_t i = 0; w->fp && i <= w->fp_mask; i++)
        w->fp[i].slot = FP_EMPTY;
    w->fp_used = 0;
    for (size_t s = 0; s < w->n_segs; s++) {
        const segmeta *m = segread_meta(w->segs[s].r);
        for (uint32_t d = 0; d < m->n_docs; d++) {
            if (deletions_has(&w->segs[s].del, d))
                continue;
            hash128 f;
            segread_fprint(w->segs[s].r, d, &f.lo, &f.hi);
            int rc = fp_insert(w, f, (uint32_t)s, d);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* --- segments --------------------------------------------------------------------- */

static void seg_release(struct seg *g)
{
    segread_close(g->r);
    deletions_free(&g->del);
    memset(g, 0, sizeof *g);
}

/* Opens segment ms (and its deletion file) into g. */
static int seg_load(ixwriter *w, const manifest_seg *ms, struct seg *g, char *msg, size_t cap)
{
    memset(g, 0, sizeof *g);
    g->ms = *ms;
    return ixseg_open(w->dir, ms, &g->r, &g->del, msg, cap);
}

static int segs_push(ixwriter *w, struct seg *g)
{
    if (w->n_segs == w->cap_segs) {
        size_t cap = w->cap_segs ? w->cap_segs * 2 : 16;
        struct seg *p = realloc(w->segs, cap * sizeof *p);
        if (!p)
            return LEDE_ENOMEM;
        w->segs = p;
        w->cap_segs = cap;
    }
    w->segs[w->n_segs++] = *g;
    return 0;
}

/* Is `name` a file the current manifest names? */
static int referenced(const ixwriter *w, const char *name)
{
    unsigned num;
    unsigned long long gen;
    char tail[8];
    if (sscanf(name, "seg_%u.lse%1s", &num, tail) == 2 && strcmp(tail, "g") == 0) {
        for (size_t i = 0; i < w->n_segs; i++)
            if (w->segs[i].ms.number == num)
                return 1;
        return 0;
    }
    if (sscanf(name, "seg_%u_%llu.lde%1s", &num, &gen, tail) == 3 && strcmp(tail, "l") == 0) {
        for (size_t i = 0; i < w->n_segs; i++)
            if (w->segs[i].ms.number == num && w->segs[i].ms.del_generation == gen)
                return 1;
        return 0;
    }
    return 1;
}

/* Removes index files that the current commit does not name: leftovers of
 * interrupted writers and files superseded by the last commit. */
static void collect_garbage(ixwriter *w)
{
    DIR *d = opendir(w->dir);
    if (!d)
        return;
    struct dirent *e;
    buf path = {0};
    int removed = 0;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n);
        int ours = strncmp(n, "seg_", 4) == 0 || strcmp(n, "MANIFEST.tmp") == 0;
        if (!ours)
            continue;
        int tmp = len > 4 && strcmp(n + len - 4, ".tmp") == 0;
        if (!tmp && referenced(w, n))
            continue;
        buf_clear(&path);
        if (buf_printf(&path, "%s/%s", w->dir, n) == 0 && unlink(path.data) == 0)
            removed = 1;
    }
    closedir(d);
    buf_free(&path);
    if (removed)
        fsync_dir(w->dir);
}

/* Segment files in a directory without a MANIFEST are what a first run
 * left when it was stopped before it committed, or an index whose MANIFEST
 * was lost: either way they are not deleted (the second would lose the
 * index) but moved into a new subdirectory, orphaned-N, and counted. 0 or an
 * error (msg says which). */
static int set_orphans_aside(ixwriter *w, char *msg, size_t cap)
{
    DIR *d = opendir(w->dir);
    if (!d)
        return io_fail(msg, cap, LEDE_EIO, errno, "cannot read", w->dir);
    buf from = {0}, to = {0};
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n);
        if (strncmp(n, "seg_", 4) != 0 || (len > 4 && strcmp(n + len - 4, ".tmp") == 0))
            continue; /* .tmp files: never finished, collect_garbage removes them */
        if (w->st.n_orphaned == 0) {
            for (unsigned k = 1;; k++) {
                snprintf(w->st.orphan_dir, sizeof w->st.orphan_dir, "orphaned-%u", k);
                buf_clear(&to);
                if (buf_printf(&to, "%s/%s", w->dir, w->st.orphan_dir)) {
                    rc = LEDE_ENOMEM;
                    break;
                }
                if (mkdir(to.data, 0755) == 0)
                    break;
                if (errno != EEXIST) {
                    rc = io_fail(msg, cap, LEDE_EIO, errno, "cannot create", to.data);
                    break;
                }
            }
            if (rc)
                break;
        }
        buf_clear(&from);
        buf_clear(&to);
        if (buf_printf(&from, "%s/%s", w->dir, n) ||
            buf_printf(&to, "%s/%s/%s", w->dir, w->st.orphan_dir, n)) {
            rc = LEDE_ENOMEM;
            break;
        }
        if (rename(from.data, to.data) != 0) {
            rc = io_fail(msg, cap, LEDE_EIO, errno, "cannot move aside", from.data);
            break;
        }
        w->st.n_orphaned++;
    }
    closedir(d);
    buf_free(&from);
    buf_free(&to);
    if (rc == 0 && w->st.n_orphaned)
        fsync_dir(w->dir);
    return rc;
}

/* --- open / close -------------------------------------------------------------------- */

int ixwriter_open(ixwriter **out, const char *dir, const ixwriter_opts *o, char *msg, size_t cap)
{
    *out = NULL;
    if (cap)
        msg[0] = '\0';
    ixwriter *w = calloc(1, sizeof *w);
    if (!w)
        return LEDE_ENOMEM;
    w->first_new = UINT32_MAX; /* nothing of its own to drop from the cache if opening fails */
    if (o)
        w->o = *o;
    if (!w->o.memory)
        w->o.memory = IXWRITER_DEFAULT_MEMORY;
    if (w->o.memory > IXWRITER_MAX_SEGMENT_MEMORY) /* 32-bit addresses in memindex */
        w->o.memory = IXWRITER_MAX_SEGMENT_MEMORY;
    if (!w->o.merge_factor)
        w->o.merge_factor = IXWRITER_DEFAULT_MERGE_FACTOR;
    manifest_init(&w->man);
    w->dir = strdup(dir);
    int rc = w->dir ? fp_resize(w, 1023) : LEDE_ENOMEM;
    if (rc)
        goto fail;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        rc = io_fail(msg, cap, LEDE_EIO, errno, "cannot create index directory", dir);
        goto fail;
    }
    char holder[256];
    rc = lock_take(&w->lock, dir, holder, sizeof holder);
    if (rc == LEDE_ELOCKED) {
        say(msg, cap, "%s is being written by another lede-index (%s); wait for it to finish",
            dir, holder[0] ? holder : "holder unknown");
        goto fail;
    }
    if (rc) {
        io_fail(msg, cap, rc, errno, "cannot lock index directory", dir);
        goto fail;
    }
    const char *what = NULL;
    uint32_t version = 0;
    rc = manifest_read(&w->man, dir, &what, &version);
    if (rc == LEDE_EIO && errno == ENOENT) {
        /* a new index */
        manifest_init(&w->man);
        w->man.next_segment = 1;
        w->man.block_size = FORMAT_BLOCK;
        w->man.stem_language = strdup(w->o.stem_language && strcmp(w->o.stem_language, "none")
                                          ? w->o.stem_language : "");
        rc = w->man.stem_language ? set_orphans_aside(w, msg, cap) : LEDE_ENOMEM;
    } else if (rc == LEDE_EVERSION) {
        format_version_message(msg, cap, dir, version);
        goto fail;
    } else if (rc == LEDE_ECORRUPT) {
        say(msg, cap, "index corrupt: %s/MANIFEST: %s", dir, what);
        goto fail;
    } else if (rc) {
        io_fail(msg, cap, rc, errno, "cannot read", "MANIFEST");
        goto fail;
    } else if (w->o.stem_language &&
               strcmp(strcmp(w->o.stem_language, "none") ? w->o.stem_language : "",
                      w->man.stem_language) != 0) {
        say(msg, cap, "%s was built with stemming '%s'; it cannot take --stem %s "
            "(build a new index for another analysis)", dir,
            w->man.stem_language[0] ? w->man.stem_language : "none", w->o.stem_language);
        rc = LEDE_EINVAL;
        goto fail;
    }
    if (rc)
        goto fail;
    w->stem = strdup(w->man.stem_language);
    w->next_segment = w->first_new = w->man.next_segment;
    if (!w->stem) {
        rc = LEDE_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < w->man.n_segs; i++) {
        struct seg g;
        rc = seg_load(w, &w->man.segs[i], &g, msg, cap);
        if (rc == 0 && (rc = segs_push(w, &g)) != 0)
            seg_release(&g);
        if (rc)
            goto fail;
    }
    rc = fp_rebuild(w);
    if (rc)
        goto fail;
    collect_garbage(w);
    *out = w;
    return 0;
fail:
    ixwriter_close(w);
    return rc;
}

void ixwriter_close(ixwriter *w)
{
    if (!w)
        return;
    memindex_free(w->mem);
    for (size_t i = 0; i < w->n_segs; i++)
        seg_release(&w->segs[i]);
    free(w->segs);
    /* The committed segments this writer wrote leave the page cache, now
     * that it maps them no longer (merges read them warm until here). */
    buf path = {0};
    for (size_t i = 0; i < w->man.n_segs; i++)
        if (w->man.segs[i].number >= w->first_new &&
            format_segment_path(&path, w->dir, w->man.segs[i].number) == 0)
            file_drop_cache(path.data);
    buf_free(&path);
    manifest_free(&w->man);
    buf_free(&w->mem_del);
    free(w->fp);
    free(w->stem);
    lock_release(w->lock);
    free(w->dir);
    free(w);
}

int ixwriter_exists(const char *dir)
{
    buf path = {0};
    struct stat st;
    int rc = format_manifest_path(&path, dir);
    int found = rc ? rc : stat(path.data, &st) == 0;
    buf_free(&path);
    return found;
}

const char *ixwriter_stem_language(const ixwriter *w) { return w->stem; }
const ixwriter_stats *ixwriter_get_stats(const ixwriter *w) { return &w->st; }
uint64_t ixwriter_generation(const ixwriter *w) { return w->man.generation; }

static int mem_deleted(const ixwriter *w, uint32_t doc)
{
    return doc / 8 < w->mem_del.len && (w->mem_del.data[doc / 8] >> (doc % 8)) & 1;
}

uint64_t ixwriter_live_docs(const ixwriter *w)
{
    uint64_t n = 0;
    for (size_t i = 0; i < w->n_segs; i++)
        n += w->segs[i].del.n_docs - w->segs[i].del.n_deleted;
    if (w->mem) {
        uint32_t m = memindex_n_docs(w->mem);
        for (uint32_t d = 0; d < m; d++)
            n += !mem_deleted(w, d);
    }
    return n;
}

/* --- deleting ------------------------------------------------------------------------ */

static int delete_in_seg(ixwriter *w, size_t s, uint32_t doc)
{
    struct seg *g = &w->segs[s];
    if (!deletions_add(&g->del, doc, segread_len(g->r, doc, 0), segread_len(g->r, doc, 1)))
        return 0;
    g->dirty = 1;
    w->changed = 1;
    hash128 f;
    segread_fprint(g->r, doc, &f.lo, &f.hi);
    fp_remove(w, f, (uint32_t)s, doc);
    return 1;
}

static int delete_in_mem(ixwriter *w, uint32_t doc)
{
    hash128 f = memindex_fprint(w->mem, doc);
    while (w->mem_del.len <= doc / 8)
        if (buf_putc(&w->mem_del, 0))
            return LEDE_ENOMEM;
    if (mem_deleted(w, doc))
        return 0;
    w->mem_del.data[doc / 8] |= (char)(1u << (doc % 8));
    fp_remove(w, f, MEM_SLOT, doc);
    return 1;
}

/* 1 when a live document has this id, 0 when none, < 0 on error. */
static int id_live(ixwriter *w, const char *id, size_t len)
{
    uint32_t doc;
    if (w->mem && memindex_find_id(w->mem, id, len, &doc) && !mem_deleted(w, doc))
        return 1;
    for (size_t s = 0; s < w->n_segs; s++) {
        int r = segread_find_id(w->segs[s].r, id, len, &doc);
        if (r < 0)
            return r;
        if (r == 1 && !deletions_has(&w->segs[s].del, doc))
            return 1;
    }
    return 0;
}

/* Deletes every live document with this id; returns how many (or < 0). */
static int delete_id(ixwriter *w, const char *id, size_t len, int *ours)
{
    int n = 0;
    uint32_t doc;
    *ours = 0; /* one of them was added by this writer (in memory, or a segment it wrote) */
    if (w->mem && memindex_find_id(w->mem, id, len, &doc)) {
        int r = delete_in_mem(w, doc);
        if (r < 0)
            return r;
        n += r;
        *ours |= r > 0;
    }
    for (size_t s = 0; s < w->n_segs; s++) {
        int r = segread_find_id(w->segs[s].r, id, len, &doc);
        if (r < 0)
            return r;
        if (r == 1 && delete_in_seg(w, s, doc)) {
            n++;
            *ours |= w->segs[s].ms.number >= w->first_new;
        }
    }
    return n;
}

int ixwriter_delete(ixwriter *w, const char *id, size_t len, char *msg, size_t cap)
{
    int ours;
    int n = delete_id(w, id, len, &ours);
    if (n == LEDE_ENOMEM) {
        say(msg, cap, "cannot delete '%.*s': %s", (int)len, id, err_str(n));
        return n;
    }
    if (n < 0) {
        say(msg, cap, "index corrupt while looking up id '%.*s': %s", (int)len, id, err_str(n));
        return n;
    }
    w->st.n_deleted += (uint64_t)n;
    return n > 0;
}

/* --- adding -------------------------------------------------------------------------- */

static int flush_mem(ixwriter *w, char *msg, size_t cap)
{
    if (!w->mem)
        return 0;
    memindex *m = w->mem;
    w->mem = NULL;
    uint32_t n_docs = memindex_n_docs(m);
    uint64_t bytes;
    int err_no;
    int rc = memindex_flush(m, &bytes, &err_no);
    buf path = {0};
    format_segment_path(&path, w->dir, w->mem_number);
    if (rc) {
        io_fail(msg, cap, rc, err_no, "cannot write segment", path.data);
        buf_free(&path);
        return rc;
    }
    w->st.n_flushes++;
    if (n_docs == 0) {
        buf_free(&path);
        return 0;
    }
    manifest_seg ms = {w->mem_number, n_docs, 0, 0};
    struct seg g;
    rc = seg_load(w, &ms, &g, msg, cap);
    buf_free(&path);
    if (rc)
        return rc;
    /* carry over the in-memory deletions and fingerprints */
    size_t slot = w->n_segs;
    for (uint32_t d = 0; d < n_docs; d++) {
        if (mem_deleted(w, d)) {
            deletions_add(&g.del, d, segread_len(g.r, d, 0), segread_len(g.r, d, 1));
            g.dirty = 1;
        }
    }
    for (size_t i = 0; i <= w->fp_mask; i++)
        if (w->fp[i].slot == MEM_SLOT)
            w->fp[i].slot = (uint32_t)slot;
    buf_clear(&w->mem_del);
    rc = segs_push(w, &g);
    if (rc)
        seg_release(&g);
    return rc;
}

int ixwriter_add(ixwriter *w, const ingest_doc *d, int *outcome, char *msg, size_t cap)
{
    *outcome = 0;
    hash128 f = d->fprint;
    const char *id = d->d->f[DOC_ID];
    size_t id_len = d->d->f_len[DOC_ID];
    if (!w->o.keep_duplicates) {
        struct fpent *e = fp_find(w, f);
        if (e) {
            size_t other_len;
            const char *other;
            docrec r;
            if (e->slot == MEM_SLOT) {
                other = memindex_id(w->mem, e->doc);
                other_len = strlen(other);
            } else if (segread_doc(w->segs[e->slot].r, e->doc, &r) == 0) {
                other = r.id;
                other_len = r.id_len;
            } else {
                other = "";
                other_len = 0;
            }
            /* a new version of a live document is an update, whatever
             * other document it now reads like */
            int same = other_len == id_len && memcmp(other, id, id_len) == 0;
            int live = same ? 1 : id_live(w, id, id_len);
            if (live < 0) {
                say(msg, cap, "index corrupt while looking up id '%s': %s", id, err_str(live));
                return live;
            }
            if (!live) {
                w->st.n_duplicates++;
                say(msg, cap, "%.*s", (int)(other_len < 200 ? other_len : 200), other);
                *outcome = 2;
                return 0;
            }
        }
    }
    int again; /* the same id earlier in this run */
    int n = delete_id(w, id, id_len, &again);
    if (n == LEDE_ENOMEM) {
        say(msg, cap, "cannot add document '%s': %s", id, err_str(n));
        return n;
    }
    if (n < 0) {
        say(msg, cap, "index corrupt while looking up id '%s': %s", id, err_str(n));
        return n;
    }
    if (n > 0) {
        w->st.n_replaced += (uint64_t)n;
        *outcome = again ? 3 : 1;
    }
    int rc = 0;
    /* The budget covers what is in memory and the document being added
     * (docs/LIMITS.md): flush first when the two would not fit together. */
    if (w->mem && memindex_n_docs(w->mem) > 0 &&
        memindex_mem(w->mem) + d->mem + memindex_doc_cost(d) > w->o.memory) {
        rc = flush_mem(w, msg, cap);
        if (rc)
            return rc;
    }
    if (!w->mem) {
        w->mem_number = w->next_segment++;
        rc = memindex_new(&w->mem, w->dir, w->mem_number, w->stem);
        if (rc)
            return io_fail(msg, cap, rc, errno, "cannot create segment in", w->dir);
    }
    uint32_t doc = memindex_n_docs(w->mem);
    rc = memindex_add(w->mem, d, f);
    int err_no = errno;
    rc = rc ? rc : fp_insert(w, f, MEM_SLOT, doc);
    if (rc == LEDE_EIO)
        return io_fail(msg, cap, rc, err_no, "cannot write segment data in", w->dir);
    if (rc) {
        say(msg, cap, "cannot add document '%s': %s", id, err_str(rc));
        return rc;
    }
    w->st.n_added++;
    w->changed = 1;
    if (memindex_mem(w->mem) >= w->o.memory)
        return flush_mem(w, msg, cap);
    return 0;
}

/* --- committing ------------------------------------------------------------------------ */

static int write_file(const char *path, const buf *image, int *err_no)
{
    fwriter *fw = NULL;
    int rc = fwriter_open(&fw, path);
    if (rc) {
        *err_no = errno;
        return rc;
    }
    rc = fwriter_write(fw, image->data, image->len);
    if (rc) {
        *err_no = fwriter_errno(fw);
        fwriter_abort(fw);
        return rc;
    }
    rc = fwriter_commit(fw);
    *err_no = errno;
    return rc;
}

/* Writes pending deletions and the manifest of the next generation. */
static int commit_now(ixwriter *w, char *msg, size_t cap)
{
    if (!w->changed && w->man.generation > 0)
        return 0; /* a commit of nothing would only raise the generation */
    int rc = flush_mem(w, msg, cap);
    if (rc)
        return rc;
    uint64_t gen = w->man.generation + 1;
    buf image = {0}, path = {0};
    int err_no = 0;
    /* deletion files of this generation */
    for (size_t i = 0; i < w->n_segs && rc == 0; i++) {
        struct seg *g = &w->segs[i];
        if (!g->dirty || g->del.n_deleted == g->del.n_docs)
            continue;
        rc = deletions_encode(&g->del, &image);
        rc = rc ? rc : format_deletions_path(&path, w->dir, g->ms.number, gen);
        rc = rc ? rc : write_file(path.data, &image, &err_no);
        if (rc)
            io_fail(msg, cap, rc, err_no, "cannot write", path.data);
    }
    /* the manifest: segments with a live document */
    manifest next;
    manifest_init(&next);
    next.generation = gen;
    next.next_segment = w->next_segment;
    next.block_size = FORMAT_BLOCK;
    next.stem_language = w->stem;
    next.segs = calloc(w->n_segs + 1, sizeof *next.segs);
    if (rc == 0 && !next.segs)
        rc = LEDE_ENOMEM;
    for (size_t i = 0; i < w->n_segs && rc == 0; i++) {
        struct seg *g = &w->segs[i];
        if (g->del.n_deleted == g->del.n_docs)
            continue;
        manifest_seg ms = g->ms;
        if (g->dirty) {
            ms.del_generation = g->del.n_deleted ? gen : 0;
            ms.n_deleted = g->del.n_deleted;
        }
        next.segs[next.n_segs++] = ms;
    }
    rc = rc ? rc : manifest_encode(&next, &image);
    rc = rc ? rc : format_manifest_path(&path, w->dir);
    if (rc == 0) {
        rc = write_file(path.data, &image, &err_no);
        if (rc)
            io_fail(msg, cap, rc, err_no, "cannot write", path.data);
    }
    if (rc == 0) {
        /* the commit is durable: adopt it */
        size_t k = 0, before = w->n_segs;
        for (size_t i = 0; i < w->n_segs; i++) {
            struct seg *g = &w->segs[i];
            if (g->del.n_deleted == g->del.n_docs) {
                seg_release(g);
                continue;
            }
            g->ms = next.segs[k];
            g->dirty = 0;
            w->segs[k++] = *g;
        }
        w->n_segs = k;
        next.stem_language = NULL;
        free(w->man.segs);
        w->man.segs = next.segs;
        w->man.n_segs = next.n_segs;
        w->man.generation = gen;
        w->man.next_segment = w->next_segment;
        w->changed = 0;
        next.segs = NULL;
        if (k != before) /* slots moved */
            rc = fp_rebuild(w);
        collect_garbage(w);
    }
    free(next.segs);
    buf_free(&image);
    buf_free(&path);
    return rc;
}

static unsigned level_of(const struct seg *g, uint32_t factor)
{
    uint64_t live = g->del.n_docs - g->del.n_deleted;
    unsigned lv = 0;
    while (live >= factor) {
        live /= factor;
        lv++;
    }
    return lv;
}

/* Merges segs[start..start+n) into one new segment, replacing them. */
static int merge_run(ixwriter *w, size_t start, size_t n, char *msg, size_t cap)
{
    /* A merge rewrites what it reads: a damaged segment's bytes would pass
     * into a new segment with a good checksum, and `check` would no longer
     * see the damage. So the inputs are verified whole first. */
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const uint8_t *bytes = segread_bytes(w->segs[start + i].r, &len);
        if (format_verify_checksum(bytes, len) != 0) {
            say(msg, cap, "index corrupt: %s fails its checksum (it changed after it was "
                "written); nothing was merged (lede-index check %s)",
                segread_path(w->segs[start + i].r), w->dir);
            return LEDE_ECORRUPT;
        }
    }
    merge_input *in = calloc(n, sizeof *in);
    if (!in)
        return LEDE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        in[i].seg = w->segs[start + i].r;
        in[i].del = &w->segs[start + i].del;
    }
    uint32_t number = w->next_segment++, n_docs;
    uint64_t bytes;
    int err_no;
    int rc = merge_segments(w->dir, number, w->stem, in, n, &n_docs, &bytes, &err_no);
    free(in);
    if (rc) {
        buf path = {0};
        format_segment_path(&path, w->dir, number);
        if (rc == LEDE_ECORRUPT)
            say(msg, cap, "index corrupt: a segment being merged into %s is damaged "
                "(run lede-index check)", path.data);
        else
            io_fail(msg, cap, rc, err_no, "cannot write merged segment", path.data);
        buf_free(&path);
        return rc;
    }
    struct seg g;
    memset(&g, 0, sizeof g);
    if (n_docs) {
        manifest_seg ms = {number, n_docs, 0, 0};
        rc = seg_load(w, &ms, &g, msg, cap);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < n; i++)
        seg_release(&w->segs[start + i]);
    size_t keep = n_docs ? 1 : 0;
    if (keep)
        w->segs[start] = g;
    memmove(&w->segs[start + keep], &w->segs[start + n], (w->n_segs - start - n) * sizeof *w->segs);
    w->n_segs -= n - keep;
    w->st.n_merges++;
    w->changed = 1;
    rc = fp_rebuild(w); /* documents were renumbered */
    return rc ? rc : commit_now(w, msg, cap);
}

int ixwriter_commit(ixwriter *w, char *msg, size_t cap)
{
    int rc = commit_now(w, msg, cap);
    uint32_t f = w->o.merge_factor;
    while (rc == 0 && f >= 2) {
        /* the leftmost run of f adjacent segments on one level or two
         * neighbouring ones: runs on exactly one level never form when
         * sizes alternate around a power of f (daily adds of 15 and 5
         * documents left 40 segments at f = 10) */
        size_t found = SIZE_MAX;
        for (size_t start = 0; start + f <= w->n_segs && found == SIZE_MAX; start++) {
            unsigned lo = UINT_MAX, hi = 0;
            for (size_t i = start; i < start + f; i++) {
                unsigned lv = level_of(&w->segs[i], f);
                lo = lv < lo ? lv : lo;
                hi = lv > hi ? lv : hi;
            }
            if (hi - lo <= 1)
                found = start;
        }
        if (found == SIZE_MAX)
            break;
        rc = merge_run(w, found, f, msg, cap);
    }
    return rc;
}

int ixwriter_optimize(ixwriter *w, char *msg, size_t cap)
{
    int rc = commit_now(w, msg, cap);
    if (rc)
        return rc;
    int deleted = 0;
    for (size_t i = 0; i < w->n_segs; i++)
        deleted |= w->segs[i].del.n_deleted > 0;
    if (w->n_segs <= 1 && !deleted)
        return 0;
    return merge_run(w, 0, w->n_segs, msg, cap);
}
