/* codec.c - varints, little-endian fixed ints, bounded cursor reads and
 * frame-of-reference bit packing (contract in codec.h).
 *
 * bitpack_decode is the innermost loop of query evaluation. A production block
 * is 128 values, and runs of a multiple of 128 values are laid out in four
 * interleaved lanes (codec.h) so that SSE2 unpacks four values per shift and
 * mask: one fully unrolled routine per width, reached through a table. Other
 * runs (a term's packed tail, tiny-block builds) are LSB-first: groups of 64
 * values of w bits are exactly w 64-bit little-endian words, unpacked by
 * unrolled scalar routines per width, and the remainder by a generic reader.
 * None reads a byte past bitpack_bytes(n, width). */
#include "codec.h"

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "err.h"

/* --- writing ------------------------------------------------------------- */

int vint_put_grow(buf *b, uint64_t v)
{
    uint8_t tmp[VINT_MAX_BYTES];
    return buf_append(b, tmp, vint_encode(tmp, v));
}

int put_u8(buf *b, uint8_t v)
{
    return buf_append(b, &v, 1);
}

int put_u16le(buf *b, uint16_t v)
{
    uint8_t tmp[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    return buf_append(b, tmp, 2);
}

/* --- bounded reading ------------------------------------------------------ */

/* The varint at p, of which `left` bytes may be read: its value and length,
 * or length 0 when it is truncated, longer than VINT_MAX_BYTES or past 64
 * bits. cur_vint_slow's and vint_get's one decoder. */
static inline vint_dec vint_decode(const uint8_t *p, size_t left)
{
    uint64_t v = 0;
    for (size_t i = 0; i < VINT_MAX_BYTES && i < left; i++) {
        uint8_t byte = p[i];
        /* Nine bytes carry 63 bits, so the tenth may only add bit 63 and must
         * end the varint: 0 or 1. */
        if (i == VINT_MAX_BYTES - 1 && byte > 1)
            break;
        v |= (uint64_t)(byte & 0x7F) << (7 * i);
        if (!(byte & 0x80))
            return (vint_dec){v, i + 1};
    }
    return (vint_dec){0, 0};
}

uint64_t cur_vint_slow(cursor *c)
{
    if (c->bad)
        return 0;
    vint_dec d = vint_decode(c->p, (size_t)(c->end - c->p));
    if (d.len == 0)
        c->bad = 1;
    c->p += d.len;
    return d.v;
}

__attribute__((cold)) void vreader_pad(vreader *r)
{
    size_t left = (size_t)(r->lim - r->p);
    memcpy(r->pad, r->p, left);
    memset(r->pad + left, 0, sizeof r->pad - left);
    r->from = r->p;
    r->end = r->pad + (r->end - r->p);
    r->lim = r->pad + left;
    r->p = r->pad;
}

vint_dec vint_get_long(const uint8_t *p)
{
    return vint_decode(p, VINT_MAX_BYTES);
}

uint32_t cur_vint32_slow(cursor *c)
{
    const uint8_t *start = c->p;
    uint64_t v = cur_vint_slow(c);
    if (v > UINT32_MAX) {
        c->p = start;
        c->bad = 1;
        return 0;
    }
    return (uint32_t)v;
}

uint8_t cur_u8(cursor *c)
{
    const uint8_t *p = cur_bytes(c, 1);
    return p ? p[0] : 0;
}

uint16_t cur_u16le(cursor *c)
{
    const uint8_t *p = cur_bytes(c, 2);
    return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint32_t cur_u32le(cursor *c)
{
    const uint8_t *p = cur_bytes(c, 4);
    return p ? load_u32le(p) : 0;
}

uint64_t cur_u64le(cursor *c)
{
    const uint8_t *p = cur_bytes(c, 8);
    return p ? load_u64le(p) : 0;
}

/* --- bit-packed blocks ----------------------------------------------------- */

unsigned bitpack_width(const uint32_t *v, size_t n)
{
    uint32_t all = 0;
    for (size_t i = 0; i < n; i++)
        all |= v[i];
    return all ? 32 - (unsigned)__builtin_clz(all) : 0;
}

static inline uint32_t low_mask(unsigned width)
{
    return width >= 32 ? UINT32_MAX : ((uint32_t)1 << width) - 1;
}

/* One group of BITPACK_LANE_GROUP values in lanes: lane l holds values l,
 * l + 4, l + 8, ... LSB-first in `width` 32-bit words; word k of lane l is
 * the group's (4k + l)-th little-endian u32. */
static void encode_lanes(uint8_t *out, const uint32_t *v, unsigned width)
{
    uint32_t mask = low_mask(width);
    for (unsigned l = 0; l < 4; l++) {
        uint64_t acc = 0;
        unsigned n_acc = 0, k = 0;
        for (unsigned s = 0; s < BITPACK_LANE_GROUP / 4; s++) {
            acc |= (uint64_t)(v[4 * s + l] & mask) << n_acc;
            n_acc += width;
            if (n_acc >= 32) { /* 32 values of width bits end on a word */
                store_u32le(out + 16 * k + 4 * l, (uint32_t)acc);
                k++;
                acc >>= 32;
                n_acc -= 32;
            }
        }
    }
}

void bitpack_encode(uint8_t *out, const uint32_t *v, size_t n, unsigned width)
{
    if (width == 0 || width > 32) /* > 32 is a caller bug; the acc would overflow */
        return;
    if (bitpack_in_lanes(n)) {
        for (size_t g = 0; g < n; g += BITPACK_LANE_GROUP)
            encode_lanes(out + g / BITPACK_LANE_GROUP * 16 * width, v + g, width);
        return;
    }
    uint32_t mask = low_mask(width);
    uint64_t acc = 0; /* pending bits, LSB first; fewer than 32 between values */
    unsigned n_acc = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        acc |= (uint64_t)(v[i] & mask) << n_acc;
        n_acc += width;
        if (n_acc >= 32) { /* 32 bits complete: 4 bytes at once */
            store_u32le(out + o, (uint32_t)acc);
            o += 4;
            acc >>= 32;
            n_acc -= 32;
        }
    }
    for (; n_acc > 0; n_acc = n_acc > 8 ? n_acc - 8 : 0) { /* the last 1..4 bytes */
        out[o++] = (uint8_t)acc;
        acc >>= 8;
    }
}


static inline uint16_t load_half(const uint8_t *p)
{
    uint16_t x;
    memcpy(&x, p, sizeof x);
    return CODEC_BIG_ENDIAN ? __builtin_bswap16(x) : x;
}

/* Stores two decoded values with one 64-bit store. Scalar decoding is bound
 * by stores (about one per cycle on common x86-64 cores); pairing them made
 * 128-value blocks 10-15% faster. */
static inline void store_pair(uint32_t *out, uint64_t lo, uint64_t hi)
{
    uint64_t both = CODEC_BIG_ENDIAN ? lo << 32 | hi : lo | hi << 32;
    memcpy(out, &both, sizeof both);
}

/* Unpacks 64 values of constant width w (1..32) from exactly w little-endian
 * 64-bit words. Inlined into one copy per width with the loop unrolled, so
 * every word index, shift and straddle test is a compile-time constant and
 * each value costs a shift and a mask. `restrict` matters: uint8_t is a
 * character type, so without it every store to out would force the words to
 * be loaded again. */
static inline __attribute__((always_inline)) void unpack64(uint32_t *restrict out,
                                                           const uint8_t *restrict in,
                                                           const unsigned w)
{
    if (w == 8 || w == 16) { /* a widening copy, which compilers vectorize: 3-4x faster */
        for (unsigned i = 0; i < 64; i++)
            out[i] = w == 8 ? in[i] : load_half(in + 2 * i);
        return;
    }
    const uint64_t mask = ((uint64_t)1 << w) - 1;
#pragma GCC unroll 32
    for (unsigned i = 0; i < 64; i += 2) {
        uint64_t pair[2];
#pragma GCC unroll 2
        for (unsigned j = 0; j < 2; j++) {
            unsigned bit = (i + j) * w, k = bit / 64, shift = bit % 64;
            uint64_t x = load_u64le(in + 8 * k) >> shift;
            if (shift + w > 64) /* straddles two words */
                x |= load_u64le(in + 8 * (k + 1)) << (64 - shift);
            pair[j] = x & mask;
        }
        store_pair(out + i, pair[0], pair[1]);
    }
}

/* X(w) for every width of a routine family: one list for each family's
 * definitions and its table. */
#define WIDTHS_1_24(X)                                                                      \
    X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16)   \
    X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24)
