/* fuzz_jsonl.c - fuzz target for reading plain input files: the JSON Lines
 * reader (common/input.c, json.c, zio.c in its uncompressed mode) and,
 * for bytes that do not start with '{', the one-article path.
 *
 * Input: a flags byte, then the file's bytes.
 *   flags & 3     the size limit (max_doc_bytes): 0 the default; 1: 1 + the
 *                 next byte; 2: 4096; 3: 1 + the next byte % 16
 *   flags & 4     put the file's bytes just before the 64 KiB that input.c
 *                 reads first (after blank lines; the next two bytes say how
 *                 far before), so lines cross that boundary and zio's
 *                 buffer refills
 * The file is written to a scratch file and read with input_open.
 *
 * Oracle (see readcheck.h): never crashes or hangs; no error return from
 * input_next_record or record_parse; reports only of the documented kinds
 * (binary, too large, malformed JSON, empty, invalid UTF-8, bad date), each
 * with the file, a detail and a line inside the file; every document valid
 * (UTF-8 fields, an id, a title or body) and each of its fields surviving
 * json_put_string -> json_parse_doc; record_parse agreeing with
 * json_parse_doc; statistics matching the reports; and the records (line
 * numbers and bytes) and the "too large"/"binary" reports exactly those
 * docs/INPUT.md describes, as computed independently by readcheck_model. */
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "readcheck.h"

#define HEAD_BYTES ((size_t)64 << 10) /* as in input.c */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_src s = fuzz_src_make(data, size);
    uint8_t flags = fuzz_u8(&s);
    size_t max_doc = 0;
    switch (flags & 3) {
    case 1: max_doc = 1 + (size_t)fuzz_u8(&s); break;
    case 2: max_doc = 4096; break;
    case 3: max_doc = 1 + (size_t)(fuzz_u8(&s) % 16); break;
    default: break;
    }
    size_t pad = 0;
    if (flags & 4) {
        size_t before = 1 + (fuzz_u8(&s) | (size_t)fuzz_u8(&s) << 8) % 4096;
        pad = HEAD_BYTES - before;
    }

    buf content = {0};
    FUZZ_CHECK(buf_reserve(&content, pad + fuzz_left(&s)) == 0, "out of memory");
    memset(content.data, '\n', pad);
    content.len = pad;
    FUZZ_CHECK(buf_append(&content, s.p + s.pos, fuzz_left(&s)) == 0, "out of memory");

    readcheck_write(content.data, content.len);
    buf records = {0}, docs = {0}, model = {0};
    readcheck_read(max_doc, readcheck_lines(content.data, content.len), 0, &records, &docs);
    readcheck_model(content.data, content.len, max_doc, &model);
    if (!records.data)
        buf_append(&records, "", 0);
    if (!model.data)
        buf_append(&model, "", 0);
    FUZZ_CHECK(records.len == model.len && memcmp(records.data, model.data, model.len) == 0,
               "the reader's records differ from docs/INPUT.md's:\n--- read:\n%.2000s\n"
               "--- expected:\n%.2000s",
               records.data, model.data);

    buf_free(&records);
    buf_free(&docs);
    buf_free(&model);
    buf_free(&content);
    return 0;
}
