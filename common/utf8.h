/* utf8.h - UTF-8 decoding, encoding, validation and repair (no dependencies).
 *
 * Used by every reader of outside text: input is repaired to valid UTF-8
 * before anything else sees it, so the analyzer and the index can trust it.
 * Valid means RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF. NUL bytes are treated as invalid (they end C strings). */
#ifndef LEDE_UTF8_H
#define LEDE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define UTF8_REPLACEMENT 0xFFFD

/* Decodes the code point at s[0..len), len >= 1. Returns the number of bytes
 * it takes (1-4) and stores the code point in *cp; for an invalid or
 * truncated sequence (or a NUL byte) stores -1 and returns the length of the
 * maximal invalid prefix to skip (at least 1), as WHATWG/Unicode advise. */
size_t utf8_decode(const unsigned char *s, size_t len, int32_t *cp);

/* Encodes cp (must be a valid scalar value) into out[0..4); returns 1-4. */
size_t utf8_encode(int32_t cp, char *out);

/* Nonzero when s[0..len) is valid UTF-8 without NUL bytes. */
int utf8_valid(const char *s, size_t len);

/* Appends s[0..len) to out, replacing each invalid sequence (and each NUL)
 * with U+FFFD. Adds the number of replacements to *n_bad (may be NULL).
 * Returns 0 or LEDE_ENOMEM. */
int utf8_repair(buf *out, const char *s, size_t len, size_t *n_bad);

#endif
