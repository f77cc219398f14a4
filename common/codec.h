/* codec.h - the integer codecs of the on-disk format (docs/FORMAT.md, "Codecs"):
 * LEB128 varints, little-endian fixed-width integers, and frame-of-reference
 * bit-packed blocks. Written by the segment writer, read by the segment
 * reader, the checker and the searcher: one definition for all of them.
 *
 * Readers of untrusted bytes use a `cursor`: every read is bounds-checked and
 * a failed read sets cursor.bad (sticky) and yields 0, so a decoder can run to
 * its end and check `bad` once. Nothing here asserts on data. */
#ifndef LEDE_CODEC_H
#define LEDE_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

/* --- writing ------------------------------------------------------------- */

#define VINT_MAX_BYTES 10

/* Encodes v as an unsigned LEB128 varint into out (room for VINT_MAX_BYTES);
 * returns the byte count. */
static inline size_t vint_encode(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

/* Appends v as a varint (vint_put) or as little-endian fixed-width integers.
 * The common case, room in b, is inline (buf_append's; vint_put's own, the
 * length being known only after encoding); vint_put_grow does the rest. */
int vint_put_grow(buf *b, uint64_t v);
int put_u8(buf *b, uint8_t v);
int put_u16le(buf *b, uint16_t v);

/* Host byte order: the fixed-width helpers below are one load or store
 * (plus a byte swap on a big-endian host); gcc does not merge the byte-wise
 * form into one. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define CODEC_BIG_ENDIAN 1
#else
#define CODEC_BIG_ENDIAN 0
#endif

/* Little-endian loads from memory the caller has bounds-checked. */
static inline uint32_t load_u32le(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return CODEC_BIG_ENDIAN ? __builtin_bswap32(v) : v;
}
static inline uint64_t load_u64le(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return CODEC_BIG_ENDIAN ? __builtin_bswap64(v) : v;
}
/* Big-endian: the number whose order is that of the 8 bytes compared as
 * unsigned strings. */
static inline uint64_t load_u64be(const uint8_t *p)
{
    return __builtin_bswap64(load_u64le(p));
}
static inline void store_u32le(uint8_t *p, uint32_t v)
{
    v = CODEC_BIG_ENDIAN ? __builtin_bswap32(v) : v;
    memcpy(p, &v, 4);
}
static inline void store_u64le(uint8_t *p, uint64_t v)
{
    v = CODEC_BIG_ENDIAN ? __builtin_bswap64(v) : v;
    memcpy(p, &v, 8);
}

static inline int vint_put(buf *b, uint64_t v)
{
    if (b->cap - b->len <= VINT_MAX_BYTES)
        return vint_put_grow(b, v);
    b->len += vint_encode((uint8_t *)b->data + b->len, v);
    b->data[b->len] = '\0';
    return 0;
}

static inline int put_u32le(buf *b, uint32_t v)
{
    uint8_t tmp[4];
    store_u32le(tmp, v);
    return buf_append(b, tmp, 4);
}

static inline int put_u64le(buf *b, uint64_t v)
{
    uint8_t tmp[8];
    store_u64le(tmp, v);
    return buf_append(b, tmp, 8);
}

/* --- bounded reading ------------------------------------------------------ */

typedef struct cursor {
    const uint8_t *p;   /* next byte */
    const uint8_t *end; /* one past the last readable byte */
    int bad;            /* set by any read that would pass `end` or finds a
                           malformed varint; never cleared by reads */
} cursor;

static inline cursor cursor_make(const void *p, size_t len)
{
    cursor c = {(const uint8_t *)p, (const uint8_t *)p + len, 0};
    return c;
}
static inline size_t cursor_left(const cursor *c)
{
    return c->bad ? 0 : (size_t)(c->end - c->p);
}

uint64_t cur_vint_slow(cursor *c);
uint32_t cur_vint32_slow(cursor *c);

/* Varint of at most 10 bytes whose value fits 64 bits; else bad, returns 0.
 * Most varints of the format take one or two bytes: those cases are inline. */
static inline uint64_t cur_vint(cursor *c)
{
    if (!c->bad && c->p < c->end) {
        uint32_t b0 = c->p[0];
        if (b0 < 0x80) {
            c->p++;
            return b0;
        }
        if (c->end - c->p >= 2 && c->p[1] < 0x80) { /* two bytes: offsets, gaps */
            uint32_t v = (b0 & 0x7F) | (uint32_t)c->p[1] << 7;
            c->p += 2;
            return v;
        }
    }
    return cur_vint_slow(c);
}

/* A decoded varint. */
typedef struct {
    uint64_t v;
    size_t len; /* bytes taken; 0: malformed */
} vint_dec;
/* vint_get's varints of two bytes or more, out of line: an inlined decoder
 * of up to ten bytes at every call site made the dictionary's and the skip
 * data's loops several cache lines of code each. */
vint_dec vint_get_long(const uint8_t *p);

/* The varint at *pp, read as cur_vint reads it but with no bounds check:
 * VINT_MAX_BYTES bytes at *pp must be readable (the caller checks where the
 * values it read end). A varint longer than VINT_MAX_BYTES or past 64 bits
 * sets *bad and returns 0, leaving *pp. */
static inline uint64_t vint_get(const uint8_t **pp, int *bad)
{
    const uint8_t *p = *pp;
    uint64_t v = p[0];
    if (v < 0x80) {
        *pp = p + 1;
        return v;
    }
    vint_dec d = vint_get_long(p);
    *bad |= d.len == 0;
    *pp = p + d.len;
    return d.v;
}

/* Reads values without a bounds check each, for hot loops over many small
 * items (dictionary entries, skip entries): before an item, vreader_window
 * makes `need` (<= VREADER_WINDOW) bytes readable at p, in place while the
 * source holds them before lim, else in a zero-padded copy of what is left;
 * after it, the caller checks that p has not passed end (the item's bytes
 * all lay where they may be read as values). */
#define VREADER_WINDOW 192

typedef struct {
    const uint8_t *p;    /* the next byte */
    const uint8_t *end;  /* items must end by here */
    const uint8_t *lim;  /* readable bytes end here (>= end) */
    const uint8_t *from; /* the source byte pad[0] copies; NULL: reading in place */
    uint8_t pad[2 * VREADER_WINDOW];
} vreader;

static inline void vreader_init(vreader *r, const uint8_t *p, const uint8_t *end, const uint8_t *lim)
{
    r->p = p;
    r->end = end;
    r->lim = lim;
    r->from = NULL;
}

/* vreader_window's copy near the end of the source (rare: out of line). */
void vreader_pad(vreader *r);

static inline void vreader_window(vreader *r, size_t need)
{
    if (!r->from && (size_t)(r->lim - r->p) < need)
        vreader_pad(r);
}

/* Where the reader is, in the source. */
static inline const uint8_t *vreader_pos(const vreader *r)
{
    return r->from ? r->from + (r->p - r->pad) : r->p;
}

/* A varint that must fit 32 bits; else bad, returns 0. */
static inline uint32_t cur_vint32(cursor *c)
{
    if (!c->bad && c->p < c->end && (c->p[0] < 0x80 || (c->end - c->p >= 2 && c->p[1] < 0x80)))
        return (uint32_t)cur_vint(c); /* one or two bytes: fits */
    return cur_vint32_slow(c);
}
uint8_t cur_u8(cursor *c);
uint16_t cur_u16le(cursor *c);
uint32_t cur_u32le(cursor *c);
uint64_t cur_u64le(cursor *c);
/* Returns a pointer to the next n bytes and skips them, or NULL (bad). */
static inline const uint8_t *cur_bytes(cursor *c, size_t n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = 1;
        return NULL;
    }
    const uint8_t *p = c->p;
    c->p += n;
    return p;
}

