/* gzip_member.h - gzip members (RFC 1952) written by hand, for the unit tests
 * and fuzz targets of the gzip reader: the framing and the CRC-32 come from
 * the format's definition, not from the library that reads them. */
#ifndef LEDE_TEST_GZIP_MEMBER_H
#define LEDE_TEST_GZIP_MEMBER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* CRC-32 of RFC 1952 (reflected, polynomial 0xEDB88320), bit by bit. */
static inline uint32_t gz_crc32(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

/* Appends one member holding data[0..n), given its deflate data: the
 * 10-byte header (no name, OS "Unix"), the deflate data, CRC-32 and size. */
static inline int gz_wrap(buf *out, const void *deflated, size_t dlen, const void *data, size_t n)
{
    static const uint8_t hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    uint32_t crc = gz_crc32(data, n), isize = (uint32_t)n;
    uint8_t trailer[8] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
                          (uint8_t)(crc >> 24), (uint8_t)isize, (uint8_t)(isize >> 8),
                          (uint8_t)(isize >> 16), (uint8_t)(isize >> 24)};
    int rc = buf_append(out, hdr, sizeof hdr);
    rc = rc ? rc : buf_append(out, deflated, dlen);
    return rc ? rc : buf_append(out, trailer, sizeof trailer);
}

/* Appends one member holding data[0..n) in stored (uncompressed) deflate
 * blocks of at most 65,535 bytes. */
static inline int gz_member_stored(buf *out, const void *data, size_t n)
{
    const uint8_t *p = data;
    buf blocks = {0};
    int rc = 0;
    size_t off = 0;
    do {
        size_t k = n - off > 65535 ? 65535 : n - off;
        uint8_t b[5] = {(uint8_t)(off + k == n), (uint8_t)(k & 0xFF), (uint8_t)(k >> 8),
                        (uint8_t)(~k & 0xFF), (uint8_t)((~k >> 8) & 0xFF)};
        rc = rc ? rc : buf_append(&blocks, b, 5);
        rc = rc ? rc : buf_append(&blocks, p + off, k);
        off += k;
    } while (off < n);
    rc = rc ? rc : gz_wrap(out, blocks.data, blocks.len, data, n);
    buf_free(&blocks);
    return rc;
}

#endif
