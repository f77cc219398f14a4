/* test_json.c - unit tests for common/json.c: JSON Lines records into docs
 * (every escape, surrogate pairs, lone surrogates, \u0000, malformed lines,
 * numbers as text, unknown keys) and JSON string literals out.
 * Expected values come from RFC 8259 and the contract in json.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "doc.h"
#include "err.h"
#include "json.h"
#include "t.h"
#include "utf8.h"

/* Parses a NUL-terminated line into d; returns json_parse_doc's code. */
static int parse(doc *d, const char *line, unsigned *warn, char *detail, size_t cap)
{
    return json_parse_doc(d, line, strlen(line), warn, detail, cap);
}

#define CHECK_FIELD(d, k, s) CHECK_MEM((d).f[k], (d).f_len[k], s)

TEST(test_json__all_fields)
{
    doc d;
    doc_init(&d);
    unsigned warn = 0;
    char detail[128];
    int rc = parse(&d,
                   "{\"id\": \"gt-1\", \"title\": \"Putin-Kim meeting\", \"date\": \"2019-03-04\","
                   " \"body\": \"First.\\n\\nSecond.\", \"source\": \"Global Times\","
                   " \"section\": \"EDITORIAL\", \"url\": \"http://example.com/a\"}",
                   &warn, detail, sizeof detail);
    CHECK_INT(rc, 0);
    CHECK_INT(warn, 0);
    CHECK_STR(detail, "");
    CHECK_FIELD(d, DOC_ID, "gt-1");
    CHECK_FIELD(d, DOC_TITLE, "Putin-Kim meeting");
    CHECK_FIELD(d, DOC_BODY, "First.\n\nSecond.");
    CHECK_FIELD(d, DOC_SOURCE, "Global Times");
    CHECK_FIELD(d, DOC_SECTION, "EDITORIAL");
    CHECK_FIELD(d, DOC_URL, "http://example.com/a");
    CHECK_INT(d.date, 1551657600); /* 2019-03-04T00:00:00Z */
    doc_free(&d);
}

TEST(test_json__escapes)
{
    doc d;
    doc_init(&d);
    unsigned warn = 0;
    CHECK_INT(parse(&d, "{\"title\": \"a\\nb\\\"c\\\\d\\/e\\tf\\rg\\bh\\fi\"}", &warn, NULL, 0), 0);
    CHECK_FIELD(d, DOC_TITLE, "a\nb\"c\\d/e\tf\rg\bh\fi");
    /* \u00e9 is é (C3 A9); \u20ac is € (E2 82 AC); upper-case hex too. */
    CHECK_INT(parse(&d, "{\"title\": \"caf\\u00e9 \\u20AC\"}", &warn, NULL, 0), 0);
    CHECK_FIELD(d, DOC_TITLE, "caf\xC3\xA9 \xE2\x82\xAC");
    /* A surrogate pair is one code point: U+1F600 = F0 9F 98 80. */
    CHECK_INT(parse(&d, "{\"body\": \"x\\ud83d\\ude00y\"}", &warn, NULL, 0), 0);
    CHECK_FIELD(d, DOC_BODY, "x\xF0\x9F\x98\x80y");
    CHECK_INT(parse(&d, "{\"body\": \"\\uD834\\uDD1E\"}", &warn, NULL, 0), 0); /* U+1D11E */
    CHECK_FIELD(d, DOC_BODY, "\xF0\x9D\x84\x9E");
    /* Raw UTF-8 passes through untouched. */
    CHECK_INT(parse(&d, "{\"body\": \"\xE5\xB9\xB3\xE5\xA3\xA4 \xC3\xBC\"}", &warn, NULL, 0), 0);
    CHECK_FIELD(d, DOC_BODY, "\xE5\xB9\xB3\xE5\xA3\xA4 \xC3\xBC");
    /* An escaped backslash before "u0000" is not an escape of U+0000. */
    CHECK_INT(parse(&d, "{\"body\": \"a\\\\u0000b\"}", &warn, NULL, 0), 0);
    CHECK_FIELD(d, DOC_BODY, "a\\u0000b");
    CHECK_INT(warn, 0);
    doc_free(&d);
}

