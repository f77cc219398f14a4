/* fuzz_codec.c - fuzz target for the integer codecs of the format
 * (common/codec.c): varints, fixed-width reads through the bounded cursor,
 * bit-packed blocks, and postings and positions laid out as FORMAT.md says.
 *
 * The first byte picks a mode; the rest is its material.
 *   0  varints: fuzz-derived u64s of every magnitude, vint_put then cur_vint
 *      (and cur_vint32) must give them back and end exactly at the end.
 *   1  packed blocks: n values of a chosen width, block_put then cur_block
 *      must give them back; bitpack_encode must equal a bit-by-bit reference.
 *   2  postings: doc ids, frequencies and positions of one term cut into
 *      blocks of B (FORMAT.md, "Postings", "Positions") and decoded back.
 *   3+ hostile bytes: a script of cursor reads over the input, and raw
 *      bitpack_decode of as many values as the bytes hold.
 *
 * Oracle: never crashes, hangs or reads outside its input (the bytes are
 * decoded from a heap block of exactly their size, so AddressSanitizer sees
 * one byte too far); round trips are identical; a cursor never moves past
 * its end, a failed read sets `bad`, leaves the cursor where the read began
 * and yields 0 (a block: all zeros); whatever decodes successfully equals a
 * straightforward bit-by-bit reference decoder. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "fuzz.h"

#define MAX_VALUES 1024

/* Value i of n packed values of `width` bits, one bit at a time, by the
 * layout of codec.h: LSB-first, except a positive multiple of 128 values,
 * which is groups of 128 in four interleaved lanes of u32 words. */
static uint32_t ref_get(const uint8_t *in, size_t n, size_t i, unsigned width)
{
    uint64_t v = 0;
    for (unsigned b = 0; b < width; b++) {
        size_t bit = i * width + b;
        if (n > 0 && n % 128 == 0) {
            size_t r = i % 128, lane_bit = r / 4 * width + b;
            bit = 8 * (i / 128 * 16 * width + 4 * (4 * (lane_bit / 32) + r % 4)) + lane_bit % 32;
        }
        v |= (uint64_t)((in[bit / 8] >> (bit % 8)) & 1u) << b;
    }
    return (uint32_t)v;
}

static uint8_t *exact_copy(const void *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    FUZZ_CHECK(c != NULL, "out of memory");
    if (n)
        memcpy(c, p, n);
    return c;
}

/* A fuzz-derived u32 of at most `width` bits, often much smaller. */
static uint32_t value_of_width(fuzz_src *s, unsigned width)
{
    uint32_t v = fuzz_u32(s);
    unsigned w = width;
    uint8_t shrink = fuzz_u8(s);
    if (shrink & 1) /* not every value uses the whole width */
        w = width ? shrink / 2 % (width + 1) : 0;
    return w >= 32 ? v : v & (((uint32_t)1 << w) - 1);
}

static void mode_varints(fuzz_src *s)
{
    uint64_t v[MAX_VALUES];
    size_t n = 0;
    buf b = {0};
    while (fuzz_left(s) > 0 && n < MAX_VALUES) {
        uint8_t shift = fuzz_u8(s);
        v[n] = fuzz_u64(s) >> (shift % 64);
        uint8_t enc[VINT_MAX_BYTES];
        size_t len = vint_encode(enc, v[n]);
        size_t bits = v[n] ? 64 - (size_t)__builtin_clzll(v[n]) : 1;
        FUZZ_CHECK(len == (bits + 6) / 7, "vint of %llu took %zu bytes",
                   (unsigned long long)v[n], len);
        FUZZ_CHECK(vint_put(&b, v[n]) == 0, "vint_put failed");
        n++;
    }
    uint8_t *bytes = exact_copy(b.data, b.len);
    cursor c = cursor_make(bytes, b.len), c32 = c;
    for (size_t i = 0; i < n; i++) {
        uint64_t got = cur_vint(&c);
        FUZZ_CHECK(!c.bad && got == v[i], "varint %zu: wrote %llu, read %llu (bad %d)", i,
                   (unsigned long long)v[i], (unsigned long long)got, c.bad);
        /* cur_vint32 refuses exactly the values above 32 bits. */
        const uint8_t *before = c32.p;
        uint32_t got32 = cur_vint32(&c32);
        if (v[i] > UINT32_MAX) {
            FUZZ_CHECK(c32.bad && got32 == 0 && c32.p == before,
                       "cur_vint32 accepted %llu", (unsigned long long)v[i]);
            c32 = cursor_make(c.p, (size_t)(bytes + b.len - c.p));
        } else {
            FUZZ_CHECK(!c32.bad && got32 == v[i], "cur_vint32 of %llu gave %u",
                       (unsigned long long)v[i], got32);
        }
    }
    FUZZ_CHECK(cursor_left(&c) == 0, "%zu bytes left after the varints", cursor_left(&c));
    free(bytes);
    buf_free(&b);
}

