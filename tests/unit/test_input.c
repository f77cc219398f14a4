/* test_input.c - unit tests for common/input.c: directory walks (order,
 * dot-files, symlinks, ids), kind detection by content, every problem the
 * reader reports (with its file and line), limits, standard input, and every
 * shared corpus read end to end with the document count its README states.
 *
 * Fixtures are written to a fresh mkdtemp directory at run time; gzip files
 * are built byte by byte (stored deflate blocks) so zlib stays in zio.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "buf.h"
#include "doc.h"
#include "err.h"
#include "gzip_member.h"
#include "input.h"
#include "t.h"
#include "utf8.h"

/* --- fixtures --------------------------------------------------------------- */

static char tmp[128]; /* the fixture directory of the running case */

static int make_tmp(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/lede-test-input-XXXXXX");
    return mkdtemp(tmp) != NULL;
}

static void rm_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char sub[1024];
                snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
                rm_tree(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* tmp + "/" + rel, in one of a few rotating static buffers. */
static const char *at(const char *rel)
{
    static char paths[8][1024];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 1024, "%s/%s", tmp, rel);
    return p;
}

/* Writes tmp/rel, creating its directories. Returns its size. */
static size_t put(const char *rel, const void *data, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    for (char *s = path + strlen(tmp) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        T_FAIL("cannot write fixture %s", path);
        return 0;
    }
    if (n)
        fwrite(data, 1, n, f);
    fclose(f);
    return n;
}

static size_t put_str(const char *rel, const char *s)
{
    return put(rel, s, strlen(s));
}

static size_t put_gz(const char *rel, const char *s)
{
    buf gz = {0};
    gz_member_stored(&gz, s, strlen(s));
    size_t n = put(rel, gz.data, gz.len);
    buf_free(&gz);
    return n;
}

/* --- what the reader reports and returns ------------------------------------ */

struct prob {
    enum input_problem p;
    char file[512];
    uint64_t line;
    char detail[512];
};

struct collect {
    struct prob v[64];
    size_t n;
};

static void on_report(void *ctx, enum input_problem p, const char *file, uint64_t line,
                      const char *detail)
{
    struct collect *c = ctx;
    if (c->n == sizeof c->v / sizeof *c->v)
        return;
    struct prob *x = &c->v[c->n++];
    x->p = p;
    snprintf(x->file, sizeof x->file, "%s", file);
    x->line = line;
    snprintf(x->detail, sizeof x->detail, "%s", detail);
}

/* Checks problem i: kind, file, line, and a piece of the detail. */
static void expect_prob(const struct collect *c, size_t i, enum input_problem p,
                        const char *file, uint64_t line, const char *detail_has, int src_line)
{
    if (i >= c->n) {
        T_FAIL("(from line %d) problem %zu missing: expected %s at %s:%" PRIu64, src_line, i,
               input_problem_name(p), file, line);
        return;
    }
    const struct prob *x = &c->v[i];
    if (x->p != p || strcmp(x->file, file) != 0 || x->line != line ||
        !strstr(x->detail, detail_has))
        T_FAIL("(from line %d) problem %zu is [%s] %s:%" PRIu64 ": %s; expected [%s] "
               "%s:%" PRIu64 ": ...%s...",
               src_line, i, input_problem_name(x->p), x->file, x->line, x->detail,
               input_problem_name(p), file, line, detail_has);
}
#define EXPECT_PROB(c, i, p, file, line, has) expect_prob(c, i, p, file, line, has, __LINE__)

struct docs {
    char *id[64];
    char *title[64];
    char *body[64];
    size_t n;
};

static void docs_free(struct docs *ds)
{
    for (size_t i = 0; i < ds->n; i++) {
        free(ds->id[i]);
        free(ds->title[i]);
        free(ds->body[i]);
    }
    ds->n = 0;
}

/* Reads every document of paths; fills ds and c; returns input_next's last
 * code (0 at a clean end). *st receives the final counters. */
