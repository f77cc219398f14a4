/* err.c - descriptions of lede's error codes (see err.h). */
#include "err.h"

const char *err_str(int rc)
{
    switch (rc) {
    case LEDE_OK: return "success";
    case LEDE_ENOMEM: return "out of memory";
    case LEDE_EIO: return "input/output error";
    case LEDE_ECORRUPT: return "corrupt data";
    case LEDE_EVERSION: return "unsupported format version";
    case LEDE_EINVAL: return "invalid argument";
    case LEDE_EQUERY: return "malformed query";
    case LEDE_ELIMIT: return "size limit exceeded";
    case LEDE_ELOCKED: return "index is locked by another writer";
    default: return "unknown error";
    }
}
