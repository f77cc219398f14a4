/* hash.c - xxhash adapter (see hash.h).
 *
 * xxhash is compiled into this file (XXH_INLINE_ALL): the functions below
 * then run specialized, inlined code instead of calls into the shared
 * library, which matters for the short keys hashed once per token. The
 * results are the same: the algorithms are fixed by their specification. */
#include "hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "err.h"


uint64_t hash64(const void *data, size_t len)
{
    return XXH3_64bits(data, len);
}

hash128 hash128_of(const void *data, size_t len)
{
    XXH128_hash_t h = XXH3_128bits(data, len);
    hash128 r = {h.low64, h.high64};
    return r;
}

int hash64_stream_new(hash64_stream **out)
{
    *out = NULL;
    XXH3_state_t *st = XXH3_createState();
    if (!st)
        return LEDE_ENOMEM;
    XXH3_64bits_reset(st);
    hash64_stream *h = (hash64_stream *)st;
    *out = h;
    return 0;
}

void hash64_stream_update(hash64_stream *h, const void *data, size_t len)
{
    XXH3_64bits_update((XXH3_state_t *)h, data, len);
}

uint64_t hash64_stream_digest(const hash64_stream *h)
{
    return XXH3_64bits_digest((const XXH3_state_t *)h);
}

void hash64_stream_free(hash64_stream *h)
{
    if (h)
        XXH3_freeState((XXH3_state_t *)h);
}
