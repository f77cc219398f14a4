/* test_index.c - the index writer end to end, through the library:
 * merge == build, updates, deletes, duplicates, thread-count independence,
 * corruption found by check, readers keeping their generation, the lock,
 * the segments a writer wrote leaving the page cache.
 *
 * Documents are generated from a seeded PRNG (LEDE_SEED overrides; the seed
 * is printed on failure). Expected contents are computed from the generated
 * documents by the test itself (an id list in input order), never from the
 * index under test. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "fileio.h"
#include "index.h"
#include "ingest.h"
#include "ixread.h"
#include "t.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t seed_from_env(void)
{
    const char *s = getenv("LEDE_SEED");
    return s ? strtoull(s, NULL, 10) : 20261127;
}

static const char *const vocab[] = {
    "korea", "peninsula", "putin", "kim", "summit", "talks", "the", "of", "and", "a",
    "sanctions", "trade", "china", "russia", "editorial", "economy", "election", "vote",
    "minister", "policy", "market", "growth", "tariff", "crisis", "peace", "war", "deal",
    "nuclear", "missile", "beijing", "moscow", "washington", "seoul", "pyongyang", "un",
    "council", "security", "rights", "press", "freedom", "court", "law", "border", "migrants",
};
#define N_VOCAB (sizeof vocab / sizeof *vocab)

/* A word with a skewed distribution, sometimes a rare generated one. */
static void word(buf *b)
{
    uint64_t r = rnd() % 100;
    if (r < 8) {
        buf_printf(b, "w%llu", (unsigned long long)(rnd() % 5000));
        return;
    }
    size_t i = (size_t)(rnd() % N_VOCAB);
    if (r < 60)
        i = i % 10; /* frequent words */
    buf_puts(b, vocab[i]);
}

/* Writes n documents with ids <prefix><i> to path as JSON Lines. */
static void write_docs(const char *path, const char *prefix, int first, int n, int variant)
{
    FILE *f = fopen(path, "w");
    buf b = {0};
    for (int i = first; i < first + n; i++) {
        buf_clear(&b);
        buf_printf(&b, "{\"id\":\"%s%d\",\"title\":\"", prefix, i);
        int nt = 1 + (int)(rnd() % 6);
        for (int k = 0; k < nt; k++) {
            if (k)
                buf_putc(&b, ' ');
            word(&b);
        }
        buf_printf(&b, " v%d\",\"date\":\"2019-%02d-%02d\",\"body\":\"", variant,
                   1 + (int)(rnd() % 12), 1 + (int)(rnd() % 28));
        int nb = (int)(rnd() % 400);
        for (int k = 0; k < nb; k++) {
            if (k)
                buf_putc(&b, (rnd() % 20) ? ' ' : '.');
            word(&b);
        }
        buf_puts(&b, "\"}\n");
        fputs(b.data, f);
    }
    buf_free(&b);
    fclose(f);
}

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/lede-test-index-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static void rmrf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        T_FAIL("cannot remove %s", dir);
}

static int add_sink(void *ctx, const ingest_doc *d)
{
    int outcome;
    char msg[512];
    int rc = ixwriter_add(ctx, d, &outcome, msg, sizeof msg);
    if (rc)
        fprintf(stderr, "add: %s\n", msg);
    return rc;
}

/* Indexes paths into dir in one writer session. Returns the writer's stats. */
static int build(const char *dir, const char *const *paths, size_t n, int threads, size_t memory,
                 uint32_t merge_factor, int keep_dups, ixwriter_stats *st)
{
    ixwriter_opts wo = {NULL, memory, keep_dups, merge_factor};
    ixwriter *w = NULL;
    char msg[512];
    int rc = ixwriter_open(&w, dir, &wo, msg, sizeof msg);
    if (rc) {
        fprintf(stderr, "open: %s\n", msg);
        return rc;
    }
    ingest_opts io;
    memset(&io, 0, sizeof io);
    io.paths = paths;
    io.n_paths = n;
    io.n_threads = threads;
    input_stats is;
    rc = ingest_run(&io, add_sink, w, &is);
    if (rc == 0)
        rc = ixwriter_commit(w, msg, sizeof msg);
    if (rc)
        fprintf(stderr, "build: %s\n", msg);
    if (st)
        *st = *ixwriter_get_stats(w);
    ixwriter_close(w);
    return rc;
}

