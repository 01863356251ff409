/* ts.c: RFC 3339 timestamps. */
#include "ts.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int tl__ts_parse(const char *s, size_t n, int *frac_digits, int64_t *us, char key[TL_TS_KEYMAX])
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return -1;
    int Y = digits(s, 4), M = digits(s + 5, 2), D = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (Y < 0 || M < 1 || M > 12 || D < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
        sec > 60)
        return -1;
    int maxd = mdays[M - 1] + (M == 2 && is_leap(Y));
    if (D > maxd) return -1;
    size_t i = 19;
    size_t fstart = 0, flen = 0;
    if (s[i] == '.') {
        fstart = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        flen = i - fstart;
        if (flen == 0) return -1; /* a decimal point needs digits after it */
    }
    if (i + 1 != n || s[i] != 'Z') return -1;
    if (flen > TL_TS_KEYMAX - 21) return -1;
    if (frac_digits) *frac_digits = (int)flen;
    if (us) {
        int64_t t = days_from_civil(Y, M, D) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec;
        int64_t f = 0;
        for (size_t k = 0; k < 6; k++)
            f = f * 10 + (k < flen ? s[fstart + k] - '0' : 0);
        *us = t * 1000000 + f;
    }
    if (key) {
        memcpy(key, s, 19);
        key[19] = '.';
        size_t keep = flen;
        while (keep > 9 && s[fstart + keep - 1] == '0')
            keep--;
        size_t k = 20;
        for (size_t j = 0; j < keep; j++)
            key[k++] = s[fstart + j];
        while (k < 29)
            key[k++] = '0';
        key[k] = '\0';
    }
    return 0;
}

static void split(int64_t us, struct tm *tm, int64_t *frac)
{
    int64_t secs = us / 1000000;
    *frac = us % 1000000;
    if (*frac < 0) {
        *frac += 1000000;
        secs--;
    }
    time_t t = (time_t)secs;
    gmtime_r(&t, tm);
}

/* Formats with `digits` (3 or 6) fractional digits. */
static void format(int64_t us, int digits, char out[32])
{
    struct tm tm;
    int64_t frac;
    split(us, &tm, &frac);
    if (digits == 3) frac /= 1000;
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%0*lldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, digits, (long long)frac);
    snprintf(out, 32, "%.31s", tmp);
}

void tl__ts_format_us(int64_t us, char out[32])
{
    format(us, 6, out);
}

void tl__ts_format_ms(int64_t us, char out[32])
{
    format(us, 3, out);
}

int64_t tl__now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
