/* format.c - envelope and naming of index files (see format.h, FORMAT.md). */
#include "format.h"

#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "err.h"
#include "hash.h"

static const char *const magics[3] = {"LEDEMAN", "LEDESEG", "LEDEDEL"};
static const char end_magic[8] = "LEDE/END";

const char *format_section_name(int id)
{
    static const char *const names[SEC_N] = {
        "?", "META", "TERMS", "TERMINDEX", "POSTINGS", "POSITIONS", "DOCLEN",
        "DOCDATE", "DOCTABLE", "IDINDEX", "FPRINTS", "STORE", "STOREINDEX"};
    return id > 0 && id < SEC_N ? names[id] : "?";
}

const char *format_kind_name(enum file_kind k)
{
    switch (k) {
    case FILE_MANIFEST: return "manifest";
    case FILE_SEGMENT: return "segment";
    case FILE_DELETIONS: return "deletions";
    }
    return "?";
}

void format_header(uint8_t out[FORMAT_HEADER_LEN], enum file_kind k)
{
    memcpy(out, magics[k], 8); /* includes the NUL */
    store_u32le(out + 8, FORMAT_VERSION);
    store_u32le(out + 12, 0);
}

void format_footer_head(uint8_t out[16], uint64_t toc)
{
    store_u64le(out, toc);
    memcpy(out + 8, end_magic, 8);
}

int format_check_envelope(const uint8_t *p, size_t len, enum file_kind k, uint64_t *toc,
                          uint32_t *version, const char **what)
{
    *toc = 0;
    *version = 0;
    if (len < FORMAT_HEADER_LEN + FORMAT_FOOTER_LEN) {
        *what = "file too short to be a lede index file (truncated?)";
        return LEDE_ECORRUPT;
    }
    if (memcmp(p, magics[k], 8) != 0) {
        for (int i = 0; i < 3; i++)
            if (memcmp(p, magics[i], 8) == 0) {
                *what = "a lede index file of another kind than expected";
                return LEDE_ECORRUPT;
            }
        *what = "not a lede index file (bad magic)";
        return LEDE_ECORRUPT;
    }
    *version = load_u32le(p + 8);
    if (*version == 0) {
        *what = "format version 0 (a damaged header)";
        return LEDE_ECORRUPT;
    }
    if (*version != FORMAT_VERSION) {
        *what = "unsupported format version";
        return LEDE_EVERSION;
    }
    if (load_u32le(p + 12) != 0) {
        *what = "reserved header field is not 0 (a damaged header)";
        return LEDE_ECORRUPT;
    }
    const uint8_t *f = p + len - FORMAT_FOOTER_LEN;
    if (memcmp(f + 8, end_magic, 8) != 0) {
        *what = "bad footer (truncated or overwritten)";
        return LEDE_ECORRUPT;
    }
    uint64_t t = load_u64le(f);
    if (k == FILE_SEGMENT) {
        if (t < FORMAT_HEADER_LEN || t > len - FORMAT_FOOTER_LEN - 4) {
            *what = "table of contents out of range";
            return LEDE_ECORRUPT;
        }
    } else if (t != 0) {
        *what = "bad footer";
        return LEDE_ECORRUPT;
    }
    *toc = t;
    return 0;
}

int format_verify_checksum(const uint8_t *p, size_t len)
{
    if (len < FORMAT_HEADER_LEN + FORMAT_FOOTER_LEN)
        return LEDE_ECORRUPT;
    uint64_t want = load_u64le(p + len - 8);
    return hash64(p, len - 8) == want ? 0 : LEDE_ECORRUPT;
}

int format_segment_path(buf *out, const char *dir, uint32_t number)
{
    buf_clear(out);
    return buf_printf(out, "%s/seg_%06u.lseg", dir, number);
}

int format_deletions_path(buf *out, const char *dir, uint32_t number, uint64_t generation)
{
    buf_clear(out);
    return buf_printf(out, "%s/seg_%06u_%llu.ldel", dir, number, (unsigned long long)generation);
}

int format_manifest_path(buf *out, const char *dir)
{
    buf_clear(out);
    return buf_printf(out, "%s/MANIFEST", dir);
}

void format_version_message(char *msg, size_t cap, const char *dir, uint32_t version)
{
    if (version < FORMAT_VERSION)
        snprintf(msg, cap,
                 "%s/MANIFEST: unsupported format version %u, older than this build's %d; "
                 "index the articles again into a new directory",
                 dir, version, FORMAT_VERSION);
    else
        snprintf(msg, cap,
                 "%s/MANIFEST: unsupported format version %u (this build reads %d); "
                 "use the lede that wrote it",
                 dir, version, FORMAT_VERSION);
}
