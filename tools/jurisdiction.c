/*
 * credport CLI — jurisdictions checked against ISO 3166, from the iso-codes
 * data files Debian ships (/usr/share/iso-codes/json; the package
 * iso-codes, installed by tools/setup).
 *
 * A jurisdiction is a country (ISO 3166-1 alpha-2, "US") or one of its
 * subdivisions (ISO 3166-2, "US-NC"). A bare two-letter code that is also a
 * US state's postal abbreviation ("NC" is New Caledonia; North Carolina is
 * US-NC) is the likeliest mistake an operator makes, and the genesis entry
 * is permanent: it is refused unless the country is confirmed.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef CP_ISO_CODES_DIR
#define CP_ISO_CODES_DIR "/usr/share/iso-codes/json"
#endif

/* The "name" of the member of array KEY in FILE whose FIELD is code, or
 * NULL. *missing is set when the file cannot be read. */
static const char *iso_name(json_t **doc, const char *file, const char *key, const char *field,
                            const char *code, int *missing) {
  if (*doc == NULL) {
    char path[512];
    json_error_t e;
    snprintf(path, sizeof path, "%s/%s", CP_ISO_CODES_DIR, file);
    if ((*doc = json_load_file(path, 0, &e)) == NULL) {
      *missing = 1;
      return NULL;
    }
  }
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(*doc, key), i, v) {
    const char *cd = json_string_value(json_object_get(v, field));
    if (cd != NULL && strcmp(cd, code) == 0) return json_string_value(json_object_get(v, "name"));
  }
  return NULL;
}

int cli_jurisdiction_check(const char *code, int country_ok, char *what, size_t wcap, char *err,
                           size_t ecap) {
  json_t *c1 = NULL, *c2 = NULL;
  int missing = 0, rc = CP_EINVAL;
  char cc[3] = {0}, us[6];
  const char *country = NULL, *sub = NULL;
  size_t n = strlen(code);
  what[0] = err[0] = 0;
  if (n >= 2) memcpy(cc, code, 2);
  for (size_t i = 0; i < n; i++)
    if (code[i] >= 'a' && code[i] <= 'z') {
      snprintf(err, ecap, "\"%s\": ISO 3166 codes are written in capitals (US-NC, not us-nc)",
               code);
      goto out;
    }
  if (n != 2 && !(n >= 4 && n <= 6 && code[2] == '-')) {
    snprintf(err, ecap, "\"%s\" is not an ISO 3166 code: a country (US) or a subdivision (US-NC)",
             code);
    goto out;
  }
  country = iso_name(&c1, "iso_3166-1.json", "3166-1", "alpha_2", cc, &missing);
  if (missing) {
    /* No data to check against: the entry's own format rule still holds. */
    snprintf(what, wcap, "%s (not checked against ISO 3166: %s is missing; install iso-codes)",
             code, CP_ISO_CODES_DIR);
    rc = CP_OK;
    goto out;
  }
  if (country == NULL) {
    snprintf(err, ecap, "\"%.2s\" is not an ISO 3166-1 country code", code);
    goto out;
  }
  if (n == 2) {
    snprintf(us, sizeof us, "US-%s", code);
    const char *state = iso_name(&c2, "iso_3166-2.json", "3166-2", "code", us, &missing);
    if (state != NULL && !country_ok) {
      snprintf(err, ecap,
               "%s is %s (ISO 3166-1), not %s: a US state is written %s. Give --jurisdiction %s "
               "for %s, or add --country to register %s",
               code, country, state, us, us, state, country);
      goto out;
    }
    snprintf(what, wcap, "%s (%s)", code, country);
    rc = CP_OK;
    goto out;
  }
  sub = iso_name(&c2, "iso_3166-2.json", "3166-2", "code", code, &missing);
  if (sub == NULL) {
    snprintf(err, ecap, "\"%s\" is not an ISO 3166-2 subdivision of %s (%s)", code, country,
             strcmp(cc, "US") == 0 ? "a US state is US- and its two letters, as in US-NC"
                                   : "see ISO 3166-2 for its codes");
    goto out;
  }
  snprintf(what, wcap, "%s (%s, %s)", code, sub, country);
  rc = CP_OK;
out:
  json_decref(c1);
  json_decref(c2);
  return rc;
}
