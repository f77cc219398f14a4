/* test_date.c - date parsing, day-count conversions and ISO 8601 output
 * (contract: common/date.h).
 *
 * Expected timestamps are worked out by hand from well-known anchors:
 * 2000-01-01 = 946684800, 2019-01-01 = 1546300800, 1900-01-01 = -2208988800
 * (the NTP epoch offset), 0001-01-01 = -62135596800 and 9999-12-31T23:59:59
 * = 253402300799 (the .NET/Python calendar limits). */
#include <string.h>

#include "date.h"
#include "err.h"
#include "t.h"

#define DAY 86400

/* Parses a C string; returns the timestamp, or DATE_NONE after checking that
 * a failure reports LEDE_EINVAL. */
static int64_t parse(const char *s)
{
    int64_t t = 12345;
    int rc = date_parse(&t, s, strlen(s));
    if (rc != 0) {
        if (rc != LEDE_EINVAL)
            T_FAIL("date_parse(\"%s\") returned %d, expected LEDE_EINVAL", s, rc);
        if (t != DATE_NONE)
            T_FAIL("date_parse(\"%s\") failed but left *out = %" PRId64, s, t);
        return DATE_NONE;
    }
    return t;
}

TEST(test_date__seed_timestamp)
{
    /* 2019-01-01 + 31 + 28 + 31 + 24 days = day 18011; 21:18:40 = 76720 s. */
    CHECK_INT(parse("2019/4/25 21:18:40"), 1556227120);
    CHECK_INT(18011LL * DAY + 76720, 1556227120);
}

TEST(test_date__slash_and_dash_forms)
{
    CHECK_INT(parse("2019/4/25"), 1556150400);
    CHECK_INT(parse("2019/04/25"), 1556150400);
    CHECK_INT(parse("2019-04-25"), 1556150400);
    CHECK_INT(parse("2019-4-25"), 1556150400);
    CHECK_INT(parse("2019-4-5"), 1556150400 - 20 * DAY);
    CHECK_INT(parse("2019/12/31"), 1546300800 + 364LL * DAY);
}

TEST(test_date__times)
{
    CHECK_INT(parse("2019-04-25 21:18:40"), 1556227120);
    CHECK_INT(parse("2019-04-25T21:18:40"), 1556227120);
    CHECK_INT(parse("2019-04-25T21:18:40Z"), 1556227120);
    CHECK_INT(parse("2019/4/25   21:18:40"), 1556227120); /* several spaces */
    CHECK_INT(parse("2019-04-25 21:18"), 1556227080);      /* H:MM */
    CHECK_INT(parse("2019-04-25T21:18Z"), 1556227080);
    CHECK_INT(parse("2019-04-25 9:05"), 1556150400 + 9 * 3600 + 5 * 60); /* one-digit hour */
    CHECK_INT(parse("2019-04-25 00:00:00"), 1556150400);
    CHECK_INT(parse("2019-04-25 23:59:59"), 1556150400 + DAY - 1);
    /* ISO 8601 as feeds write it: a fraction and an offset, left out (the
     * time as written) */
    CHECK_INT(parse("2019-04-25T21:18:40.000Z"), 1556227120);
    CHECK_INT(parse("2019-04-25T21:18:40,5"), 1556227120);
    CHECK_INT(parse("2019-04-25T21:18:40+02:00"), 1556227120);
    CHECK_INT(parse("2019-04-25T21:18:40-0500"), 1556227120);
    CHECK_INT(parse("2019-04-25T21:18:40.123456+08"), 1556227120);
    CHECK_INT(parse("2019-04-25T21:18+01:00"), 1556227080);
    CHECK_INT(parse("2019-04-25T21:18:40+24:00"), DATE_NONE);
    CHECK_INT(parse("2019-04-25T21:18:40+2"), DATE_NONE);
    CHECK_INT(parse("2019-04-25T21:18:40."), DATE_NONE);
    CHECK_INT(parse("2019-04-25T21:18:40+02:0"), DATE_NONE);
}

