/* unicode.h - Unicode character properties and folding; the only file that
 * includes utf8proc. Used by the analyzer for characters outside ASCII. */
#ifndef LEDE_UNICODE_H
#define LEDE_UNICODE_H

#include <stddef.h>
#include <stdint.h>

enum unicode_class {
    UNICODE_OTHER,     /* separator: punctuation, symbols, spaces, controls */
    UNICODE_LETTER,    /* L* (except ideographs and kana) */
    UNICODE_DIGIT,     /* N* */
    UNICODE_MARK,      /* M*: combining marks, part of the word before them */
    UNICODE_IDEOGRAPH  /* the letters (L*) of the CJK ideograph and kana
                          blocks: one token each */
};

enum unicode_class unicode_class_of(int32_t cp);

/* Folds one code point for indexing: compatibility decomposition, case fold,
 * marks removed (é -> e, ß -> ss, ﬁ -> fi). Writes at most cap code points to
 * out and returns how many it wrote (0 when nothing is left, e.g. a mark). */
size_t unicode_fold(int32_t cp, int32_t *out, size_t cap);

#endif
