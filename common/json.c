/* json.c - JSON Lines records in, JSON string literals out (see json.h); the
 * only file that includes cJSON (Debian libcjson 1.7.x).
 *
 * cJSON decodes every escape, \uXXXX surrogate pairs included, but it
 * rejects a whole line for one lone surrogate (\ud800) and silently cuts a
 * string short at \u0000. Neither should lose a document, so a line holding
 * such an escape (or a raw NUL byte) is first copied with each of them turned
 * into the single byte 0xFF, which is never valid UTF-8: the caller's UTF-8
 * repair (json.h) then turns it into U+FFFD and counts it, like any other bad
 * byte. Other bytes pass through unchanged: cJSON does not check UTF-8.
 *
 * Numbers carry no source text in cJSON, so a numeric value is printed back:
 * integers exactly up to 2^53 (ids are often numbers), others as the shortest
 * %g that reads back to the same double. A numeric id of 2^53 or more is
 * refused (the record is skipped): it would come back as another number.
 *
 * Thread safety: json_parse_doc may run on several threads at once. cJSON
 * keeps its allocator hooks and a "last error" record in globals; we never set
 * the hooks and never read the error record (positions come from
 * return_parse_end), but cJSON still stores into it on every parse. */
#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "err.h"

/* --- repairs before cJSON sees the line ------------------------------------- */

static int hex4(const char *s, size_t avail, unsigned *out)
{
    if (avail < 4)
        return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

/* The backslash escape at s[i] (s[i] == '\\'): returns how many bytes it
 * takes and sets *bad when it must become 0xFF (\u0000 or a lone surrogate).
 * A malformed escape is left for cJSON to reject. */
static size_t escape_len(const char *s, size_t len, size_t i, int *bad)
{
    *bad = 0;
    if (i + 1 >= len)
        return 1;
    if (s[i + 1] != 'u')
        return 2; /* \" \\ \/ \n ... and invalid ones alike */
    unsigned cp, lo;
    if (!hex4(s + i + 2, len - i - 2, &cp))
        return 2;
    if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
        *bad = 1;
        return 6;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (i + 12 <= len && s[i + 6] == '\\' && s[i + 7] == 'u' &&
            hex4(s + i + 8, len - i - 8, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)
            return 12; /* a proper pair: cJSON decodes it */
        *bad = 1;
        return 6;
    }
    return 6;
}

/* Nonzero when s[0..len) holds a raw NUL, a \u0000 or a lone surrogate. */
static int needs_repair(const char *s, size_t len)
{
    if (memchr(s, '\0', len))
        return 1;
    size_t i = 0;
    for (;;) {
        const char *p = memchr(s + i, '\\', len - i);
        if (!p)
            return 0;
        i = (size_t)(p - s);
        int bad;
        i += escape_len(s, len, i, &bad);
        if (bad)
            return 1;
    }
}

/* Copies s[0..len) to dst (room for len bytes) with each raw NUL and each
 * escape that needs it replaced by 0xFF; returns the copy's length. With
 * map_from != SIZE_MAX, instead returns the offset in s of the byte that
 * landed at offset map_from of the copy (for error columns). */
static size_t repair_copy(const char *s, size_t len, char *dst, size_t map_from)
{
    size_t i = 0, o = 0;
    while (i < len) {
        if (o >= map_from)
            return i;
        size_t n = 1;
        int bad = s[i] == '\0';
        if (s[i] == '\\')
            n = escape_len(s, len, i, &bad);
        if (bad) {
            if (dst)
                dst[o] = (char)0xFF;
            o++;
        } else {
            if (o + n > map_from)
                return i + (map_from - o);
            if (dst)
                memcpy(dst + o, s + i, n);
            o += n;
        }
        i += n;
    }
    return map_from != SIZE_MAX ? len : o;
}

/* --- error messages --------------------------------------------------------- */

static void say(char *detail, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *detail, size_t cap, const char *fmt, ...)
{
    if (!detail || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, cap, fmt, ap);
    va_end(ap);
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Nonzero when the line ends inside a string or with brackets still open and
 * every bracket that was closed matched: it looks cut off, not mistyped. */
static int looks_truncated(const char *s, size_t len)
{
    unsigned char stack[1024]; /* deeper than cJSON's nesting limit */
    size_t depth = 0;
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (depth == sizeof stack)
                return 0;
            stack[depth++] = (unsigned char)c;
        } else if (c == '}' || c == ']') {
            if (depth == 0 || stack[depth - 1] != (c == '}' ? '{' : '['))
                return 0;
            depth--;
        }
    }
    return in_str || depth > 0;
}

/* The offset of the first '{' or '[' that opens a level deeper than `limit`
 * (strings skipped), or SIZE_MAX. */