#define WIDTHS_1_32(X) WIDTHS_1_24(X) X(25) X(26) X(27) X(28) X(29) X(30) X(31) X(32)

#define UNPACK64_FN(w)                                                        \
    static void unpack64_w##w(uint32_t *restrict out, const uint8_t *restrict in) \
    {                                                                         \
        unpack64(out, in, w);                                                 \
    }
WIDTHS_1_32(UNPACK64_FN)
#undef UNPACK64_FN

typedef void (*unpack64_fn)(uint32_t *restrict out, const uint8_t *restrict in);
#define ENTRY(w) [w] = unpack64_w##w,
static const unpack64_fn unpack64_by_width[33] = {WIDTHS_1_32(ENTRY)};
#undef ENTRY

#if defined(__SSE2__)
/* Four doc gaps (each minus 1) to ids: plus one, the lane shifted by one
 * then by two added, and the carry of the previous four; the new carry is
 * the last lane, broadcast. prefix_sum_plus1's step and unpack_lanes'. */
static inline __attribute__((always_inline)) __m128i ids4(__m128i gaps, __m128i *carry)
{
    __m128i x = _mm_add_epi32(gaps, _mm_set1_epi32(1));
    x = _mm_add_epi32(x, _mm_slli_si128(x, 4));
    x = _mm_add_epi32(x, _mm_slli_si128(x, 8));
    x = _mm_add_epi32(x, *carry);
    *carry = _mm_shuffle_epi32(x, 0xFF);
    return x;
}
#endif