TEST(test_json__lone_surrogates_and_nul_become_invalid_bytes)
{
    /* json.c leaves each of them as the byte 0xFF, never valid UTF-8, so the
     * caller's repair turns it into U+FFFD and counts it; the document is
     * kept (one bad character should not lose an article). */
    doc d;
    doc_init(&d);
    char detail[128];
    CHECK_INT(parse(&d, "{\"id\": \"1\", \"title\": \"a\\ud800b\"}", NULL, detail,
                    sizeof detail),
              0);
    CHECK_FIELD(d, DOC_TITLE, "a\xFF" "b");
    CHECK_FIELD(d, DOC_ID, "1");
    CHECK(!utf8_valid(d.f[DOC_TITLE], d.f_len[DOC_TITLE]));
    CHECK_INT(parse(&d, "{\"title\": \"\\udc00x\"}", NULL, NULL, 0), 0); /* low first */
    CHECK_FIELD(d, DOC_TITLE, "\xFFx");
    CHECK_INT(parse(&d, "{\"title\": \"\\ud800\\u0041\"}", NULL, NULL, 0), 0); /* high + non-low */
    CHECK_FIELD(d, DOC_TITLE, "\xFF" "A");
    CHECK_INT(parse(&d, "{\"title\": \"\\ud83d\"}", NULL, NULL, 0), 0); /* high at the end */
    CHECK_FIELD(d, DOC_TITLE, "\xFF");
    CHECK_INT(parse(&d, "{\"title\": \"\\ud83d\\ud83d\\ude00\"}", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_TITLE, "\xFF\xF0\x9F\x98\x80");
    /* \u0000 would end the C string early: it must not cut the text. */
    CHECK_INT(parse(&d, "{\"body\": \"before\\u0000after\"}", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_BODY, "before\xFF" "after");
    /* A raw NUL byte inside a string, likewise. */
    const char raw[] = "{\"body\": \"x\0y\"}";
    CHECK_INT(json_parse_doc(&d, raw, sizeof raw - 1, NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_BODY, "x\xFFy");
    /* Error columns still refer to the original line after such a repair. */
    CHECK_INT(parse(&d, "{\"t\": \"\\ud800\", \"x\": tru}", NULL, detail, sizeof detail),
              LEDE_ECORRUPT);
    CHECK(strstr(detail, "column 22") != NULL);
    doc_free(&d);
}

TEST(test_json__malformed_lines)
{
    struct {
        const char *line;
        const char *detail_has;
    } cases[] = {
        /* truncated */
        {"{\"id\": \"a\", \"title\": \"cut here", "truncated"},
        {"{\"id\": \"a\", \"title\": \"t\"", "truncated"},
        {"{\"id\": \"a\", \"tags\": [1, 2", "truncated"},
        {"{", "truncated"},
        /* not an object */
        {"[1, 2, 3]", "not a JSON object"},
        {"\"just a string\"", "not a JSON object"},
        {"42", "not a JSON object"},
        {"null", "not a JSON object"},
        {"Title of an article", "not a JSON object"},
        {"", "empty"},
        {"   \t ", "empty"},
        /* trailing garbage */
        {"{\"id\": \"a\"} x", "after the JSON object at column 13"},
        {"{\"id\": \"a\"}{\"id\": \"b\"}", "after the JSON object at column 12"},
        /* syntax */
        {"{\"id\": tru}", "syntax error at column 8"},
        {"{id: \"a\"}", "syntax error at column"},
        {"{\"id\": \"a\",}", "syntax error"},
        {"{\"id\" \"a\"}", "syntax error"},
        {"{\"a\": [1, 2}", "syntax error"},
        {"{\"id\": \"bad \\x escape\"}", "syntax error"},
        {"{\"id\": \"short \\u12\"}", "syntax error"},
        /* a known key of the wrong type */
        {"{\"id\": \"a\", \"title\": [\"x\"]}", "\"title\" is an array"},
        {"{\"id\": \"a\", \"body\": {\"p\": 1}}", "\"body\" is an object"},
        {"{\"id\": true}", "\"id\" is a boolean"},
        {"{\"date\": false}", "\"date\" is a boolean"},
        {"{\"id\": 1e999}", "\"id\" is a number out of range"},
        /* read back it would be another number: 1234567890123456768 */
        {"{\"id\": 1234567890123456789}", "\"id\" is a number too large to keep exactly"},
        {"{\"id\": -9007199254740993}", "write it as a string"},
    };
    doc d;
    doc_init(&d);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char detail[128] = "unset";
        doc_set(&d, DOC_TITLE, "stale", 5);
        int rc = parse(&d, cases[i].line, NULL, detail, sizeof detail);
        if (rc != LEDE_ECORRUPT)
            T_FAIL("line %s: rc %d, expected LEDE_ECORRUPT", cases[i].line, rc);
        if (!strstr(detail, cases[i].detail_has))
            T_FAIL("line %s: detail \"%s\" lacks \"%s\"", cases[i].line, detail,
                   cases[i].detail_has);
        CHECK_INT(d.f_len[DOC_TITLE], 0); /* reset even on failure */
    }
    /* detail may be NULL, or too small: truncated, still NUL-terminated. */
    CHECK_INT(parse(&d, "[1]", NULL, NULL, 0), LEDE_ECORRUPT);
    char tiny[8];
    CHECK_INT(parse(&d, "[1]", NULL, tiny, sizeof tiny), LEDE_ECORRUPT);
    CHECK_INT(strlen(tiny), 7);
    doc_free(&d);
}

/* A line nested `levels` deep, root object included:
 * {"id":"n","x":[[...[1]...]]} with levels - 1 arrays. */
static char *nested(size_t levels, int closed)
{
    const char *head = "{\"id\":\"n\",\"x\":";
    size_t hl = strlen(head), n = levels - 1;
    char *s = malloc(hl + 2 * n + 3);
    if (!s)
        exit(1);
    memcpy(s, head, hl);
    size_t k = hl;
    for (size_t i = 0; i < n; i++)
        s[k++] = '[';
    s[k++] = '1';
    for (size_t i = 0; closed && i < n; i++)
        s[k++] = ']';
    if (closed)
        s[k++] = '}';
    s[k] = '\0';
    return s;
}

TEST(test_json__nesting_limit)
{
    /* docs/LIMITS.md: objects and arrays nest up to 1000 levels, the record's
     * own object included; the bracket that opens level 1001 is reported at
     * its column (the head {"id":"n","x": is 14 bytes, so level k opens at
     * column 14 + k - 1). */
    doc d;
    doc_init(&d);
    char detail[160];
    char *s = nested(1000, 1);
    CHECK_INT(parse(&d, s, NULL, detail, sizeof detail), 0);
    CHECK_FIELD(d, DOC_ID, "n");
    free(s);
    s = nested(1001, 1);
    CHECK_INT(parse(&d, s, NULL, detail, sizeof detail), LEDE_ECORRUPT);
    CHECK_STR(detail, "JSON nested more than 1000 levels deep at column 1014 (objects and "
                      "arrays within each other)");
    free(s);
    /* 100,000 levels, never closed: the same message, not "truncated" */
    s = nested(100000, 0);
    CHECK_INT(parse(&d, s, NULL, detail, sizeof detail), LEDE_ECORRUPT);
    CHECK(strstr(detail, "nested more than 1000 levels deep at column 1014") != NULL);
    free(s);
    doc_free(&d);
}

TEST(test_json__numbers_become_text)
{
    doc d;
    doc_init(&d);
    CHECK_INT(parse(&d, "{\"id\": 12345, \"title\": \"t\"}", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_ID, "12345");
    CHECK_INT(parse(&d, "{\"id\": -7}", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_ID, "-7");
    CHECK_INT(parse(&d, "{\"id\": 0}", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_ID, "0");
    CHECK_INT(parse(&d, "{\"id\": 9007199254740991}", NULL, NULL, 0), 0); /* 2^53 - 1 */
    CHECK_FIELD(d, DOC_ID, "9007199254740991");
    CHECK_INT(parse(&d, "{\"id\": 1.5}", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_ID, "1.5");
    CHECK_INT(parse(&d, "{\"id\": 0.1}", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_ID, "0.1");
    CHECK_INT(parse(&d, "{\"id\": 1e3}", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_ID, "1000");
    CHECK_INT(parse(&d, "{\"title\": 2019, \"source\": 3.25}", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_TITLE, "2019");
    CHECK_FIELD(d, DOC_SOURCE, "3.25");
    /* A numeric date is read as its text: 2014 is a year. */
    CHECK_INT(parse(&d, "{\"date\": 2014}", NULL, NULL, 0), 0);
    CHECK_INT(d.date, 1388534400); /* 2014-01-01 */
    doc_free(&d);
}

TEST(test_json__missing_null_and_unknown_keys)
{
    doc d;
    doc_init(&d);
    unsigned warn = 0;
    CHECK_INT(parse(&d,
                    "{\"title\": \"T\", \"tags\": [\"a\", {\"b\": [1, true, null]}],"
                    " \"meta\": {\"id\": \"not me\"}, \"Id\": \"case matters\","
                    " \"body\": null, \"extra\": false, \"n\": 1.5e300}",
                    &warn, NULL, 0),
              0);
    CHECK_INT(warn, 0);
    CHECK_FIELD(d, DOC_TITLE, "T");
    CHECK_INT(d.f_len[DOC_ID], 0); /* missing: empty; input.c supplies the default */
    CHECK_INT(d.f_len[DOC_BODY], 0);
    CHECK(d.f[DOC_BODY] != NULL && d.f[DOC_SOURCE] != NULL);
    CHECK(d.date == DATE_NONE);
    /* An empty object is a valid record with every field empty. */
    CHECK_INT(parse(&d, "{}", NULL, NULL, 0), 0);
    CHECK_INT(d.f_len[DOC_TITLE], 0);
    /* A repeated key: the last one wins. */
    CHECK_INT(parse(&d, "{\"id\": \"first\", \"id\": \"second\"}", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_ID, "second");
    /* A byte order mark and surrounding white space are fine. */
    CHECK_INT(parse(&d, "\xEF\xBB\xBF  {\"id\": \"bom\"} \t\r", NULL, NULL, 0), 0);
    CHECK_FIELD(d, DOC_ID, "bom");
    doc_free(&d);
}

TEST(test_json__dates)
{
    doc d;
    doc_init(&d);
    unsigned warn = 0;
    char detail[160];
    CHECK_INT(parse(&d, "{\"date\": \"2019/3/4\"}", &warn, detail, sizeof detail), 0);
    CHECK_INT(d.date, 1551657600);
    CHECK_INT(warn, 0);
    CHECK_INT(parse(&d, "{\"date\": \"2013-11-13 21:18:40\"}", &warn, NULL, 0), 0);
    CHECK_INT(d.date, 1384377520);
    /* Empty, blank or null: no date, no warning. */
    CHECK_INT(parse(&d, "{\"date\": \"\"}", &warn, NULL, 0), 0);
    CHECK(d.date == DATE_NONE);
    CHECK_INT(parse(&d, "{\"date\": \"  \"}", &warn, NULL, 0), 0);
    CHECK_INT(parse(&d, "{\"date\": null}", &warn, NULL, 0), 0);
    CHECK_INT(warn, 0);
    /* Not a date: kept without one, with a warning that quotes it. */
    CHECK_INT(parse(&d, "{\"id\": \"x\", \"date\": \"last Tuesday\"}", &warn, detail,
                    sizeof detail),
              0);
    CHECK_INT(warn, JSON_WARN_BAD_DATE);
    CHECK(d.date == DATE_NONE);
    CHECK_FIELD(d, DOC_ID, "x");
    CHECK(strstr(detail, "'last Tuesday'") != NULL);
    warn = 0;
    CHECK_INT(parse(&d, "{\"date\": \"2019-02-30\"}", &warn, NULL, 0), 0);
    CHECK_INT(warn, JSON_WARN_BAD_DATE);
    doc_free(&d);
}

TEST(test_json__put_string)
{
    buf b = {0};
    buf_puts(&b, "x=");
    CHECK_INT(json_put_string(&b, "plain", 5), 0);
    CHECK_STR(b.data, "x=\"plain\"");
    buf_clear(&b);
    const char in[] = "q\"b\\n\nt\tr\rb\bf\f\x01\x1f\x7f/\xC3\xA9\xF0\x9F\x98\x80";
    CHECK_INT(json_put_string(&b, in, sizeof in - 1), 0);
    CHECK_STR(b.data, "\"q\\\"b\\\\n\\nt\\tr\\rb\\bf\\f\\u0001\\u001f"
                      "\x7f/\xC3\xA9\xF0\x9F\x98\x80\"");
    buf_clear(&b);
    CHECK_INT(json_put_string(&b, "a\0b", 3), 0); /* an embedded NUL */
    CHECK_MEM(b.data, b.len, "\"a\\u0000b\"");
    buf_clear(&b);
    CHECK_INT(json_put_string(&b, "", 0), 0);
    CHECK_STR(b.data, "\"\"");

    /* Round trip: every byte 1..127 plus multi-byte UTF-8 comes back. */
    buf s = {0};
    for (int c = 1; c < 128; c++)
        buf_putc(&s, (char)c);
    buf_puts(&s, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    buf line = {0};
    buf_puts(&line, "{\"title\": ");
    CHECK_INT(json_put_string(&line, s.data, s.len), 0);
    buf_puts(&line, "}");
    doc d;
    doc_init(&d);
    CHECK_INT(json_parse_doc(&d, line.data, line.len, NULL, NULL, 0), 0);
    CHECK(d.f_len[DOC_TITLE] == s.len && memcmp(d.f[DOC_TITLE], s.data, s.len) == 0);
    doc_free(&d);
    buf_free(&s);
    buf_free(&line);
    buf_free(&b);
}

TEST_MAIN()