static int optimize(const char *dir)
{
    ixwriter *w = NULL;
    char msg[512];
    int rc = ixwriter_open(&w, dir, NULL, msg, sizeof msg);
    if (rc == 0)
        rc = ixwriter_optimize(w, msg, sizeof msg);
    ixwriter_close(w);
    return rc;
}

static int delete_ids(const char *dir, const char *const *ids, size_t n)
{
    ixwriter *w = NULL;
    char msg[512];
    int rc = ixwriter_open(&w, dir, NULL, msg, sizeof msg);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = ixwriter_delete(w, ids[i], strlen(ids[i]), msg, sizeof msg) < 0;
    if (rc == 0)
        rc = ixwriter_commit(w, msg, sizeof msg);
    ixwriter_close(w);
    return rc;
}

/* The logical content of an index as text: live ids in order, then every key
 * with its live postings (external id and positions), keys in order. */
static void serialize(const char *dir, buf *out)
{
    buf_clear(out);
    char msg[512];
    ixread *r = NULL;
    if (ixread_open(&r, dir, msg, sizeof msg)) {
        buf_printf(out, "cannot open: %s", msg);
        return;
    }
    for (size_t s = 0; s < r->n_segs; s++)
        for (uint32_t d = 0; d < r->segs[s].ms.n_docs; d++) {
            docrec rec;
            if (deletions_has(&r->segs[s].del, d) || segread_doc(r->segs[s].seg, d, &rec))
                continue;
            buf_printf(out, "doc %.*s %.*s %lld\n", (int)rec.id_len, rec.id, (int)rec.title_len,
                       rec.title, (long long)segread_date(r->segs[s].seg, d));
        }
    dict_iter *it = calloc(r->n_segs + 1, sizeof *it);
    int *live = calloc(r->n_segs + 1, sizeof *live);
    for (size_t s = 0; s < r->n_segs; s++) {
        dict_seek(r->segs[s].seg, &it[s], NULL, 0);
        live[s] = dict_next(&it[s]) == 1;
    }
    for (;;) {
        int min = -1;
        for (size_t s = 0; s < r->n_segs; s++) {
            if (!live[s])
                continue;
            if (min < 0)
                min = (int)s;
            else {
                size_t a = it[s].key_len, b = it[min].key_len, k = a < b ? a : b;
                int c = memcmp(it[s].key, it[min].key, k);
                if (c < 0 || (c == 0 && a < b))
                    min = (int)s;
            }
        }
        if (min < 0)
            break;
        uint8_t key[FORMAT_MAX_KEY];
        size_t kl = it[min].key_len;
        memcpy(key, it[min].key, kl);
        size_t mark = out->len;
        buf_printf(out, "key %u:%.*s\n", format_key_field(key, kl), (int)kl - 1, key);
        int any = 0;
        for (size_t s = 0; s < r->n_segs; s++) {
            if (!live[s] || it[s].key_len != kl || memcmp(it[s].key, key, kl) != 0)
                continue;
            postings *p = NULL;
            postings_open(&p, r->segs[s].seg, &it[s].info, 1);
            for (uint32_t d = postings_next(p); d != POSTINGS_END; d = postings_next(p)) {
                if (deletions_has(&r->segs[s].del, d))
                    continue;
                docrec rec;
                segread_doc(r->segs[s].seg, d, &rec);
                uint32_t np;
                const uint32_t *pos = postings_positions(p, &np);
                buf_printf(out, "  %.*s", (int)rec.id_len, rec.id);
                for (uint32_t j = 0; j < np; j++)
                    buf_printf(out, " %u", pos[j]);
                buf_putc(out, '\n');
                any = 1;
            }
            postings_close(p);
            live[s] = dict_next(&it[s]) == 1;
        }
        if (!any) { /* every posting deleted: the key is absent */
            out->len = mark;
            out->data[mark] = '\0';
        }
    }
    free(it);
    free(live);
    ixread_close(r);
}

