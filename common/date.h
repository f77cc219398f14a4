/* date.h - publication dates: parsing the forms found in news files, and
 * printing ISO 8601.
 *
 * A date is an int64 count of seconds since 1970-01-01T00:00:00 in the
 * proleptic Gregorian calendar. Times in articles carry no time zone; lede
 * takes them as written (stored as if UTC) and prints them back unchanged. */
#ifndef LEDE_DATE_H
#define LEDE_DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_NONE INT64_MIN

/* Parses s[0..len) (surrounding white space ignored) in one of the forms
 *   YYYY/M/D, YYYY-M-D (so YYYY-MM-DD), each optionally followed by one or
 *   more spaces or a 'T' and H:MM or H:MM:SS (a fraction of a second, and a
 *   trailing 'Z' or UTC offset +HH, +HH:MM or -HHMM, are accepted and left
 *   out: the time is kept as written);
 *   YYYY-MM and YYYY (first day of that month or year).
 * Stores the timestamp in *out. Returns 0, or LEDE_EINVAL (with *out =
 * DATE_NONE) when the text is not such a date or names an impossible day
 * (2019-02-30) or time (25:00). Years 1 to 9999. */
int date_parse(int64_t *out, const char *s, size_t len);

/* When s[0..len) is written as a date (YYYY-M-D or YYYY/M/D, maybe with a
 * time) but names a day that does not exist, writes why into out[0..cap)
 * ("February 2019 has 28 days", "there is no month 13") and returns 1; else
 * 0 (out is then ""). For error messages. */
int date_impossible(const char *s, size_t len, char *out, size_t cap);

/* Writes `t` as "YYYY-MM-DDTHH:MM:SSZ" (or "YYYY-MM-DD" when date_only) into
 * out[0..cap) with a NUL. Returns the length written (without the NUL), or 0
 * when t is DATE_NONE or cap is too small (out is then ""). */
size_t date_format(char *out, size_t cap, int64_t t, int date_only);

/* Days since 1970-01-01 of a civil date (no validation). */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The civil date of a day count since 1970-01-01. */
void date_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
