/* err.h - the error codes every fallible lede function returns.
 *
 * 0 is success; failures are small negative numbers. "Not found" is never an
 * error. Library code returns these and never prints; main.c turns them into
 * messages with err_str() plus its own context (file, line, column). */
#ifndef LEDE_ERR_H
#define LEDE_ERR_H

enum {
    LEDE_OK = 0,
    LEDE_ENOMEM = -1,   /* an allocation failed */
    LEDE_EIO = -2,      /* a read, write, fsync or rename failed (errno is kept) */
    LEDE_ECORRUPT = -3, /* bytes on disk or in input do not follow the format */
    LEDE_EVERSION = -4, /* an index of a format version this build cannot read */
    LEDE_EINVAL = -5,   /* a bad argument or option */
    LEDE_EQUERY = -6,   /* a malformed query */
    LEDE_ELIMIT = -7,   /* a documented size limit was exceeded */
    LEDE_ELOCKED = -8   /* another writer holds the index lock */
};

/* A short, static, human-readable description of an error code. */
const char *err_str(int rc);

#endif
