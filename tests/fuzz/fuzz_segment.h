/* fuzz_segment.h - the segment scan behind the fuzz_segment target, shared
 * with tests/unit/test_corrupt.c (which replays the fuzz corpus and crash
 * reproducers through it, and runs it over every corrupted segment of its
 * sweep). */
#ifndef LEDE_FUZZ_SEGMENT_H
#define LEDE_FUZZ_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

/* Opens p[0..len) as segment `number` (from memory: the bytes must be a
 * buffer of exactly len bytes so that a sanitizer sees any overrun) and
 * reads all of it the ways the searcher and check do. Returns NULL when the
 * oracle holds (every call succeeded or reported LEDE_ECORRUPT/LEDE_EVERSION,
 * and check reported a problem whenever a reader found corruption), else a
 * static description of the violation. Crashes and hangs are the sanitizers'
 * and the caller's to notice. */
const char *fuzz_segment_scan(const uint8_t *p, size_t len, uint32_t number);

/* Copies data into an exact-size buffer, gives it a valid envelope (header
 * magic, version, reserved field, footer magic, checksum) when it is long
 * enough, and scans it as segment 1. The libFuzzer entry point calls this. */
const char *fuzz_segment_one(const uint8_t *data, size_t len);

#endif
