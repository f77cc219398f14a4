/* arena.c - the bump allocator of arena.h.
 *
 * Regular chunks start at 4 KiB and double up to 64 KiB; an allocation
 * larger than a quarter of the next chunk gets a chunk of its own, placed
 * behind the newest so that the newest keeps its free bytes. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_FIRST_CHUNK 4096
#define ARENA_MAX_CHUNK (64 * 1024)

struct arena_chunk {
    arena_chunk *next;
    size_t size;          /* bytes of data */
    int regular;          /* bump-allocated (else: one allocation of its own) */
    max_align_t data[];   /* aligned for any type */
};

static arena_chunk *chunk_new(size_t size, int regular)
{
    if (size > SIZE_MAX - sizeof(arena_chunk))
        return NULL;
    arena_chunk *c = malloc(sizeof(arena_chunk) + size);
    if (c) {
        c->size = size;
        c->regular = regular;
    }
    return c;
}

/* An allocation of its own, kept behind the newest chunk. */
static void *alloc_own(arena *a, size_t n)
{
    arena_chunk *c = chunk_new(n, 0);
    if (!c)
        return NULL;
    if (a->chunks && !ARENA_EACH_MALLOC) {
        c->next = a->chunks->next;
        a->chunks->next = c;
    } else {
        c->next = a->chunks;
        a->chunks = c;
    }
    return c->data;
}

void *arena_alloc_slow(arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        return NULL; /* n near SIZE_MAX */
    if (need == 0)
        need = ARENA_ALIGN;
    if (ARENA_EACH_MALLOC)
        return alloc_own(a, n ? n : 1);
    if (a->p && (size_t)(a->end - a->p) >= need) {
        void *r = a->p;
        a->p += need;
        return r;
    }
    size_t size = a->next_size ? a->next_size : ARENA_FIRST_CHUNK;
    if (need > size / 4)
        return alloc_own(a, need);
    arena_chunk *c = chunk_new(size, 1);
    if (!c)
        return NULL;
    c->next = a->chunks;
    a->chunks = c;
    a->p = (unsigned char *)c->data + need;
    a->end = (unsigned char *)c->data + size;
    if (size < ARENA_MAX_CHUNK)
        a->next_size = size * 2;
    else
        a->next_size = size;
    return c->data;
}

void *arena_grow(arena *a, const void *old, size_t old_n, size_t new_n)
{
    void *p = arena_alloc(a, new_n);
    if (p && old_n)
        memcpy(p, old, old_n < new_n ? old_n : new_n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = arena_alloc(a, n + 1);
    if (p) {
        if (n)
            memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void arena_reset(arena *a)
{
    arena_chunk *keep = a->chunks && a->chunks->regular ? a->chunks : NULL;
    arena_chunk *c = keep ? keep->next : a->chunks;
    while (c) {
        arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->chunks = keep;
    if (keep) {
        keep->next = NULL;
        a->p = (unsigned char *)keep->data;
        a->end = a->p + keep->size;
    } else {
        a->p = a->end = NULL;
    }
}

void arena_free(arena *a)
{
    arena_reset(a);
    free(a->chunks);
    memset(a, 0, sizeof *a);
}