/* Value r (< BITPACK_LANE_GROUP) of one group in lanes of width w, read
 * alone: lane r % 4, at bit (r / 4) * w of the lane's words. */
static inline uint32_t lane_get(const uint8_t *group, unsigned r, unsigned w)
{
    unsigned l = r % 4, bit = r / 4 * w, k = bit / 32, shift = bit % 32;
    uint64_t x = load_u32le(group + 16 * k + 4 * l) >> shift;
    if (shift + w > 32) /* straddles two words of the lane */
        x |= (uint64_t)load_u32le(group + 16 * (k + 1) + 4 * l) << (32 - shift);
    return (uint32_t)x & low_mask(w);
}

/* Unpacks one group in lanes (encode_lanes) of constant width w (1..32):
 * slot s of the four lanes is values 4s..4s+3, in order, so each step is a
 * shift, a mask (and for a value straddling two words a second shift and an
 * or) of four values at once, and one store. */
static inline __attribute__((always_inline)) void unpack_lanes(uint32_t *restrict out,
                                                               const uint8_t *restrict in,
                                                               const unsigned w, const int ids,
                                                               uint32_t base)
{
#if defined(__SSE2__)
    const __m128i mask = _mm_set1_epi32((int)low_mask(w));
    __m128i carry = _mm_set1_epi32((int)base);
#pragma GCC unroll 32
    for (unsigned s = 0; s < BITPACK_LANE_GROUP / 4; s++) {
        const unsigned bit = s * w, k = bit / 32, shift = bit % 32;
        __m128i x = _mm_srli_epi32(_mm_loadu_si128((const __m128i *)(in + 16 * k)), (int)shift);
        if (shift + w > 32)
            x = _mm_or_si128(x, _mm_slli_epi32(_mm_loadu_si128((const __m128i *)(in + 16 * (k + 1))),
                                               (int)(32 - shift)));
        if (w < 32)
            x = _mm_and_si128(x, mask);
        if (ids)
            x = ids4(x, &carry);
        _mm_storeu_si128((__m128i *)(out + 4 * s), x);
    }
#else
    for (unsigned r = 0; r < BITPACK_LANE_GROUP; r++) {
        uint32_t x = lane_get(in, r, w);
        out[r] = ids ? (base += x + 1) : x;
    }
#endif
}

#define UNPACK_LANES_FN(w)                                                            \
    static void unpack_lanes_w##w(uint32_t *restrict out, const uint8_t *restrict in) \
    {                                                                                 \
        unpack_lanes(out, in, w, 0, 0);                                               \
    }
WIDTHS_1_32(UNPACK_LANES_FN)
#undef UNPACK_LANES_FN

/* unpack_lanes of doc gaps straight to ids, for the widths whose sums fit
 * (prefix_fits32): one pass instead of an unpack and a prefix sum. */
typedef void (*unpack_ids_fn)(uint32_t *restrict out, const uint8_t *restrict in, uint32_t base);
#define UNPACK_IDS_FN(w)                                                                         \
    static void unpack_ids_w##w(uint32_t *restrict out, const uint8_t *restrict in, uint32_t base) \
    {                                                                                            \
        unpack_lanes(out, in, w, 1, base);                                                       \
    }