TEST(test_date__year_month_and_year)
{
    /* 2019-04-01 is 90 days after 2019-01-01. */
    CHECK_INT(parse("2019-04"), 1546300800 + 90LL * DAY);
    CHECK_INT(parse("1958-12"), parse("1958-12-01"));
    CHECK_INT(parse("2019"), 1546300800);
    CHECK_INT(parse("2000"), 946684800);
}

TEST(test_date__surrounding_space_and_length)
{
    CHECK_INT(parse("  2019-04-25 \n"), 1556150400);
    CHECK_INT(parse("\t2019/4/25 21:18:40\r\n"), 1556227120);
    /* Only s[0..len) is read. */
    int64_t t = 0;
    CHECK_INT(date_parse(&t, "2019-04-25XYZ", 10), 0);
    CHECK_INT(t, 1556150400);
    CHECK_INT(date_parse(&t, "2019-04-25 21:18:40", 4), 0);
    CHECK_INT(t, 1546300800);
}

TEST(test_date__epoch_and_before)
{
    CHECK_INT(parse("1970-01-01"), 0);
    CHECK_INT(parse("1970-01-01T00:00:00Z"), 0);
    CHECK_INT(parse("1970-01-01 00:00:01"), 1);
    CHECK_INT(parse("1969-12-31"), -DAY);
    CHECK_INT(parse("1969-12-31 23:59:59"), -1);
    CHECK_INT(parse("1900-01-01"), -2208988800LL);
    CHECK_INT(parse("0001-01-01"), -62135596800LL);
    CHECK_INT(parse("9999-12-31T23:59:59"), 253402300799LL);
}

TEST(test_date__leap_years)
{
    /* 2000 is divisible by 400: leap. 1900 and 2100 by 100 only: not leap. */
    CHECK_INT(parse("2000-02-29"), 946684800 + 59LL * DAY);
    CHECK_INT(parse("2000-03-01"), 946684800 + 60LL * DAY);
    CHECK_INT(parse("2020-02-29"), 1577836800 + 59LL * DAY);
    CHECK_INT(parse("2000-12-31"), 946684800 + 365LL * DAY);
    CHECK_INT(parse("1900-02-29"), DATE_NONE);
    CHECK_INT(parse("2100-02-29"), DATE_NONE);
    CHECK_INT(parse("2019-02-29"), DATE_NONE);
    CHECK_INT(parse("1900-02-28"), -2208988800LL + 58LL * DAY);
    CHECK_INT(parse("1900-03-01"), -2208988800LL + 59LL * DAY);
}