static uint64_t check_problems(const char *dir)
{
    index_totals t;
    uint64_t problems = 0;
    if (index_check(dir, CHECK_FULL, NULL, NULL, &t, &problems))
        return problems ? problems : 1;
    return problems;
}

/* The ids of the live documents, in order, one per line. */
static void live_ids(const char *dir, buf *out)
{
    buf all = {0};
    serialize(dir, &all);
    buf_clear(out);
    for (char *line = all.data; line && *line;) {
        char *nl = strchr(line, '\n');
        if (strncmp(line, "doc ", 4) == 0) {
            char *sp = strchr(line + 4, ' ');
            buf_append(out, line + 4, (size_t)(sp - line - 4));
            buf_putc(out, '\n');
        }
        line = nl ? nl + 1 : NULL;
    }
    buf_free(&all);
}

TEST(test_index__merge_equals_build)
{
    rng_state = seed_from_env();
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], b[4200], one[4200], two[4200], three[4200];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(b, sizeof b, "%s/b.jsonl", dir);
    snprintf(one, sizeof one, "%s/one", dir);
    snprintf(two, sizeof two, "%s/two", dir);
    snprintf(three, sizeof three, "%s/three", dir);
    write_docs(a, "a", 0, 300, 0);
    write_docs(b, "b", 0, 300, 0);
    const char *both[] = {a, b};
    ixwriter_stats st3;
    CHECK_INT(build(one, both, 2, 1, 0, 0, 1, NULL), 0);
    CHECK_INT(build(two, both, 1, 1, 0, 0, 1, NULL), 0);
    CHECK_INT(build(two, both + 1, 1, 1, 0, 0, 1, NULL), 0);
    CHECK_INT(optimize(two), 0);
    /* a tiny budget: many flushes and automatic merges of 2 */
    CHECK_INT(build(three, both, 2, 1, 672 << 10, 2, 1, &st3), 0);
    CHECK(st3.n_flushes >= 4);
    CHECK(st3.n_merges >= 2);
    buf s1 = {0}, s2 = {0}, s3 = {0};
    serialize(one, &s1);
    serialize(two, &s2);
    serialize(three, &s3);
    CHECK(s1.len > 10000);
    CHECK(s1.len == s2.len && memcmp(s1.data, s2.data, s1.len) == 0);
    CHECK(s1.len == s3.len && memcmp(s1.data, s3.data, s1.len) == 0);
    CHECK_INT(check_problems(one), 0);
    CHECK_INT(check_problems(two), 0);
    CHECK_INT(check_problems(three), 0);
    if (t_failed)
        fprintf(stderr, "seed %llu\n", (unsigned long long)seed_from_env());
    buf_free(&s1);
    buf_free(&s2);
    buf_free(&s3);
    rmrf(dir);
    free(dir);
}

TEST(test_index__threads_give_identical_index)
{
    rng_state = seed_from_env() + 1;
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], j1[4200], j2[4200];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(j1, sizeof j1, "%s/j1", dir);
    snprintf(j2, sizeof j2, "%s/j2", dir);
    write_docs(a, "d", 0, 700, 0);
    const char *p[] = {a};
    ixwriter_stats st;
    CHECK_INT(build(j1, p, 1, 1, 768 << 10, 3, 1, &st), 0);
    CHECK(st.n_flushes >= 3);
    CHECK_INT(build(j2, p, 1, 2, 768 << 10, 3, 1, NULL), 0);
    /* byte-identical files */
    char f1[4600], f2[4600];
    DIR *dd = opendir(j1);
    REQUIRE(dd);
    struct dirent *e;
    int n_files = 0;
    while ((e = readdir(dd)) != NULL) {
        if (strncmp(e->d_name, "seg_", 4) != 0 && strcmp(e->d_name, "MANIFEST") != 0)
            continue;
        snprintf(f1, sizeof f1, "%s/%s", j1, e->d_name);
        snprintf(f2, sizeof f2, "%s/%s", j2, e->d_name);
        uint8_t *x = NULL, *y = NULL;
        size_t xl = 0, yl = 0;
        CHECK_INT(file_read_all(f1, &x, &xl), 0);
        CHECK_INT(file_read_all(f2, &y, &yl), 0);
        if (xl != yl || (xl && memcmp(x, y, xl) != 0))
            T_FAIL("%s differs between -j1 and -j2", e->d_name);
        free(x);
        free(y);
        n_files++;
    }
    closedir(dd);
    CHECK(n_files >= 2);
    rmrf(dir);
    free(dir);
}

