/* ixread.c - read-only view of one committed generation (see ixread.h). */
#include "ixread.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "format.h"

#define OPEN_RETRIES 5

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

int ixseg_open(const char *dir, const manifest_seg *ms, segread **seg, deletions *del, char *msg,
               size_t cap)
{
    *seg = NULL;
    memset(del, 0, sizeof *del);
    buf path = {0};
    const char *what = NULL;
    int rc = format_segment_path(&path, dir, ms->number);
    rc = rc ? rc : segread_open(seg, path.data, ms->number, &what);
    if (rc == 0 && segread_meta(*seg)->n_docs != ms->n_docs) {
        what = "document count differs from the manifest";
        rc = LEDE_ECORRUPT;
    }
    if (rc == 0 && ms->del_generation) {
        rc = format_deletions_path(&path, dir, ms->number, ms->del_generation);
        rc = rc ? rc : deletions_read(del, path.data, &what);
        if (rc == 0 && (del->n_docs != ms->n_docs || del->n_deleted != ms->n_deleted ||
                        del->segment != ms->number)) {
            what = "deletion file does not match the manifest";
            rc = LEDE_ECORRUPT;
        }
    } else if (rc == 0) {
        rc = deletions_new(del, ms->number, ms->n_docs);
    }
    /* The manifest that names this file is of version 1, which only a
     * version-1 writer writes, with version-1 files: another version here
     * is a damaged header, not a newer index. */
    if (rc == LEDE_EVERSION) {
        what = "format version differs from the manifest's (a damaged header)";
        rc = LEDE_ECORRUPT;
    }
    int e = errno;
    if (rc == LEDE_ECORRUPT)
        say(msg, cap, "index corrupt: %s: %s", path.data, what ? what : "damaged");
    else if (rc == LEDE_EIO)
        say(msg, cap, "cannot open %s: %s", path.data, strerror(e));
    else if (rc)
        say(msg, cap, "cannot open %s: %s", path.data ? path.data : dir, err_str(rc));
    buf_free(&path);
    if (rc) {
        segread_close(*seg);
        *seg = NULL;
        deletions_free(del);
    }
    errno = e;
    return rc;
}

static void close_segs(ixread *r)
{
    for (size_t i = 0; i < r->n_segs; i++) {
        segread_close(r->segs[i].seg);
        deletions_free(&r->segs[i].del);
    }
    free(r->segs);
    r->segs = NULL;
    r->n_segs = 0;
}

void ixread_close(ixread *r)
{
    if (!r)
        return;
    close_segs(r);
    manifest_free(&r->man);
    free(r->dir);
    free(r);
}

/* One attempt; *vanished is set when a named file no longer exists. */
static int try_open(ixread *r, char *msg, size_t cap, int *vanished)
{
    *vanished = 0;
    const char *what = NULL;
    uint32_t version = 0;
    manifest_free(&r->man);
    int rc = manifest_read(&r->man, r->dir, &what, &version);
    if (rc == LEDE_EIO) {
        int e = errno;
        if (e == ENOENT)
            say(msg, cap, "%s holds no lede index (no MANIFEST); build one with lede-index %s INPUT...",
                r->dir, r->dir);
        else
            say(msg, cap, "cannot read %s/MANIFEST: %s", r->dir, strerror(e));
        errno = e;
        return rc;
    }
    if (rc == LEDE_EVERSION) {
        format_version_message(msg, cap, r->dir, version);
        return rc;
    }
    if (rc == LEDE_ECORRUPT) {
        say(msg, cap, "index corrupt: %s/MANIFEST: %s", r->dir, what);
        return rc;
    }
    if (rc)
        return rc;
    r->segs = calloc(r->man.n_segs + 1, sizeof *r->segs);
    if (!r->segs)
        return LEDE_ENOMEM;
    uint64_t base = 0;
    for (size_t i = 0; i < r->man.n_segs && rc == 0; i++) {
        ixseg *s = &r->segs[i];
        s->ms = r->man.segs[i];
        rc = ixseg_open(r->dir, &s->ms, &s->seg, &s->del, msg, cap);
        r->n_segs = i + 1;
        if (rc == LEDE_EIO && errno == ENOENT)
            *vanished = 1;
        if (rc)
            break;
        if (base + s->ms.n_docs > UINT32_MAX - 1) {
            say(msg, cap, "index too large: more than 4 billion documents");
            rc = LEDE_ELIMIT;
            break;
        }
        s->base = (uint32_t)base;
        base += s->ms.n_docs;
        const segmeta *m = segread_meta(s->seg);
        r->n_live += s->ms.n_docs - s->del.n_deleted;
        r->live_len[0] += m->sum_len[0] - s->del.deleted_len[0];
        r->live_len[1] += m->sum_len[1] - s->del.deleted_len[1];
    }
    r->n_docs = base;
    return rc;
}

/* A file the manifest names does not exist, though the manifest did not
 * change: "index corrupt: FILE: missing ...". */
static void say_missing(char *msg, size_t cap, const char *dir, const manifest_seg *ms)
{
    buf path = {0};
    int rc = format_segment_path(&path, dir, ms->number);
    if (rc == 0 && access(path.data, F_OK) == 0 && ms->del_generation)
        rc = format_deletions_path(&path, dir, ms->number, ms->del_generation);
    say(msg, cap, "index corrupt: %s: missing (the manifest names it)", rc == 0 ? path.data : dir);
    buf_free(&path);
}

int ixread_open(ixread **out, const char *dir, char *msg, size_t cap)
{
    *out = NULL;
    if (cap)
        msg[0] = '\0';
    ixread *r = calloc(1, sizeof *r);
    if (!r)
        return LEDE_ENOMEM;
    manifest_init(&r->man);
    r->dir = strdup(dir);
    if (!r->dir) {
        free(r);
        return LEDE_ENOMEM;
    }
    int rc = 0;
    uint64_t vanished_in = 0; /* the generation of the last attempt that missed a file */
    for (int attempt = 0; attempt < OPEN_RETRIES; attempt++) {
        int vanished;
        close_segs(r);
        r->n_docs = r->n_live = r->live_len[0] = r->live_len[1] = 0;
        rc = try_open(r, msg, cap, &vanished);
        if (!vanished)
            break;
        /* A writer removes files only after committing a newer manifest, so
         * a file missing twice from one generation is gone for good. */
        if (r->man.generation == vanished_in && r->n_segs) {
            say_missing(msg, cap, dir, &r->segs[r->n_segs - 1].ms);
            rc = LEDE_ECORRUPT;
            break;
        }
        vanished_in = r->man.generation;
        say(msg, cap, "index %s keeps changing under the reader; try again", dir);
    }
    if (rc) {
        ixread_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

const ixseg *ixread_locate(const ixread *r, uint64_t doc, uint32_t *local)
{
    size_t lo = 0, hi = r->n_segs;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->segs[mid].base <= doc)
            lo = mid;
        else
            hi = mid;
    }
    if (lo >= r->n_segs || doc >= r->n_docs)
        return NULL;
    *local = (uint32_t)(doc - r->segs[lo].base);
    return &r->segs[lo];
}
