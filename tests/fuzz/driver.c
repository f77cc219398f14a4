/* driver.c - replays inputs through a fuzz target without libFuzzer.
 *
 *   fuzz_<target> PATH...
 *
 * Each PATH is a file or a directory; a directory's files (not recursively,
 * names starting with '.' skipped, in byte order of names) are each passed
 * to LLVMFuzzerTestOneInput once, in a heap buffer of exactly their size so
 * that AddressSanitizer sees a read past the end. This is how the committed
 * corpora and crash reproducers run as ctest tests under any compiler. Exits
 * 0 when every input ran (a violated oracle aborts), 2 on a usage or I/O
 * error. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Runs the target on one file. Returns 0, or -1 (reported) when unreadable. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    while (data) {
        if (len == cap) {
            uint8_t *p = realloc(data, cap *= 2);
            if (!p) {
                free(data);
                data = NULL;
                break;
            }
            data = p;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    int bad = ferror(f) || !data;
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(data);
        return -1;
    }
    /* An exact copy, so that one byte past the input is outside the block. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(data);
        fprintf(stderr, "%s: out of memory\n", path);
        return -1;
    }
    memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every file of directory `dir`; adds their number to *n_run. */
static int run_dir(const char *dir, size_t *n_run)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: cannot open directory: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(names, cap * sizeof *p);
            if (!p) {
                rc = -1;
                break;
            }
            names = p;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0 && n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            size_t plen = strlen(dir) + strlen(names[i]) + 2;
            char *path = malloc(plen);
            struct stat sb;
            if (!path) {
                rc = -1;
            } else {
                snprintf(path, plen, "%s/%s", dir, names[i]);
                if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
                    if (run_file(path) != 0)
                        rc = -1;
                    else
                        (*n_run)++;
                }
                free(path);
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    size_t n_run = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            rc = -1;
        } else if (S_ISDIR(sb.st_mode)) {
            if (run_dir(argv[i], &n_run) != 0)
                rc = -1;
        } else if (run_file(argv[i]) != 0) {
            rc = -1;
        } else {
            n_run++;
        }
    }
    printf("%s: %zu inputs replayed\n", argv[0], n_run);
    return rc ? 2 : 0;
}
