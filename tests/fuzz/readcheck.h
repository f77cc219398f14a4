/* readcheck.h - reads one file through common/input.c and checks what comes
 * out; shared by the fuzz targets fuzz_jsonl and fuzz_gzip.
 *
 * The file is a scratch file of the process (readcheck_write replaces its
 * bytes). readcheck_read opens it with input_open, takes every record with
 * input_next_record and parses it with record_parse, aborting (FUZZ_CHECK)
 * when anything breaks the contracts of input.h, doc.h and json.h:
 *  - input_next_record returns 1 or 0, record_parse 1 or 0: never an error;
 *  - every report is of a kind the situation allows, names the file, has a
 *    detail and a line no further than the file has lines;
 *  - every document has valid UTF-8, NUL-terminated fields, an id, a title
 *    or a body that is not blank, and a date in years 1 to 9999 or none;
 *  - record_parse agrees with json_parse_doc on whether a JSON line is a
 *    document, and each field survives json_put_string and json_parse_doc;
 *  - the statistics count the records and the reports.
 * It also logs, as text, the records the reader produced (line and bytes)
 * and its own reports (kind and line) into `records`, and the documents and
 * record_parse's reports into `docs`, so that two reads can be compared and
 * a model of the line splitting can be checked against the first. */
#ifndef LEDE_READCHECK_H
#define LEDE_READCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Replaces the scratch file's bytes with data[0..len); returns its path. */
const char *readcheck_write(const void *data, size_t len);

/* Lines in s[0..len): its '\n' bytes plus one. */
uint64_t readcheck_lines(const char *s, size_t len);

/* Reads the scratch file with max_doc_bytes `max_doc` (0: the default),
 * checking as above; appends to the two logs. n_lines bounds the line
 * numbers of reports (UINT64_MAX when unknown). `damaged_ok`: the file may
 * be a damaged gzip stream, so an "unreadable" report is allowed. */
void readcheck_read(size_t max_doc, uint64_t n_lines, int damaged_ok, buf *records, buf *docs);

/* Appends to `records` what readcheck_read must log there for a file whose
 * decompressed bytes are content[0..len) (docs/INPUT.md, input.c): kind by
 * the first bytes, then the JSON lines or the one article, and the reports
 * "binary" and "too large". */
void readcheck_model(const char *content, size_t len, size_t max_doc, buf *records);

#endif