static void mode_blocks(fuzz_src *s)
{
    static uint32_t v[MAX_VALUES], got[MAX_VALUES];
    size_t n = 1 + (fuzz_u8(s) | (size_t)fuzz_u8(s) << 8) % MAX_VALUES;
    unsigned width = fuzz_u8(s) % 33;
    for (size_t i = 0; i < n; i++)
        v[i] = value_of_width(s, width);

    unsigned w = bitpack_width(v, n);
    FUZZ_CHECK(w <= width, "width %u of values of at most %u bits", w, width);
    uint32_t all = 0;
    for (size_t i = 0; i < n; i++)
        all |= v[i];
    FUZZ_CHECK(w == 32 || (all >> w) == 0, "width %u too small", w);
    FUZZ_CHECK(w == 0 || (all >> (w - 1)) != 0, "width %u too large", w);

    buf b = {0};
    FUZZ_CHECK(block_put(&b, v, n) == 0, "block_put failed");
    FUZZ_CHECK(b.len == 1 + bitpack_bytes(n, w) && (uint8_t)b.data[0] == w,
               "block of %zu values of width %u is %zu bytes", n, w, b.len);
    uint8_t *bytes = exact_copy(b.data, b.len);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(ref_get(bytes + 1, n, i, w) == v[i], "value %zu packed as %u, not %u", i,
                   ref_get(bytes + 1, n, i, w), v[i]);
    /* Bits past the last value are zero: the packing is canonical. */
    size_t used = n * w;
    if (used % 8)
        FUZZ_CHECK((bytes[1 + used / 8] >> (used % 8)) == 0, "padding bits set");

    cursor c = cursor_make(bytes, b.len);
    cur_block(&c, got, n);
    FUZZ_CHECK(!c.bad && cursor_left(&c) == 0, "cur_block: bad %d, %zu left", c.bad,
               cursor_left(&c));
    FUZZ_CHECK(memcmp(got, v, n * sizeof *v) == 0, "cur_block round trip differs");

    /* One byte short is refused, and the cursor stays put. */
    cursor shortc = cursor_make(bytes, b.len - 1);
    got[0] = 1;
    cur_block(&shortc, got, n);
    FUZZ_CHECK(shortc.bad && shortc.p == bytes && got[0] == 0,
               "a truncated block of width %u was accepted", w);
    free(bytes);
    buf_free(&b);
}

/* One term's postings, as FORMAT.md lays them out per block of B documents:
 * a packed block of doc gaps, a packed block of (tf - 1); positions of the
 * block's documents concatenated as gaps, cut into chunks of B values (the
 * last one holding the rest), the chunks' width bytes first, then each
 * chunk packed at its own width. A part of each chunk is also read alone
 * (bitpack_get_range), as a query reads one document's positions. */