static int read_all(const char *const *paths, size_t n_paths, size_t max_doc, struct docs *ds,
                    struct collect *c, input_stats *st, uint64_t *total)
{
    input_opts o = {max_doc, on_report, c, NULL};
    input *in = NULL;
    int rc = input_open(&in, paths, n_paths, &o);
    if (rc)
        return rc;
    if (total)
        *total = input_total_bytes(in);
    record r;
    record_init(&r);
    doc d;
    doc_init(&d);
    while ((rc = input_next(in, &r, &d)) == 1) {
        for (int k = 0; k < DOC_N_FIELDS; k++)
            if (!utf8_valid(d.f[k], d.f_len[k]))
                T_FAIL("document %s: field %s is not valid UTF-8", d.f[DOC_ID],
                       doc_field_name((enum doc_field)k));
        if (ds->n < sizeof ds->id / sizeof *ds->id) {
            ds->id[ds->n] = strdup(d.f[DOC_ID]);
            ds->title[ds->n] = strdup(d.f[DOC_TITLE]);
            ds->body[ds->n] = strdup(d.f[DOC_BODY]);
            ds->n++;
        }
    }
    if (st)
        *st = *input_get_stats(in);
    doc_free(&d);
    record_free(&r);
    input_close(in);
    return rc;
}

static void expect_ids(const struct docs *ds, const char *const *ids, size_t n, int src_line)
{
    if (ds->n != n)
        T_FAIL("(from line %d) %zu documents, expected %zu", src_line, ds->n, n);
    for (size_t i = 0; i < ds->n && i < n; i++)
        if (strcmp(ds->id[i], ids[i]) != 0)
            T_FAIL("(from line %d) document %zu has id \"%s\", expected \"%s\"", src_line, i,
                   ds->id[i], ids[i]);
}
#define EXPECT_IDS(ds, ...)                                                   \
    do {                                                                      \
        const char *const ids_[] = {__VA_ARGS__};                             \
        expect_ids(ds, ids_, sizeof ids_ / sizeof *ids_, __LINE__);           \
    } while (0)

