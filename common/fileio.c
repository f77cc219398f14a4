/* fileio.c - mapping, durable writing, locking (see fileio.h). */
#include "fileio.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "hash.h"

int fmap_open(fmap *out, const char *path)
{
    out->p = NULL;
    out->len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return LEDE_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return LEDE_EIO;
    }
    if (st.st_size == 0) {
        close(fd);
        return 0;
    }
#ifdef LEDE_FMAP_COPY
    /* Sanitizer builds: a heap copy of exactly the file's size, so that a
     * read past the end is an AddressSanitizer error rather than a silent
     * read of the last page's zero fill. */
    size_t size = (size_t)st.st_size, got = 0;
    uint8_t *p = malloc(size);
    int rc = p ? 0 : LEDE_ENOMEM;
    while (rc == 0 && got < size) {
        ssize_t r = read(fd, p + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            rc = LEDE_EIO; /* the file shrank or cannot be read */
        else
            got += (size_t)r;
    }
    int e = errno;
    close(fd);
    if (rc) {
        free(p);
        errno = e;
        return rc;
    }
#else
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED) {
        errno = e;
        return e == ENOMEM ? LEDE_ENOMEM : LEDE_EIO;
    }
#endif
    out->p = p;
    out->len = (size_t)st.st_size;
    return 0;
}

void fmap_close(fmap *m)
{
#ifdef LEDE_FMAP_COPY
    if (m)
        free((void *)m->p);
#else
    if (m && m->p)
        munmap((void *)m->p, m->len);
#endif
    if (m) {
        m->p = NULL;
        m->len = 0;
    }
}

int file_read_all(const char *path, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return LEDE_EIO;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    int rc = b ? 0 : LEDE_ENOMEM;
    while (rc == 0) {
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2);
            if (!nb) {
                rc = LEDE_ENOMEM;
                break;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            rc = LEDE_EIO;
        else if (r == 0)
            break;
        else
            n += (size_t)r;
    }
    int e = errno;
    close(fd);
    if (rc) {
        free(b);
        errno = e;
        return rc;
    }
    /* exactly n bytes, so that a reader's overrun is a sanitizer error */
    uint8_t *exact = realloc(b, n ? n : 1);
    *out = exact ? exact : b;
    *len = n;
    return 0;
}

#define FW_BUF (1u << 20)

struct fwriter {
    int fd;
    int rc;
    int err_no;
    char *final_path;
    char *tmp_path;
    uint64_t offset;
    hash64_stream *hash;
    size_t n_buf;
    uint8_t buf[FW_BUF];
};

int fwriter_open(fwriter **out, const char *final_path)
{
    *out = NULL;
    fwriter *w = malloc(sizeof *w);
    if (!w)
        return LEDE_ENOMEM;
    memset(w, 0, offsetof(fwriter, buf));
    size_t n = strlen(final_path);
    w->final_path = strdup(final_path);
    w->tmp_path = malloc(n + 5);
    if (!w->final_path || !w->tmp_path || hash64_stream_new(&w->hash)) {
        free(w->final_path);
        free(w->tmp_path);
        free(w);
        return LEDE_ENOMEM;
    }
    memcpy(w->tmp_path, final_path, n);
    memcpy(w->tmp_path + n, ".tmp", 5);
    w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        int e = errno;
        hash64_stream_free(w->hash);
        free(w->final_path);
        free(w->tmp_path);
        free(w);
        errno = e;
        return LEDE_EIO;
    }
    *out = w;
    return 0;
}

/* Writes all of p[0..n) to fd, retrying short writes; 0 or the errno. */
static int write_all(int fd, const uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = write(fd, p + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno ? errno : EIO;
        done += (size_t)r;
    }
    return 0;
}

static int flush_buf(fwriter *w)
{
    int e = write_all(w->fd, w->buf, w->n_buf);
    if (e) {
        w->err_no = e;
        return w->rc = LEDE_EIO;
    }
    w->n_buf = 0;
    return 0;
}

int fwriter_write(fwriter *w, const void *data, size_t len)
{
    if (w->rc)
        return w->rc;
    hash64_stream_update(w->hash, data, len);
    w->offset += len;
    const uint8_t *p = data;
    while (len > 0) {
        size_t room = FW_BUF - w->n_buf;
        size_t k = len < room ? len : room;
        memcpy(w->buf + w->n_buf, p, k);
        w->n_buf += k;
        p += k;
        len -= k;
        if (w->n_buf == FW_BUF && flush_buf(w))
            return w->rc;
    }
    return 0;
}

uint64_t fwriter_offset(const fwriter *w)
{
    return w->offset;
}

uint64_t fwriter_checksum(const fwriter *w)
{
    return hash64_stream_digest(w->hash);
}

int fwriter_errno(const fwriter *w)
{
    return w ? w->err_no : 0;
}

static void fwriter_free(fwriter *w)
{
    hash64_stream_free(w->hash);
    free(w->final_path);
    free(w->tmp_path);
    free(w);
}