static void mode_postings(fuzz_src *s)
{
    enum { MAX_DOCS = 512, MAX_POS = 4096 };
    static uint32_t doc[MAX_DOCS], tf[MAX_DOCS], pos[MAX_POS];
    static uint32_t gaps[MAX_DOCS], vals[MAX_POS], got[MAX_POS];
    size_t B = 1 + fuzz_u8(s) % 160;
    size_t df = 0, n_pos = 0;
    uint8_t scale = fuzz_u8(s);
    uint64_t d = 0;
    while (fuzz_left(s) > 0 && df < MAX_DOCS) {
        uint64_t next = (df ? d + 1 : 0) + (fuzz_u32(s) >> (scale % 32));
        if (next > UINT32_MAX)
            break;
        uint32_t f = 1 + fuzz_u8(s) % 8;
        if (n_pos + f > MAX_POS)
            break;
        d = next;
        doc[df] = (uint32_t)d;
        tf[df] = f;
        uint64_t p = 0;
        for (uint32_t k = 0; k < f; k++) {
            p = (k ? p + 1 : 0) + (fuzz_u8(s) >> (scale % 8));
            pos[n_pos++] = (uint32_t)p;
        }
        df++;
    }
    if (df == 0)
        return;

    buf b = {0};
    size_t pi = 0;
    for (size_t first = 0; first < df; first += B) {
        size_t n = df - first < B ? df - first : B;
        size_t nv = 0;
        for (size_t i = 0; i < n; i++) {
            size_t j = first + i;
            gaps[i] = doc[j] - (j ? doc[j - 1] + 1 : 0);
            for (uint32_t k = 0; k < tf[j]; k++, pi++)
                vals[nv++] = k ? pos[pi] - pos[pi - 1] - 1 : pos[pi];
        }
        FUZZ_CHECK(block_put(&b, gaps, n) == 0, "block_put");
        for (size_t i = 0; i < n; i++)
            gaps[i] = tf[first + i] - 1;
        FUZZ_CHECK(block_put(&b, gaps, n) == 0, "block_put");
        for (size_t k = 0; k < nv; k += B) {
            uint8_t w = (uint8_t)bitpack_width(vals + k, nv - k < B ? nv - k : B);
            FUZZ_CHECK(buf_append(&b, &w, 1) == 0, "buf_append");
        }
        for (size_t k = 0, j = b.len - (nv + B - 1) / B; k < nv; k += B, j++)
            FUZZ_CHECK(packed_put(&b, vals + k, nv - k < B ? nv - k : B, b.data[j]) == 0, "packed_put");
    }

    uint8_t *bytes = exact_copy(b.data, b.len);
    cursor c = cursor_make(bytes, b.len);
    uint32_t prev = 0;
    pi = 0;
    for (size_t first = 0; first < df; first += B) {
        size_t n = df - first < B ? df - first : B;
        uint32_t tfs[160];
        cur_block(&c, gaps, n);
        cur_block(&c, tfs, n);
        size_t nv = 0;
        for (size_t i = 0; i < n; i++) {
            size_t j = first + i;
            uint32_t dd = (j ? prev + 1 : 0) + gaps[i];
            FUZZ_CHECK(dd == doc[j] && tfs[i] + 1 == tf[j], "doc %zu: %u tf %u, wrote %u tf %u",
                       j, dd, tfs[i] + 1, doc[j], tf[j]);
            prev = dd;
            nv += tfs[i] + 1;
        }
        size_t n_chunks = (nv + B - 1) / B;
        const uint8_t *widths = cur_bytes(&c, n_chunks);
        FUZZ_CHECK(widths != NULL, "chunk widths of block at doc %zu", first);
        for (size_t k = 0, j = 0; k < nv; k += B, j++) {
            size_t cnt = nv - k < B ? nv - k : B;
            FUZZ_CHECK(widths[j] <= 32, "chunk width %u", widths[j]);
            const uint8_t *ch = cur_bytes(&c, bitpack_bytes(cnt, widths[j]));
            FUZZ_CHECK(ch != NULL, "chunk %zu of block at doc %zu", j, first);
            bitpack_decode(got + k, ch, cnt, widths[j]);
            size_t lo = cnt / 3, hi = cnt / 2 + 1;
            uint32_t part[160];
            bitpack_get_range(part, ch, cnt, lo, hi, widths[j]);
            FUZZ_CHECK(memcmp(part, got + k + lo, (hi - lo) * sizeof *part) == 0,
                       "values %zu..%zu of a chunk of %zu read alone differ", lo, hi, cnt);
        }
        FUZZ_CHECK(!c.bad, "positions of block at doc %zu", first);
        uint32_t p = 0;
        size_t v = 0;
        for (size_t i = 0; i < n; i++) {
            for (uint32_t t = 0; t < tf[first + i]; t++, v++, pi++) {
                p = t ? p + 1 + got[v] : got[v];
                FUZZ_CHECK(p == pos[pi], "position %zu: read %u, wrote %u", pi, p, pos[pi]);
            }
        }
    }
    FUZZ_CHECK(!c.bad && cursor_left(&c) == 0, "postings: bad %d, %zu bytes left", c.bad,
               cursor_left(&c));
    free(bytes);
    buf_free(&b);
}