/* Nonzero when a chmod 000 file is still readable (running as root). */
static int perms_ignored(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

/* --- the mixed tree ----------------------------------------------------------- */

TEST(test_input__tree)
{
    REQUIRE(make_tmp());
    const size_t max = 4096;
    uint64_t total = 0;
    char big[5001];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf b = {0};

    total += put_str("root/B-upper.txt", "Upper\n\nBody of the upper-case file.\n");
    total += put_str("root/a.jsonl",
                     "{\"id\":\"a1\",\"title\":\"A one\",\"body\":\"x\"}\n"
                     "\n"
                     "{\"title\":\"no id\",\"body\":\"y\"}\n"
                     "{\"id\":\"a4\",\"title\":[\"bad\"]}\n"
                     "{\"id\":\"a5\",\"title\":\"\",\"body\":\"   \"}\n"
                     "{\"id\":\"a6\",\"title\":\"caf\xE9\",\"body\":\"ok\"}\n"
                     "{\"id\":\"a7\",\"title\":\"t\",\"body\":\"lone \\ud800\"}\n"
                     "{\"id\":\"a8\",\"date\":\"someday\",\"title\":\"t8\"}\n"
                     "{\"id\":\"a9\",\"title\":\"t\n"
                     "{\"id\":\"a10\",\"title\":\"crlf\"}\r\n");
    /* gzip JSON Lines in two members. */
    const char *m1 = "{\"id\":\"b1\",\"title\":\"B one\"}\n{\"id\":";
    const char *m2 = "\"b2\",\"title\":\"B two\"}\n";
    gz_member_stored(&b, m1, strlen(m1));
    gz_member_stored(&b, m2, strlen(m2));
    total += put("root/b.jsonl.gz", b.data, b.len);
    buf_clear(&b);
    buf_printf(&b, "{\"id\":\"g1\",\"title\":\"small\"}\n{\"id\":\"g2\",\"body\":\"%s\"}\n"
                   "{\"id\":\"g3\",\"title\":\"after\"}\n", big);
    total += put("root/big.jsonl", b.data, b.len);
    total += put("root/bin.dat", "abc\0def\n", 8);
    total += put_str("root/blank.txt", "  \n\n \t\n");
    total += put_gz("root/c.txt", "{\"id\":\"c1\",\"title\":\"gzip named .txt\"}\n");
    total += put_str("root/d.gz", "Plain named .gz\n\nIts body.\n");
    REQUIRE(symlink("nowhere", at("root/dangling")) == 0);
    total += put_str("root/empty.txt", "");
    total += put_str("root/latin1-\xE9.txt", "Latin-1 name\n\nBody.\n");
    REQUIRE(symlink("sub/e.txt", at("root/link-e.txt")) == 0);
    REQUIRE(symlink("sub", at("root/link-to-sub")) == 0);
    total += put_str("root/noperm.txt", "Secret\n\nBody.\n");
    chmod(at("root/noperm.txt"), 0);
    int root_reads_all = perms_ignored(at("root/noperm.txt"));
    total += put_str("root/sub/bad-utf8.txt", "Bad \xC3 title\n\nBody \xFF\xFE end.\n");
    buf_clear(&b);
    buf_printf(&b, "Too big\n\n%s\n", big);
    total += put("root/sub/big.txt", b.data, b.len);
    total += put_str("root/sub/e.txt", "Title E\n\nBody of e.\n");
    total += put_str("root/sub.txt", "Title sub\n\nBody.\n");
    total += put_str("root/\xC3\xA9.txt", "Title \xC3\xA9\n\nBody.\n");
    total += strlen("Title E\n\nBody of e.\n"); /* link-e.txt counts its target */
    put_str("root/.hidden.jsonl", "{\"id\":\"hidden\",\"title\":\"no\"}\n");
    put_str("root/.git/x.jsonl", "{\"id\":\"dotdir\",\"title\":\"no\"}\n");
    buf_free(&b);

    char root[256];
    snprintf(root, sizeof root, "%s/root", tmp);
    const char *paths[] = {root};
    struct docs ds = {0};
    struct collect c = {0};
    input_stats st;
    uint64_t got_total = 0;
    CHECK_INT(read_all(paths, 1, max, &ds, &c, &st, &got_total), 0);

    char no_id[300];
    snprintf(no_id, sizeof no_id, "%s/a.jsonl:3", root);
    /* Names in byte order ('B' < 'a', "sub" < "sub.txt" < "\xC3\xA9"), depth
     * first; ids of articles relative to the root. */
    if (!root_reads_all)
        EXPECT_IDS(&ds, "B-upper.txt", "a1", no_id, "a6", "a7", "a8", "a10", "b1", "b2", "g1",
                   "g3", "c1", "d.gz", "latin1-\xEF\xBF\xBD.txt", "link-e.txt",
                   "sub/bad-utf8.txt", "sub/e.txt", "sub.txt", "\xC3\xA9.txt");
    else /* root reads noperm.txt too */
        EXPECT_IDS(&ds, "B-upper.txt", "a1", no_id, "a6", "a7", "a8", "a10", "b1", "b2", "g1",
                   "g3", "c1", "d.gz", "latin1-\xEF\xBF\xBD.txt", "link-e.txt", "noperm.txt",
                   "sub/bad-utf8.txt", "sub/e.txt", "sub.txt", "\xC3\xA9.txt");
    if (ds.n >= 19) {
        CHECK_STR(ds.title[0], "Upper");
        CHECK_STR(ds.title[2], "no id");
        CHECK_STR(ds.title[3], "caf\xEF\xBF\xBD");       /* raw Latin-1 byte repaired */
        CHECK_STR(ds.body[4], "lone \xEF\xBF\xBD");      /* lone surrogate repaired */
        CHECK_STR(ds.title[6], "crlf");
        CHECK_STR(ds.title[11], "gzip named .txt");
        CHECK_STR(ds.title[12], "Plain named .gz");
        CHECK_STR(ds.title[14], "Title E");
        size_t k = root_reads_all ? 16 : 15;
        CHECK_STR(ds.title[k], "Bad \xEF\xBF\xBD title");
        CHECK(strstr(ds.body[k], "Body \xEF\xBF\xBD\xEF\xBF\xBD end.") != NULL);
    }

    size_t i = 0;
    EXPECT_PROB(&c, i++, INPUT_UNREADABLE, at("root/dangling"), 0, "broken symbolic link");
    EXPECT_PROB(&c, i++, INPUT_BAD_JSON, at("root/a.jsonl"), 4, "\"title\" is an array");
    EXPECT_PROB(&c, i++, INPUT_EMPTY, at("root/a.jsonl"), 5, "empty document");
    EXPECT_PROB(&c, i++, INPUT_BAD_UTF8, at("root/a.jsonl"), 6, "1 invalid UTF-8 sequence ");
    EXPECT_PROB(&c, i++, INPUT_BAD_UTF8, at("root/a.jsonl"), 7, "1 invalid UTF-8 sequence ");
    EXPECT_PROB(&c, i++, INPUT_BAD_DATE, at("root/a.jsonl"), 8, "'someday'");
    EXPECT_PROB(&c, i++, INPUT_BAD_JSON, at("root/a.jsonl"), 9, "truncated");
    EXPECT_PROB(&c, i++, INPUT_TOO_LARGE, at("root/big.jsonl"), 2, "4096 bytes");
    EXPECT_PROB(&c, i++, INPUT_BINARY, at("root/bin.dat"), 0, "NUL byte at offset 3");
    EXPECT_PROB(&c, i++, INPUT_EMPTY, at("root/blank.txt"), 0, "empty document");
    EXPECT_PROB(&c, i++, INPUT_EMPTY, at("root/empty.txt"), 0, "empty document");
    EXPECT_PROB(&c, i++, INPUT_BAD_UTF8, at("root/latin1-\xE9.txt"), 0, "1 invalid");
    if (!root_reads_all)
        EXPECT_PROB(&c, i++, INPUT_UNREADABLE, at("root/noperm.txt"), 0, "Permission denied");
    else
        fprintf(stderr, "note: running as root, chmod 000 does not stop reads: "
                        "unreadable-file check skipped\n");
    EXPECT_PROB(&c, i++, INPUT_BAD_UTF8, at("root/sub/bad-utf8.txt"), 1, "3 invalid");
    EXPECT_PROB(&c, i++, INPUT_TOO_LARGE, at("root/sub/big.txt"), 0, "4096 bytes");
    CHECK_INT(c.n, i);

    /* Counters agree with the reports. */
    CHECK_INT(st.n_problem[INPUT_UNREADABLE], root_reads_all ? 1 : 2);
    CHECK_INT(st.n_problem[INPUT_BAD_JSON], 2);
    CHECK_INT(st.n_problem[INPUT_EMPTY], 3);
    CHECK_INT(st.n_problem[INPUT_BAD_UTF8], 4);
    CHECK_INT(st.n_problem[INPUT_BAD_DATE], 1);
    CHECK_INT(st.n_problem[INPUT_TOO_LARGE], 2);
    CHECK_INT(st.n_problem[INPUT_BINARY], 1);
    /* Records: 19 documents + 1 EMPTY JSON + 2 BAD_JSON + 2 EMPTY articles
     * (too large lines and files never become records). */
    CHECK_INT(st.n_records, root_reads_all ? 25 : 24);
    /* 17 files listed (not the dangling link, dot-names or the linked
     * directory); all opened but the unreadable one. */
    CHECK_INT(st.n_files, root_reads_all ? 17 : 16);
    CHECK_INT(got_total, total);
    CHECK_INT(st.raw_bytes_read, total);
    CHECK(st.bytes_read > 0);
    docs_free(&ds);
    rm_tree(tmp);
}

/* --- named paths ---------------------------------------------------------------- */

TEST(test_input__named_paths_and_ids)
{
    REQUIRE(make_tmp());
    put_str("art.txt", "Named article\n\nBody.\n");
    put_str("j.jsonl", "{\"title\":\"first\"}\n{\"title\":\"second\"}\n");
    put_str("sub/e.txt", "Title E\n\nBody.\n");
    put_str(".hidden.jsonl", "{\"id\":\"h\",\"title\":\"named explicitly\"}\n");
    char cwd[1024];
    REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
    REQUIRE(chdir(tmp) == 0);

    const char *paths[] = {"./art.txt", ".//./j.jsonl", "sub/e.txt", "sub/", "missing.jsonl",
                           ".hidden.jsonl"};
    struct docs ds = {0};
    struct collect c = {0};
    input_stats st;
    CHECK_INT(read_all(paths, 6, 0, &ds, &c, &st, NULL), 0);
    /* A named file keeps its path as named (minus "./") as its id; a JSON
     * record without id gets "<file>:<line>"; a named directory's files are
     * relative to it; names starting with '.' are read when named. */
    EXPECT_IDS(&ds, "art.txt", ".//./j.jsonl:1", ".//./j.jsonl:2", "sub/e.txt", "e.txt", "h");
    EXPECT_PROB(&c, 0, INPUT_UNREADABLE, "missing.jsonl", 0, "No such file or directory");
    CHECK_INT(c.n, 1);
    docs_free(&ds);

    /* "." as the root: files are reached as "./name", ids are "name". */
    c.n = 0;
    put("bin", "\0\0\0", 3);
    const char *dot[] = {"."};
    CHECK_INT(read_all(dot, 1, 0, &ds, &c, &st, NULL), 0);
    EXPECT_IDS(&ds, "art.txt", "./j.jsonl:1", "./j.jsonl:2", "sub/e.txt");
    EXPECT_PROB(&c, 0, INPUT_BINARY, "./bin", 0, "binary");
    CHECK_INT(c.n, 1);
    docs_free(&ds);

    CHECK_INT(chdir(cwd), 0);
    rm_tree(tmp);
}

/* --- standard input --------------------------------------------------------------- */

static void with_stdin(const char *path, struct docs *ds, struct collect *c)
{
    int saved = dup(STDIN_FILENO);
    int fd = open(path, O_RDONLY);
    if (saved < 0 || fd < 0) {
        T_FAIL("cannot redirect standard input");
        return;
    }
    dup2(fd, STDIN_FILENO);
    close(fd);
    const char *paths[] = {"-"};
    CHECK_INT(read_all(paths, 1, 0, ds, c, NULL, NULL), 0);
    dup2(saved, STDIN_FILENO);
    close(saved);
}

TEST(test_input__stdin)
{
    REQUIRE(make_tmp());
    put_gz("in.gz", "{\"id\":\"s1\",\"title\":\"one\"}\n{\"title\":\"no id\"}\nnot json\n");
    struct docs ds = {0};
    struct collect c = {0};
    with_stdin(at("in.gz"), &ds, &c);
    EXPECT_IDS(&ds, "s1", "-:2");
    EXPECT_PROB(&c, 0, INPUT_BAD_JSON, "-", 3, "not a JSON object");
    CHECK_INT(c.n, 1);
    docs_free(&ds);

    /* Standard input is JSON Lines even when it does not start with '{'. */
    c.n = 0;
    put_str("in.txt", "\n  \n{\"id\":\"late\",\"title\":\"t\"}\n");
    with_stdin(at("in.txt"), &ds, &c);
    EXPECT_IDS(&ds, "late");
    CHECK_INT(c.n, 0);
    docs_free(&ds);
    rm_tree(tmp);
}

/* --- lines and limits --------------------------------------------------------------- */

TEST(test_input__long_lines_across_buffers)
{
    /* First lines of many lengths around and beyond any plausible read
     * chunk, each ending in "\r\n", so the line and its "\r\n" fall across
     * chunk boundaries; plain and gzip. */
    REQUIRE(make_tmp());
    size_t lens[] = {4095, 4096, 4097, 8191, 8192, 65534, 65535, 65536, 65537, 65538,
                     131072, 300000};
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
        for (int gz = 0; gz < 2; gz++) {
            buf line = {0};
            buf_puts(&line, "{\"id\":\"long\",\"body\":\"");
            size_t body_len = lens[li] - line.len - 2;
            for (size_t i = 0; i < body_len; i++)
                buf_putc(&line, (char)('a' + i % 26));
            buf_puts(&line, "\"}\r\n{\"id\":\"next\",\"title\":\"t\"}\r\n");
            if (gz) {
                buf g = {0};
                gz_member_stored(&g, line.data, line.len);
                put("long.jsonl", g.data, g.len);
                buf_free(&g);
            } else {
                put("long.jsonl", line.data, line.len);
            }
            const char *paths[] = {at("long.jsonl")};
            struct docs ds = {0};
            struct collect c = {0};
            CHECK_INT(read_all(paths, 1, 0, &ds, &c, NULL, NULL), 0);
            EXPECT_IDS(&ds, "long", "next");
            if (ds.n == 2 && strlen(ds.body[0]) != body_len)
                T_FAIL("line length %zu (gzip %d): body of %zu bytes, expected %zu", lens[li],
                       gz, strlen(ds.body[0]), body_len);
            CHECK_INT(c.n, 0);
            docs_free(&ds);

            /* The same with a limit just below and at the line's length. */
            c.n = 0;
            CHECK_INT(read_all(paths, 1, lens[li] - 1, &ds, &c, NULL, NULL), 0);
            EXPECT_IDS(&ds, "next");
            EXPECT_PROB(&c, 0, INPUT_TOO_LARGE, at("long.jsonl"), 1, "longer than the limit");
            docs_free(&ds);
            c.n = 0;
            CHECK_INT(read_all(paths, 1, lens[li], &ds, &c, NULL, NULL), 0);
            EXPECT_IDS(&ds, "long", "next");
            CHECK_INT(c.n, 0);
            docs_free(&ds);
            buf_free(&line);
        }
    }
    rm_tree(tmp);
}

