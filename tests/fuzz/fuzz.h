/* fuzz.h - what every fuzz target in tests/fuzz/ shares.
 *
 * A target defines LLVMFuzzerTestOneInput and states its oracle at the top of
 * its file. It is linked either with libFuzzer (clang, -DLEDE_FUZZ=ON, for
 * scripts/fuzz) or with driver.c, which replays files (the ctest tests, any
 * compiler). A violated oracle aborts with a message naming the check, so
 * both libFuzzer and ctest report it as a crash. */
#ifndef LEDE_FUZZ_H
#define LEDE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts when cond is false, printing where, the condition and a detail. */
#define FUZZ_CHECK(cond, ...)                                                       \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: oracle violated: %s: ", __FILE__, __LINE__,     \
                    #cond);                                                         \
            fprintf(stderr, __VA_ARGS__);                                           \
            fputc('\n', stderr);                                                    \
            abort();                                                                \
        }                                                                           \
    } while (0)

/* Integers drawn from the fuzz input, front to back; past the end they are
 * 0, so a short input still decides everything deterministically. */
typedef struct fuzz_src {
    const uint8_t *p;
    size_t len, pos;
} fuzz_src;

static inline fuzz_src fuzz_src_make(const uint8_t *p, size_t len)
{
    fuzz_src s = {p, len, 0};
    return s;
}
static inline uint8_t fuzz_u8(fuzz_src *s)
{
    return s->pos < s->len ? s->p[s->pos++] : 0;
}
static inline uint32_t fuzz_u32(fuzz_src *s)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)fuzz_u8(s) << (8 * i);
    return v;
}
static inline uint64_t fuzz_u64(fuzz_src *s)
{
    return (uint64_t)fuzz_u32(s) | (uint64_t)fuzz_u32(s) << 32;
}
static inline size_t fuzz_left(const fuzz_src *s)
{
    return s->len - s->pos;
}

#endif