static void mode_hostile(fuzz_src *s)
{
    static uint32_t out[MAX_VALUES];
    size_t n = 1 + fuzz_u8(s) % 300;
    size_t len = fuzz_left(s);
    uint8_t *bytes = exact_copy(s->p + s->pos, len);
    const uint8_t *end = bytes + len;

    /* A script of reads: each op byte is read through the cursor too. */
    cursor c = cursor_make(bytes, len);
    while (!c.bad && c.p < c.end) {
        unsigned op = cur_u8(&c) % 7;
        const uint8_t *at = c.p;
        uint64_t v = 1;
        switch (op) {
        case 0: {
            v = cur_vint(&c);
            if (!c.bad) {
                /* The reference: 7 bits per byte, at most 10 bytes, fits 64 bits. */
                size_t used = (size_t)(c.p - at);
                uint64_t r = 0;
                for (size_t i = 0; i < used; i++)
                    r |= (uint64_t)(at[i] & 0x7F) << (7 * i);
                FUZZ_CHECK(used >= 1 && used <= VINT_MAX_BYTES && r == v &&
                               (at[used - 1] & 0x80) == 0,
                           "varint of %zu bytes read as %llu", used, (unsigned long long)v);
                for (size_t i = 0; i + 1 < used; i++)
                    FUZZ_CHECK(at[i] & 0x80, "varint continued past a last byte");
            }
            break;
        }
        case 1:
            v = cur_vint32(&c);
            break;
        case 2: {
            out[0] = 1;
            cur_block(&c, out, n);
            if (c.bad) {
                for (size_t i = 0; i < n; i++)
                    FUZZ_CHECK(out[i] == 0, "failed block not zeroed at %zu", i);
            } else {
                unsigned w = at[0];
                FUZZ_CHECK(w <= 32 && (size_t)(c.p - at) == 1 + bitpack_bytes(n, w),
                           "block of width %u took %zu bytes", w, (size_t)(c.p - at));
                for (size_t i = 0; i < n; i++)
                    FUZZ_CHECK(out[i] == ref_get(at + 1, n, i, w), "value %zu of width %u", i, w);
            }
            break;
        }
        case 3:
            v = cur_u16le(&c);
            break;
        case 4:
            v = cur_u32le(&c);
            break;
        case 5:
            v = cur_u64le(&c);
            break;
        default: {
            size_t want = cur_u8(&c);
            at = c.p;
            const uint8_t *p = cur_bytes(&c, want);
            FUZZ_CHECK(c.bad ? p == NULL : p == at && c.p == at + want, "cur_bytes(%zu)", want);
            break;
        }
        }
        FUZZ_CHECK(c.p >= bytes && c.p <= end, "cursor outside its bytes");
        if (c.bad) {
            FUZZ_CHECK(c.p == at && cursor_left(&c) == 0 && (op == 2 || op == 6 || v == 0),
                       "failed op %u moved the cursor or returned a value", op);
            /* Sticky: nothing reads once bad. */
            FUZZ_CHECK(cur_vint(&c) == 0 && cur_u8(&c) == 0 && c.p == at, "bad not sticky");
        }
    }

    /* Raw decoding of as many values as the bytes hold, at a chosen width. */
    if (len > 0) {
        unsigned w = 1 + bytes[0] % 32;
        size_t cnt = (len - 1) * 8 / w;
        if (cnt > MAX_VALUES)
            cnt = MAX_VALUES;
        size_t nb = bitpack_bytes(cnt, w);
        uint8_t *packed = exact_copy(bytes + 1, nb);
        bitpack_decode(out, packed, cnt, w);
        for (size_t i = 0; i < cnt; i++)
            FUZZ_CHECK(out[i] == ref_get(packed, cnt, i, w), "bitpack_decode value %zu of width %u",
                       i, w);
        free(packed);
    }
    free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_src s = fuzz_src_make(data, size);
    switch (fuzz_u8(&s) % 4) {
    case 0: mode_varints(&s); break;
    case 1: mode_blocks(&s); break;
    case 2: mode_postings(&s); break;
    default: mode_hostile(&s); break;
    }
    return 0;
}