TEST(test_input__article_size_limit)
{
    REQUIRE(make_tmp());
    const char text[] = "Title\n\nThe body of an article of exactly 64 bytes, no more.....\n";
    REQUIRE(sizeof text - 1 == 64);
    put_str("a.txt", text);
    buf g = {0};
    gz_member_stored(&g, text, 64);
    put("a-gz.txt", g.data, g.len);
    buf_free(&g);
    const char *paths[] = {at("a.txt"), at("a-gz.txt")};
    struct docs ds = {0};
    struct collect c = {0};
    CHECK_INT(read_all(paths, 2, 64, &ds, &c, NULL, NULL), 0);
    CHECK_INT(ds.n, 2);
    CHECK_INT(c.n, 0);
    docs_free(&ds);
    CHECK_INT(read_all(paths, 2, 63, &ds, &c, NULL, NULL), 0);
    CHECK_INT(ds.n, 0);
    EXPECT_PROB(&c, 0, INPUT_TOO_LARGE, at("a.txt"), 0, "larger than the limit of 63 bytes");
    EXPECT_PROB(&c, 1, INPUT_TOO_LARGE, at("a-gz.txt"), 0, "larger than the limit of 63 bytes");
    docs_free(&ds);
    rm_tree(tmp);
}

TEST(test_input__damaged_gzip_keeps_good_lines)
{
    REQUIRE(make_tmp());
    const char text[] = "{\"id\":\"1\",\"title\":\"a\"}\n{\"id\":\"2\",\"title\":\"b\"}\n"
                        "{\"id\":\"3\",\"title\":\"c\"}\n";
    buf g = {0};
    gz_member_stored(&g, text, sizeof text - 1);
    size_t line_len = (size_t)(strchr(text, '\n') - text) + 1; /* all three alike */
    put("cut.jsonl.gz", g.data, 10 + 5 + 2 * line_len + 10); /* cut inside line 3 */
    buf_free(&g);
    put_str("next.jsonl", "{\"id\":\"after\",\"title\":\"d\"}\n");
    const char *paths[] = {at("cut.jsonl.gz"), at("next.jsonl")};
    struct docs ds = {0};
    struct collect c = {0};
    CHECK_INT(read_all(paths, 2, 0, &ds, &c, NULL, NULL), 0);
    EXPECT_IDS(&ds, "1", "2", "after");
    EXPECT_PROB(&c, 0, INPUT_UNREADABLE, at("cut.jsonl.gz"), 3, "damaged or truncated gzip");
    CHECK_INT(c.n, 1);
    docs_free(&ds);
    rm_tree(tmp);
}