WIDTHS_1_24(UNPACK_IDS_FN)
#undef UNPACK_IDS_FN
#define ENTRY(w) [w] = unpack_ids_w##w,
static const unpack_ids_fn unpack_ids_by_width[25] = {WIDTHS_1_24(ENTRY)};
#undef ENTRY

#define ENTRY(w) [w] = unpack_lanes_w##w,
static const unpack64_fn unpack_lanes_by_width[33] = {WIDTHS_1_32(ENTRY)};
#undef ENTRY

/* Any n, starting on a byte boundary. Tails matter too: a term's last block
 * holds fewer than B values, and most terms are rare, so most of their
 * postings are tails. A value of up to 32 bits at bit offset 0..7 lies within
 * 8 bytes, so each value whose 8-byte window ends inside in[0..len) (len
 * >= bitpack_bytes(n, width): the run, and any readable bytes after it) is
 * one unaligned load; the last few values take bytes one at a time, so no
 * byte past len is read. */
static void unpack_tail(uint32_t *out, const uint8_t *in, size_t n, unsigned width, size_t len)
{
    uint32_t mask = low_mask(width);
    /* value i's 8-byte window ends inside len while i * width / 8 + 8 <= len */
    size_t fast = len < 8 ? 0 : ((len - 8) * 8 + 7) / width + 1, i = 0, bit = 0;
    if (fast > n)
        fast = n;
#pragma GCC unroll 4
    for (; i < fast; i++, bit += width)
        out[i] = (uint32_t)(load_u64le(in + bit / 8) >> (bit % 8)) & mask;
    if (i == n)
        return;
    in += bit / 8; /* bits are left, so this byte exists */
    uint64_t acc = *in++ >> (bit % 8);
    unsigned n_acc = 8 - (unsigned)(bit % 8); /* below width (<= 32) before each refill */
    for (; i < n; i++) {
        while (n_acc < width) {
            acc |= (uint64_t)*in++ << n_acc;
            n_acc += 8;
        }
        out[i] = (uint32_t)acc & mask;
        acc >>= width;
        n_acc -= width;
    }
}

void bitpack_get_range(uint32_t *out, const uint8_t *in, size_t n, size_t lo, size_t hi,
                       unsigned width)
{
    if (width == 0 || width > 32 || hi > n) {
        for (size_t q = lo; q < hi; q++)
            out[q - lo] = 0;
        return;
    }
    if (bitpack_in_lanes(n)) {
        for (size_t q = lo; q < hi; q++)
            out[q - lo] = lane_get(in + q / BITPACK_LANE_GROUP * 16 * width,
                                   (unsigned)(q % BITPACK_LANE_GROUP), width);
        return;
    }
    size_t len = bitpack_bytes(n, width);
    for (size_t q = lo; q < hi; q++) {
        size_t bit = q * width, at = bit / 8;
        uint64_t x = 0;
        if (at + 8 <= len) {
            x = load_u64le(in + at);
        } else {
            for (size_t k = 0; k < 8 && at + k < len; k++)
                x |= (uint64_t)in[at + k] << (8 * k);
        }
        out[q - lo] = (uint32_t)(x >> (bit % 8)) & low_mask(width);
    }
}

uint32_t bitpack_get(const uint8_t *in, size_t n, size_t i, unsigned width)
{
    uint32_t v = 0;
    if (i < n)
        bitpack_get_range(&v, in, n, i, i + 1, width);
    return v;
}

/* Values in groups of 64 (not in lanes), width 1..32, of which `readable`
 * bytes at in may be read: where 8 bytes past the last value's first byte
 * can be, every value is one unaligned load (a compact loop: a block not in
 * lanes is a term's last, and an unrolled routine per width made a query's
 * code several kilobytes larger); else unrolled groups of 64 and a tail. */
static void unpack_groups(uint32_t *out, const uint8_t *in, size_t n, unsigned width,
                          size_t readable)
{
    if (readable >= bitpack_bytes(n, width) + 8) { /* every value one unaligned load */
        unpack_tail(out, in, n, width, readable);
        return;
    }
    unpack64_fn fn = unpack64_by_width[width];
    size_t group_len = 8 * (size_t)width; /* bytes per 64 values */
    for (; n >= 64; n -= 64) {
        fn(out, in);
        out += 64;
        in += group_len;
    }
    if (n)
        unpack_tail(out, in, n, width, bitpack_bytes(n, width));
}

