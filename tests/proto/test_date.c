/* Calendar dates as days since 1970-01-01 (cp_date_parse / cp_date_format). */
#include "cptest.h"

#include <string.h>

#include "credport/entry.h"

static void check(const char *s, uint32_t days) {
  uint32_t got = 0xFFFFFFFFu;
  char out[11];
  if (cp_date_parse(s, &got) != 0) fail_msg("%s did not parse", s);
  if (got != days) fail_msg("%s: want %u, got %u", s, days, got);
  cp_date_format(days, out);
  assert_string_equal(out, s);
}

static void known_dates(void **state) {
  check("1970-01-01", 0);
  check("1970-01-02", 1);
  check("1970-12-31", 364);
  check("2000-02-29", 11016);
  check("2000-03-01", 11017);
  check("2024-01-01", 19723);
  check("2024-02-29", 19782);
  check("2024-03-01", 19783);
  check("9999-12-31", 2932896);
}

static void invalid_dates(void **state) {
  static const char *const bad[] = {"2023-02-29", "1900-02-29", "2024-02-30", "2024-04-31",
                                    "2024-13-01", "2024-00-10", "2024-01-00", "1969-12-31",
                                    "2024-1-01",  "2024/01/01", "24-01-01",   "2024-01-011",
                                    "",           "abcd-ef-gh", "2024-01-0a", "+024-01-01"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint32_t d = 12345;
    if (cp_date_parse(bad[i], &d) == 0) fail_msg("\"%s\" parsed", bad[i]);
    assert_int_equal(d, 12345);
  }
  uint32_t d;
  assert_int_not_equal(cp_date_parse(NULL, &d), 0);
}

/* Every day from 1970 to 9999 formats to a string that parses back to it. */
static void every_day_round_trips(void **state) {
  char out[11];
  uint32_t back;
  for (uint32_t days = 0; days <= 2932896; days++) {
    cp_date_format(days, out);
    if (cp_date_parse(out, &back) != 0 || back != days) fail_msg("%u -> %s", days, out);
  }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(known_dates),
    cmocka_unit_test(invalid_dates),
    cmocka_unit_test(every_day_round_trips),
};

CP_TEST_MAIN(tests)
