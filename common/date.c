/* date.c - publication dates: the few textual forms news files use, and ISO
 * 8601 output (contract in date.h).
 *
 * Called by article.c and json.c when reading documents and by the searcher
 * when printing them. Day counts use the closed-form proleptic Gregorian
 * conversions popularised by Howard Hinnant ("chrono-compatible low-level
 * date algorithms"): a year is shifted to start on March 1st so the leap day
 * falls at its end, and 400-year eras of 146097 days make the rest exact
 * integer arithmetic without tables or loops. */
#include "date.h"

#include <inttypes.h>
#include <stdio.h>

#include "err.h"

#define SECS_PER_DAY 86400
#define DAYS_PER_ERA 146097       /* days in 400 Gregorian years */
#define EPOCH_SHIFT 719468        /* days from 0000-03-01 to 1970-01-01 */
#define DATE_YEAR_MIN 1
#define DATE_YEAR_MAX 9999

/* Valid for |y| below 2.5e16 (era * 146097 must fit); no check that m and d name a real day
 * (month 0 and 13 roll into the neighbouring years, day 0 is the day before
 * the 1st). */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Month index counted from March, so January and February belong to the
     * previous "shifted" year. */
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;
    if (m <= 2)
        y -= 1;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                          /* [0, 399] */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;    /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* [0, 146096] */
    return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

void date_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    /* days + EPOCH_SHIFT could overflow near INT64_MAX, so split days into
     * eras first and shift only the remainder. C's '%' leaves a remainder
     * above -DAYS_PER_ERA, and EPOCH_SHIFT > DAYS_PER_ERA makes it positive,
     * so no floor correction is needed for negative days. */
    int64_t r = days % DAYS_PER_ERA + EPOCH_SHIFT;
    int64_t era = days / DAYS_PER_ERA + r / DAYS_PER_ERA;
    int64_t doe = r % DAYS_PER_ERA;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    unsigned month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = month;
    *y = yoe + era * 400 + (month <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Reads between min_digits and max_digits decimal digits at s[*i..end). */
static int read_num(const char *s, size_t *i, size_t end, int min_digits, int max_digits,
                    unsigned *out)
{
    unsigned v = 0;
    int n = 0;
    while (*i < end && n < max_digits && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (unsigned)(s[*i] - '0');
        (*i)++;
        n++;
    }
    /* Extra digits ("20190-01-01") are left for the caller, which rejects
     * them because no field is followed by a digit. */
    if (n < min_digits)
        return -1;
    *out = v;
    return 0;
}

int date_parse(int64_t *out, const char *s, size_t len)
{
    *out = DATE_NONE;
    if (!s)
        return LEDE_EINVAL;
    size_t i = 0, end = len;
    while (i < end && is_space(s[i]))
        i++;
    while (end > i && is_space(s[end - 1]))
        end--;

    unsigned year, month = 1, day = 1, hour = 0, min = 0, sec = 0;
    if (read_num(s, &i, end, 4, 4, &year) != 0)
        return LEDE_EINVAL;
    if (i < end) {
        char sep = s[i];
        if (sep != '-' && sep != '/')
            return LEDE_EINVAL;
        i++;
        if (read_num(s, &i, end, 1, 2, &month) != 0)
            return LEDE_EINVAL;
        if (i == end) {
            if (sep != '-') /* YYYY-MM only; "2019/4" is not a form we know */
                return LEDE_EINVAL;
        } else {
            if (s[i] != sep) /* "2019/4-25" mixes separators */
                return LEDE_EINVAL;
            i++;
            if (read_num(s, &i, end, 1, 2, &day) != 0)
                return LEDE_EINVAL;
        }
        if (i < end) {
            if (s[i] == 'T') {
                i++;
            } else if (s[i] == ' ' || s[i] == '\t') {
                while (i < end && (s[i] == ' ' || s[i] == '\t'))
                    i++;
            } else {
                return LEDE_EINVAL;
            }
            if (read_num(s, &i, end, 1, 2, &hour) != 0)
                return LEDE_EINVAL;
            if (i == end || s[i] != ':')
                return LEDE_EINVAL;
            i++;
            if (read_num(s, &i, end, 2, 2, &min) != 0)
                return LEDE_EINVAL;
            if (i < end && s[i] == ':') {
                i++;
                if (read_num(s, &i, end, 2, 2, &sec) != 0)
                    return LEDE_EINVAL;
                if (i + 1 < end && (s[i] == '.' || s[i] == ',') && s[i + 1] >= '0' && s[i + 1] <= '9')
                    for (i++; i < end && s[i] >= '0' && s[i] <= '9'; i++)
                        ; /* a fraction of a second: left out */
            }
            if (i < end && s[i] == 'Z') {
                i++;
            } else if (i < end && (s[i] == '+' || s[i] == '-')) {
                /* a UTC offset, +HH, +HH:MM or +HHMM: left out, the time is
                 * kept as written (date.h) */
                unsigned oh, om = 0;
                i++;
                if (read_num(s, &i, end, 2, 2, &oh) != 0 || oh > 23)
                    return LEDE_EINVAL;
                if (i < end && s[i] == ':')
                    i++;
                if (i < end && (read_num(s, &i, end, 2, 2, &om) != 0 || om > 59))
                    return LEDE_EINVAL;
            }
            if (i != end)
                return LEDE_EINVAL;
        }
    }
    /* Leap seconds (:60) are rejected: a seconds count cannot hold them. */
    if (year < DATE_YEAR_MIN || year > DATE_YEAR_MAX || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month) || hour > 23 || min > 59 || sec > 59)
        return LEDE_EINVAL;
    *out = date_days_from_civil(year, month, day) * SECS_PER_DAY + (int64_t)hour * 3600 +
           (int64_t)min * 60 + sec;
    return 0;
}

