/* unicode.c - utf8proc adapter: character classes and folding (see unicode.h). */
#include "unicode.h"

#include <utf8proc.h>

static int is_ideograph(int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF)     /* hiragana, katakana */
        || (cp >= 0x3400 && cp <= 0x4DBF)     /* CJK extension A */
        || (cp >= 0x4E00 && cp <= 0x9FFF)     /* CJK unified ideographs */
        || (cp >= 0xF900 && cp <= 0xFAFF)     /* CJK compatibility ideographs */
        || (cp >= 0x20000 && cp <= 0x3134F);  /* CJK extensions B..G */
}

enum unicode_class unicode_class_of(int32_t cp)
{
    if (cp < 0 || cp > 0x10FFFF)
        return UNICODE_OTHER;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        /* Only the letters of the CJK and kana blocks: the blocks also hold
         * combining voiced marks (U+3099), punctuation (U+30FB) and
         * unassigned code points, which are what their category says. */
        return is_ideograph(cp) ? UNICODE_IDEOGRAPH : UNICODE_LETTER;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return UNICODE_DIGIT;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return UNICODE_MARK;
    default:
        return UNICODE_OTHER;
    }
}

size_t unicode_fold(int32_t cp, int32_t *out, size_t cap)
{
    utf8proc_int32_t tmp[32];
    int boundclass = UTF8PROC_BOUNDCLASS_START;
    utf8proc_ssize_t n = utf8proc_decompose_char(
        cp, tmp, 32,
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK,
        &boundclass);
    if (n < 0 || n > 32)
        return 0;
    size_t k = 0;
    for (utf8proc_ssize_t i = 0; i < n && k < cap; i++) {
        /* Compatibility decomposition can leave spaces or punctuation
         * (U+2474 PARENTHESIZED DIGIT ONE -> "(1)"); keep only word characters. */
        enum unicode_class c = unicode_class_of(tmp[i]);
        if (c == UNICODE_LETTER || c == UNICODE_DIGIT || c == UNICODE_IDEOGRAPH)
            out[k++] = tmp[i];
    }
    return k;
}

int unicode_width(int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_CC: /* controls */
    case UTF8PROC_CATEGORY_CF: /* format: bidi overrides, zero-width joiners */
    case UTF8PROC_CATEGORY_CN: /* unassigned */
    case UTF8PROC_CATEGORY_CS: /* surrogates */
    case UTF8PROC_CATEGORY_CO: /* private use */
    case UTF8PROC_CATEGORY_ZL: /* line and paragraph separators */
    case UTF8PROC_CATEGORY_ZP:
        return -1;
    default:
        return utf8proc_charwidth(cp);
    }
}
