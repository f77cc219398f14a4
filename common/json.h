/* json.h - JSON in and out; the only file that includes cJSON.
 *
 * In: one JSON Lines record (an object with id, title, date, body and the
 * optional source, section, url; other keys ignored) becomes a doc. Out:
 * string literals for lede's --json output, escaped so any UTF-8 survives. */
#ifndef LEDE_JSON_H
#define LEDE_JSON_H

#include <stddef.h>

#include "buf.h"
#include "doc.h"

/* Warnings json_parse_doc may set in *warn (a bit mask); the doc is kept. */
enum {
    JSON_WARN_BAD_DATE = 1 /* "date" present but not a date date_parse accepts */
};

/* Parses line[0..len) into d (reset first). String values are copied as-is;
 * numbers given for id/title/... are turned into their text. On success
 * returns 0 and ORs warnings into *warn. Returns LEDE_ECORRUPT when the line
 * is not a JSON object (detail then says why, e.g. "expected '{'" or "syntax
 * error near column 17"), LEDE_ENOMEM. `detail` (may be NULL) receives a
 * NUL-terminated message of at most detail_cap bytes. The caller repairs
 * UTF-8 afterwards. */
int json_parse_doc(doc *d, const char *line, size_t len, unsigned *warn,
                   char *detail, size_t detail_cap);

/* Appends s[0..len) as a JSON string literal, with its quotes. Control
 * characters, '"' and '\\' are escaped; other UTF-8 is copied. */
int json_put_string(buf *out, const char *s, size_t len);

#endif