TEST(test_input__unreadable_directory)
{
    REQUIRE(make_tmp());
    put_str("root/a/x.txt", "Title\n\nBody.\n");
    put_str("root/b/y.txt", "Title\n\nBody.\n");
    chmod(at("root/a"), 0);
    DIR *probe = opendir(at("root/a"));
    if (probe) {
        closedir(probe);
        /* Root ignores permissions: nothing to test here. (Not exit(77):
         * that would also end a run of all cases.) */
        fprintf(stderr, "note: running as root, chmod 000 does not stop reads: skipped\n");
        rm_tree(tmp);
        return;
    }
    const char *paths[] = {at("root")};
    struct docs ds = {0};
    struct collect c = {0};
    CHECK_INT(read_all(paths, 1, 0, &ds, &c, NULL, NULL), 0);
    EXPECT_IDS(&ds, "b/y.txt");
    EXPECT_PROB(&c, 0, INPUT_UNREADABLE, at("root/a"), 0, "Permission denied");
    docs_free(&ds);
    rm_tree(tmp);
}

/* --- record_parse on its own ------------------------------------------------------------ */

TEST(test_input__record_parse)
{
    struct collect c = {0};
    input_opts o = {0, on_report, &c, NULL};
    input_stats st;
    memset(&st, 0, sizeof st);
    record r;
    record_init(&r);
    doc d;
    doc_init(&d);

    r.kind = RECORD_JSON;
    r.line = 7;
    buf_puts(&r.file, "f.jsonl");
    buf_puts(&r.default_id, "f.jsonl:7");
    buf_puts(&r.bytes, "{\"title\":\"T\\u00e9\",\"body\":\"b\xC0\xAF\"}");
    CHECK_INT(record_parse(&r, &d, &o, &st), 1);
    CHECK_STR(d.f[DOC_ID], "f.jsonl:7");
    CHECK_STR(d.f[DOC_TITLE], "T\xC3\xA9");
    CHECK_STR(d.f[DOC_BODY], "b\xEF\xBF\xBD\xEF\xBF\xBD"); /* overlong "/" is two bad bytes */
    EXPECT_PROB(&c, 0, INPUT_BAD_UTF8, "f.jsonl", 7, "2 invalid UTF-8 sequences");
    CHECK_INT(st.n_problem[INPUT_BAD_UTF8], 1);

    buf_clear(&r.bytes);
    buf_puts(&r.bytes, "{\"title\":");
    CHECK_INT(record_parse(&r, &d, &o, &st), 0);
    EXPECT_PROB(&c, 1, INPUT_BAD_JSON, "f.jsonl", 7, "truncated");
    CHECK_INT(st.n_problem[INPUT_BAD_JSON], 1);

    /* Whitespace is not content. */
    buf_clear(&r.bytes);
    buf_puts(&r.bytes, "{\"id\":\"x\",\"title\":\" \",\"body\":\"\\n\\t\",\"source\":\"S\"}");
    CHECK_INT(record_parse(&r, &d, &o, &st), 0);
    EXPECT_PROB(&c, 2, INPUT_EMPTY, "f.jsonl", 7, "no title and no body");
    /* A title alone, or a body alone, is a document. */
    buf_clear(&r.bytes);
    buf_puts(&r.bytes, "{\"id\":\"x\",\"title\":\"only a title\"}");
    CHECK_INT(record_parse(&r, &d, &o, &st), 1);
    buf_clear(&r.bytes);
    buf_puts(&r.bytes, "{\"id\":\"y\",\"body\":\"only a body\"}");
    CHECK_INT(record_parse(&r, &d, &o, &st), 1);
    CHECK_STR(d.f[DOC_ID], "y");

    /* An article: repaired before parsing, id from the record. */
    r.kind = RECORD_ARTICLE;
    r.line = 1;
    buf_clear(&r.file);
    buf_puts(&r.file, "dir/a.txt");
    buf_clear(&r.default_id);
    buf_puts(&r.default_id, "a.txt");
    buf_clear(&r.bytes);
    buf_puts(&r.bytes, "Title\n\nFirst paragraph.\n\nSecond \xE2\x82 paragraph.\n");
    CHECK_INT(record_parse(&r, &d, &o, &st), 1);
    CHECK_STR(d.f[DOC_ID], "a.txt");
    CHECK_STR(d.f[DOC_TITLE], "Title");
    CHECK(strstr(d.f[DOC_BODY], "Second \xEF\xBF\xBD paragraph.") != NULL);
    EXPECT_PROB(&c, 3, INPUT_BAD_UTF8, "dir/a.txt", 5, "1 invalid UTF-8 sequence ");
    CHECK_INT(c.n, 4);
    /* A byte order mark is not part of the title. */
    buf_clear(&r.bytes);
    buf_puts(&r.bytes, "\xEF\xBB\xBFTitle\n\nBody.\n");
    CHECK_INT(record_parse(&r, &d, &o, &st), 1);
    CHECK_STR(d.f[DOC_TITLE], "Title");
    CHECK_INT(c.n, 4);
    CHECK_INT(st.n_problem[INPUT_BAD_UTF8], 2);
    CHECK_INT(st.n_problem[INPUT_EMPTY], 1);

    doc_free(&d);
    record_free(&r);
}

