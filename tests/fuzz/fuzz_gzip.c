/* fuzz_gzip.c - fuzz target for compressed input: gzip files read through
 * common/input.c and zio.c, and the zlib blocks of zio_inflate.
 *
 * Input: a mode byte, then its material.
 *   mode 0  the rest is a file's content. It is compressed (zio_deflate, a
 *           level from the next byte, wrapped as a gzip member built here,
 *           optionally split into two members) and read back; the next
 *           bytes can also cut the compressed file short.
 *   mode 1  the rest follows the gzip magic bytes 1f 8b: a hostile stream
 *           for the inflater behind zio_read.
 *   mode 2  zio_inflate on hostile bytes (expected length from two bytes),
 *           and zio_deflate / zdeflater_run / zio_inflate round trips.
 *
 * Oracle: never crashes or hangs, and everything readcheck.h checks holds
 * (a damaged stream may only add an "unreadable" report). Mode 0: reading
 * the gzip file gives exactly the records, documents and reports of reading
 * the same content uncompressed, which are those readcheck_model predicts;
 * a file cut short gives a prefix of those records (the lines completed
 * before the damage) and an "unreadable" report, unless the whole file is
 * skipped for its first bytes (binary, or an article over the limit). Mode 2: zio_inflate
 * returns 0 with exactly the expected length or LEDE_ECORRUPT leaving the
 * buffer as it was; deflate then inflate is the identity; zdeflater_run
 * writes the bytes zio_deflate does; a wrong expected length is refused. */
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "gzip_member.h"
#include "input.h"
#include "readcheck.h"
#include "zio.h"

/* Appends one gzip member (RFC 1952) of data[0..n), deflated by zlib through
 * zio_deflate: its zlib stream (RFC 1950) is a 2-byte header, the deflate
 * data and a 4-byte Adler-32; the member keeps the deflate data. */
static void gzip_member(buf *out, const uint8_t *data, size_t n, int level)
{
    buf z = {0};
    FUZZ_CHECK(zio_deflate(&z, data, n, level) == 0 && z.len >= 6, "zio_deflate failed");
    FUZZ_CHECK(gz_wrap(out, z.data + 2, z.len - 6, data, n) == 0, "out of memory");
    buf_free(&z);
}

static void terminate(buf *b)
{
    if (!b->data)
        FUZZ_CHECK(buf_append(b, "", 0) == 0, "out of memory");
}

static void same_log(buf *a, buf *b, const char *what)
{
    terminate(a);
    terminate(b);
    FUZZ_CHECK(a->len == b->len && memcmp(a->data, b->data, a->len) == 0,
               "%s differ:\n--- gzip:\n%.2000s\n--- plain:\n%.2000s", what, a->data, b->data);
}

/* Keeps the "rec" lines of a records log (drops reports). */
static void only_records(const buf *log, buf *out)
{
    size_t i = 0;
    while (i < log->len) {
        /* "rec K LINE LEN:" + LEN bytes + "\n", or "prob K LINE\n" */
        size_t colon = i, len = 0;
        if (memcmp(log->data + i, "rec ", 4) == 0) {
            while (log->data[colon] != ':')
                colon++;
            size_t digits = colon;
            while (log->data[digits - 1] != ' ')
                digits--;
            for (; digits < colon; digits++)
                len = len * 10 + (size_t)(log->data[digits] - '0');
            size_t end = colon + 1 + len + 1;
            FUZZ_CHECK(buf_append(out, log->data + i, end - i) == 0, "out of memory");
            i = end;
        } else {
            const char *nl = memchr(log->data + i, '\n', log->len - i);
            i = (size_t)(nl - log->data) + 1;
        }
    }
    terminate(out);
}

