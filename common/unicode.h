/* unicode.h - Unicode character properties and folding; the only file that
 * includes utf8proc. Used by the analyzer for characters outside ASCII, and
 * by lede-search to echo a query under an error. */
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

/* Columns a terminal gives cp when printing it: 0 (a combining mark), 1, or
 * 2 (East Asian wide); -1 for a character not to print as it is (a control,
 * a format character such as a direction override, an unassigned one). */
int unicode_width(int32_t cp);

#endif