static size_t too_deep_at(const char *s, size_t len, size_t limit)
{
    size_t depth = 0;
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > limit)
                return i;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return SIZE_MAX;
}

/* Up to 16 bytes from s[at..len) for a message: printable ASCII kept, the
 * rest shown as '?', so the detail stays one clean line of text. */
static void excerpt(char out[17], const char *s, size_t len, size_t at)
{
    size_t n = 0;
    for (size_t i = at; i < len && n < 16; i++) {
        unsigned char c = (unsigned char)s[i];
        out[n++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[n] = '\0';
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    if (cJSON_IsBool(v))
        return "a boolean";
    return "a value of an unknown type";
}

/* --- values ----------------------------------------------------------------- */

enum { K_DATE = DOC_N_FIELDS, K_N };

static int key_index(const char *k)
{
    switch (k[0]) {
    case 'b': return strcmp(k, "body") == 0 ? DOC_BODY : -1;
    case 'd': return strcmp(k, "date") == 0 ? K_DATE : -1;
    case 'i': return strcmp(k, "id") == 0 ? DOC_ID : -1;
    case 's':
        if (strcmp(k, "source") == 0)
            return DOC_SOURCE;
        return strcmp(k, "section") == 0 ? DOC_SECTION : -1;
    case 't': return strcmp(k, "title") == 0 ? DOC_TITLE : -1;
    case 'u': return strcmp(k, "url") == 0 ? DOC_URL : -1;
    default: return -1;
    }
}

/* Writes a finite double as text: integers exactly, others as the shortest
 * %.*g that reads back to the same value. */
static size_t number_text(char out[40], double v)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0) /* 2^53 */
        return (size_t)snprintf(out, 40, "%.0f", v);
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(out, 40, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    return (size_t)n;
}

/* Points (*s, *len) at the text of value v (string or number; null is empty).
 * A number is written into numbuf. LEDE_ECORRUPT for other types. */
static int value_text(const cJSON *v, char numbuf[40], const char **s, size_t *len)
{
    if (cJSON_IsString(v)) {
        *s = v->valuestring ? v->valuestring : "";
        *len = strlen(*s);
        return 0;
    }
    if (cJSON_IsNull(v)) {
        *s = "";
        *len = 0;
        return 0;
    }
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        *len = number_text(numbuf, v->valuedouble);
        *s = numbuf;
        return 0;
    }
    return LEDE_ECORRUPT;
}