/* Writes documents to path: small ones, and after every `every`-th a big one
 * of about big_bytes of body (ids b<i>), so records over the ingest batch size
 * (256 KiB) come between ordinary ones. */
static void write_mixed(const char *path, int n, int every, size_t big_bytes)
{
    FILE *f = fopen(path, "w");
    buf b = {0};
    for (int i = 0; i < n; i++) {
        buf_clear(&b);
        int big = every && i % every == every - 1;
        buf_printf(&b, "{\"id\":\"%s%d\",\"title\":\"", big ? "b" : "s", i);
        word(&b);
        buf_puts(&b, "\",\"body\":\"");
        size_t want = big ? big_bytes : 200 + (size_t)(rnd() % 2000);
        while (b.len < want) {
            word(&b);
            buf_putc(&b, ' ');
        }
        buf_puts(&b, "\"}\n");
        fputs(b.data, f);
    }
    buf_free(&b);
    fclose(f);
}

TEST(test_index__big_records_keep_order)
{
    /* Records over 256 KiB are analyzed alone (ingest.c): the documents still
     * reach the index in input order, identical for every thread count. */
    rng_state = seed_from_env() + 7;
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], j1[4200], j4[4200];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(j1, sizeof j1, "%s/j1", dir);
    snprintf(j4, sizeof j4, "%s/j4", dir);
    write_mixed(a, 120, 13, 300 << 10);
    const char *p[] = {a};
    CHECK_INT(build(j1, p, 1, 1, 0, 0, 1, NULL), 0);
    CHECK_INT(build(j4, p, 1, 4, 0, 0, 1, NULL), 0);
    buf s1 = {0}, s4 = {0};
    serialize(j1, &s1);
    serialize(j4, &s4);
    CHECK(s1.len > 1000);
    CHECK(s1.len == s4.len && memcmp(s1.data, s4.data, s1.len) == 0);
    /* input order: s0 s1 ... s11 b12 s13 ... */
    const char *d12 = strstr(s1.data ? s1.data : "", "doc b12 ");
    const char *d11 = strstr(s1.data ? s1.data : "", "doc s11 ");
    const char *d13 = strstr(s1.data ? s1.data : "", "doc s13 ");
    CHECK(d11 && d12 && d13 && d11 < d12 && d12 < d13);
    if (t_failed)
        fprintf(stderr, "seed %llu\n", (unsigned long long)seed_from_env());
    buf_free(&s1);
    buf_free(&s4);
    rmrf(dir);
    free(dir);
}

TEST(test_index__big_document_flushes_first)
{
    /* docs/LIMITS.md: the budget covers what is in memory and the document
     * being added; one that would not fit beside it is preceded by a flush.
     * With a 2 MiB budget, 10 small documents fit together; a 400 KiB one
     * (tens of thousands of tokens, several MiB to add) does not: it gets a
     * segment of its own. */
    rng_state = seed_from_env() + 8;
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], ix[4200];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(ix, sizeof ix, "%s/ix", dir);
    write_mixed(a, 11, 11, 400 << 10);
    const char *p[] = {a};
    CHECK_INT(build(ix, p, 1, 1, 2 << 20, 1, 1, NULL), 0);
    char msg[512];
    ixread *r = NULL;
    REQUIRE(ixread_open(&r, ix, msg, sizeof msg) == 0);
    CHECK_INT(r->n_segs, 2);
    if (r->n_segs == 2) {
        CHECK_INT(r->segs[0].ms.n_docs, 10);
        CHECK_INT(r->segs[1].ms.n_docs, 1);
        docrec rec;
        CHECK_INT(segread_doc(r->segs[1].seg, 0, &rec), 0);
        CHECK_MEM(rec.id, rec.id_len, "b10");
    }
    ixread_close(r);
    rmrf(dir);
    free(dir);
}

