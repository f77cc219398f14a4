/* zio.c - plain and gzip input, and the zlib blocks of the index (see zio.h);
 * the only file that includes zlib.h.
 *
 * Reading goes through zlib's gz* layer in transparent mode: gzread decides
 * by the first bytes (1f 8b) whether to inflate or copy, reads concatenated
 * members as one stream and ignores trailing garbage after a complete member.
 * zio adds one read buffer shared by zio_read and zio_getline so the two can
 * be mixed, and a sticky error: once a read fails, every later read fails the
 * same way. Called by input.c (files, stdin) and by the index's text blocks. */
#include "zio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZLIB_CONST /* next_in is const: src need not be cast */
#include <zlib.h>

#include "err.h"

#define ZIO_GZBUF (128u * 1024)  /* zlib's own input/output buffers */
#define ZIO_RBUF (64u * 1024)    /* our line buffer */
#define ZIO_MAX_READ (1u << 30)  /* largest single gzread (it takes an int-sized count) */

struct zio {
    gzFile gz;
    int err;             /* sticky: 0, or the first negative error */
    int saved_errno;     /* errno of a LEDE_EIO */
    unsigned char *rbuf; /* bytes read ahead by zio_getline */
    size_t rpos, rlen;
};

int zio_open(zio **out, const char *path)
{
    *out = NULL;
    int fd;
    if (strcmp(path, "-") == 0) {
        /* A duplicate, so that gzclose does not close standard input. */
        fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
    } else {
        do
            fd = open(path, O_RDONLY | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
    }
    if (fd < 0)
        return LEDE_EIO;

    zio *z = calloc(1, sizeof *z);
    if (!z) {
        close(fd);
        return LEDE_ENOMEM;
    }
    z->gz = gzdopen(fd, "rb");
    if (!z->gz) {
        close(fd);
        free(z);
        return LEDE_ENOMEM;
    }
    /* Before any read, as zlib requires; a failure only keeps the default. */
    (void)gzbuffer(z->gz, ZIO_GZBUF);
    *out = z;
    return 0;
}

void zio_close(zio *z)
{
    if (!z)
        return;
    gzclose_r(z->gz);
    free(z->rbuf);
    free(z);
}

/* Maps the state of z->gz after a short or failed gzread to 0 (clean end)
 * or a sticky error. */
static int gz_status(zio *z)
{
    int zerr = Z_OK;
    int saved = errno;
    (void)gzerror(z->gz, &zerr);
    switch (zerr) {
    case Z_OK:
        return 0;
    case Z_ERRNO:
        z->saved_errno = saved;
        z->err = LEDE_EIO;
        break;
    case Z_MEM_ERROR:
        z->err = LEDE_ENOMEM;
        break;
    default:
        /* Z_DATA_ERROR (damaged deflate data, bad check value),
         * Z_BUF_ERROR (the file ends inside a gzip member), ... */
        z->err = LEDE_ECORRUPT;
        break;
    }
    return z->err;
}

/* One gzread of at most cap bytes: the count, 0 at the end, or an error. */
static ptrdiff_t gz_read_some(zio *z, void *dst, size_t cap)
{
    if (z->err) {
        errno = z->saved_errno;
        return z->err;
    }
    unsigned n = cap > ZIO_MAX_READ ? ZIO_MAX_READ : (unsigned)cap;
    errno = 0;
    int got = gzread(z->gz, dst, n);
    if (got > 0)
        return got;
    /* 0 is either the end or a member cut short (Z_BUF_ERROR); -1 an error. */
    int rc = gz_status(z);
    if (rc == 0 && got < 0)
        rc = z->err = LEDE_EIO;
    return rc;
}

ptrdiff_t zio_read(zio *z, void *dst, size_t cap)
{
    if (cap > PTRDIFF_MAX)
        cap = PTRDIFF_MAX;
    if (z->rpos < z->rlen) {
        size_t n = z->rlen - z->rpos;
        if (n > cap)
            n = cap;
        memcpy(dst, z->rbuf + z->rpos, n);
        z->rpos += n;
        return (ptrdiff_t)n;
    }
    if (cap == 0)
        return 0;
    return gz_read_some(z, dst, cap);
}

/* Refills the line buffer. Returns its new length, 0 at the end, or an error. */
static ptrdiff_t fill(zio *z)
{
    if (!z->rbuf) {
        z->rbuf = malloc(ZIO_RBUF);
        if (!z->rbuf)
            return LEDE_ENOMEM;
    }
    z->rpos = z->rlen = 0;
    ptrdiff_t n = gz_read_some(z, z->rbuf, ZIO_RBUF);
    if (n > 0)
        z->rlen = (size_t)n;
    return n;
}

int zio_getline(zio *z, buf *line, size_t max_len, int *too_long)
{
    int dummy;
    if (!too_long)
        too_long = &dummy;
    *too_long = 0;
    buf_clear(line);

    /* Keep one byte more than max_len so that a "\r" before the "\n" of a
     * line of exactly max_len bytes does not make it too long. */
    size_t keep = max_len < SIZE_MAX ? max_len + 1 : SIZE_MAX;
    int seen = 0; /* any byte of this line consumed (kept or not) */
    int ended = 0;
    while (!ended) {
        if (z->rpos == z->rlen) {
            ptrdiff_t n = fill(z);
            if (n < 0) {
                buf_clear(line);
                return (int)n;
            }
            if (n == 0)
                break;
        }
        const unsigned char *p = z->rbuf + z->rpos;
        size_t avail = z->rlen - z->rpos;
        const unsigned char *nl = memchr(p, '\n', avail);
        size_t take = nl ? (size_t)(nl - p) : avail;
        z->rpos += take + (nl ? 1 : 0);
        seen = 1;
        ended = nl != NULL;
        if (*too_long)
            continue;
        if (take > keep - line->len) {
            *too_long = 1;
            buf_clear(line);
            continue;
        }
        int rc = buf_append(line, p, take);
        if (rc)
            return rc;
    }
    if (!seen)
        return 0;
    if (*too_long)
        return 1;
    if (ended && line->len > 0 && line->data[line->len - 1] == '\r')
        line->data[--line->len] = '\0';
    if (line->len > max_len) {
        *too_long = 1;
        buf_clear(line);
    }
    return 1;
}

int zio_is_gzip(const zio *z)
{
    return !gzdirect(z->gz);
}

uint64_t zio_raw_offset(const zio *z)
{
    z_off_t off = gzoffset(z->gz);
    if (off >= 0)
        return (uint64_t)off;
    /* A pipe cannot tell its position. Uncompressed, what was decoded is
     * what was read; compressed, the count is unknown. */
    if (gzdirect(z->gz)) {
        off = gztell(z->gz);
        if (off >= 0)
            return (uint64_t)off;
    }
    return 0;
}

/* --- blocks ----------------------------------------------------------------- */

int zio_deflate(buf *out, const void *src, size_t len, int level)
{
    if (level < 1 || level > 9)
        return LEDE_EINVAL;
    uLong bound = compressBound((uLong)len);
    if ((size_t)bound < len)
        return LEDE_ELIMIT;
    int rc = buf_reserve(out, (size_t)bound);
    if (rc)
        return rc;
    uLongf dst_len = bound;
    int zrc = compress2((Bytef *)out->data + out->len, &dst_len, (const Bytef *)src,
                        (uLong)len, level);
    if (zrc != Z_OK) {
        out->data[out->len] = '\0';
        return zrc == Z_MEM_ERROR ? LEDE_ENOMEM : LEDE_EIO;
    }
    out->len += (size_t)dst_len;
    out->data[out->len] = '\0';
    return 0;
}

struct zdeflater {
    z_stream zs;
};

int zdeflater_new(zdeflater **out, int level)
{
    *out = NULL;
    if (level < 1 || level > 9)
        return LEDE_EINVAL;
    zdeflater *d = calloc(1, sizeof *d);
    if (!d)
        return LEDE_ENOMEM;
    if (deflateInit(&d->zs, level) != Z_OK) {
        free(d);
        return LEDE_ENOMEM;
    }
    *out = d;
    return 0;
}

void zdeflater_free(zdeflater *d)
{
    if (!d)
        return;
    deflateEnd(&d->zs);
    free(d);
}

int zdeflater_run(zdeflater *d, buf *out, const void *src, size_t len)
{
    if (len > UINT32_MAX)
        return LEDE_ELIMIT;
    uLong bound = deflateBound(&d->zs, (uLong)len);
    int rc = buf_reserve(out, (size_t)bound);
    if (rc)
        return rc;
    if (deflateReset(&d->zs) != Z_OK)
        return LEDE_EIO;
    d->zs.next_in = (Bytef *)(uintptr_t)src;
    d->zs.avail_in = (uInt)len;
    d->zs.next_out = (Bytef *)out->data + out->len;
    d->zs.avail_out = (uInt)bound;
    int zrc = deflate(&d->zs, Z_FINISH);
    if (zrc != Z_STREAM_END) {
        out->data[out->len] = '\0';
        return LEDE_EIO;
    }
    out->len += (size_t)(bound - d->zs.avail_out);
    out->data[out->len] = '\0';
    return 0;
}

/* Output room to add per round: grows with what has been produced, so a
 * corrupt expect_len costs no more memory than the data really inflates to. */
static size_t inflate_step(size_t produced, size_t remaining)
{
    size_t step = produced < 64 * 1024 ? 64 * 1024 : produced;
    if (step > ZIO_MAX_READ)
        step = ZIO_MAX_READ;
    return step < remaining ? step : remaining;
}

int zio_inflate(buf *out, const void *src, size_t len, size_t expect_len)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit(&s) != Z_OK)
        return LEDE_ENOMEM;

    const size_t start = out->len;
    const Bytef *in = src;
    size_t in_left = len;
    int rc = 0, zrc = Z_OK;
    unsigned char probe; /* room for one byte past expect_len, to catch excess */

    while (zrc != Z_STREAM_END) {
        size_t produced = out->len - start;
        size_t remaining = expect_len - produced;
        Bytef *dst;
        uInt room;
        if (remaining > 0) {
            size_t step = inflate_step(produced, remaining);
            rc = buf_reserve(out, step);
            if (rc)
                goto cleanup;
            dst = (Bytef *)out->data + out->len;
            room = (uInt)step;
        } else {
            dst = &probe;
            room = 1;
        }
        if (s.avail_in == 0 && in_left > 0) {
            s.next_in = in;
            s.avail_in = in_left > ZIO_MAX_READ ? ZIO_MAX_READ : (uInt)in_left;
            in += s.avail_in;
            in_left -= s.avail_in;
        }
        s.next_out = dst;
        s.avail_out = room;
        uInt in_before = s.avail_in;
        zrc = inflate(&s, Z_NO_FLUSH);
        uInt made = room - s.avail_out;
        if (dst == &probe && made > 0) {
            rc = LEDE_ECORRUPT; /* more data than expected */
            goto cleanup;
        }
        if (dst != &probe)
            out->len += made;
        if (zrc == Z_STREAM_END)
            break;
        if (zrc == Z_MEM_ERROR) {
            rc = LEDE_ENOMEM;
            goto cleanup;
        }
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            rc = LEDE_ECORRUPT; /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
            goto cleanup;
        }
        if (made == 0 && s.avail_in == in_before) {
            rc = LEDE_ECORRUPT; /* no progress: the input ends inside the stream */
            goto cleanup;
        }
    }
    /* The stream must end exactly at expect_len and at the end of src. */
    if (out->len - start != expect_len || s.avail_in != 0 || in_left != 0)
        rc = LEDE_ECORRUPT;

cleanup:
    inflateEnd(&s);
    if (rc) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    } else if (out->data) {
        out->data[out->len] = '\0';
    } else {
        rc = buf_reserve(out, 0); /* expect_len 0: still a NUL-terminated buffer */
        if (rc == 0)
            out->data[0] = '\0';
    }
    return rc;
}
