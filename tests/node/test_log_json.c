/*
 * The daemon's JSON log lines (node/daemon_log.c, cp_log_line_json): each
 * logfmt payload becomes one JSON object, read back here with jansson.
 */
#include "cptest.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "credport/node.h"

static json_t *line(const char *payload) {
  char *s = cp_log_line_json("2026-12-03T08:00:00Z", "warn", payload);
  assert_non_null(s);
  assert_null(strchr(s, '\n'));
  json_error_t e;
  json_t *o = json_loads(s, JSON_REJECT_DUPLICATES, &e);
  if (o == NULL) fail_msg("not JSON: %s (%s)", s, e.text);
  free(s);
  return o;
}

static void log_json_fields(void **state) {
  (void)state;
  json_t *o = line("event=session-ended peer=3b6a27bc addr=127.0.0.1:7700 count=12 "
                   "why=\"CLOSE: peer said \\\"no\\\" \\\\ bye\"");
  assert_string_equal(json_string_value(json_object_get(o, "time")), "2026-12-03T08:00:00Z");
  assert_string_equal(json_string_value(json_object_get(o, "level")), "warn");
  assert_string_equal(json_string_value(json_object_get(o, "event")), "session-ended");
  assert_string_equal(json_string_value(json_object_get(o, "peer")), "3b6a27bc");
  assert_string_equal(json_string_value(json_object_get(o, "addr")), "127.0.0.1:7700");
  assert_int_equal(json_integer_value(json_object_get(o, "count")), 12);
  assert_string_equal(json_string_value(json_object_get(o, "why")), "CLOSE: peer said \"no\" \\ bye");
  /* time and level come first, in that order */
  const char *k1 = json_object_iter_key(json_object_iter(o));
  assert_string_equal(k1, "time");
  json_decref(o);
}

static void log_json_numbers(void **state) {
  (void)state;
  json_t *o = line("a=0 b=007 c=-5 d=1234567890123456789 e=12ab f=");
  assert_true(json_is_integer(json_object_get(o, "a")));
  assert_string_equal(json_string_value(json_object_get(o, "b")), "007");
  assert_string_equal(json_string_value(json_object_get(o, "c")), "-5");
  assert_string_equal(json_string_value(json_object_get(o, "d")), "1234567890123456789");
  assert_string_equal(json_string_value(json_object_get(o, "e")), "12ab");
  assert_string_equal(json_string_value(json_object_get(o, "f")), "");
  json_decref(o);
}

static void log_json_odd_tokens(void **state) {
  (void)state;
  /* Words that are not key=value, a payload "time"/"level", and a quote
   * left open all stay in the object, which stays valid JSON. */
  json_t *o = line("progress 45% done time=now level=x event=e why=\"unterminated");
  assert_string_equal(json_string_value(json_object_get(o, "msg")), "progress 45% done");
  assert_string_equal(json_string_value(json_object_get(o, "time")), "2026-12-03T08:00:00Z");
  assert_string_equal(json_string_value(json_object_get(o, "payload_time")), "now");
  assert_string_equal(json_string_value(json_object_get(o, "payload_level")), "x");
  assert_string_equal(json_string_value(json_object_get(o, "why")), "unterminated");
  json_decref(o);
  o = line("");
  assert_int_equal(json_object_size(o), 2);
  json_decref(o);
}

static void log_level_names(void **state) {
  (void)state;
  assert_int_equal(cp_log_level_parse("debug"), CP_LOG_DEBUG);
  assert_int_equal(cp_log_level_parse("info"), CP_LOG_INFO);
  assert_int_equal(cp_log_level_parse("warn"), CP_LOG_WARN);
  assert_int_equal(cp_log_level_parse("warning"), CP_LOG_WARN);
  assert_int_equal(cp_log_level_parse("error"), CP_LOG_ERROR);
  assert_int_equal(cp_log_level_parse("INFO"), -1);
  assert_int_equal(cp_log_level_parse(""), -1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(log_json_fields),
    cmocka_unit_test(log_json_numbers),
    cmocka_unit_test(log_json_odd_tokens),
    cmocka_unit_test(log_level_names),
};
CP_TEST_MAIN(tests)