TEST(test_index__updates_replace_and_deletes_remove)
{
    rng_state = seed_from_env() + 2;
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], u[4200], ix[4200];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(u, sizeof u, "%s/u.jsonl", dir);
    snprintf(ix, sizeof ix, "%s/ix", dir);
    write_docs(a, "x", 0, 50, 0);
    write_docs(u, "x", 40, 20, 1); /* x40..x49 are updates, x50..x59 new */
    const char *pa[] = {a}, *pu[] = {u};
    ixwriter_stats st;
    CHECK_INT(build(ix, pa, 1, 1, 0, 0, 1, &st), 0);
    CHECK_INT(st.n_added, 50);
    CHECK_INT(build(ix, pu, 1, 1, 0, 0, 1, &st), 0);
    CHECK_INT(st.n_added, 20);
    CHECK_INT(st.n_replaced, 10);
    buf ids = {0}, want = {0};
    for (int i = 0; i < 40; i++)
        buf_printf(&want, "x%d\n", i);
    for (int i = 40; i < 60; i++)
        buf_printf(&want, "x%d\n", i);
    live_ids(ix, &ids);
    CHECK_STR(ids.data, want.data);
    /* the updated versions carry the title marker v1 */
    buf s = {0};
    serialize(ix, &s);
    CHECK(strstr(s.data, "key 0:v0\n") != NULL);
    CHECK(strstr(s.data, "  x45 ") == NULL || strstr(strstr(s.data, "key 0:v1\n"), "  x45 ") != NULL);
    const char *del[] = {"x0", "x45", "nope"};
    CHECK_INT(delete_ids(ix, del, 3), 0);
    buf_clear(&want);
    for (int i = 1; i < 60; i++)
        if (i != 45)
            buf_printf(&want, "x%d\n", i);
    live_ids(ix, &ids);
    CHECK_STR(ids.data, want.data);
    CHECK_INT(check_problems(ix), 0);
    CHECK_INT(optimize(ix), 0);
    live_ids(ix, &ids);
    CHECK_STR(ids.data, want.data);
    CHECK_INT(check_problems(ix), 0);
    buf_free(&ids);
    buf_free(&want);
    buf_free(&s);
    rmrf(dir);
    free(dir);
}

TEST(test_index__exact_duplicates_skipped_unless_kept)
{
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], ix[4200], ix2[4200];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(ix, sizeof ix, "%s/ix", dir);
    snprintf(ix2, sizeof ix2, "%s/ix2", dir);
    FILE *f = fopen(a, "w");
    REQUIRE(f);
    fputs("{\"id\":\"feed1-7\",\"title\":\"Putin meets Kim\",\"body\":\"The two leaders met.\"}\n", f);
    fputs("{\"id\":\"feed2-9\",\"title\":\"PUTIN meets  Kim!\",\"body\":\"The two leaders  met\"}\n", f);
    fputs("{\"id\":\"feed2-10\",\"title\":\"Putin meets Kim\",\"body\":\"The two leaders met again.\"}\n", f);
    fclose(f);
    const char *p[] = {a};
    ixwriter_stats st;
    CHECK_INT(build(ix, p, 1, 1, 0, 0, 0, &st), 0);
    CHECK_INT(st.n_added, 2);
    CHECK_INT(st.n_duplicates, 1);
    buf ids = {0};
    live_ids(ix, &ids);
    CHECK_STR(ids.data, "feed1-7\nfeed2-10\n");
    CHECK_INT(build(ix2, p, 1, 1, 0, 0, 1, &st), 0);
    CHECK_INT(st.n_added, 3);
    CHECK_INT(st.n_duplicates, 0);
    /* re-indexing the same file updates in place: no duplicates, no growth */
    CHECK_INT(build(ix, p, 1, 1, 0, 0, 0, &st), 0);
    CHECK_INT(st.n_replaced, 2);
    live_ids(ix, &ids);
    CHECK_STR(ids.data, "feed1-7\nfeed2-10\n");
    buf_free(&ids);
    rmrf(dir);
    free(dir);
}