TEST(test_date__impossible_dates)
{
    static const char *const bad[] = {
        "2019-02-30", "2019-13-01", "2019-00-10", "2019-01-00", "2019-01-32",
        "2019-04-31", "2019-06-31", "2019-13", "2019-00", "0000-01-01", "0000",
        "2019/4/25 25:00", "2019/4/25 24:00", "2019/4/25 12:60", "2019/4/25 12:30:60",
        "2019-02-30 10:00:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse(bad[i]) != DATE_NONE)
            T_FAIL("\"%s\" parsed as a date", bad[i]);
}

TEST(test_date__garbage_and_junk)
{
    static const char *const bad[] = {
        "", "   ", "abc", "yesterday", "2019/4/25x", "2019/4/25 21:18:40 junk",
        "2019-04-25T",
        "2019-04-25 21", "2019-04-25 21:", "2019-04-25 21:5", "2019-04-25 21:18:4",
        "2019-04-25 21:18:", "2019-04-25 123:00", "2019-04-25 21:180",
        "2019/04-25", "2019-04/25", "2019/4", "19-04-25", "201-04-25", "20190-01-01",
        "2019-004-25", "2019-04-025", "2019-04-25ZZ", "2019-04-25Z", "2019-04-25 21:18:40ZZ",
        "2019-04-25 21:18:40+", "2019-04-25 21:18:40.x", "2019-", "2019-04-",
        "-2019-04-25", "+2019-04-25", "2019 04 25", "2019.04.25", "25/04/2019",
        "2019-04-25T 21:18", "2019-04-25 T21:18",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse(bad[i]) != DATE_NONE)
            T_FAIL("\"%s\" parsed as a date", bad[i]);
    /* A NUL inside the range is junk, not an end. */
    int64_t t = 0;
    CHECK_INT(date_parse(&t, "2019-04-25\0", 11), LEDE_EINVAL);
    CHECK_INT(t, DATE_NONE);
}

TEST(test_date__days_from_civil)
{
    CHECK_INT(date_days_from_civil(1970, 1, 1), 0);
    CHECK_INT(date_days_from_civil(1970, 1, 2), 1);
    CHECK_INT(date_days_from_civil(1969, 12, 31), -1);
    CHECK_INT(date_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT(date_days_from_civil(2019, 4, 25), 18011);
    CHECK_INT(date_days_from_civil(1, 1, 1), -719162);
    CHECK_INT(date_days_from_civil(9999, 12, 31), 2932896);
    /* 0000-03-01 is the start of the algorithm's era 0; year 0 is leap. */
    CHECK_INT(date_days_from_civil(0, 3, 1), -719468);
    CHECK_INT(date_days_from_civil(0, 2, 29), -719469);
}

TEST(test_date__civil_from_days)
{
    int64_t y;
    unsigned m, d;
    date_civil_from_days(0, &y, &m, &d);
    CHECK(y == 1970 && m == 1 && d == 1);
    date_civil_from_days(-1, &y, &m, &d);
    CHECK(y == 1969 && m == 12 && d == 31);
    date_civil_from_days(18011, &y, &m, &d);
    CHECK(y == 2019 && m == 4 && d == 25);
    date_civil_from_days(11016, &y, &m, &d);
    CHECK(y == 2000 && m == 2 && d == 29);
    date_civil_from_days(-719162, &y, &m, &d);
    CHECK(y == 1 && m == 1 && d == 1);
    date_civil_from_days(-719469, &y, &m, &d);
    CHECK(y == 0 && m == 2 && d == 29);
}

/* Every day from 0001-01-01 to 9999-12-31: the conversions invert each other
 * and successive days step through the calendar one day at a time. */
TEST(test_date__civil_round_trip_every_day)
{
    int64_t py = 0;
    unsigned pm = 12, pd = 31;
    for (int64_t days = -719162; days <= 2932896; days++) {
        int64_t y;
        unsigned m, d;
        date_civil_from_days(days, &y, &m, &d);
        if (date_days_from_civil(y, m, d) != days) {
            T_FAIL("day %" PRId64 " -> %" PRId64 "-%u-%u does not come back", days, y, m, d);
            return;
        }
        int next_ok = (y == py && m == pm && d == pd + 1) ||
                      (y == py && m == pm + 1 && d == 1 && pd >= 28) ||
                      (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31);
        if (!next_ok) {
            T_FAIL("day %" PRId64 " is %" PRId64 "-%u-%u after %" PRId64 "-%u-%u", days, y, m,
                   d, py, pm, pd);
            return;
        }
        py = y;
        pm = m;
        pd = d;
    }
    CHECK(py == 9999 && pm == 12 && pd == 31);
}

TEST(test_date__civil_extremes_do_not_overflow)
{
    /* Far outside 1..9999, the conversion must still be defined behaviour
     * (run under UBSan) and invert. */
    static const int64_t days[] = {INT64_MAX / 2, -(INT64_MAX / 2), 1000000000000LL,
                                   -1000000000000LL, INT64_MAX, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        int64_t y;
        unsigned m, d;
        date_civil_from_days(days[i], &y, &m, &d);
        CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        if (i < 4)
            CHECK_INT(date_days_from_civil(y, m, d), days[i]);
    }
}

TEST(test_date__format)
{
    char out[64];
    CHECK_INT(date_format(out, sizeof out, 1556227120, 0), 20);
    CHECK_STR(out, "2019-04-25T21:18:40Z");
    CHECK_INT(date_format(out, sizeof out, 1556227120, 1), 10);
    CHECK_STR(out, "2019-04-25");
    CHECK_INT(date_format(out, sizeof out, 0, 0), 20);
    CHECK_STR(out, "1970-01-01T00:00:00Z");
    CHECK_INT(date_format(out, sizeof out, -1, 0), 20);
    CHECK_STR(out, "1969-12-31T23:59:59Z");
    CHECK_INT(date_format(out, sizeof out, -1, 1), 10);
    CHECK_STR(out, "1969-12-31");
    CHECK_INT(date_format(out, sizeof out, -2208988800LL, 0), 20);
    CHECK_STR(out, "1900-01-01T00:00:00Z");
    CHECK_INT(date_format(out, sizeof out, -62135596800LL, 0), 20);
    CHECK_STR(out, "0001-01-01T00:00:00Z");
    CHECK_INT(date_format(out, sizeof out, 253402300799LL, 0), 20);
    CHECK_STR(out, "9999-12-31T23:59:59Z");
    CHECK_INT(date_format(out, sizeof out, 951782400, 1), 10);
    CHECK_STR(out, "2000-02-29");
}

TEST(test_date__format_none_and_small_buffers)
{
    char out[32];
    memset(out, 'x', sizeof out);
    CHECK_INT(date_format(out, sizeof out, DATE_NONE, 0), 0);
    CHECK_STR(out, "");
    memset(out, 'x', sizeof out);
    CHECK_INT(date_format(out, 20, 0, 0), 0); /* 20 chars need 21 bytes */
    CHECK_STR(out, "");
    CHECK_INT(date_format(out, 21, 0, 0), 20);
    CHECK_STR(out, "1970-01-01T00:00:00Z");
    memset(out, 'x', sizeof out);
    CHECK_INT(date_format(out, 10, 0, 1), 0);
    CHECK_STR(out, "");
    CHECK_INT(date_format(out, 11, 0, 1), 10);
    CHECK_STR(out, "1970-01-01");
    out[0] = 'x';
    CHECK_INT(date_format(out, 0, 0, 0), 0);
    CHECK(out[0] == 'x'); /* cap 0: nothing may be written */
}

TEST(test_date__format_outside_four_digit_years)
{
    char out[64];
    /* Never produced by date_parse, but must still print a signed ISO 8601
     * expanded year rather than something ambiguous. */
    CHECK_INT(date_format(out, sizeof out, date_days_from_civil(-1, 1, 1) * DAY, 1), 11);
    CHECK_STR(out, "-0001-01-01");
    CHECK_INT(date_format(out, sizeof out, date_days_from_civil(12345, 6, 7) * DAY, 1), 12);
    CHECK_STR(out, "+12345-06-07");
    CHECK(date_format(out, sizeof out, INT64_MIN + 1, 0) > 0);
    CHECK(date_format(out, sizeof out, INT64_MAX, 0) > 0);
}

TEST(test_date__round_trips)
{
    static const char *const iso[] = {
        "2019-04-25T21:18:40Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
        "2000-02-29T12:00:00Z", "1900-03-01T00:00:01Z", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "1790-01-08T00:00:00Z", "1987-02-26T15:02:20Z",
    };
    char out[64];
    for (size_t i = 0; i < sizeof iso / sizeof iso[0]; i++) {
        int64_t t = parse(iso[i]);
        CHECK(t != DATE_NONE);
        CHECK_INT(date_format(out, sizeof out, t, 0), strlen(iso[i]));
        CHECK_STR(out, iso[i]);
        CHECK_INT(parse(out), t);
    }
    /* The other accepted forms normalize to the same ISO text. */
    CHECK_INT(date_format(out, sizeof out, parse("2019/4/25 21:18:40"), 0), 20);
    CHECK_STR(out, "2019-04-25T21:18:40Z");
    CHECK_INT(date_format(out, sizeof out, parse("1958-12"), 1), 10);
    CHECK_STR(out, "1958-12-01");
    CHECK_INT(date_format(out, sizeof out, parse("2019-4-5 9:05"), 0), 20);
    CHECK_STR(out, "2019-04-05T09:05:00Z");
}

TEST_MAIN()
