/* zio.h - compressed and plain I/O; the only file that includes zlib.
 *
 * Reading: input files may be plain or gzip-compressed; zio tells them apart
 * by the gzip magic bytes (1f 8b), never by the file name, and reads both the
 * same way. Concatenated gzip members are read as one stream.
 * Blocks: the index stores article text in zlib-compressed blocks. */
#ifndef LEDE_ZIO_H
#define LEDE_ZIO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct zio zio;

/* Opens `path` for reading; "-" is standard input. LEDE_EIO (errno kept) if
 * it cannot be opened, LEDE_ENOMEM. */
int zio_open(zio **out, const char *path);
/* Closes; accepts NULL. */
void zio_close(zio *z);

/* Reads up to cap bytes of (decompressed) data. Returns the count, 0 at end,
 * or a negative error: LEDE_EIO, or LEDE_ECORRUPT for a damaged gzip stream. */
ptrdiff_t zio_read(zio *z, void *dst, size_t cap);

/* Reads the next line into `line` (cleared first), without its "\n" and
 * without a "\r" before it. At most max_len bytes are kept: a longer line is
 * read to its end and discarded, with *too_long set (line then empty).
 * Returns 1 for a line, 0 at end of input, negative on error. */
int zio_getline(zio *z, buf *line, size_t max_len, int *too_long);

/* Nonzero when the stream is gzip-compressed (known after the first read). */
int zio_is_gzip(const zio *z);
/* Bytes of the underlying file consumed so far (compressed bytes for gzip),
 * for progress reporting. */
uint64_t zio_raw_offset(const zio *z);

/* Appends the zlib compression of src[0..len) at `level` (1-9) to out. */
int zio_deflate(buf *out, const void *src, size_t len, int level);
/* A reusable compressor: one per writer, so that each block does not pay
 * for setting up zlib's state again. */
typedef struct zdeflater zdeflater;
int zdeflater_new(zdeflater **out, int level);
void zdeflater_free(zdeflater *d);
/* Appends the zlib compression of src[0..len) to out (same bytes as
 * zio_deflate at the deflater's level). */
int zdeflater_run(zdeflater *d, buf *out, const void *src, size_t len);

/* Appends the decompression of src[0..len) to out; the result must be
 * exactly expect_len bytes, otherwise LEDE_ECORRUPT. */
int zio_inflate(buf *out, const void *src, size_t len, size_t expect_len);

#endif
