/* test_zio.c - unit tests for common/zio.c: gzip detection by magic bytes,
 * concatenated members, stdin, long lines and CRLF in zio_getline, damaged
 * streams, and the deflate/inflate blocks of the index.
 *
 * gzip fixtures are built here byte by byte (RFC 1952 members holding
 * RFC 1951 stored blocks, with a bitwise CRC-32), so what zio must decode is
 * fixed by the formats, not by zlib, and zlib.h stays inside zio.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "gzip_member.h"
#include "t.h"
#include "zio.h"

/* --- fixtures --------------------------------------------------------------- */

static char tmpdir[64];

static const char *make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lede-test-zio-XXXXXX");
    if (!mkdtemp(tmpdir))
        return NULL;
    return tmpdir;
}

/* Writes data to tmpdir/name; returns the path in a static buffer. */
static const char *write_file(const char *name, const void *data, size_t n)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    if (n)
        fwrite(data, 1, n, f);
    fclose(f);
    return path;
}

static void cleanup_tmpdir(const char *const *names, size_t n)
{
    char path[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

/* Reads the whole stream with zio_read in small pieces. */
static int read_all(zio *z, buf *out)
{
    char piece[777];
    for (;;) {
        ptrdiff_t n = zio_read(z, piece, sizeof piece);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return 0;
        buf_append(out, piece, (size_t)n);
    }
}

static uint64_t rng_state;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/* --- reading ------------------------------------------------------------------ */

TEST(test_zio__plain_file)
{
    REQUIRE(make_tmpdir());
    const char text[] = "plain text\nsecond line\n";
    const char *p = write_file("a.txt", text, sizeof text - 1);
    REQUIRE(p);
    zio *z = NULL;
    REQUIRE(zio_open(&z, p) == 0);
    buf b = {0};
    CHECK_INT(read_all(z, &b), 0);
    CHECK_MEM(b.data, b.len, text);
    CHECK_INT(zio_is_gzip(z), 0);
    CHECK_INT(zio_raw_offset(z), sizeof text - 1);
    CHECK_INT(zio_read(z, b.data, 1), 0); /* stays at the end */
    zio_close(z);
    buf_free(&b);
    const char *names[] = {"a.txt"};
    cleanup_tmpdir(names, 1);
}

TEST(test_zio__gzip_detected_by_magic_not_name)
{
    REQUIRE(make_tmpdir());
    const char text[] = "{\"id\":\"1\"}\n{\"id\":\"2\"}\n";
    buf gz = {0};
    gz_member_stored(&gz, text, sizeof text - 1);

    /* A gzip file named .txt is inflated. */
    const char *p = write_file("looks-plain.txt", gz.data, gz.len);
    zio *z = NULL;
    REQUIRE(zio_open(&z, p) == 0);
    buf b = {0};
    CHECK_INT(read_all(z, &b), 0);
    CHECK_MEM(b.data, b.len, text);
    CHECK_INT(zio_is_gzip(z), 1);
    CHECK_INT(zio_raw_offset(z), gz.len);
    zio_close(z);

    /* A plain file named .gz is read as it is. */
    p = write_file("looks-gzip.gz", text, sizeof text - 1);
    REQUIRE(zio_open(&z, p) == 0);
    buf_clear(&b);
    CHECK_INT(read_all(z, &b), 0);
    CHECK_MEM(b.data, b.len, text);
    CHECK_INT(zio_is_gzip(z), 0);
    zio_close(z);

    /* One byte of the magic is not enough: 1f alone is plain text. */
    p = write_file("one-magic-byte", "\x1f" "abc", 4);
    REQUIRE(zio_open(&z, p) == 0);
    buf_clear(&b);
    CHECK_INT(read_all(z, &b), 0);
    CHECK_MEM(b.data, b.len, "\x1f" "abc");
    CHECK_INT(zio_is_gzip(z), 0);
    zio_close(z);

    buf_free(&b);
    buf_free(&gz);
    const char *names[] = {"looks-plain.txt", "looks-gzip.gz", "one-magic-byte"};
    cleanup_tmpdir(names, 3);
}

TEST(test_zio__concatenated_members)
{
    REQUIRE(make_tmpdir());
    buf gz = {0};
    gz_member_stored(&gz, "first line\nsec", 14);
    gz_member_stored(&gz, "ond line\n", 9);
    gz_member_stored(&gz, "", 0); /* an empty member in between is legal */
    gz_member_stored(&gz, "third line", 10);
    const char *p = write_file("cat.gz", gz.data, gz.len);
    zio *z = NULL;
    REQUIRE(zio_open(&z, p) == 0);
    buf line = {0};
    int tl = -1;
    CHECK_INT(zio_getline(z, &line, 100, &tl), 1);
    CHECK_MEM(line.data, line.len, "first line");
    CHECK_INT(tl, 0);
    CHECK_INT(zio_getline(z, &line, 100, &tl), 1);
    CHECK_MEM(line.data, line.len, "second line"); /* spans two members */
    CHECK_INT(zio_getline(z, &line, 100, &tl), 1);
    CHECK_MEM(line.data, line.len, "third line");
    CHECK_INT(zio_getline(z, &line, 100, &tl), 0);
    CHECK_INT(zio_is_gzip(z), 1);
    CHECK_INT(zio_raw_offset(z), gz.len);
    zio_close(z);
    buf_free(&line);
    buf_free(&gz);
    const char *names[] = {"cat.gz"};
    cleanup_tmpdir(names, 1);
}

TEST(test_zio__getline_crlf_and_ends)
{
    REQUIRE(make_tmpdir());
    const char text[] = "a\r\nb\n\n\r\nx\ry\nlast\r";
    const char *p = write_file("crlf.txt", text, sizeof text - 1);
    zio *z = NULL;
    REQUIRE(zio_open(&z, p) == 0);
    buf line = {0};
    int tl = 0;
    CHECK_INT(zio_getline(z, &line, 100, &tl), 1);
    CHECK_MEM(line.data, line.len, "a");
    CHECK_INT(zio_getline(z, &line, 100, &tl), 1);
    CHECK_MEM(line.data, line.len, "b");
    CHECK_INT(zio_getline(z, &line, 100, &tl), 1);
    CHECK_MEM(line.data, line.len, "");
    CHECK_INT(zio_getline(z, &line, 100, &tl), 1);
    CHECK_MEM(line.data, line.len, ""); /* "\r\n" alone */
    CHECK_INT(zio_getline(z, &line, 100, &tl), 1);
    CHECK_MEM(line.data, line.len, "x\ry"); /* a lone "\r" inside stays */
    CHECK_INT(zio_getline(z, &line, 100, &tl), 1);
    CHECK_MEM(line.data, line.len, "last\r"); /* not before a "\n" */
    CHECK_INT(zio_getline(z, &line, 100, &tl), 0);
    CHECK_INT(zio_getline(z, &line, 100, &tl), 0);
    zio_close(z);

    /* A final line without "\n"; an empty file has no lines. */
    p = write_file("empty", "", 0);
    REQUIRE(zio_open(&z, p) == 0);
    CHECK_INT(zio_getline(z, &line, 100, &tl), 0);
    CHECK_INT(line.len, 0);
    zio_close(z);
    buf_free(&line);
    const char *names[] = {"crlf.txt", "empty"};
    cleanup_tmpdir(names, 2);
}

TEST(test_zio__getline_long_lines)
{
    REQUIRE(make_tmpdir());
    /* Lines far longer than any internal buffer: 1 MiB, then a short one,
     * then one of exactly 10 bytes, 11 bytes, 10 bytes + CRLF. */
    size_t big = (size_t)1 << 20;
    buf text = {0};
    for (size_t i = 0; i < big; i++)
        buf_putc(&text, (char)('a' + i % 26));
    buf_puts(&text, "\nshort\n0123456789\n0123456789A\n0123456789\r\nend");
    buf gz = {0};
    gz_member_stored(&gz, text.data, text.len);
    const char *files[2] = {"long.txt", "long.gz"};
    const buf *content[2] = {&text, &gz};
    for (int f = 0; f < 2; f++) {
        const char *p = write_file(files[f], content[f]->data, content[f]->len);
        zio *z = NULL;
        REQUIRE(zio_open(&z, p) == 0);
        buf line = {0};
        int tl = 0;
        /* Kept whole when it fits. */
        CHECK_INT(zio_getline(z, &line, big, &tl), 1);
        CHECK_INT(tl, 0);
        CHECK_INT(line.len, big);
        CHECK(line.len == big && memcmp(line.data, text.data, big) == 0);
        CHECK_INT(zio_getline(z, &line, 10, &tl), 1);
        CHECK_MEM(line.data, line.len, "short");
        CHECK_INT(zio_getline(z, &line, 10, &tl), 1);
        CHECK_MEM(line.data, line.len, "0123456789");
        CHECK_INT(tl, 0);
        CHECK_INT(zio_getline(z, &line, 10, &tl), 1);
        CHECK_INT(tl, 1);
        CHECK_INT(line.len, 0);
        CHECK_INT(zio_getline(z, &line, 10, &tl), 1);
        CHECK_INT(tl, 0); /* the "\r" does not count against the limit */
        CHECK_MEM(line.data, line.len, "0123456789");
        CHECK_INT(zio_getline(z, &line, 10, &tl), 1);
        CHECK_MEM(line.data, line.len, "end");
        CHECK_INT(zio_getline(z, &line, 10, &tl), 0);
        zio_close(z);

        /* Drained, not kept, when it does not fit; the next line is intact. */
        buf_free(&line);
        REQUIRE(zio_open(&z, p) == 0);
        CHECK_INT(zio_getline(z, &line, 1000, &tl), 1);
        CHECK_INT(tl, 1);
        CHECK_INT(line.len, 0);
        CHECK(line.cap < 4096); /* memory stayed bounded */
        CHECK_INT(zio_getline(z, &line, 1000, NULL), 1);
        CHECK_MEM(line.data, line.len, "short");
        zio_close(z);
        buf_free(&line);
    }
    buf_free(&text);
    buf_free(&gz);
    cleanup_tmpdir(files, 2);
}

TEST(test_zio__read_after_getline)
{
    REQUIRE(make_tmpdir());
    const char text[] = "header\nrest of the data";
    const char *p = write_file("mix.txt", text, sizeof text - 1);
    zio *z = NULL;
    REQUIRE(zio_open(&z, p) == 0);
    buf line = {0};
    CHECK_INT(zio_getline(z, &line, 100, NULL), 1);
    CHECK_MEM(line.data, line.len, "header");
    buf rest = {0};
    CHECK_INT(read_all(z, &rest), 0);
    CHECK_MEM(rest.data, rest.len, "rest of the data");
    zio_close(z);
    buf_free(&line);
    buf_free(&rest);
    const char *names[] = {"mix.txt"};
    cleanup_tmpdir(names, 1);
}

TEST(test_zio__open_missing_file)
{
    zio *z = (zio *)&z;
    errno = 0;
    CHECK_INT(zio_open(&z, "/nonexistent/lede/file.jsonl"), LEDE_EIO);
    CHECK_INT(errno, ENOENT);
    CHECK(z == NULL);
    zio_close(NULL);
}

TEST(test_zio__damaged_gzip)
{
    REQUIRE(make_tmpdir());
    const char text[] = "line one\nline two\nline three\n";
    buf gz = {0};
    gz_member_stored(&gz, text, sizeof text - 1);

    /* A wrong CRC-32: the data arrives, then the check fails. */
    buf bad = {0};
    buf_append(&bad, gz.data, gz.len);
    bad.data[bad.len - 8] ^= 0x55;
    const char *p = write_file("badcrc.gz", bad.data, bad.len);
    zio *z = NULL;
    REQUIRE(zio_open(&z, p) == 0);
    buf out = {0};
    CHECK_INT(read_all(z, &out), LEDE_ECORRUPT);
    CHECK_INT(zio_read(z, out.data, 1), LEDE_ECORRUPT); /* sticky */
    zio_close(z);

    /* Cut inside the member: whatever lines came before, then an error. */
    p = write_file("cut.gz", gz.data, 10 + 5 + 12);
    REQUIRE(zio_open(&z, p) == 0);
    buf line = {0};
    int rc;
    int n_lines = 0;
    while ((rc = zio_getline(z, &line, 100, NULL)) == 1)
        n_lines++;
    CHECK_INT(rc, LEDE_ECORRUPT);
    CHECK_INT(n_lines, 1); /* the complete line before the cut survives */
    zio_close(z);

    /* Magic bytes followed by garbage. */
    p = write_file("garbage.gz", "\x1f\x8b\x08\x00garbage that is not deflate", 32);
    REQUIRE(zio_open(&z, p) == 0);
    buf_clear(&out);
    CHECK_INT(read_all(z, &out), LEDE_ECORRUPT);
    zio_close(z);

    /* Trailing garbage after a complete member is ignored, as gzip does. */
    buf_clear(&bad);
    buf_append(&bad, gz.data, gz.len);
    buf_puts(&bad, "junk");
    p = write_file("trailing.gz", bad.data, bad.len);
    REQUIRE(zio_open(&z, p) == 0);
    buf_clear(&out);
    CHECK_INT(read_all(z, &out), 0);
    CHECK_MEM(out.data, out.len, text);
    zio_close(z);

    buf_free(&gz);
    buf_free(&bad);
    buf_free(&out);
    buf_free(&line);
    const char *names[] = {"badcrc.gz", "cut.gz", "garbage.gz", "trailing.gz"};
    cleanup_tmpdir(names, 4);
}

/* Reads "-" with stdin redirected from path. */
static void check_stdin(const char *path, const char *expect, int is_gzip)
{
    fflush(stdin);
    int saved = dup(STDIN_FILENO);
    int fd = open(path, O_RDONLY);
    REQUIRE(saved >= 0 && fd >= 0);
    dup2(fd, STDIN_FILENO);
    close(fd);
    zio *z = NULL;
    int rc = zio_open(&z, "-");
    CHECK_INT(rc, 0);
    if (rc == 0) {
        buf out = {0};
        CHECK_INT(read_all(z, &out), 0);
        CHECK_MEM(out.data ? out.data : "", out.len, expect);
        CHECK_INT(zio_is_gzip(z), is_gzip);
        zio_close(z);
        buf_free(&out);
    }
    /* zio_close must not have closed standard input itself. */
    CHECK(fcntl(STDIN_FILENO, F_GETFD) != -1);
    dup2(saved, STDIN_FILENO);
    close(saved);
}

TEST(test_zio__stdin)
{
    REQUIRE(make_tmpdir());
    const char text[] = "{\"id\":\"s\"}\n";
    buf gz = {0};
    gz_member_stored(&gz, text, 5);
    gz_member_stored(&gz, text + 5, sizeof text - 1 - 5);
    char plain_path[256], gz_path[256];
    snprintf(plain_path, sizeof plain_path, "%s", write_file("in.txt", text, sizeof text - 1));
    snprintf(gz_path, sizeof gz_path, "%s", write_file("in.gz", gz.data, gz.len));
    check_stdin(plain_path, text, 0);
    check_stdin(gz_path, text, 1);
    buf_free(&gz);
    const char *names[] = {"in.txt", "in.gz"};
    cleanup_tmpdir(names, 2);
}

/* --- blocks ------------------------------------------------------------------- */

TEST(test_zio__deflate_inflate_round_trip)
{
    rng_state = 42;
    size_t sizes[] = {0, 1, 100, 65536, 300001};
    int levels[] = {1, 6, 9};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        size_t n = sizes[si];
        buf src = {0};
        for (size_t i = 0; i < n; i++) /* compressible but not trivial */
            buf_putc(&src, (char)("the quick brown fox "[rng() % 20] ^ (rng() % 7 == 0)));
        for (size_t li = 0; li < 3; li++) {
            buf z = {0};
            buf_puts(&z, "prefix"); /* appends, keeping what was there */
            CHECK_INT(zio_deflate(&z, src.data ? src.data : "", n, levels[li]), 0);
            CHECK(z.len > 6 && memcmp(z.data, "prefix", 6) == 0);
            buf out = {0};
            buf_puts(&out, "kept:");
            CHECK_INT(zio_inflate(&out, z.data + 6, z.len - 6, n), 0);
            CHECK_INT(out.len, 5 + n);
            CHECK(memcmp(out.data, "kept:", 5) == 0);
            CHECK(n == 0 || memcmp(out.data + 5, src.data, n) == 0);
            CHECK_INT(out.data[out.len], 0);
            buf_free(&z);
            buf_free(&out);
        }
        buf_free(&src);
    }
    buf z = {0};
    CHECK_INT(zio_deflate(&z, "x", 1, 0), LEDE_EINVAL);
    CHECK_INT(zio_deflate(&z, "x", 1, 10), LEDE_EINVAL);
    buf_free(&z);
}

TEST(test_zio__inflate_rejects_corrupt_blocks)
{
    const char text[] = "Pyongyang's statement on Tuesday, repeated, repeated, repeated.";
    size_t n = sizeof text - 1;
    buf z = {0};
    REQUIRE(zio_deflate(&z, text, n, 6) == 0);
    buf out = {0};
    buf_puts(&out, "old");

    /* Wrong expected lengths. */
    CHECK_INT(zio_inflate(&out, z.data, z.len, n - 1), LEDE_ECORRUPT);
    CHECK_INT(zio_inflate(&out, z.data, z.len, n + 1), LEDE_ECORRUPT);
    CHECK_INT(zio_inflate(&out, z.data, z.len, 0), LEDE_ECORRUPT);
    /* A huge claimed length must not be trusted (allocated) up front. */
    CHECK_INT(zio_inflate(&out, z.data, z.len, SIZE_MAX / 2), LEDE_ECORRUPT);
    CHECK_MEM(out.data, out.len, "old"); /* untouched by every failure */

    /* Truncated, trailing garbage, empty input. */
    for (size_t cut = 0; cut < z.len; cut++)
        CHECK_INT(zio_inflate(&out, z.data, cut, n), LEDE_ECORRUPT);
    buf extra = {0};
    buf_append(&extra, z.data, z.len);
    buf_puts(&extra, "x");
    CHECK_INT(zio_inflate(&out, extra.data, extra.len, n), LEDE_ECORRUPT);
    CHECK_MEM(out.data, out.len, "old");

    /* Every single-bit flip: an error or (if zlib cannot tell) exactly n
     * bytes; never a crash or an overrun (run under ASan). */
    for (size_t i = 0; i < z.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            buf_clear(&extra);
            buf_append(&extra, z.data, z.len);
            extra.data[i] ^= (char)(1 << bit);
            size_t before = out.len;
            int rc = zio_inflate(&out, extra.data, extra.len, n);
            CHECK(rc == LEDE_ECORRUPT || (rc == 0 && out.len == before + n));
            out.len = before;
        }
    }
    /* Random bytes. */
    rng_state = 7;
    for (int round = 0; round < 200; round++) {
        unsigned char junk[64];
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (unsigned char)rng();
        size_t before = out.len;
        int rc = zio_inflate(&out, junk, 1 + rng() % sizeof junk, rng() % 1000);
        CHECK(rc == LEDE_ECORRUPT || rc == 0);
        out.len = before;
    }
    buf_free(&z);
    buf_free(&out);
    buf_free(&extra);
}

TEST_MAIN()
