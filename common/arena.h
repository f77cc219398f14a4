/* arena.h - a bump allocator for the many small, short-lived allocations of
 * one query (its parse tree, iterators, statistics): each is a pointer bump
 * in a chunk, and all are released at once by arena_reset, which keeps one
 * chunk so that the next query allocates nothing from the system.
 *
 * A zeroed arena is a valid empty arena. Allocations are aligned for any
 * type. Functions return NULL when out of memory (or on a size overflow);
 * the arena stays usable. Under AddressSanitizer every allocation is a
 * malloc of its own, so that a read past one or a use after arena_reset is
 * still reported, and allocation-failure injection reaches every call. */
#ifndef LEDE_ARENA_H
#define LEDE_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
    arena_chunk *chunks;     /* the newest first */
    unsigned char *p, *end;  /* the free bytes of the newest chunk */
    size_t next_size;        /* the size of the next regular chunk */
} arena;

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_EACH_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_EACH_MALLOC 1
#endif
#endif
#ifndef ARENA_EACH_MALLOC
#define ARENA_EACH_MALLOC 0
#endif

#define ARENA_ALIGN (_Alignof(max_align_t))

/* arena_alloc when the newest chunk has no room (or under ASan). */
void *arena_alloc_slow(arena *a, size_t n);

/* n bytes. Inline: a query makes a dozen small allocations, most of them of
 * a size known where they are made (so arena_calloc's zeroing is a few
 * stores). */
static inline void *arena_alloc(arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (!ARENA_EACH_MALLOC && need >= n && need && a->p && (size_t)(a->end - a->p) >= need) {
        void *r = a->p;
        a->p += need;
        return r;
    }
    return arena_alloc_slow(a, n);
}

static inline void *arena_calloc(arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}
/* A copy of old[0..old_n) in new_n bytes (new_n >= old_n; the rest is not
 * initialized), like realloc; old stays allocated until the reset. */
void *arena_grow(arena *a, const void *old, size_t old_n, size_t new_n);
/* s[0..n) and a NUL. */
char *arena_strndup(arena *a, const char *s, size_t n);
/* Releases every allocation; keeps the newest regular chunk for reuse. */
void arena_reset(arena *a);
/* Releases everything, chunk included; the arena is empty (zeroed) again. */
void arena_free(arena *a);

#endif
