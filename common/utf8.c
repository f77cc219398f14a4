/* utf8.c - UTF-8 decoding, encoding, validation and repair (see utf8.h). */
#include "utf8.h"

#include "err.h"

size_t utf8_decode(const unsigned char *s, size_t len, int32_t *cp)
{
    unsigned c = s[0];
    if (c >= 0x01 && c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    *cp = -1;
    size_t need;
    int32_t v;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 1; /* NUL, continuation byte, C0, C1, F5..FF */
    }
    /* Maximal subpart: consume the longest prefix that could have been the
     * start of a valid sequence, so one bad sequence is one replacement. */
    for (size_t i = 1; i < need; i++) {
        if (i >= len)
            return i;
        unsigned b = s[i];
        unsigned bl = i == 1 ? lo : 0x80, bh = i == 1 ? hi : 0xBF;
        if (b < bl || b > bh)
            return i;
        v = (v << 6) | (int32_t)(b & 0x3F);
    }
    *cp = v;
    return need;
}

size_t utf8_encode(int32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    uint32_t c = (uint32_t)cp;
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | (c >> 6));
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (c >> 12));
        o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (c >> 18));
    o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* Length of the valid prefix of s[0..len). ASCII runs go 8 bytes at a time. */
static size_t valid_prefix(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        while (i + 8 <= len) {
            uint64_t w;
            __builtin_memcpy(&w, s + i, 8);
            /* any byte >= 0x80, or any zero byte */
            if ((w & 0x8080808080808080ull) ||
                ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (s[i] >= 0x01 && s[i] < 0x80) {
            i++;
            continue;
        }
        int32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (cp < 0)
            return i;
        i += n;
    }
    return len;
}

int utf8_valid(const char *s, size_t len)
{
    return valid_prefix((const unsigned char *)s, len) == len;
}

int utf8_repair(buf *out, const char *s, size_t len, size_t *n_bad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t bad = 0;
    int rc = buf_reserve(out, len);
    while (rc == 0 && len > 0) {
        size_t ok = valid_prefix(p, len);
        rc = buf_append(out, p, ok);
        p += ok;
        len -= ok;
        if (rc || len == 0)
            break;
        int32_t cp;
        size_t skip = utf8_decode(p, len, &cp);
        rc = buf_append(out, "\xEF\xBF\xBD", 3);
        bad++;
        p += skip;
        len -= skip;
    }
    if (rc == 0 && out->data == NULL)
        rc = buf_append(out, "", 0);
    if (n_bad)
        *n_bad += bad;
    return rc;
}
