/* test_codec.c - unit and seeded property tests for common/codec.h.
 *
 * Expected bytes come from the contract, not from running the code: unsigned
 * LEB128 (7 bits per byte, low group first, high bit = "more"), little-endian
 * fixed ints, and bit packing where bit b of value i is bit (i*w+b) % 8 of
 * byte (i*w+b) / 8. ref_pack/ref_unpack below implement that last sentence
 * bit by bit and serve as the oracle for the fast paths.
 *
 * Property tests draw from splitmix64 with a fixed seed; LEDE_SEED=<n>
 * overrides it, and a failing case prints the seed it ran with. */
#include "t.h"

#include <stdint.h>

#include "buf.h"
#include "codec.h"
#include "err.h"

/* ---- seeded randomness ---------------------------------------------------- */

#define DEFAULT_SEED 0x1ede5eedULL

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform-ish in [0, n). */
static uint64_t rng_below(uint64_t n)
{
    return n ? rng_next() % n : 0;
}

/* A value whose bit length is itself uniform in 0..64, so short and long
 * encodings are drawn equally often. */
static uint64_t rng_any_length(void)
{
    unsigned bits = (unsigned)rng_below(65);
    return bits == 0 ? 0 : rng_next() >> (64 - bits);
}

static uint64_t seed_start(void)
{
    const char *s = getenv("LEDE_SEED");
    uint64_t seed = s && *s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
    rng_state = seed;
    return seed;
}

static void seed_report(uint64_t seed)
{
    if (t_failed)
        fprintf(stderr, "  seed %" PRIu64 " (rerun with LEDE_SEED=%" PRIu64 ")\n", seed, seed);
}

/* ---- the reference bit packing, straight from the contract -------------- */

static uint32_t width_mask(unsigned w)
{
    return w >= 32 ? UINT32_MAX : ((uint32_t)1 << w) - 1;
}

/* Where bit b of value i of n packed values lies, as a bit index into the
 * bytes (bit % 8 of byte bit / 8). LSB-first: i * w + b. A positive multiple
 * of 128 values: groups of 128 (16 * w bytes each), value i of a group in
 * lane i % 4 at slot i / 4; lane bit slot * w + b is bit (lane bit % 32) of
 * the lane's word (lane bit / 32), and word k of lane l is the group's
 * (4k + l)-th little-endian u32. */
static size_t ref_bit(size_t n, size_t i, unsigned w, unsigned b)
{
    if (n == 0 || n % 128 != 0)
        return i * w + b;
    size_t g = i / 128, r = i % 128, lane = r % 4, lane_bit = r / 4 * w + b;
    size_t word = 4 * (lane_bit / 32) + lane;
    return 8 * (g * 16 * w + 4 * word) + lane_bit % 32;
}

static void ref_pack(uint8_t *out, const uint32_t *v, size_t n, unsigned w)
{
    memset(out, 0, bitpack_bytes(n, w));
    for (size_t i = 0; i < n; i++)
        for (unsigned b = 0; b < w; b++)
            if (v[i] >> b & 1) {
                size_t bit = ref_bit(n, i, w, b);
                out[bit / 8] |= (uint8_t)(1u << (bit % 8));
            }
}

static void ref_unpack(uint32_t *out, const uint8_t *in, size_t n, unsigned w)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t x = 0;
        for (unsigned b = 0; b < w; b++) {
            size_t bit = ref_bit(n, i, w, b);
            x |= (uint32_t)(in[bit / 8] >> (bit % 8) & 1) << b;
        }
        out[i] = x;
    }
}

static int bytes_equal(const buf *b, const uint8_t *want, size_t len)
{
    return b->len == len && memcmp(b->data, want, len) == 0;
}

/* ---- varints: exact bytes -------------------------------------------------- */

