/* format.h - the constants and envelope of lede's on-disk format, version 4.
 * docs/FORMAT.md is the normative description; this header is its single
 * definition in code, used by the writer (indexer/) and every reader. */
#ifndef LEDE_FORMAT_H
#define LEDE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define FORMAT_VERSION 4
#define FORMAT_HEADER_LEN 16
#define FORMAT_FOOTER_LEN 24

/* Block sizes this build writes (readers accept any, see FORMAT.md). */
#ifdef LEDE_TINY_BLOCKS
#define FORMAT_BLOCK 4
#define FORMAT_DICT_BLOCK 2
#define FORMAT_STORE_BLOCK 64
#else
#define FORMAT_BLOCK 128
#define FORMAT_DICT_BLOCK 16
#define FORMAT_STORE_BLOCK (32 * 1024)
#endif
#define FORMAT_MAX_BLOCK 4096
#define FORMAT_MAX_DICT_BLOCK 1024
#define FORMAT_MAX_KEY (128 + 1) /* ANALYZE_MAX_TERM + field byte */

/* Values in chunk j of a positions sequence of n values cut into chunks of
 * B (docs/FORMAT.md, "Positions"): B, or the remainder for the last one. */
static inline uint64_t format_chunk_len(uint64_t n, uint64_t b, uint64_t j)
{
    return n - j * b < b ? n - j * b : b;
}

/* A dictionary key (docs/FORMAT.md, "Terms: keys and dictionary"): the
 * term's bytes, then one byte naming the field. A word's keys in every field
 * are neighbours, so one lookup finds them all. Returns the key's length, or
 * 0 when the term is empty or too long for a key. */
static inline size_t format_key(uint8_t key[FORMAT_MAX_KEY], uint8_t field, const char *term,
                                size_t len)
{
    if (len == 0 || len + 1 > FORMAT_MAX_KEY)
        return 0;
    for (size_t i = 0; i < len; i++)
        key[i] = (uint8_t)term[i];
    key[len] = field;
    return len + 1;
}
/* The field byte of a key of len >= 2 bytes: its last byte (the term is the
 * len - 1 before). */
static inline uint8_t format_key_field(const uint8_t *key, size_t len)
{
    return key[len - 1];
}

/* A key's prefix as TERMINDEX stores it (docs/FORMAT.md): its first 8
 * bytes, padded with 0 bytes. */
#define FORMAT_KEY_PREFIX 8
static inline void format_key_prefix_bytes(uint8_t out[FORMAT_KEY_PREFIX], const uint8_t *key,
                                           size_t len)
{
    for (size_t i = 0; i < FORMAT_KEY_PREFIX; i++)
        out[i] = i < len ? key[i] : 0;
}
/* The prefix as a number whose order is that of its bytes (the first most
 * significant): a key that sorts before another never has a greater one. */
static inline uint64_t format_key_prefix(const uint8_t *key, size_t len)
{
    uint8_t b[FORMAT_KEY_PREFIX];
    format_key_prefix_bytes(b, key, len);
    uint64_t v = 0;
    for (size_t i = 0; i < FORMAT_KEY_PREFIX; i++)
        v = v << 8 | b[i];
    return v;
}

enum file_kind { FILE_MANIFEST, FILE_SEGMENT, FILE_DELETIONS };

enum section_id {
    SEC_META = 1,
    SEC_TERMS = 2,
    SEC_TERMINDEX = 3,
    SEC_POSTINGS = 4,
    SEC_POSITIONS = 5,
    SEC_DOCLEN = 6,
    SEC_DOCDATE = 7,
    SEC_DOCTABLE = 8,
    SEC_IDINDEX = 9,
    SEC_FPRINTS = 10,
    SEC_STORE = 11,
    SEC_STOREINDEX = 12,
    SEC_N = 13 /* one past the last id */
};

/* The message for an index written in another format version (dir: its
 * directory, for the message). */
void format_version_message(char *msg, size_t cap, const char *dir, uint32_t version);

/* "TERMS", "POSTINGS", ... for messages and stats. */
const char *format_section_name(int id);
/* "manifest", "segment", "deletions". */
const char *format_kind_name(enum file_kind k);

/* Appends the 16-byte header of a file of kind k. */
void format_header(uint8_t out[FORMAT_HEADER_LEN], enum file_kind k);
/* Fills the footer given the TOC offset and the checksum of all bytes before
 * the checksum field (header, body, and the footer's first 16 bytes). */
void format_footer_head(uint8_t out[16], uint64_t toc);

/* Checks the envelope of a file of kind k held in p[0..len): length, magics,
 * version, TOC bounds (segments). Returns 0 and sets *toc (segments), or
 * LEDE_ECORRUPT / LEDE_EVERSION with *what describing the problem (a static
 * string) and *version the version found. Does not verify the checksum. */
int format_check_envelope(const uint8_t *p, size_t len, enum file_kind k, uint64_t *toc,
                          uint32_t *version, const char **what);
/* Verifies the XXH3-64 checksum in the footer. 0 or LEDE_ECORRUPT. */
int format_verify_checksum(const uint8_t *p, size_t len);

/* Makes "DIR/seg_<N>.lseg" / "DIR/seg_<N>_<G>.ldel" / "DIR/MANIFEST" in out. */
int format_segment_path(buf *out, const char *dir, uint32_t number);
int format_deletions_path(buf *out, const char *dir, uint32_t number, uint64_t generation);
int format_manifest_path(buf *out, const char *dir);

#endif