TEST(test_index__check_reports_flipped_byte)
{
    rng_state = seed_from_env() + 3;
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], ix[4200], seg[4300];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(ix, sizeof ix, "%s/ix", dir);
    write_docs(a, "c", 0, 100, 0);
    const char *p[] = {a};
    CHECK_INT(build(ix, p, 1, 1, 0, 0, 1, NULL), 0);
    CHECK_INT(check_problems(ix), 0);
    snprintf(seg, sizeof seg, "%s/seg_000001.lseg", ix);
    uint8_t *data = NULL;
    size_t len = 0;
    REQUIRE(file_read_all(seg, &data, &len) == 0 && len > 1000);
    for (int trial = 0; trial < 20; trial++) {
        size_t at = (size_t)(rnd() % len);
        data[at] ^= (uint8_t)(1u << (rnd() % 8));
        FILE *f = fopen(seg, "wb");
        fwrite(data, 1, len, f);
        fclose(f);
        if (check_problems(ix) == 0)
            T_FAIL("a flipped bit at offset %zu went unnoticed", at);
        data[at] ^= 0; /* keep it flipped: damage accumulates */
    }
    free(data);
    rmrf(dir);
    free(dir);
}

TEST(test_index__reader_keeps_its_generation)
{
    rng_state = seed_from_env() + 4;
    char *dir = tmpdir();
    REQUIRE(dir);
    char a[4200], b[4200], ix[4200];
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(b, sizeof b, "%s/b.jsonl", dir);
    snprintf(ix, sizeof ix, "%s/ix", dir);
    write_docs(a, "r", 0, 80, 0);
    write_docs(b, "s", 0, 80, 0);
    const char *pa[] = {a}, *pb[] = {b};
    CHECK_INT(build(ix, pa, 1, 1, 0, 0, 1, NULL), 0);
    buf before = {0}, after = {0};
    serialize(ix, &before);
    char msg[512];
    ixread *r = NULL;
    REQUIRE(ixread_open(&r, ix, msg, sizeof msg) == 0);
    /* the writer adds, deletes and merges everything while r is open */
    CHECK_INT(build(ix, pb, 1, 1, 0, 0, 1, NULL), 0);
    const char *del[] = {"r1", "r2"};
    CHECK_INT(delete_ids(ix, del, 2), 0);
    CHECK_INT(optimize(ix), 0);
    /* r still reads generation 1 completely */
    CHECK_INT(r->man.generation, 1);
    CHECK_INT(r->n_live, 80);
    uint32_t local;
    docrec rec;
    const ixseg *g = ixread_locate(r, 79, &local);
    REQUIRE(g);
    CHECK_INT(segread_doc(g->seg, local, &rec), 0);
    CHECK_MEM(rec.id, rec.id_len, "r79");
    ixread_close(r);
    serialize(ix, &after);
    CHECK(strstr(after.data, "doc r1 ") == NULL);
    CHECK(strstr(after.data, "doc s79 ") != NULL);
    CHECK_INT(check_problems(ix), 0);
    buf_free(&before);
    buf_free(&after);
    rmrf(dir);
    free(dir);
}

TEST(test_index__second_writer_is_refused)
{
    char *dir = tmpdir();
    REQUIRE(dir);
    char ix[4200], msg[512];
    snprintf(ix, sizeof ix, "%s/ix", dir);
    ixwriter *w1 = NULL, *w2 = NULL;
    REQUIRE(ixwriter_open(&w1, ix, NULL, msg, sizeof msg) == 0);
    /* flock locks belong to the open file description: a second open in this
     * process conflicts just as another process would */
    CHECK_INT(ixwriter_open(&w2, ix, NULL, msg, sizeof msg), LEDE_ELOCKED);
    CHECK(w2 == NULL);
    char pid[32];
    snprintf(pid, sizeof pid, "pid %ld", (long)getpid());
    CHECK(strstr(msg, pid) != NULL);
    ixwriter_close(w1);
    CHECK_INT(ixwriter_open(&w2, ix, NULL, msg, sizeof msg), 0);
    ixwriter_close(w2);
    rmrf(dir);
    free(dir);
}