TEST(test_codec__vint_encode_known_bytes)
{
    static const struct {
        uint64_t v;
        size_t len;
        uint8_t bytes[VINT_MAX_BYTES];
    } cases[] = {
        {0, 1, {0x00}},
        {1, 1, {0x01}},
        {127, 1, {0x7F}},
        {128, 2, {0x80, 0x01}},
        {300, 2, {0xAC, 0x02}},
        {16383, 2, {0xFF, 0x7F}},
        {16384, 3, {0x80, 0x80, 0x01}},
        {UINT32_MAX, 5, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F}},
        {(uint64_t)1 << 32, 5, {0x80, 0x80, 0x80, 0x80, 0x10}},
        {(uint64_t)1 << 63, 10, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
        {UINT64_MAX, 10, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[VINT_MAX_BYTES + 1];
        memset(out, 0xEE, sizeof out);
        size_t len = vint_encode(out, cases[i].v);
        if (len != cases[i].len || memcmp(out, cases[i].bytes, len) != 0)
            T_FAIL("vint_encode(%" PRIu64 ") gave %zu bytes, expected %zu", cases[i].v, len,
                   cases[i].len);
        CHECK_INT(out[len], 0xEE); /* wrote nothing past its count */

        buf b = {0};
        REQUIRE(vint_put(&b, cases[i].v) == 0);
        if (!bytes_equal(&b, cases[i].bytes, cases[i].len))
            T_FAIL("vint_put(%" PRIu64 ") bytes differ", cases[i].v);

        cursor c = cursor_make(cases[i].bytes, cases[i].len);
        uint64_t got = cur_vint(&c);
        if (got != cases[i].v || c.bad || cursor_left(&c) != 0)
            T_FAIL("cur_vint of %" PRIu64 " gave %" PRIu64 " bad=%d left=%zu", cases[i].v, got,
                   c.bad, cursor_left(&c));
        buf_free(&b);
    }
}

TEST(test_codec__vint_reads_one_at_a_time)
{
    /* 300, 0, 127, 128 back to back, then a trailing byte left unread. */
    static const uint8_t in[] = {0xAC, 0x02, 0x00, 0x7F, 0x80, 0x01, 0x55};
    cursor c = cursor_make(in, sizeof in);
    CHECK_INT(cur_vint(&c), 300);
    CHECK_INT(cursor_left(&c), 5);
    CHECK_INT(cur_vint(&c), 0);
    CHECK_INT(cur_vint32(&c), 127);
    CHECK_INT(cur_vint32(&c), 128);
    CHECK_INT(cursor_left(&c), 1);
    CHECK_INT(cur_u8(&c), 0x55);
    CHECK(!c.bad);
    CHECK_INT(cursor_left(&c), 0);
}

TEST(test_codec__vint_non_minimal_accepted)
{
    /* The contract asks for at most 10 bytes and a value that fits 64 bits,
     * not the shortest form: a padded zero still reads as zero. */
    static const uint8_t in[] = {0x80, 0x00, 0x81, 0x80, 0x00};
    cursor c = cursor_make(in, sizeof in);
    CHECK_INT(cur_vint(&c), 0);
    CHECK_INT(cur_vint(&c), 1);
    CHECK(!c.bad);
    CHECK_INT(cursor_left(&c), 0);
}

/* ---- varints: malformed input ------------------------------------------- */

/* Expects cur_vint (or cur_vint32 when is32) on in[0..len) to fail: returns
 * 0, sets bad, leaves no bytes readable, and later reads return 0 without
 * moving the cursor. */
static void expect_bad_vint(const char *what, const uint8_t *in, size_t len, int is32)
{
    cursor c = cursor_make(in, len);
    uint64_t v = is32 ? cur_vint32(&c) : cur_vint(&c);
    if (v != 0 || !c.bad)
        T_FAIL("%s: got %" PRIu64 ", bad=%d; expected 0, bad", what, v, c.bad);
    CHECK_INT(cursor_left(&c), 0);
    const uint8_t *p = c.p;
    CHECK_INT(cur_vint(&c), 0);
    CHECK_INT(cur_u8(&c), 0);
    CHECK(c.p == p);
    CHECK(c.bad);
}

TEST(test_codec__vint_malformed)
{
    static const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                     0x80, 0x80, 0x80, 0x80, 0x00};
    expect_bad_vint("11 bytes", eleven, sizeof eleven, 0);
    static const uint8_t tenth_2[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                      0xFF, 0xFF, 0xFF, 0xFF, 0x02};
    expect_bad_vint("10th byte 0x02 (2^64)", tenth_2, sizeof tenth_2, 0);
    static const uint8_t tenth_7f[] = {0x80, 0x80, 0x80, 0x80, 0x80,
                                       0x80, 0x80, 0x80, 0x80, 0x7F};
    expect_bad_vint("10th byte 0x7F", tenth_7f, sizeof tenth_7f, 0);
    static const uint8_t tenth_cont[] = {0x80, 0x80, 0x80, 0x80, 0x80,
                                         0x80, 0x80, 0x80, 0x80, 0x81, 0x00};
    expect_bad_vint("10th byte continues", tenth_cont, sizeof tenth_cont, 0);
    static const uint8_t cont_only[] = {0x80};
    expect_bad_vint("truncated after 1", cont_only, sizeof cont_only, 0);
    static const uint8_t trunc9[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    expect_bad_vint("truncated after 9", trunc9, sizeof trunc9, 0);
    expect_bad_vint("empty", eleven, 0, 0);

    /* The largest legal 10th byte, and a legal 10th byte of 0. */
    static const uint8_t max[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
    cursor c = cursor_make(max, sizeof max);
    CHECK(cur_vint(&c) == UINT64_MAX);
    CHECK(!c.bad);
    static const uint8_t ten_zero[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
    c = cursor_make(ten_zero, sizeof ten_zero);
    CHECK(cur_vint(&c) == UINT64_MAX >> 1);
    CHECK(!c.bad);
    CHECK_INT(cursor_left(&c), 0);

    /* Every strict prefix of a valid multi-byte varint is truncated. */
    for (size_t len = 0; len < sizeof max; len++)
        expect_bad_vint("prefix of UINT64_MAX", max, len, 0);
}

TEST(test_codec__vint32_range)
{
    static const uint8_t max32[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
    cursor c = cursor_make(max32, sizeof max32);
    CHECK(cur_vint32(&c) == UINT32_MAX);
    CHECK(!c.bad);
    CHECK_INT(cursor_left(&c), 0);

    static const uint8_t two32[] = {0x80, 0x80, 0x80, 0x80, 0x10};
    expect_bad_vint("2^32 as vint32", two32, sizeof two32, 1);
    static const uint8_t big[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
    expect_bad_vint("UINT64_MAX as vint32", big, sizeof big, 1);
    expect_bad_vint("truncated vint32", max32, 4, 1);
    static const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                     0x80, 0x80, 0x80, 0x80, 0x00};
    expect_bad_vint("11-byte vint32", eleven, sizeof eleven, 1);
}

TEST(test_codec__vint_roundtrip_prop)
{
    uint64_t seed = seed_start();
    enum { N = 20000 };
    static uint64_t vals[N];
    buf b = {0};
    size_t want_len = 0;
    for (size_t i = 0; i < N; i++) {
        uint64_t v = rng_any_length();
        if (i < 8) { /* the edges first */
            static const uint64_t edge[] = {0, 127, 128, UINT32_MAX, (uint64_t)UINT32_MAX + 1,
                                            (uint64_t)1 << 63, UINT64_MAX, 300};
            v = edge[i];
        }
        vals[i] = v;
        unsigned bits = v ? 64 - (unsigned)__builtin_clzll(v) : 1;
        want_len += (bits + 6) / 7;
        if (vint_put(&b, v) != 0) {
            T_FAIL("vint_put failed");
            goto cleanup;
        }
    }
    CHECK_INT(b.len, want_len);
    cursor c = cursor_make(b.data, b.len);
    cursor c32 = cursor_make(b.data, b.len);
    for (size_t i = 0; i < N; i++) {
        uint64_t got = cur_vint(&c);
        if (got != vals[i] || c.bad) {
            T_FAIL("value %zu: wrote %" PRIu64 ", read %" PRIu64 " (bad=%d)", i, vals[i], got, c.bad);
            goto cleanup;
        }
        /* The same stream through cur_vint32 until the first wide value. */
        if (!c32.bad) {
            const uint8_t *before = c32.p;
            uint32_t g32 = cur_vint32(&c32);
            if (vals[i] > UINT32_MAX) {
                CHECK(c32.bad && g32 == 0 && c32.p == before);
            } else if (g32 != vals[i] || c32.bad) {
                T_FAIL("vint32 %zu: wrote %" PRIu64 ", read %" PRIu32, i, vals[i], g32);
                goto cleanup;
            }
        }
    }
    CHECK(!c.bad);
    CHECK_INT(cursor_left(&c), 0);
cleanup:
    buf_free(&b);
    seed_report(seed);
}

/* ---- fixed-width little-endian ------------------------------------------- */

TEST(test_codec__fixed_known_bytes)
{
    buf b = {0};
    REQUIRE(put_u8(&b, 0xA5) == 0);
    REQUIRE(put_u16le(&b, 0x1234) == 0);
    REQUIRE(put_u32le(&b, 0x12345678) == 0);
    REQUIRE(put_u64le(&b, 0x0102030405060708ULL) == 0);
    static const uint8_t want[] = {0xA5, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0x08,
                                   0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
    CHECK(bytes_equal(&b, want, sizeof want));

    cursor c = cursor_make(b.data, b.len);
    CHECK_INT(cur_u8(&c), 0xA5);
    CHECK_INT(cur_u16le(&c), 0x1234);
    CHECK(cur_u32le(&c) == 0x12345678);
    CHECK(cur_u64le(&c) == 0x0102030405060708ULL);
    CHECK(!c.bad);
    CHECK_INT(cursor_left(&c), 0);

    uint8_t raw[8];
    store_u32le(raw, 0xDEADBEEF);
    CHECK(raw[0] == 0xEF && raw[1] == 0xBE && raw[2] == 0xAD && raw[3] == 0xDE);
    CHECK(load_u32le(raw) == 0xDEADBEEF);
    store_u64le(raw, 0x8000000000000001ULL);
    CHECK(raw[0] == 0x01 && raw[7] == 0x80);
    CHECK(load_u64le(raw) == 0x8000000000000001ULL);
    buf_free(&b);
}

TEST(test_codec__fixed_roundtrip_prop)
{
    uint64_t seed = seed_start();
    enum { N = 2000 };
    static uint64_t vals[N];
    static unsigned kinds[N];
    buf b = {0};
    for (size_t i = 0; i < N; i++) {
        kinds[i] = (unsigned)rng_below(4);
        vals[i] = rng_next();
        if (i < 4) { /* extremes */
            kinds[i] = (unsigned)i;
            vals[i] = UINT64_MAX;
        }
        int rc = kinds[i] == 0 ? put_u8(&b, (uint8_t)vals[i])
                 : kinds[i] == 1 ? put_u16le(&b, (uint16_t)vals[i])
                 : kinds[i] == 2 ? put_u32le(&b, (uint32_t)vals[i])
                                 : put_u64le(&b, vals[i]);
        if (rc) {
            T_FAIL("put failed");
            goto cleanup;
        }
    }
    cursor c = cursor_make(b.data, b.len);
    for (size_t i = 0; i < N; i++) {
        uint64_t got, want;
        switch (kinds[i]) {
        case 0: got = cur_u8(&c), want = (uint8_t)vals[i]; break;
        case 1: got = cur_u16le(&c), want = (uint16_t)vals[i]; break;
        case 2: got = cur_u32le(&c), want = (uint32_t)vals[i]; break;
        default: got = cur_u64le(&c), want = vals[i]; break;
        }
        if (got != want || c.bad) {
            T_FAIL("item %zu (kind %u): wrote %" PRIu64 ", read %" PRIu64, i, kinds[i], want, got);
            goto cleanup;
        }
    }
    CHECK_INT(cursor_left(&c), 0);
cleanup:
    buf_free(&b);
    seed_report(seed);
}

/* ---- cursor bounds --------------------------------------------------------- */

TEST(test_codec__cursor_past_end)
{
    static const uint8_t in[] = {1, 2, 3, 4, 5, 6, 7};

    /* Each fixed read one byte short of its size fails without moving. */
    cursor c = cursor_make(in, 1);
    CHECK_INT(cur_u16le(&c), 0);
    CHECK(c.bad && c.p == in);
    c = cursor_make(in, 3);
    CHECK(cur_u32le(&c) == 0);
    CHECK(c.bad && c.p == in);
    c = cursor_make(in, 7);
    CHECK(cur_u64le(&c) == 0);
    CHECK(c.bad && c.p == in);
    c = cursor_make(in, 0);
    CHECK_INT(cur_u8(&c), 0);
    CHECK(c.bad);

    /* Exactly to the end is fine; one more byte is not. */
    c = cursor_make(in, sizeof in);
    CHECK(cur_bytes(&c, 0) == in);
    CHECK(cur_bytes(&c, 3) == in);
    CHECK(cur_u32le(&c) == 0x07060504);
    CHECK(!c.bad);
    CHECK_INT(cursor_left(&c), 0);
    CHECK(cur_bytes(&c, 0) == in + 7);
    CHECK(!c.bad);
    CHECK(cur_bytes(&c, 1) == NULL);
    CHECK(c.bad);

    /* Sticky: once bad, reads that would fit still return 0 and stay put. */
    c = cursor_make(in, sizeof in);
    CHECK_INT(cur_u8(&c), 1);
    CHECK(cur_bytes(&c, 100) == NULL);
    CHECK(c.bad && c.p == in + 1);
    CHECK_INT(cursor_left(&c), 0);
    CHECK_INT(cur_u8(&c), 0);
    CHECK_INT(cur_u16le(&c), 0);
    CHECK(cur_u32le(&c) == 0);
    CHECK(cur_u64le(&c) == 0);
    CHECK(cur_vint(&c) == 0);
    CHECK(cur_vint32(&c) == 0);
    CHECK(cur_bytes(&c, 0) == NULL);
    CHECK(cur_bytes(&c, 1) == NULL);
    CHECK(c.bad && c.p == in + 1);

    /* A huge length must not wrap the bounds check. */
    c = cursor_make(in, sizeof in);
    CHECK(cur_bytes(&c, SIZE_MAX) == NULL);
    CHECK(c.bad);
}

/* ---- bit packing: exact bytes ------------------------------------------------ */

TEST(test_codec__bitpack_width)
{
    static const uint32_t zeros[4] = {0};
    CHECK_INT(bitpack_width(zeros, 0), 0);
    CHECK_INT(bitpack_width(zeros, 4), 0);
    static const struct {
        uint32_t v;
        unsigned w;
    } cases[] = {{1, 1}, {2, 2}, {3, 2}, {4, 3}, {255, 8}, {256, 9},
                 {0x7FFFFFFF, 31}, {0x80000000u, 32}, {UINT32_MAX, 32}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t v[3] = {0, cases[i].v, 1};
        CHECK_INT(bitpack_width(v, 3), cases[i].w);
        CHECK_INT(bitpack_width(v + 1, 1), cases[i].w);
    }
    CHECK_INT(bitpack_bytes(0, 32), 0);
    CHECK_INT(bitpack_bytes(128, 0), 0);
    CHECK_INT(bitpack_bytes(1, 1), 1);
    CHECK_INT(bitpack_bytes(3, 3), 2);
    CHECK_INT(bitpack_bytes(128, 5), 80);
    CHECK_INT(bitpack_bytes(128, 32), 512);
    CHECK_INT(bitpack_bytes(129, 13), 210); /* 1677 bits */
}

/* Encodes v at width w and compares with want; then decodes want. */
static void check_packed(const char *what, const uint32_t *v, size_t n, unsigned w,
                         const uint8_t *want, const uint32_t *want_v)
{
    size_t len = bitpack_bytes(n, w);
    uint8_t out[16 * 32 + 1];
    uint32_t back[128 + 1];
    memset(out, 0xEE, sizeof out);
    bitpack_encode(out, v, n, w);
    if (memcmp(out, want, len) != 0)
        T_FAIL("%s: encoded bytes differ", what);
    if (out[len] != 0xEE)
        T_FAIL("%s: encoder wrote past byte %zu", what, len);
    back[n] = 0xDEADBEEF;
    bitpack_decode(back, want, n, w);
    if (memcmp(back, want_v, n * sizeof *back) != 0)
        T_FAIL("%s: decoded values differ", what);
    if (back[n] != 0xDEADBEEF)
        T_FAIL("%s: decoder wrote past value %zu", what, n);
}

TEST(test_codec__bitpack_known_bytes)
{
    /* LSB first: 1,2,3 at 2 bits are 01 10 11 from bit 0 -> 0b00111001. */
    static const uint32_t a[] = {1, 2, 3};
    static const uint8_t a_b[] = {0x39};
    check_packed("1,2,3 w2", a, 3, 2, a_b, a);
    /* 5,3 at 3 bits: 101 then 011 -> 0b00011101. */
    static const uint32_t b[] = {5, 3};
    static const uint8_t b_b[] = {0x1D};
    check_packed("5,3 w3", b, 2, 3, b_b, b);
    /* bit i = v[i] */
    static const uint32_t c[] = {1, 0, 1, 1, 0, 0, 0, 1};
    static const uint8_t c_b[] = {0x8D};
    check_packed("bits w1", c, 8, 1, c_b, c);
    /* 0x1FF,0 at 9 bits: nine ones, then nine zeros in 3 bytes. */
    static const uint32_t d[] = {0x1FF, 0};
    static const uint8_t d_b[] = {0xFF, 0x01, 0x00};
    check_packed("0x1FF,0 w9", d, 2, 9, d_b, d);
    static const uint32_t e[] = {0x12345678, 0xFFFFFFFF};
    static const uint8_t e_b[] = {0x78, 0x56, 0x34, 0x12, 0xFF, 0xFF, 0xFF, 0xFF};
    check_packed("w32", e, 2, 32, e_b, e);
    /* 4-bit nibbles, low nibble first. */
    static const uint32_t f[] = {0x1, 0x2, 0x3, 0x4, 0xF};
    static const uint8_t f_b[] = {0x21, 0x43, 0x0F};
    check_packed("nibbles w4", f, 5, 4, f_b, f);
    /* The encoder keeps only the low `width` bits. */
    static const uint32_t g[] = {0xFF, 0xFFFFFFF0};
    static const uint32_t g_low[] = {0xF, 0x0};
    static const uint8_t g_b[] = {0x0F};
    check_packed("masking w4", g, 2, 4, g_b, g_low);
    /* Width 0 takes no bytes and decodes as zeros. */
    static const uint32_t z[] = {0, 0, 0};
    check_packed("w0", z, 3, 0, g_b /* not read */, z);

    /* 64 values through the word path: alternating bits at width 1 are 0x55
     * bytes; 0..63 at width 6 checked against the bit-level reference. */
    uint32_t alt[64], seq[64], back[64];
    uint8_t want[48];
    for (size_t i = 0; i < 64; i++) {
        alt[i] = (i + 1) % 2;
        seq[i] = (uint32_t)i;
    }
    memset(want, 0x55, 8);
    check_packed("alternating w1 n64", alt, 64, 1, want, alt);
    ref_pack(want, seq, 64, 6);
    check_packed("0..63 w6 n64", seq, 64, 6, want, seq);
    ref_unpack(back, want, 64, 6);
    CHECK(memcmp(back, seq, sizeof seq) == 0); /* the oracle agrees with itself */

    /* 128 values are four lanes of u32 words, interleaved (codec.h). At
     * width 1, values 0, 4, 8, ... set are lane 0's word: bytes 0..3 all
     * ones, the other lanes' words zero. */
    uint32_t lane0[128], one5[128], big[128], back128[128];
    uint8_t want128[16 * 32];
    for (size_t i = 0; i < 128; i++) {
        lane0[i] = i % 4 == 0;
        one5[i] = i == 5 || i == 127;
        big[i] = (uint32_t)i * 0x01010101u;
    }
    memset(want128, 0, 16);
    memset(want128, 0xFF, 4);
    check_packed("lane 0 ones w1 n128", lane0, 128, 1, want128, lane0);
    /* value 5: lane 1, slot 1, bit 1 of the u32 at byte 4; value 127: lane
     * 3, slot 31, bit 31 of the u32 at byte 12 */
    memset(want128, 0, 16);
    want128[4] = 0x02;
    want128[15] = 0x80;
    check_packed("values 5 and 127 w1 n128", one5, 128, 1, want128, one5);
    /* width 32: the words are the values, lane by lane: word k of lane l is
     * value 4k + l, so the bytes are the values in order */
    for (size_t i = 0; i < 128; i++)
        store_u32le(want128 + 4 * i, big[i]);
    check_packed("w32 n128", big, 128, 32, want128, big);
    ref_unpack(back128, want128, 128, 32);
    CHECK(memcmp(back128, big, sizeof big) == 0);
}

/* ---- bit packing: properties ------------------------------------------------ */

enum { PAT_RANDOM, PAT_ZERO, PAT_EQUAL, PAT_MAX, PAT_NEAR_MAX, PAT_SMALL, PAT_COUNT };

static void fill(uint32_t *v, size_t n, unsigned w, int pattern)
{
    uint32_t mask = width_mask(w);
    uint32_t same = (uint32_t)rng_next() & mask;
    for (size_t i = 0; i < n; i++) {
        uint32_t x;
        switch (pattern) {
        case PAT_ZERO: x = 0; break;
        case PAT_EQUAL: x = same; break;
        case PAT_MAX: x = mask; break;
        case PAT_NEAR_MAX: x = mask - (uint32_t)(rng_below(4) & mask); break;
        case PAT_SMALL: x = (uint32_t)rng_below(2); break;
        default: x = (uint32_t)rng_next() & mask; break;
        }
        v[i] = x;
    }
}

/* Round trip of n values at width w through exactly sized heap buffers, so
 * ASan reports any byte read past bitpack_bytes(n, w) or any value written
 * past out[n). `misalign` puts the packed bytes at an odd address, as they
 * are in a stored block after its width byte. */
static int roundtrip_one(const uint32_t *v, size_t n, unsigned w, int misalign)
{
    size_t len = bitpack_bytes(n, w), pad = misalign ? 1 : 0;
    uint8_t *mem = malloc(pad + len ? pad + len : 1);
    uint8_t *ref = malloc(len + 1);
    uint32_t *out = malloc(n * sizeof *out);
    int ok = 0;
    if (!mem || !ref || !out) {
        T_FAIL("out of memory");
        goto cleanup;
    }
    uint8_t *packed = mem + pad; /* ends where the allocation ends */
    bitpack_encode(packed, v, n, w);
    ref_pack(ref, v, n, w);
    if (memcmp(packed, ref, len) != 0) {
        T_FAIL("n=%zu w=%u: encoded bytes differ from the reference", n, w);
        goto cleanup;
    }
    memset(out, 0xA5, n * sizeof *out);
    bitpack_decode(out, packed, n, w);
    uint32_t mask = width_mask(w);
    for (size_t i = 0; i < n; i++)
        if (out[i] != (v[i] & mask)) {
            T_FAIL("n=%zu w=%u misalign=%d: value %zu is %" PRIu32 ", expected %" PRIu32, n, w,
                   misalign, i, out[i], v[i] & mask);
            goto cleanup;
        }
    ok = 1;
cleanup:
    free(mem);
    free(ref);
    free(out);
    return ok;
}

TEST(test_codec__bitpack_roundtrip_prop)
{
    uint64_t seed = seed_start();
    static const size_t sizes[] = {1, 2, 3, 4, 7, 8, 63, 64, 65, 127, 128, 129, 192, 256, 300};
    uint32_t v[512];
    for (unsigned w = 0; w <= 32; w++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0] + 6; s++) {
            size_t n = s < sizeof sizes / sizeof sizes[0] ? sizes[s] : 1 + rng_below(512);
            for (int pat = 0; pat < PAT_COUNT; pat++) {
                fill(v, n, w, pat);
                if (!roundtrip_one(v, n, w, (int)(rng_next() & 1))) {
                    T_FAIL("pattern %d", pat);
                    goto done;
                }
            }
        }
    }
    /* Values with bits above the width are packed as their low bits. */
    for (unsigned w = 1; w < 32; w++) {
        for (size_t i = 0; i < 128; i++)
            v[i] = (uint32_t)rng_next();
        if (!roundtrip_one(v, 128, w, 0)) {
            T_FAIL("high bits set, w=%u", w);
            goto done;
        }
    }
done:
    seed_report(seed);
}

TEST(test_codec__bitpack_decode_exact_buffer)
{
    /* Decode-only, from bytes that were never produced by the encoder: any
     * bytes are a valid packing, and the reference says what they mean. The
     * buffer is exactly bitpack_bytes long, so ASan catches an overread. */
    uint64_t seed = seed_start();
    static const size_t sizes[] = {1, 5, 8, 63, 64, 65, 128, 129, 256};
    for (unsigned w = 0; w <= 32; w++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s], len = bitpack_bytes(n, w);
            uint8_t *in = malloc(len ? len : 1);
            uint32_t *out = malloc(n * sizeof *out), *want = malloc(n * sizeof *want);
            if (!in || !out || !want) {
                T_FAIL("out of memory");
            } else {
                for (size_t i = 0; i < len; i++)
                    in[i] = (uint8_t)rng_next();
                ref_unpack(want, in, n, w);
                bitpack_decode(out, in, n, w);
                if (memcmp(out, want, n * sizeof *out) != 0)
                    T_FAIL("decode of random bytes differs: n=%zu w=%u", n, w);
            }
            free(in);
            free(out);
            free(want);
        }
    seed_report(seed);
}

TEST(test_codec__bitpack_get_reads_one_value)
{
    /* Each value read alone equals the bit-by-bit reference, from a buffer
     * of exactly bitpack_bytes (ASan: no byte past it is read). */
    uint64_t seed = seed_start();
    static const size_t sizes[] = {1, 3, 8, 9, 64, 127, 128, 129, 256, 384};
    for (unsigned w = 0; w <= 32; w++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s], len = bitpack_bytes(n, w);
            uint8_t *in = malloc(len ? len : 1);
            uint32_t *want = malloc(n * sizeof *want);
            if (!in || !want) {
                T_FAIL("out of memory");
            } else {
                for (size_t i = 0; i < len; i++)
                    in[i] = (uint8_t)rng_next();
                ref_unpack(want, in, n, w);
                for (size_t i = 0; i < n; i++)
                    if (bitpack_get(in, n, i, w) != want[i]) {
                        T_FAIL("value %zu of %zu at width %u", i, n, w);
                        break;
                    }
            }
            free(in);
            free(want);
        }
    /* known: 5,3 at 3 bits are 0x1D */
    static const uint8_t b[] = {0x1D};
    CHECK_INT(bitpack_get(b, 2, 0, 3), 5);
    CHECK_INT(bitpack_get(b, 2, 1, 3), 3);
    CHECK_INT(bitpack_get(b, 2, 2, 3), 0); /* past n */
    seed_report(seed);
}

TEST(test_codec__bitpack_values_near_uint32_max)
{
    /* Doc ids near 2^32-1 as absolute values, and maximal gaps. */
    uint32_t v[129];
    for (size_t i = 0; i < 129; i++)
        v[i] = UINT32_MAX - (uint32_t)i;
    CHECK_INT(bitpack_width(v, 129), 32);
    CHECK(roundtrip_one(v, 129, 32, 1));
    CHECK(roundtrip_one(v, 128, 32, 0));
    for (size_t i = 0; i < 129; i++)
        v[i] = i % 2 ? UINT32_MAX : 0;
    CHECK(roundtrip_one(v, 129, 32, 0));
    for (size_t i = 0; i < 129; i++)
        v[i] = 0x80000000u | (uint32_t)i;
    CHECK(roundtrip_one(v, 127, 32, 1));
}

/* ---- stored blocks ------------------------------------------------------------ */

TEST(test_codec__block_known_bytes)
{
    buf b = {0};
    static const uint32_t a[] = {1, 2, 3};
    REQUIRE(block_put(&b, a, 3) == 0);
    static const uint8_t want_a[] = {0x02, 0x39};
    CHECK(bytes_equal(&b, want_a, sizeof want_a));
    CHECK_INT(b.data[b.len], '\0'); /* buf keeps its NUL */

    /* All zeros: only the width byte. */
    uint32_t zeros[128] = {0};
    buf_clear(&b);
    REQUIRE(block_put(&b, zeros, 128) == 0);
    static const uint8_t want_z[] = {0x00};
    CHECK(bytes_equal(&b, want_z, 1));

    /* One value of 2^32-1: width 32, four 0xFF. */
    uint32_t big = UINT32_MAX;
    buf_clear(&b);
    REQUIRE(block_put(&b, &big, 1) == 0);
    static const uint8_t want_big[] = {0x20, 0xFF, 0xFF, 0xFF, 0xFF};
    CHECK(bytes_equal(&b, want_big, sizeof want_big));

    cursor c = cursor_make(want_a, sizeof want_a);
    uint32_t out[3];
    cur_block(&c, out, 3);
    CHECK(!c.bad);
    CHECK(out[0] == 1 && out[1] == 2 && out[2] == 3);
    CHECK_INT(cursor_left(&c), 0);
    buf_free(&b);
}

TEST(test_codec__block_roundtrip_prop)
{
    /* A stream of blocks of mixed sizes, widths and patterns, each followed by
     * a varint, read back in order with one cursor. */
    uint64_t seed = seed_start();
    enum { N_BLOCKS = 300 };
    static uint32_t vals[N_BLOCKS][256];
    static size_t ns[N_BLOCKS];
    static uint64_t tags[N_BLOCKS];
    static const size_t sizes[] = {1, 4, 8, 127, 128, 129};
    buf b = {0};
    for (size_t k = 0; k < N_BLOCKS; k++) {
        size_t n = k % 2 ? sizes[rng_below(6)] : 1 + rng_below(256);
        unsigned w = (unsigned)rng_below(33);
        fill(vals[k], n, w, (int)rng_below(PAT_COUNT));
        ns[k] = n;
        tags[k] = rng_any_length();
        if (block_put(&b, vals[k], n) != 0 || vint_put(&b, tags[k]) != 0) {
            T_FAIL("append failed");
            goto cleanup;
        }
    }
    cursor c = cursor_make(b.data, b.len);
    uint32_t out[256];
    for (size_t k = 0; k < N_BLOCKS; k++) {
        const uint8_t *start = c.p;
        cur_block(&c, out, ns[k]);
        if (c.bad || memcmp(out, vals[k], ns[k] * sizeof *out) != 0) {
            T_FAIL("block %zu (n=%zu) differs (bad=%d)", k, ns[k], c.bad);
            goto cleanup;
        }
        unsigned w = bitpack_width(vals[k], ns[k]);
        CHECK_INT(start[0], w); /* stored width is the minimal one */
        CHECK_INT(c.p - start, 1 + bitpack_bytes(ns[k], w));
        if (cur_vint(&c) != tags[k]) {
            T_FAIL("tag after block %zu differs", k);
            goto cleanup;
        }
    }
    CHECK(!c.bad);
    CHECK_INT(cursor_left(&c), 0);
cleanup:
    buf_free(&b);
    seed_report(seed);
}

/* Expects cur_block(n) on in[0..len) to fail with out zeroed, the cursor
 * unmoved, and later reads returning 0. */
static void expect_bad_block(const char *what, const uint8_t *in, size_t len, size_t n)
{
    uint32_t out[256];
    memset(out, 0xA5, sizeof out);
    cursor c = cursor_make(in, len);
    cur_block(&c, out, n);
    if (!c.bad)
        T_FAIL("%s: not flagged bad", what);
    for (size_t i = 0; i < n; i++)
        if (out[i] != 0) {
            T_FAIL("%s: out[%zu] not zeroed", what, i);
            break;
        }
    CHECK_INT(out[n], 0xA5A5A5A5); /* nothing past n */
    CHECK(c.p == in);
    CHECK_INT(cursor_left(&c), 0);
    CHECK_INT(cur_u8(&c), 0);
}

TEST(test_codec__block_corrupt)
{
    uint8_t in[1 + 600]; /* more than 128 values of 33 bits would take */
    memset(in, 0xFF, sizeof in);

    in[0] = 33;
    expect_bad_block("width 33", in, sizeof in, 128);
    expect_bad_block("width 33, tiny block", in, sizeof in, 4);
    in[0] = 0xFF;
    expect_bad_block("width 255", in, sizeof in, 128);
    in[0] = 0x80;
    expect_bad_block("width 128", in, sizeof in, 4);
    expect_bad_block("empty", in, 0, 128);

    /* Truncated: width 5 needs 80 bytes for 128 values. */
    in[0] = 5;
    expect_bad_block("one byte short", in, 1 + 79, 128);
    expect_bad_block("width byte only", in, 1, 128);
    in[0] = 32;
    expect_bad_block("w32 one short", in, 1 + 511, 128);
    expect_bad_block("w32 tiny block short", in, 1 + 15, 4);

    /* Exactly enough is fine, and all-ones bytes at width 5 are 31s. */
    in[0] = 5;
    uint32_t out[128];
    cursor c = cursor_make(in, 1 + 80);
    cur_block(&c, out, 128);
    CHECK(!c.bad);
    CHECK_INT(out[0], 31);
    CHECK_INT(out[127], 31);
    CHECK_INT(cursor_left(&c), 0);

    /* Width 0 needs no bytes beyond the width byte. */
    in[0] = 0;
    c = cursor_make(in, 1);
    out[5] = 7;
    cur_block(&c, out, 128);
    CHECK(!c.bad);
    CHECK_INT(out[5], 0);

    /* A cursor already bad yields a zeroed block. */
    in[0] = 5;
    c = cursor_make(in, sizeof in);
    (void)cur_bytes(&c, sizeof in + 1);
    REQUIRE(c.bad);
    memset(out, 0xA5, sizeof out);
    cur_block(&c, out, 128);
    CHECK(c.bad);
    CHECK_INT(out[0], 0);
    CHECK_INT(out[127], 0);
}

/* ---- gaps to values ------------------------------------------------------------ */

TEST(test_codec__prefix_sum_plus1_matches_reference)
{
    /* Every length from 0 to 131 (the four-lane loop and its tail), in place
     * and not, bases near 0 and near 2^32 (the sum wraps modulo 2^32), gaps
     * of every bit length: equal to the sum done one value at a time in
     * 64 bits, reduced. */
    uint64_t seed = seed_start();
    uint32_t in[131], out[131], inplace[131];
    for (size_t n = 0; n <= 131; n++)
        for (int round = 0; round < 8; round++) {
            uint32_t base = round % 2 ? UINT32_MAX - (uint32_t)rng_below(300) : (uint32_t)rng_below(300);
            for (size_t j = 0; j < n; j++) {
                in[j] = (uint32_t)(rng_any_length() & UINT32_MAX);
                inplace[j] = in[j];
            }
            prefix_sum_plus1(out, in, n, base);
            prefix_sum_plus1(inplace, inplace, n, base);
            uint64_t acc = base;
            for (size_t j = 0; j < n; j++) {
                acc += (uint64_t)in[j] + 1;
                if (out[j] != (uint32_t)acc || inplace[j] != (uint32_t)acc) {
                    T_FAIL("n %zu, base %u: value %zu is %u (in place %u), want %u", n, base, j, out[j],
                           inplace[j], (uint32_t)acc);
                    break;
                }
            }
        }
    /* known: gaps 0, 0, 4 after 9 are 10, 11, 16 */
    uint32_t g[3] = {0, 0, 4};
    prefix_sum_plus1(g, g, 3, 9);
    CHECK_INT(g[0], 10);
    CHECK_INT(g[1], 11);
    CHECK_INT(g[2], 16);
    seed_report(seed);
}

/* cur_block_ids reads what block_put wrote: for widths whose sums fit
 * (prefix_fits32), the ids base + (g0 + 1) + ... summed one at a time in 64
 * bits; else the gaps. Sizes around and at the 128 of the one-pass path,
 * every width, bases near 0 and 2^32; a block one byte short is refused
 * with out zeroed, as cur_block does. */
TEST(test_codec__block_ids)
{
    uint64_t seed = seed_start();
    static const size_t sizes[] = {1, 5, 127, 128, 129, 256};
    uint32_t gaps[256], out[256];
    buf b = {0};
    for (unsigned w = 0; w <= 32; w++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            uint32_t mask = width_mask(w), base = rng_below(2) ? UINT32_MAX - 5 : 7;
            for (size_t j = 0; j < n; j++)
                gaps[j] = (uint32_t)rng_next() & mask;
            buf_clear(&b);
            REQUIRE(block_put(&b, gaps, n) == 0);
            unsigned got_w = (unsigned)(uint8_t)b.data[0]; /* the width written */
            cursor c = cursor_make(b.data, b.len);
            unsigned width = cur_block_ids(&c, out, n, base, 0);
            if (c.bad || cursor_left(&c) != 0 || width != got_w) {
                T_FAIL("w %u n %zu: bad %d, %zu left, width %u of %u", w, n, c.bad, cursor_left(&c),
                       width, got_w);
                goto done;
            }
            uint64_t acc = base;
            for (size_t j = 0; j < n; j++) {
                acc += (uint64_t)gaps[j] + 1;
                uint32_t want = prefix_fits32(width, n) ? (uint32_t)acc : gaps[j];
                if (out[j] != want) {
                    T_FAIL("w %u n %zu base %u: value %zu is %u, want %u", w, n, base, j, out[j], want);
                    goto done;
                }
            }
            cursor shortc = cursor_make(b.data, b.len - 1);
            out[0] = 1;
            cur_block_ids(&shortc, out, n, base, 0);
            if (!shortc.bad || out[0] != 0 || shortc.p != (const uint8_t *)b.data) {
                T_FAIL("w %u n %zu: a block one byte short was accepted", w, n);
                goto done;
            }
        }
done:
    buf_free(&b);
    seed_report(seed);
}

/* A block inside a larger readable region (slack bytes past its end may be
 * read): the n values (and ids) are the ones written whatever the slack,
 * and the cursor ends at the block's end. The slack bytes are random, so a
 * value taken from them would differ. */
TEST(test_codec__block_slack)
{
    uint64_t seed = seed_start();
    static const size_t sizes[] = {1, 15, 16, 17, 40, 63, 64, 65, 100, 127};
    uint32_t v[128], out[128];
    buf b = {0};
    for (unsigned w = 0; w <= 32; w++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (int ids = 0; ids < 2; ids++) {
                size_t n = sizes[s], slack = rng_below(3) ? 8 * 32 : rng_below(16);
                uint32_t mask = width_mask(w), base = 3;
                for (size_t j = 0; j < n; j++)
                    v[j] = (uint32_t)rng_next() & mask;
                buf_clear(&b);
                REQUIRE(block_put(&b, v, n) == 0);
                size_t len = b.len;
                for (size_t k = 0; k < slack; k++)
                    REQUIRE(buf_putc(&b, (char)rng_next()) == 0);
                cursor c = cursor_make(b.data, len);
                unsigned width = ids ? cur_block_ids(&c, out, n, base, slack) : cur_block_in(&c, out, n, slack);
                if (c.bad || cursor_left(&c) != 0 || width != (unsigned)(uint8_t)b.data[0]) {
                    T_FAIL("w %u n %zu slack %zu: bad %d, %zu left", w, n, slack, c.bad, cursor_left(&c));
                    goto done;
                }
                uint64_t acc = base;
                for (size_t j = 0; j < n; j++) {
                    acc += (uint64_t)v[j] + 1;
                    uint32_t want = ids && prefix_fits32(width, n) ? (uint32_t)acc : v[j];
                    if (out[j] != want) {
                        T_FAIL("w %u n %zu slack %zu ids %d: value %zu is %u, want %u", w, n, slack, ids,
                               j, out[j], want);
                        goto done;
                    }
                }
            }
done:
    buf_free(&b);
    seed_report(seed);
}

TEST(test_codec__prefix_fits32_bounds)
{
    /* 128 values below 2^24 sum (plus one each) to at most 2^31: promised to
     * fit; a 25-bit width or a 129th value is not. The bound is real: */
    CHECK(128 * (uint64_t)(1u << 24) <= (uint64_t)1 << 31);
    CHECK(prefix_fits32(0, 0));
    CHECK(prefix_fits32(24, 128));
    CHECK(!prefix_fits32(24, 129));
    CHECK(!prefix_fits32(25, 1));
    CHECK(!prefix_fits32(32, 128));
}

TEST_MAIN()
