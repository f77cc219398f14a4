/* hash.h - hashing for lede; the only file that includes xxhash.
 *
 * XXH3-64 checksums every index file; XXH3-128 fingerprints normalized
 * article bodies to find exact duplicates. Both are stable across platforms
 * and versions of xxhash (they are part of the on-disk format). */
#ifndef LEDE_HASH_H
#define LEDE_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct hash128 {
    uint64_t lo, hi;
} hash128;

uint64_t hash64(const void *data, size_t len);
hash128 hash128_of(const void *data, size_t len);

/* Streaming XXH3-64, for checksumming files written piece by piece. */
typedef struct hash64_stream hash64_stream;
int hash64_stream_new(hash64_stream **out);
void hash64_stream_update(hash64_stream *h, const void *data, size_t len);
uint64_t hash64_stream_digest(const hash64_stream *h);
void hash64_stream_free(hash64_stream *h);

#endif