void fwriter_abort(fwriter *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    unlink(w->tmp_path);
    fwriter_free(w);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

void file_drop_cache(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
}

int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return LEDE_EIO;
    int rc = fsync(fd) == 0 ? 0 : LEDE_EIO;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int fwriter_commit(fwriter *w)
{
    int rc = w->rc ? w->rc : flush_buf(w);
    if (rc == 0 && fsync(w->fd) != 0) {
        w->err_no = errno;
        rc = LEDE_EIO;
    }
    if (close(w->fd) != 0 && rc == 0) {
        w->err_no = errno;
        rc = LEDE_EIO;
    }
    w->fd = -1;
    if (rc == 0 && rename(w->tmp_path, w->final_path) != 0) {
        w->err_no = errno;
        rc = LEDE_EIO;
    }
    if (rc == 0) {
        char *dir = dir_of(w->final_path);
        if (!dir)
            rc = LEDE_ENOMEM;
        else if (fsync_dir(dir) != 0) {
            w->err_no = errno;
            rc = LEDE_EIO;
        }
        free(dir);
    }
    int e = w->err_no;
    if (rc)
        unlink(w->tmp_path);
    fwriter_free(w);
    errno = e;
    return rc;
}

#define SPILL_BUF (1u << 20)

struct spill {
    int fd;
    int rc;
    int err_no;
    uint64_t size;
    size_t n_buf;
    uint8_t buf[SPILL_BUF];
};

int spill_open(spill **out, const char *dir)
{
    *out = NULL;
    spill *s = malloc(sizeof *s);
    if (!s)
        return LEDE_ENOMEM;
    memset(s, 0, offsetof(spill, buf));
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/spill-XXXXXX.tmp", dir) >= sizeof path) {
        free(s);
        return LEDE_EINVAL;
    }
    s->fd = mkstemps(path, 4);
    if (s->fd < 0) {
        int e = errno;
        free(s);
        errno = e;
        return LEDE_EIO;
    }
    unlink(path);
    *out = s;
    return 0;
}

static int spill_flush(spill *s)
{
    int e = write_all(s->fd, s->buf, s->n_buf);
    if (e) {
        s->err_no = e;
        return s->rc = LEDE_EIO;
    }
    s->n_buf = 0;
    return 0;
}

int spill_write(spill *s, const void *data, size_t len)
{
    if (s->rc)
        return s->rc;
    const uint8_t *p = data;
    s->size += len;
    while (len > 0) {
        size_t k = SPILL_BUF - s->n_buf < len ? SPILL_BUF - s->n_buf : len;
        memcpy(s->buf + s->n_buf, p, k);
        s->n_buf += k;
        p += k;
        len -= k;
        if (s->n_buf == SPILL_BUF && spill_flush(s))
            return s->rc;
    }
    return 0;
}

uint64_t spill_size(const spill *s)
{
    return s->size;
}

int spill_errno(const spill *s)
{
    return s ? s->err_no : 0;
}

int spill_copy_to(spill *s, fwriter *w)
{
    if (s->rc || spill_flush(s))
        return s->rc;
    if (lseek(s->fd, 0, SEEK_SET) != 0) {
        s->err_no = errno;
        return s->rc = LEDE_EIO;
    }
    for (;;) {
        ssize_t r = read(s->fd, s->buf, SPILL_BUF);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            s->err_no = errno;
            return s->rc = LEDE_EIO;
        }
        if (r == 0)
            return 0;
        int rc = fwriter_write(w, s->buf, (size_t)r);
        if (rc)
            return rc;
    }
}

void spill_close(spill *s)
{
    if (!s)
        return;
    close(s->fd);
    free(s);
}

struct flock_handle {
    int fd;
};

int lock_take(flock_handle **out, const char *dir, char *holder, size_t holder_cap)
{
    *out = NULL;
    if (holder_cap)
        holder[0] = '\0';
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/LOCK", dir) >= sizeof path)
        return LEDE_EINVAL;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return LEDE_EIO;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK) {
            ssize_t n = holder_cap ? pread(fd, holder, holder_cap - 1, 0) : 0;
            if (n > 0) {
                holder[n] = '\0';
                holder[strcspn(holder, "\n")] = '\0';
            }
            close(fd);
            return LEDE_ELOCKED;
        }
        close(fd);
        errno = e;
        return LEDE_EIO;
    }
    char me[300], host[256] = "";
    gethostname(host, sizeof host - 1);
    int n = snprintf(me, sizeof me, "pid %ld on %s\n", (long)getpid(), host);
    if (ftruncate(fd, 0) == 0 && n > 0)
        (void)!pwrite(fd, me, (size_t)n, 0);
    flock_handle *h = malloc(sizeof *h);
    if (!h) {
        close(fd);
        return LEDE_ENOMEM;
    }
    h->fd = fd;
    *out = h;
    return 0;
}

void lock_release(flock_handle *h)
{
    if (!h)
        return;
    close(h->fd); /* releases the flock */
    free(h);
}