/* Pages of `path` in the page cache (mincore on a map of it), and how many
 * pages it has; -1 on failure. */
static long resident_pages(const char *path, long *n_pages)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct stat st;
    long page = sysconf(_SC_PAGESIZE), res = -1;
    if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && page > 0) {
        size_t n = ((size_t)st.st_size + (size_t)page - 1) / (size_t)page;
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fileno(f), 0);
        unsigned char *vec = malloc(n);
        if (m != MAP_FAILED && vec && mincore(m, (size_t)st.st_size, vec) == 0) {
            res = 0;
            for (size_t i = 0; i < n; i++)
                res += vec[i] & 1;
            *n_pages = (long)n;
        }
        free(vec);
        if (m != MAP_FAILED)
            munmap(m, (size_t)st.st_size);
    }
    fclose(f);
    return res;
}

/* Writes `len` bytes of chunk to a new file, fsyncs it and advises the
 * kernel to drop its pages, as file_drop_cache does (a control that does
 * not depend on lede's code). 0 or -1. */
static int write_and_drop(const char *path, const uint8_t *chunk, size_t chunk_len, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int rc = 0;
    for (size_t done = 0; done < len && rc == 0; done += chunk_len)
        rc = fwrite(chunk, 1, chunk_len, f) == chunk_len ? 0 : -1;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 ||
        posix_fadvise(fileno(f), 0, 0, POSIX_FADV_DONTNEED) != 0)
        rc = -1;
    return fclose(f) == 0 ? rc : -1;
}

TEST(test_index__written_segments_leave_page_cache)
{
    rng_state = seed_from_env();
    char *dir = tmpdir();
    REQUIRE(dir);
    static uint8_t chunk[1 << 16];
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (uint8_t)rnd();
    /* where the kernel keeps pages it was told to drop (a file system in
     * memory, a sandbox that ignores the advice), there is nothing to test */
    char control[4200], docs[4200], ix[4200];
    snprintf(control, sizeof control, "%s/control", dir);
    snprintf(docs, sizeof docs, "%s/docs.jsonl", dir);
    snprintf(ix, sizeof ix, "%s/ix", dir);
    long n = 0, res = -1;
    if (write_and_drop(control, chunk, sizeof chunk, 64 * sizeof chunk) == 0)
        res = resident_pages(control, &n);
    if (res < 0 || res > n / 8) {
        fprintf(stderr, "test_index__written_segments_leave_page_cache: skipped, %s keeps pages "
                        "dropped with posix_fadvise (%ld of %ld cached)\n", dir, res, n);
        rmrf(dir);
        free(dir);
        return;
    }
    /* a first commit, then more documents merged with it (merge factor 2) */
    write_docs(docs, "a", 0, 400, 0);
    const char *paths[] = {docs};
    CHECK_INT(build(ix, paths, 1, 1, 0, 2, 1, NULL), 0);
    write_docs(docs, "b", 0, 400, 0);
    CHECK_INT(build(ix, paths, 1, 1, 0, 2, 1, NULL), 0);
    DIR *d = opendir(ix);
    REQUIRE(d);
    int n_segs = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".lseg") != 0)
            continue;
        char path[8400];
        snprintf(path, sizeof path, "%s/%s", ix, e->d_name);
        res = resident_pages(path, &n);
        CHECK(res >= 0 && n > 16);
        if (res > n / 8)
            T_FAIL("%s: %ld of %ld pages still cached after the writer closed", e->d_name, res, n);
        n_segs++;
    }
    closedir(d);
    CHECK_INT(n_segs, 1);
    CHECK_INT(check_problems(ix), 0);
    rmrf(dir);
    free(dir);
}

TEST_MAIN()
