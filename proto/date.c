/* credport — calendar dates as days since 1970-01-01 (proleptic Gregorian). */
#include <stdio.h>
#include <string.h>

#include "credport/entry.h"

/* Days from 1970-01-01 to y-m-d; the civil-from-days algorithm in reverse,
 * using a March-based year so that leap days fall at the end. */
int64_t cp_days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Eras of 400 years (146097 days), floored so that negative days work. */
void cp_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d) {
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
  *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(unsigned y, unsigned m) {
  static const unsigned dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return dm[m - 1];
}

int cp_date_parse(const char *s, uint32_t *days) {
  if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return CP_EINVAL;
  unsigned v[3] = {0, 0, 0};
  static const int start[3] = {0, 5, 8}, width[3] = {4, 2, 2};
  for (int f = 0; f < 3; f++)
    for (int i = 0; i < width[f]; i++) {
      char c = s[start[f] + i];
      if (c < '0' || c > '9') return CP_EINVAL;
      v[f] = v[f] * 10 + (unsigned)(c - '0');
    }
  if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > days_in_month(v[0], v[1]))
    return CP_EINVAL;
  *days = (uint32_t)cp_days_from_civil(v[0], v[1], v[2]);
  return CP_OK;
}

void cp_date_format(uint32_t days, char out[11]) {
  int64_t y;
  unsigned m, d;
  cp_civil_from_days(days, &y, &m, &d);
  snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(y % 10000), (m % 13), (d % 32));
}