/* The number of bits set in x. x86-64's baseline has no instruction for it,
 * and __builtin_popcountll is then a call into libgcc: this is a dozen
 * inline instructions. */
static inline unsigned popcount64(uint64_t x)
{
    x -= x >> 1 & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + (x >> 2 & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

/* --- bit-packed blocks ----------------------------------------------------- */

/* Bits needed for the largest of v[0..n) (0 when all are 0; at most 32). */
unsigned bitpack_width(const uint32_t *v, size_t n);
/* Bytes that n values of `width` bits take: ceil(n * width / 8). */
static inline size_t bitpack_bytes(size_t n, unsigned width)
{
    return (n * width + 7) / 8;
}
/* The layout of n packed values (docs/FORMAT.md, "Packed values"): when n
 * is a positive multiple of BITPACK_LANE_GROUP, each group of 128 values is
 * in four lanes: value 4s + l of the group is the s-th value of lane l, each
 * lane's 32 values are LSB-first in `width` 32-bit words, and word k of lane
 * l is the group's (4k + l)-th little-endian u32 (so SSE2 decodes four values
 * at once). Otherwise value i's bits are bits i*width .. i*width + width - 1
 * of the bytes, LSB-first. Both take bitpack_bytes(n, width) bytes. */
#define BITPACK_LANE_GROUP 128
static inline int bitpack_in_lanes(size_t n)
{
    return n > 0 && n % BITPACK_LANE_GROUP == 0;
}
/* Packs the low `width` bits of v[0..n) into out[0..bitpack_bytes). */
void bitpack_encode(uint8_t *out, const uint32_t *v, size_t n, unsigned width);
/* Unpacks n values of `width` bits (0..32) from in[0..bitpack_bytes(n,width)).
 * Reads no byte past that range. */
void bitpack_decode(uint32_t *out, const uint8_t *in, size_t n, unsigned width);

/* Value i (< n, else 0) of n values packed `width` bits each in
 * in[0..bitpack_bytes(n, width)), read alone. */
uint32_t bitpack_get(const uint8_t *in, size_t n, size_t i, unsigned width);
/* Values lo..hi-1 (hi <= n, else all 0) of the same, read alone, into
 * out[0..hi-lo): a few values of a long run without unpacking it. */
void bitpack_get_range(uint32_t *out, const uint8_t *in, size_t n, size_t lo, size_t hi,
                       unsigned width);

/* Appends v[0..n) packed `width` bits each (bitpack_bytes(n, width) bytes;
 * every value must fit), without a width byte. */
int packed_put(buf *b, const uint32_t *v, size_t n, unsigned width);
/* A block as stored: one byte `width` (0..32), then bitpack_bytes(n, width)
 * bytes. n is implied by the format (the block size), never stored. */
int block_put(buf *b, const uint32_t *v, size_t n);
/* Reads a block of n values; a width above 32 or too few bytes set c->bad
 * (out is then zeroed). Returns the block's width (32 when bad): every value
 * is below 2^width, which bounds their sum (prefix_fits32). */
unsigned cur_block(cursor *c, uint32_t *out, size_t n);

/* cur_block of a block inside a larger readable region: `slack` bytes
 * past the cursor's end may be read. A block not in lanes (a term's last
 * block) then has each value read by one unaligned load, without the bounds
 * checks its last values need otherwise. */
unsigned cur_block_in(cursor *c, uint32_t *out, size_t n, size_t slack);

/* cur_block_in of n doc gaps (each minus 1): when prefix_fits32(width, n)
 * for the width returned, out holds base + (g[0] + 1) + ... + (g[j] + 1), as
 * prefix_sum_plus1 would make them (for 128 values in one pass), else the
 * gaps themselves, for the caller's 64-bit sums. */
unsigned cur_block_ids(cursor *c, uint32_t *out, size_t n, uint32_t base, size_t slack);

/* --- gaps to values ------------------------------------------------------------ */

/* out[j] = base + (in[0] + 1) + ... + (in[j] + 1), modulo 2^32, for j < n: how
 * stored doc gaps (each minus 1) become increasing doc ids. in == out is
 * allowed. Exact when the true sum stays below 2^32: callers check that
 * first, with prefix_fits32 or a wider sum. */
void prefix_sum_plus1(uint32_t *out, const uint32_t *in, size_t n, uint32_t base);

/* 1 when n values below 2^width, each plus 1, surely sum below 2^31 (at
 * most 128 values of at most 24 bits): prefix_sum_plus1 is then
 * exact. */
static inline int prefix_fits32(unsigned width, size_t n)
{
    return width <= 24 && n <= 128;
}

#endif