int json_parse_doc(doc *d, const char *line, size_t len, unsigned *warn,
                   char *detail, size_t detail_cap)
{
    doc_reset(d);
    say(detail, detail_cap, "%s", "");

    /* Cheap checks first: most bad lines are not objects at all. */
    size_t i = 0;
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* a byte order mark; cJSON skips it too */
    while (i < len && is_ws(line[i]))
        i++;
    if (i == len) {
        say(detail, detail_cap, "empty line, expected a JSON object");
        return LEDE_ECORRUPT;
    }
    if (line[i] != '{') {
        char ex[17];
        excerpt(ex, line, len, i);
        say(detail, detail_cap, "not a JSON object: expected '{' at column %zu, found '%s'",
            i + 1, ex);
        return LEDE_ECORRUPT;
    }

    char *copy = NULL;
    const char *text = line;
    size_t text_len = len;
    if (needs_repair(line, len)) {
        copy = malloc(len ? len : 1);
        if (!copy)
            return LEDE_ENOMEM;
        text_len = repair_copy(line, len, copy, SIZE_MAX);
        text = copy;
    }

    int rc = 0;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, text_len, &end, 0);
    if (!root) {
        /* cJSON allocates as it goes, so NULL may also mean no memory; it
         * cannot say which. Syntax is by far the likelier cause. */
        size_t at = end ? (size_t)(end - text) : 0;
        if (copy)
            at = repair_copy(line, len, NULL, at);
        size_t deep = too_deep_at(line, len, CJSON_NESTING_LIMIT);
        if (deep <= at) {
            /* cJSON stops at this depth rather than recurse without end */
            say(detail, detail_cap,
                "JSON nested more than %d levels deep at column %zu (objects and arrays "
                "within each other)",
                CJSON_NESTING_LIMIT, deep + 1);
        } else if (looks_truncated(line, len)) {
            say(detail, detail_cap,
                "truncated: the line ends before the JSON object does (%zu bytes)", len);
        } else {
            char ex[17];
            excerpt(ex, line, len, at);
            say(detail, detail_cap, "JSON syntax error at column %zu near '%s'", at + 1, ex);
        }
        rc = LEDE_ECORRUPT;
        goto cleanup;
    }
    size_t tail = (size_t)(end - text);
    while (tail < text_len && is_ws(text[tail]))
        tail++;
    if (tail < text_len) {
        size_t at = copy ? repair_copy(line, len, NULL, tail) : tail;
        char ex[17];
        excerpt(ex, line, len, at);
        say(detail, detail_cap, "unexpected text after the JSON object at column %zu: '%s'",
            at + 1, ex);
        rc = LEDE_ECORRUPT;
        goto cleanup;
    }
    if (!cJSON_IsObject(root)) { /* cannot happen after the '{' check; be sure */
        say(detail, detail_cap, "not a JSON object");
        rc = LEDE_ECORRUPT;
        goto cleanup;
    }

    /* The last occurrence of a key wins, as in most JSON readers. */
    cJSON *found[K_N] = {0};
    for (cJSON *c = root->child; c; c = c->next) {
        if (!c->string)
            continue;
        int k = key_index(c->string);
        if (k < 0)
            continue;
        if (!cJSON_IsString(c) && !cJSON_IsNull(c) && !cJSON_IsNumber(c)) {
            say(detail, detail_cap, "\"%s\" is %s, expected a string", c->string,
                type_name(c));
            rc = LEDE_ECORRUPT;
            goto cleanup;
        }
        found[k] = c;
    }

    for (int k = 0; k < DOC_N_FIELDS; k++) {
        cJSON *v = found[k];
        if (!v || cJSON_IsNull(v))
            continue;
        if (cJSON_IsString(v) && v->valuestring) {
            /* Take cJSON's string instead of copying it: cJSON allocates with
             * malloc as long as nobody calls cJSON_InitHooks, and nobody does
             * (this is the only file that includes cJSON). */
            size_t n = strlen(v->valuestring);
            if (n > 0) {
                doc_take(d, (enum doc_field)k, v->valuestring, n);
                v->valuestring = NULL;
            }
            continue;
        }
        if (k == DOC_ID && cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
            fabs(v->valuedouble) >= 9007199254740992.0) {
            /* printed back, it would be another number, and two such ids
             * could become one: the second would replace the first */
            say(detail, detail_cap, "\"id\" is a number too large to keep exactly (2^53 or more); "
                                    "write it as a string: \"id\": \"...\"");
            rc = LEDE_ECORRUPT;
            goto cleanup;
        }
        char num[40];
        const char *s;
        size_t n;
        if (value_text(v, num, &s, &n) != 0) {
            say(detail, detail_cap, "\"%s\" is a number out of range", v->string);
            rc = LEDE_ECORRUPT;
            goto cleanup;
        }
        rc = doc_set(d, (enum doc_field)k, s, n);
        if (rc)
            goto cleanup;
    }

    if (found[K_DATE]) {
        char num[40];
        const char *s;
        size_t n;
        if (value_text(found[K_DATE], num, &s, &n) != 0) {
            say(detail, detail_cap, "\"date\" is a number out of range");
            rc = LEDE_ECORRUPT;
            goto cleanup;
        }
        size_t a = 0;
        while (a < n && is_ws(s[a]))
            a++;
        if (a < n && date_parse(&d->date, s, n) != 0) {
            d->date = DATE_NONE;
            if (warn)
                *warn |= JSON_WARN_BAD_DATE;
            /* The date is not kept anywhere else, so say it here. */
            char ex[41];
            size_t m = 0;
            for (size_t j = a; j < n && m < 40; j++) {
                unsigned char c = (unsigned char)s[j];
                ex[m++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
            }
            ex[m] = '\0';
            say(detail, detail_cap,
                "date '%s%s' is not a date (expected YYYY-MM-DD, YYYY/M/D, YYYY-MM or YYYY,"
                " optional H:MM[:SS])",
                ex, n - a > 40 ? "..." : "");
        }
    }

cleanup:
    cJSON_Delete(root);
    free(copy);
    if (rc)
        doc_reset(d);
    return rc;
}

/* --- output ----------------------------------------------------------------- */

int json_put_string(buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (len > SIZE_MAX / 2)
        return LEDE_ENOMEM;
    int rc = buf_reserve(out, len + 2);
    if (rc)
        return rc;
    size_t start = out->len;
    rc = buf_putc(out, '"');
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rc = buf_append(out, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\t': esc[1] = 't'; break;
        case '\r': esc[1] = 'r'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
            break;
        }
        if (rc == 0)
            rc = buf_append(out, esc, n);
    }
    if (rc == 0)
        rc = buf_append(out, s + run, len - run);
    if (rc == 0)
        rc = buf_putc(out, '"');
    if (rc) {
        out->len = start; /* keep the previous contents, as buf does */
        out->data[start] = '\0';
    }
    return rc;
}
