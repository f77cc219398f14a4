/* fileio.h - the file operations an index needs, with their durability
 * rules in one place: read-only maps, sequential writers that checksum as
 * they go and land atomically (temp name, fsync, rename, fsync directory),
 * and the writer lock. POSIX only; all platform code lives here. */
#ifndef LEDE_FILEIO_H
#define LEDE_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* --- read-only mapping ---------------------------------------------------- */

typedef struct fmap {
    const uint8_t *p; /* the file's bytes; valid until fmap_close */
    size_t len;
} fmap;

/* Maps `path` read-only. LEDE_EIO (errno kept; ENOENT when absent). An empty
 * file maps to p == NULL, len == 0. Sanitizer builds (LEDE_FMAP_COPY) read
 * the file into a heap block of exactly its size instead, so that a read
 * past its end is reported. */
int fmap_open(fmap *out, const char *path);
void fmap_close(fmap *m);

/* Reads a whole (small) file into a malloc'd buffer. */
int file_read_all(const char *path, uint8_t **out, size_t *len);

/* --- durable writing ------------------------------------------------------ */

typedef struct fwriter fwriter;

/* Creates `<final_path>.tmp` (truncating) for writing. */
int fwriter_open(fwriter **out, const char *final_path);
/* Appends bytes; they count towards the running checksum. Sticky errors:
 * after a failure every call returns the same error. LEDE_EIO carries errno
 * (ENOSPC, EFBIG...). */
int fwriter_write(fwriter *w, const void *data, size_t len);
/* Bytes written so far (the offset of the next byte). */
uint64_t fwriter_offset(const fwriter *w);
/* The XXH3-64 of everything written so far. */
uint64_t fwriter_checksum(const fwriter *w);
/* Flushes, fsyncs, closes and renames the temp file to its final name, then
 * fsyncs the directory. On failure the temp file is removed. Frees w. */
int fwriter_commit(fwriter *w);
/* Abandons the file: closes and removes the temp file. Accepts NULL. */
void fwriter_abort(fwriter *w);
/* The errno of the failure that made the writer fail, or 0. */
int fwriter_errno(const fwriter *w);

/* Advises the kernel to drop the cached pages of a written, durable file
 * that no process maps: readers that map it later fault them back in by
 * readahead, and queries ran 15-180% faster on those pages than on the ones
 * write() leaves (docs/TESTING.md, "Page cache"). Advice only: errors are
 * ignored. */
void file_drop_cache(const char *path);

/* fsyncs a directory so that renames and removals in it are durable. */
int fsync_dir(const char *dir);

/* --- spill files ------------------------------------------------------------- */

/* An anonymous scratch file in a directory (created and unlinked at once, so
 * a crash leaves nothing behind) that a writer appends to and later copies
 * into its output: keeps big sections out of memory. */
typedef struct spill spill;

int spill_open(spill **out, const char *dir);
/* Appends; sticky errors like fwriter_write. */
int spill_write(spill *s, const void *data, size_t len);
uint64_t spill_size(const spill *s);
/* Appends the whole spill to w. */
int spill_copy_to(spill *s, fwriter *w);
int spill_errno(const spill *s);
void spill_close(spill *s);

/* --- the writer lock -------------------------------------------------------- */

typedef struct flock_handle flock_handle;

/* Takes the exclusive advisory lock DIR/LOCK (created if needed) without
 * waiting and writes "pid host" into it. LEDE_ELOCKED when another process
 * holds it; then `holder` (cap bytes) receives what the holder wrote. The lock
 * dies with the process. */
int lock_take(flock_handle **out, const char *dir, char *holder, size_t holder_cap);
void lock_release(flock_handle *h);

#endif