TEST(test_input__problem_names_and_skips)
{
    /* Per the comments on enum input_problem. */
    CHECK(input_problem_skips(INPUT_UNREADABLE));
    CHECK(input_problem_skips(INPUT_BINARY));
    CHECK(input_problem_skips(INPUT_BAD_JSON));
    CHECK(input_problem_skips(INPUT_TOO_LARGE));
    CHECK(input_problem_skips(INPUT_EMPTY));
    CHECK(!input_problem_skips(INPUT_BAD_UTF8));
    CHECK(!input_problem_skips(INPUT_BAD_DATE));
    for (int i = 0; i < INPUT_N_PROBLEMS; i++) {
        const char *n = input_problem_name((enum input_problem)i);
        CHECK(n != NULL && n[0] != '\0');
        for (int j = 0; j < i; j++)
            CHECK(strcmp(n, input_problem_name((enum input_problem)j)) != 0);
    }
    CHECK_STR(input_problem_name(INPUT_UNREADABLE), "unreadable files");
    CHECK_STR(input_problem_name(INPUT_BAD_JSON), "malformed JSON lines");
    record_free(NULL);
    input_close(NULL);
    input *in = NULL;
    CHECK_INT(input_open(&in, NULL, 0, NULL), 0);
    record r;
    record_init(&r);
    CHECK_INT(input_next_record(in, &r), 0);
    CHECK_INT(input_total_bytes(in), 0);
    input_close(in);
}