static void mode_compressed(fuzz_src *s)
{
    int level = 1 + fuzz_u8(s) % 9;
    uint8_t flags = fuzz_u8(s);
    size_t max_doc = flags & 1 ? 1 + (size_t)fuzz_u8(s) : 0;
    size_t split = fuzz_u8(s) | (size_t)fuzz_u8(s) << 8; /* two members: where */
    size_t cut = fuzz_u8(s) | (size_t)fuzz_u8(s) << 8;   /* bytes of gzip kept */
    const uint8_t *content = s->p + s->pos;
    size_t len = fuzz_left(s);
    uint64_t n_lines = readcheck_lines((const char *)content, len);

    buf plain_rec = {0}, plain_docs = {0}, model = {0};
    readcheck_write(content, len);
    readcheck_read(max_doc, n_lines, 0, &plain_rec, &plain_docs);
    readcheck_model((const char *)content, len, max_doc, &model);
    same_log(&plain_rec, &model, "plain records and the model");

    buf gz = {0}, gz_rec = {0}, gz_docs = {0};
    if ((flags & 2) && len > 0) {
        split %= len + 1;
        gzip_member(&gz, content, split, level);
        gzip_member(&gz, content + split, len - split, level);
    } else {
        gzip_member(&gz, content, len, level);
    }
    readcheck_write(gz.data, gz.len);
    readcheck_read(max_doc, n_lines, 0, &gz_rec, &gz_docs);
    same_log(&gz_rec, &plain_rec, "records");
    same_log(&gz_docs, &plain_docs, "documents");

    /* Cut short (one member, at least the magic kept so it stays gzip). */
    if ((flags & 4) && !(flags & 2)) {
        cut = 2 + cut % (gz.len - 2);
        buf cut_rec = {0}, cut_docs = {0}, a = {0}, b = {0};
        readcheck_write(gz.data, cut);
        readcheck_read(max_doc, n_lines, 1, &cut_rec, &cut_docs);
        terminate(&cut_rec);
        terminate(&plain_rec);
        /* Unless the whole file is skipped from its first bytes on (binary,
         * or an article over the limit): then the damage may never be read,
         * and a cut before the NUL byte or the limit is an ordinary file. */
        char unreadable[32], binary[32], too_large[32];
        snprintf(unreadable, sizeof unreadable, "prob %d ", (int)INPUT_UNREADABLE);
        snprintf(binary, sizeof binary, "prob %d 0\n", (int)INPUT_BINARY);
        snprintf(too_large, sizeof too_large, "prob %d 0\n", (int)INPUT_TOO_LARGE);
        int skipped = strstr(plain_rec.data, binary) || strstr(plain_rec.data, too_large);
        FUZZ_CHECK(skipped || strstr(cut_rec.data, unreadable) != NULL,
                   "a gzip file cut at %zu of %zu bytes read without a report", cut, gz.len);
        only_records(&cut_rec, &a);
        only_records(&plain_rec, &b);
        FUZZ_CHECK(skipped || (a.len <= b.len && memcmp(a.data, b.data, a.len) == 0),
                   "a gzip file cut at %zu of %zu bytes gave records that the whole file does "
                   "not:\n--- cut:\n%.2000s\n--- whole:\n%.2000s",
                   cut, gz.len, a.data, b.data);
        buf_free(&cut_rec);
        buf_free(&cut_docs);
        buf_free(&a);
        buf_free(&b);
    }
    buf_free(&gz);
    buf_free(&gz_rec);
    buf_free(&gz_docs);
    buf_free(&plain_rec);
    buf_free(&plain_docs);
    buf_free(&model);
}

static void mode_hostile_gzip(fuzz_src *s)
{
    buf file = {0};
    FUZZ_CHECK(buf_append(&file, "\x1f\x8b", 2) == 0 &&
                   buf_append(&file, s->p + s->pos, fuzz_left(s)) == 0,
               "out of memory");
    readcheck_write(file.data, file.len);
    buf rec = {0}, docs = {0};
    readcheck_read(0, UINT64_MAX, 1, &rec, &docs);
    buf_free(&rec);
    buf_free(&docs);
    buf_free(&file);
}

static void mode_blocks(fuzz_src *s)
{
    size_t expect = fuzz_u8(s) | (size_t)fuzz_u8(s) << 8;
    int level = 1 + fuzz_u8(s) % 9;
    const uint8_t *src = s->p + s->pos;
    size_t len = fuzz_left(s);

    /* Hostile: inflate the bytes as they are. */
    buf out = {0};
    FUZZ_CHECK(buf_puts(&out, "kept") == 0, "out of memory");
    int rc = zio_inflate(&out, src, len, expect);
    FUZZ_CHECK(rc == 0 || rc == LEDE_ECORRUPT, "zio_inflate returned %d", rc);
    if (rc == 0)
        FUZZ_CHECK(out.len == 4 + expect, "inflated %zu bytes, expected %zu", out.len - 4, expect);
    else
        FUZZ_CHECK(out.len == 4 && strcmp(out.data, "kept") == 0, "a failed inflate left bytes");

    /* Round trips of the bytes as data. */
    buf z = {0}, z2 = {0}, back = {0};
    FUZZ_CHECK(zio_deflate(&z, src, len, level) == 0, "zio_deflate failed");
    zdeflater *d = NULL;
    FUZZ_CHECK(zdeflater_new(&d, level) == 0, "zdeflater_new failed");
    /* Twice, since the deflater is reused between blocks. */
    for (int k = 0; k < 2; k++) {
        buf_clear(&z2);
        FUZZ_CHECK(zdeflater_run(d, &z2, src, len) == 0, "zdeflater_run failed");
        FUZZ_CHECK(z2.len == z.len && memcmp(z2.data, z.data, z.len) == 0,
                   "zdeflater_run and zio_deflate differ at level %d", level);
    }
    zdeflater_free(d);
    FUZZ_CHECK(zio_inflate(&back, z.data, z.len, len) == 0 && back.len == len &&
                   memcmp(back.data, src, len) == 0,
               "inflate(deflate(x)) != x");
    buf_clear(&back);
    FUZZ_CHECK(zio_inflate(&back, z.data, z.len, len + 1) == LEDE_ECORRUPT && back.len == 0,
               "an expected length one too long was accepted");
    if (len > 0)
        FUZZ_CHECK(zio_inflate(&back, z.data, z.len, len - 1) == LEDE_ECORRUPT && back.len == 0,
                   "an expected length one too short was accepted");
    FUZZ_CHECK(zio_inflate(&back, z.data, z.len - 1, len) == LEDE_ECORRUPT && back.len == 0,
               "a stream one byte short was accepted");
    buf_free(&out);
    buf_free(&z);
    buf_free(&z2);
    buf_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_src s = fuzz_src_make(data, size);
    switch (fuzz_u8(&s) % 3) {
    case 0: mode_compressed(&s); break;
    case 1: mode_hostile_gzip(&s); break;
    default: mode_blocks(&s); break;
    }
    return 0;
}
