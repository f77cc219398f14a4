/* buf.h - a growable byte buffer, the one way lede assembles bytes in memory.
 *
 * A zeroed struct buf is a valid empty buffer. The bytes are always followed by
 * a NUL (not counted in len) once anything was appended, so text can be passed
 * to C string functions. Appends return 0 or LEDE_ENOMEM; after a failure the
 * buffer keeps its previous contents and remembers the failure in `err`, so
 * that a run of appends (rendering a line of output) can be checked once. */
#ifndef LEDE_BUF_H
#define LEDE_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
    int err; /* 0, or the first failed append's code; reset by buf_clear and buf_free */
} buf;

/* Makes room for at least `extra` more bytes (plus the NUL). */
int buf_reserve(buf *b, size_t extra);
/* buf_append when the bytes may not fit: grows the buffer first. */
int buf_append_grow(buf *b, const void *data, size_t len);

/* Appends data[0..len). Inline for the common case, bytes that fit: the
 * index writers append a few bytes at a time. */
static inline int buf_append(buf *b, const void *data, size_t len)
{
    if (b->cap - b->len <= len)
        return buf_append_grow(b, data, len);
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}
int buf_putc(buf *b, char c);
int buf_puts(buf *b, const char *s);
/* printf-style append. */
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory; forgets a failed append. */
void buf_clear(buf *b);
/* Frees the memory; the buffer is empty and reusable afterwards. */
void buf_free(buf *b);
/* Hands the bytes to the caller (who frees them) and empties the buffer.
 * Returns an empty NUL-terminated string, not NULL, for an empty buffer;
 * NULL only when that allocation fails. */
char *buf_detach(buf *b);

#endif
