#include "workload/trace_azure.h"

#include <ctype.h>
#include <stdbool.h>

/* Reads exactly `n` digits; -1 if any is missing. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int azure_time_ns(const char *s, int64_t *ns)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se;
	const char *p = s;
	if (digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) || expect(&p, '-')
	    || digits(&p, 2, &d) || expect(&p, ' ') || digits(&p, 2, &h) || expect(&p, ':')
	    || digits(&p, 2, &mi) || expect(&p, ':') || digits(&p, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23
	    || mi > 59 || se > 59)
		return -1;
	int64_t frac = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		for (; isdigit((unsigned char)*p); p++, n++) {
			if (n == 9)
				return -1;
			frac = frac * 10 + (*p - '0');
		}
		if (n == 0)
			return -1;
		for (; n < 9; n++)
			frac *= 10;
	}
	if (*p)
		return -1;
	int64_t sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	*ns = sec * 1000000000 + frac;
	return 0;
}