size_t date_format(char *out, size_t cap, int64_t t, int date_only)
{
    if (cap > 0)
        out[0] = '\0';
    if (t == DATE_NONE || cap == 0)
        return 0;
    int64_t days = t / SECS_PER_DAY;
    int64_t secs = t % SECS_PER_DAY;
    if (secs < 0) {
        secs += SECS_PER_DAY;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    date_civil_from_days(days, &y, &m, &d);

    /* Years outside 0..9999 (never produced by date_parse) use ISO 8601's
     * expanded form with an explicit sign, so the output stays unambiguous. */
    char year[24];
    if (y < 0)
        snprintf(year, sizeof year, "-%04" PRIu64, (uint64_t)0 - (uint64_t)y);
    else if (y > 9999)
        snprintf(year, sizeof year, "+%" PRId64, y);
    else
        snprintf(year, sizeof year, "%04" PRId64, y);

    int n;
    if (date_only)
        n = snprintf(out, cap, "%s-%02u-%02u", year, m, d);
    else
        n = snprintf(out, cap, "%s-%02u-%02uT%02u:%02u:%02uZ", year, m, d,
                     (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

int date_impossible(const char *s, size_t len, char *out, size_t cap)
{
    static const char *const month_name[12] = {"January", "February", "March", "April",
                                               "May", "June", "July", "August",
                                               "September", "October", "November", "December"};
    if (cap)
        out[0] = '\0';
    size_t i = 0;
    while (i < len && is_space(s[i]))
        i++;
    unsigned y, m, d;
    if (read_num(s, &i, len, 4, 4, &y) || i >= len || (s[i] != '-' && s[i] != '/'))
        return 0;
    char sep = s[i++];
    if (read_num(s, &i, len, 1, 2, &m) || i >= len || s[i] != sep)
        return 0;
    i++;
    if (read_num(s, &i, len, 1, 2, &d) || y < 1)
        return 0;
    if (m < 1 || m > 12)
        snprintf(out, cap, "there is no month %u", m);
    else if (d < 1)
        snprintf(out, cap, "there is no day 0");
    else if (d > days_in_month(y, m))
        snprintf(out, cap, "%s %u has %u days", month_name[m - 1], y, days_in_month(y, m));
    else
        return 0;
    return 1;
}
