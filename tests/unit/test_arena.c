/* test_arena.c - the bump allocator of common/arena.h: alignment, no
 * overlap between live allocations, large allocations, reuse after a reset,
 * and refusal of sizes that overflow. */
#include "t.h"

#include <stdint.h>

#include "arena.h"

#define ALIGN_OF_ANY _Alignof(max_align_t)

TEST(test_arena__allocations_aligned_and_disjoint)
{
    /* 2,000 allocations of sizes 0..96 across several chunks: each aligned
     * for any type, each filled with its own byte, all intact at the end. */
    arena a = {0};
    unsigned char *p[2000];
    size_t n[2000];
    for (size_t i = 0; i < 2000; i++) {
        n[i] = i % 97;
        p[i] = arena_alloc(&a, n[i]);
        REQUIRE(p[i] != NULL);
        CHECK((uintptr_t)p[i] % ALIGN_OF_ANY == 0);
        memset(p[i], (int)(i & 0xFF), n[i]);
    }
    for (size_t i = 0; i < 2000; i++)
        for (size_t j = 0; j < n[i]; j++)
            if (p[i][j] != (unsigned char)(i & 0xFF)) {
                T_FAIL("allocation %zu byte %zu was overwritten", i, j);
                j = n[i], i = 2000;
            }
    arena_free(&a);
    CHECK(a.chunks == NULL && a.p == NULL);
}

TEST(test_arena__large_allocation_between_small_ones)
{
    /* A megabyte gets a chunk of its own; the small allocations around it
     * keep theirs. */
    arena a = {0};
    char *s1 = arena_strndup(&a, "before", 6);
    unsigned char *big = arena_alloc(&a, 1 << 20);
    char *s2 = arena_strndup(&a, "after", 5);
    REQUIRE(s1 && big && s2);
    memset(big, 0x5A, 1 << 20);
    CHECK_STR(s1, "before");
    CHECK_STR(s2, "after");
    CHECK_INT(big[0], 0x5A);
    CHECK_INT(big[(1 << 20) - 1], 0x5A);
    arena_free(&a);
}

TEST(test_arena__reset_reuses_and_calloc_zeroes)
{
    arena a = {0};
    for (int round = 0; round < 3; round++) {
        unsigned char *p = arena_alloc(&a, 512);
        REQUIRE(p != NULL);
        memset(p, 0xFF, 512);
        arena_reset(&a);
        unsigned char *z = arena_calloc(&a, 64, 8);
        REQUIRE(z != NULL);
        size_t nonzero = 0;
        for (size_t i = 0; i < 512; i++)
            nonzero += z[i] != 0;
        CHECK_INT(nonzero, 0);
        arena_reset(&a);
    }
    arena_free(&a);
}

TEST(test_arena__grow_copies_and_strndup_terminates)
{
    arena a = {0};
    int *v = arena_alloc(&a, 4 * sizeof *v);
    REQUIRE(v != NULL);
    for (int i = 0; i < 4; i++)
        v[i] = i * 10;
    int *w = arena_grow(&a, v, 4 * sizeof *v, 100 * sizeof *w);
    REQUIRE(w != NULL);
    CHECK_INT(w[0], 0);
    CHECK_INT(w[3], 30);
    char *s = arena_strndup(&a, "phrase query", 6);
    REQUIRE(s != NULL);
    CHECK_STR(s, "phrase");
    char *e = arena_strndup(&a, "", 0);
    REQUIRE(e != NULL);
    CHECK_STR(e, "");
    arena_free(&a);
}

TEST(test_arena__overflowing_sizes_refused)
{
    arena a = {0};
    CHECK(arena_alloc(&a, SIZE_MAX) == NULL);
    CHECK(arena_alloc(&a, SIZE_MAX - 3) == NULL);
    CHECK(arena_calloc(&a, SIZE_MAX / 2, 3) == NULL);
    CHECK(arena_strndup(&a, "x", SIZE_MAX) == NULL);
    /* still usable */
    char *s = arena_strndup(&a, "ok", 2);
    REQUIRE(s != NULL);
    CHECK_STR(s, "ok");
    arena_free(&a);
}

TEST_MAIN()
