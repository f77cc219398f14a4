/* failalloc.c - allocation-failure injection for the LEDE_FAILALLOC build.
 *
 * Linked into lede-index and lede-search with -Wl,--wrap=malloc,... (the
 * top-level CMakeLists.txt): every malloc, calloc, realloc, strdup and
 * strndup in lede's own code (common/, indexer/, searcher/, the two main.c)
 * calls __wrap_X here, which counts it and calls the real one. Driven by the
 * environment, read once at startup:
 *
 *   LEDE_FAIL_ALLOC=K         the K-th call (from 1) returns NULL with errno
 *                             ENOMEM, exactly once: every other call succeeds,
 *                             so the code that unwinds and reports the failure
 *                             may allocate, as it would after a transient OOM.
 *   LEDE_FAIL_ALLOC_COUNT=F   at exit, append the number of calls to file F
 *                             (how many K a run has).
 *   LEDE_FAIL_ALLOC_TRACE=1   print a backtrace of the failed call to stderr.
 *
 * Not counted: allocations inside shared libraries (zlib, cJSON, utf8proc,
 * libstemmer) and inside libc itself (stdio, getline, opendir, pthread_create),
 * which call the real malloc directly. Calls from several threads are counted
 * in whatever order they happen; the test uses -j 1 where it needs K to name
 * the same call every run. tests/e2e/failalloc.sh drives it. */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static unsigned long fail_at;          /* 0: never */
static const char *count_file;
static int trace;
static atomic_ulong n_calls;

__attribute__((constructor)) static void failalloc_init(void)
{
    const char *k = getenv("LEDE_FAIL_ALLOC");
    if (k && *k)
        fail_at = strtoul(k, NULL, 10);
    count_file = getenv("LEDE_FAIL_ALLOC_COUNT");
    const char *t = getenv("LEDE_FAIL_ALLOC_TRACE");
    trace = t && *t && strcmp(t, "0") != 0;
}

__attribute__((destructor)) static void failalloc_report(void)
{
    if (!count_file || !*count_file)
        return;
    int fd = open(count_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char line[32];
    int n = snprintf(line, sizeof line, "%lu\n", atomic_load(&n_calls));
    (void)!write(fd, line, (size_t)n);
    close(fd);
}

/* Counts a call; returns 1 if this one must fail. */
static int should_fail(void)
{
    unsigned long k = atomic_fetch_add(&n_calls, 1) + 1;
    if (k != fail_at)
        return 0;
    if (trace) {
        void *frames[32];
        char head[64];
        int n = snprintf(head, sizeof head, "failalloc: failing allocation %lu\n", k);
        (void)!write(STDERR_FILENO, head, (size_t)n);
        backtrace_symbols_fd(frames, backtrace(frames, 32), STDERR_FILENO);
    }
    errno = ENOMEM;
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n); /* p stays valid, as after a real failure */
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return should_fail() ? NULL : __real_strndup(s, n);
}