void bitpack_decode(uint32_t *out, const uint8_t *in, size_t n, unsigned width)
{
    if (width == 0 || width > 32) { /* > 32 is a caller bug; decode as zeros */
        memset(out, 0, n * sizeof *out);
        return;
    }
    if (bitpack_in_lanes(n)) {
        unpack64_fn fn = unpack_lanes_by_width[width];
        for (; n > 0; n -= BITPACK_LANE_GROUP) {
            fn(out, in);
            out += BITPACK_LANE_GROUP;
            in += 16 * (size_t)width;
        }
        return;
    }
    unpack_groups(out, in, n, width, bitpack_bytes(n, width));
}

int packed_put(buf *b, const uint32_t *v, size_t n, unsigned width)
{
    size_t len = bitpack_bytes(n, width);
    int rc = buf_reserve(b, len);
    if (rc)
        return rc;
    bitpack_encode((uint8_t *)b->data + b->len, v, n, width);
    b->len += len;
    b->data[b->len] = '\0'; /* buf's invariant */
    return 0;
}

int block_put(buf *b, const uint32_t *v, size_t n)
{
    unsigned width = bitpack_width(v, n);
    int rc = put_u8(b, (uint8_t)width);
    return rc ? rc : packed_put(b, v, n, width);
}

/* The packed bytes of a block of n values, its width in *width; NULL when
 * the block is malformed (c is then bad and left where it was, and out[0..n)
 * zeroed, *width 32). cur_block's and cur_block_ids' reading. */
static const uint8_t *block_bytes(cursor *c, uint32_t *out, size_t n, unsigned *width)
{
    const uint8_t *start = c->p;
    *width = cur_u8(c);
    const uint8_t *packed = NULL;
    if (*width > 32)
        c->bad = 1;
    else
        packed = cur_bytes(c, bitpack_bytes(n, *width));
    if (!packed) {
        if (c->bad)
            c->p = start;
        memset(out, 0, n * sizeof *out);
        *width = 32;
    }
    return packed;
}

/* bitpack_decode of a block's packed bytes, with the slack after them. */
static void decode_in(uint32_t *out, const uint8_t *packed, const cursor *c, size_t n,
                      unsigned width, size_t slack)
{
    if (width == 0 || bitpack_in_lanes(n)) {
        bitpack_decode(out, packed, n, width);
        return;
    }
    /* readable: the rest of the cursor's bytes (the block's end), then the slack */
    unpack_groups(out, packed, n, width, (size_t)(c->end - packed) + slack);
}

unsigned cur_block(cursor *c, uint32_t *out, size_t n)
{
    return cur_block_in(c, out, n, 0);
}

unsigned cur_block_in(cursor *c, uint32_t *out, size_t n, size_t slack)
{
    unsigned width;
    const uint8_t *packed = block_bytes(c, out, n, &width);
    if (packed)
        decode_in(out, packed, c, n, width, slack);
    return width;
}

unsigned cur_block_ids(cursor *c, uint32_t *out, size_t n, uint32_t base, size_t slack)
{
    unsigned width;
    const uint8_t *packed = block_bytes(c, out, n, &width);
    if (!packed)
        return width;
    if (n == BITPACK_LANE_GROUP && width >= 1 && prefix_fits32(width, n)) {
        _Static_assert(sizeof unpack_ids_by_width / sizeof unpack_ids_by_width[0] == 25,
                       "a routine for every width prefix_fits32 allows");
        unpack_ids_by_width[width](out, packed, base);
        return width;
    }
    decode_in(out, packed, c, n, width, slack);
    if (prefix_fits32(width, n))
        prefix_sum_plus1(out, out, n, base);
    return width;
}

/* --- gaps to values ------------------------------------------------------------ */

/* The sum runs four lanes at a time where SSE2 is there (every x86-64, ids4).
 * About three instructions a value instead of four and a half: every
 * doc-id block a query decodes is summed. */
void prefix_sum_plus1(uint32_t *out, const uint32_t *in, size_t n, uint32_t base)
{
    size_t j = 0;
#if defined(__SSE2__)
    __m128i carry = _mm_set1_epi32((int)base);
    for (; j + 4 <= n; j += 4)
        _mm_storeu_si128((__m128i *)(out + j), ids4(_mm_loadu_si128((const __m128i *)(in + j)), &carry));
    base = (uint32_t)_mm_cvtsi128_si32(carry);
#endif
    for (; j < n; j++)
        out[j] = base += in[j] + 1;
}