/* --- the shared corpora ------------------------------------------------------------------ */

/* Reads ../shared/corpora/<name>/<name>.jsonl.gz to the end. n_records is the
 * document count from corpora/README.txt; n_empty the records in it with
 * neither title nor body (counted independently with Python's json module),
 * which the reader skips as INPUT_EMPTY. */
static void corpus(const char *name, uint64_t n_records, uint64_t n_empty)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/corpora/%s/%s.jsonl.gz", LEDE_SHARED_DIR, name, name);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "skipped: %s not found\n", path);
        exit(77);
    }
    struct collect c = {0};
    input_opts o = {0, on_report, &c, NULL};
    input *in = NULL;
    const char *paths[] = {path};
    REQUIRE(input_open(&in, paths, 1, &o) == 0);
    record r;
    record_init(&r);
    doc d;
    doc_init(&d);
    uint64_t n_docs = 0, n_no_id = 0, n_bad_utf8 = 0;
    int rc;
    while ((rc = input_next(in, &r, &d)) == 1) {
        n_docs++;
        if (d.f_len[DOC_ID] == 0)
            n_no_id++;
        for (int k = 0; k < DOC_N_FIELDS; k++)
            if (!utf8_valid(d.f[k], d.f_len[k]))
                n_bad_utf8++;
    }
    CHECK_INT(rc, 0);
    const input_stats *st = input_get_stats(in);
    CHECK_INT(st->n_records, n_records);
    CHECK_INT(n_docs + st->n_problem[INPUT_EMPTY], n_records);
    CHECK_INT(st->n_problem[INPUT_EMPTY], n_empty);
    CHECK_INT(st->n_problem[INPUT_BAD_JSON], 0);
    CHECK_INT(st->n_problem[INPUT_UNREADABLE], 0);
    CHECK_INT(st->n_problem[INPUT_TOO_LARGE], 0);
    CHECK_INT(st->n_problem[INPUT_BINARY], 0);
    CHECK_INT(st->n_problem[INPUT_BAD_UTF8], 0);  /* the corpora are UTF-8 */
    CHECK_INT(st->n_problem[INPUT_BAD_DATE], 0);  /* "" or YYYY-MM[-DD[ H:MM:SS]] */
    CHECK_INT(st->n_files, 1);
    CHECK_INT(n_no_id, 0);
    CHECK_INT(n_bad_utf8, 0);
    struct stat sb;
    if (stat(path, &sb) == 0)
        CHECK_INT(st->raw_bytes_read, sb.st_size);
    for (size_t i = 0; i < c.n && i < 5; i++)
        fprintf(stderr, "%s:%" PRIu64 ": %s\n", c.v[i].file, c.v[i].line, c.v[i].detail);
    doc_free(&d);
    record_free(&r);
    input_close(in);
}

TEST(test_input__corpus_webis_editorials) { corpus("webis-editorials", 266, 0); }
TEST(test_input__corpus_bbc_news) { corpus("bbc-news", 2225, 0); }
TEST(test_input__corpus_uk_immigration_news_2014) { corpus("uk-immigration-news-2014", 2833, 0); }
TEST(test_input__corpus_reuters21578) { corpus("reuters21578", 21578, 1); }
TEST(test_input__corpus_20newsgroups) { corpus("20newsgroups", 18846, 0); }
TEST(test_input__corpus_sotu) { corpus("sotu", 245, 0); }
TEST(test_input__corpus_wikipedia_sample) { corpus("wikipedia-sample", 36542, 0); }
TEST(test_input__corpus_cranfield) { corpus("cranfield", 1400, 2); }
TEST(test_input__corpus_cisi) { corpus("cisi", 1460, 0); }
TEST(test_input__corpus_medline) { corpus("medline", 1033, 0); }
TEST(test_input__corpus_cacm) { corpus("cacm", 3204, 0); }
TEST(test_input__corpus_npl) { corpus("npl", 11429, 0); }
TEST(test_input__corpus_time) { corpus("time", 423, 0); }

TEST_MAIN()
