/*
 * credport — the grammar of policy sets, rules, filters, amounts and
 * windows (docs/POLICIES.md). Called by policy_parse.c with the document's
 * authorities and currencies already compiled.
 */
#include <stdlib.h>
#include <string.h>

#include "policy_parse.h"

/* ---- credential sets ------------------------------------------------------- */

/* Splits "<issuer>:<id>" (issuer a label or hex key) or takes "<id>". */
static int parse_item(cp__pctx *c, json_t *v, cp__set_item *it) {
  if (!json_is_string(v))
    return cp__pol_perr(c, "a credential is a string \"id\" or \"issuer:id\"");
  const char *s = json_string_value(v);
  size_t n = json_string_length(v);
  /* A did:key has colons of its own: the issuer runs to the colon after it. */
  const char *colon = n > 8 && memcmp(s, "did:key:", 8) == 0 ? memchr(s + 8, ':', n - 8)
                                                             : memchr(s, ':', n);
  it->any_issuer = true;
  if (colon != NULL) {
    if (!cp__pol_resolve_key(c->p, s, (size_t)(colon - s), it->issuer))
      return cp__pol_perr(c, "unknown issuer \"%.*s\" before ':'",
                          (int)(colon - s > 64 ? 64 : colon - s), s);
    it->any_issuer = false;
    n -= (size_t)(colon + 1 - s);
    s = colon + 1;
  }
  if (n == 0 || n > CP_ID_MAX)
    return cp__pol_perr(c, "a credential id must be 1..%u bytes", CP_ID_MAX);
  if ((it->id = cp__pol_arena_strdup(&c->p->arena, s, n)) == NULL) return CP_ENOMEM;
  it->id_len = (uint32_t)n;
  it->h = cp__pol_hash_bytes(s, n);
  return CP_OK;
}

/* Compiles the array a (at the current path) into a new set named name. */
static int compile_set(cp__pctx *c, json_t *a, const char *name, int32_t *index) {
  cp_policy *p = c->p;
  if (!json_is_array(a) || json_array_size(a) == 0)
    return cp__pol_perr(c, "a credential list is a non-empty array of strings");
  size_t n = json_array_size(a);
  if (n > CP_POLICY_SET_ITEMS_MAX)
    return cp__pol_perr(c, "more than %u credentials in one list", CP_POLICY_SET_ITEMS_MAX);
  if (c->n_items + n > CP_POLICY_ITEMS_MAX)
    return cp__pol_perr(c, "more than %u credentials in all lists", CP_POLICY_ITEMS_MAX);
  if (p->n_sets >= CP_POLICY_SETS_MAX)
    return cp__pol_perr(c, "more than %u credential lists", CP_POLICY_SETS_MAX);
  cp__set *set = &p->sets[p->n_sets];
  uint32_t slots = 4;
  while (slots < 2 * n) slots *= 2;
  set->items = cp__pol_arena_alloc(&p->arena, n * sizeof *set->items);
  set->slots = cp__pol_arena_alloc(&p->arena, slots * sizeof *set->slots);
  set->name = cp__pol_arena_strdup(&p->arena, name, strlen(name));
  if (set->items == NULL || set->slots == NULL || set->name == NULL) return CP_ENOMEM;
  memset(set->slots, 0xff, slots * sizeof *set->slots);
  set->mask = slots - 1;
  for (size_t i = 0; i < n; i++) {
    cp__set_item *it = &set->items[i];
    cp__pol_pi(c, i);
    int rc = parse_item(c, json_array_get(a, i), it);
    /* An id may be listed once for any issuer or once per named issuer,
     * never both ways: then an award matches at most one item. */
    for (size_t j = 0; rc == CP_OK && j < i; j++) {
      const cp__set_item *o = &set->items[j];
      if (o->h == it->h && o->id_len == it->id_len && memcmp(o->id, it->id, it->id_len) == 0 &&
          (o->any_issuer || it->any_issuer || memcmp(o->issuer, it->issuer, CP_PK_BYTES) == 0))
        rc = cp__pol_perr(c, "credential \"%s\" listed twice (see [%zu])", it->id, j);
    }
    cp__pol_pop(c);
    if (rc != CP_OK) return rc;
    uint32_t k = (uint32_t)it->h & set->mask;
    while (set->slots[k] >= 0) k = (k + 1) & set->mask;
    set->slots[k] = (int32_t)i;
    set->n++;
  }
  c->n_items += (uint32_t)n;
  *index = (int32_t)p->n_sets++;
  return CP_OK;
}

int cp__pol_parse_sets(cp__pctx *c, json_t *sets) {
  int rc = CP_OK;
  cp__pol_pk(c, "sets");
  if (!json_is_object(sets)) {
    rc = cp__pol_perr(c, "must be an object of name: [credentials]");
  } else {
    const char *k;
    json_t *v;
    json_object_foreach(sets, k, v) {
      int32_t idx;
      cp__pol_pk(c, k);
      if (strlen(k) == 0 || strlen(k) > CP_ID_MAX)
        rc = cp__pol_perr(c, "a set name must be 1..%u bytes", CP_ID_MAX);
      else
        rc = compile_set(c, v, k, &idx);
      cp__pol_pop(c);
      if (rc != CP_OK) break;
    }
  }
  cp__pol_pop(c);
  return rc;
}

/* A set reference: the name of a set in "sets", or an inline list. */
static int set_ref(cp__pctx *c, json_t *o, const char *key, int32_t *index) {
  json_t *v = json_object_get(o, key);
  int rc = CP_OK;
  cp__pol_pk(c, key);
  if (json_is_string(v)) {
    const char *name = json_string_value(v);
    *index = -1;
    for (uint32_t i = 0; i < c->p->n_sets && *index < 0 && *name != 0; i++)
      if (strcmp(c->p->sets[i].name, name) == 0) *index = (int32_t)i;
    if (*index < 0) rc = cp__pol_perr(c, "no set named \"%.64s\" in \"sets\"", name);
  } else {
    rc = compile_set(c, v, "", index); /* inline: never found by name */
  }
  cp__pol_pop(c);
  return rc;
}

/* ---- windows ------------------------------------------------------------------ */

int cp__pol_parse_window(cp__pctx *c, json_t *v, bool for_cap, cp__window *w) {
  static const char *const lifetime[] = {"kind", NULL};
  static const char *const school[] = {"kind", "start", "year", NULL};
  static const char *const cycle[] = {"kind", "years", "anchor", NULL};
  static const char *const dates[] = {"kind", "from", "until", NULL};
  const char *kind = NULL;
  int rc;
  if (!json_is_object(v)) return cp__pol_perr(c, "a window is an object with a \"kind\"");
  if ((rc = cp__pol_get_str(c, v, "kind", true, 32, &kind, NULL)) != CP_OK) return rc;
  memset(w, 0, sizeof *w);
  if (strcmp(kind, "lifetime") == 0) {
    w->kind = CP__W_LIFETIME;
    return cp__pol_only(c, v, lifetime);
  }
  if (strcmp(kind, "school_year") == 0) {
    int64_t year = 0;
    w->kind = CP__W_SCHOOL_YEAR;
    if ((rc = cp__pol_only(c, v, school)) != CP_OK) return rc;
    cp__pol_pk(c, "start");
    rc = json_object_get(v, "start") == NULL
             ? cp__pol_perr(c, "missing")
             : cp__pol_mmdd(c, json_object_get(v, "start"), &w->m, &w->d);
    cp__pol_pop(c);
    if (rc == CP_OK) rc = cp__pol_get_int(c, v, "year", false, 1970, 9999, &year);
    if (rc == CP_OK && json_object_get(v, "year") != NULL) {
      w->has_year = true;
      w->year = year;
      if (for_cap) {
        cp__pol_pk(c, "year");
        rc = cp__pol_perr(c, "a cap applies to every school year; \"year\" belongs in a filter");
        cp__pol_pop(c);
      }
    }
    return rc;
  }
  if (strcmp(kind, "cycle") == 0) {
    int64_t years = 0;
    uint32_t anchor = 0;
    w->kind = CP__W_CYCLE;
    if ((rc = cp__pol_only(c, v, cycle)) != CP_OK) return rc;
    if ((rc = cp__pol_get_int(c, v, "years", true, 1, CP_POLICY_CYCLE_YEARS_MAX, &years)) != CP_OK)
      return rc;
    cp__pol_pk(c, "anchor");
    rc = json_object_get(v, "anchor") == NULL
             ? cp__pol_perr(c, "missing")
             : cp__pol_date(c, json_object_get(v, "anchor"), &anchor);
    cp__pol_pop(c);
    if (rc != CP_OK) return rc;
    unsigned m, d;
    cp_civil_from_days(anchor, &w->year, &m, &d);
    w->m = (uint8_t)m;
    w->d = (uint8_t)d;
    w->years = (uint32_t)years;
    return CP_OK;
  }
  if (strcmp(kind, "dates") == 0) {
    w->kind = CP__W_DATES;
    w->until = UINT32_MAX;
    if (for_cap) return cp__pol_perr(c, "a cap's window is lifetime, school_year or cycle");
    if ((rc = cp__pol_only(c, v, dates)) != CP_OK) return rc;
    static const char *const names[2] = {"from", "until"};
    uint32_t *dst[2] = {&w->from, &w->until};
    for (int i = 0; i < 2 && rc == CP_OK; i++) {
      json_t *x = json_object_get(v, names[i]);
      if (x == NULL) continue;
      cp__pol_pk(c, names[i]);
      rc = cp__pol_date(c, x, dst[i]);
      cp__pol_pop(c);
    }
    if (rc == CP_OK && w->until < w->from) rc = cp__pol_perr(c, "\"until\" is before \"from\"");
    return rc;
  }
  cp__pol_pk(c, "kind");
  rc = cp__pol_perr(c, "unknown window kind \"%.32s\" (lifetime, school_year, cycle, dates)", kind);
  cp__pol_pop(c);
  return rc;
}

/* ---- filters -------------------------------------------------------------------- */

static int parse_authority_obj(cp__pctx *c, json_t *o, const char *const *allowed,
                               uint8_t key[CP_PK_BYTES]) {
  int rc;
  if (!json_is_object(o)) return cp__pol_perr(c, "must be an object with an \"authority\"");
  if ((rc = cp__pol_only(c, o, allowed)) != CP_OK) return rc;
  cp__pol_pk(c, "authority");
  json_t *a = json_object_get(o, "authority");
  rc = a == NULL ? cp__pol_perr(c, "missing") : cp__pol_keyref(c, a, key);
  cp__pol_pop(c);
  return rc;
}

static int parse_filter(cp__pctx *c, json_t *o, cp__filter *f) {
  static const char *const allowed[] = {"issuers", "credentials", "exclude",    "min_level",
                                        "qa",      "endorsed_by", "area_match", "preapproval",
                                        "window",  NULL};
  static const char *const endorse_keys[] = {"authority", "claim", "subject", "in_force", NULL};
  static const char *const preapp_keys[] = {"authority", "logged_by_earned", NULL};
  static const char *const area_keys[] = {"attested_by", NULL};
  cp_policy *p = c->p;
  int rc;
  json_t *v;
  if (!json_is_object(o)) return cp__pol_perr(c, "a filter is an object");
  if ((rc = cp__pol_only(c, o, allowed)) != CP_OK) return rc;
  if ((v = json_object_get(o, "issuers")) != NULL) {
    cp__pol_pk(c, "issuers");
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (n == 0 || n > CP_POLICY_ISSUERS_MAX)
      rc = cp__pol_perr(c, "must be an array of 1..%u authorities", CP_POLICY_ISSUERS_MAX);
    else if ((f->issuers = cp__pol_arena_alloc(&p->arena, n * CP_PK_BYTES)) == NULL)
      rc = CP_ENOMEM;
    for (size_t i = 0; rc == CP_OK && i < n; i++) {
      cp__pol_pi(c, i);
      rc = cp__pol_keyref(c, json_array_get(v, i), f->issuers[i]);
      cp__pol_pop(c);
    }
    f->n_issuers = (uint32_t)n;
    cp__pol_pop(c);
    if (rc != CP_OK) return rc;
  }
  if (json_object_get(o, "credentials") != NULL &&
      (rc = set_ref(c, o, "credentials", &f->creds)) != CP_OK)
    return rc;
  if (json_object_get(o, "exclude") != NULL &&
      (rc = set_ref(c, o, "exclude", &f->exclude)) != CP_OK)
    return rc;
  int64_t lvl = 0;
  if ((rc = cp__pol_get_int(c, o, "min_level", false, 1, CP_POLICY_LEVEL_MAX, &lvl)) != CP_OK)
    return rc;
  f->min_level = (uint8_t)lvl;
  const char *s = NULL;
  size_t n = 0;
  if ((rc = cp__pol_get_str(c, o, "qa", false, CP_STR_MAX, &s, &n)) != CP_OK) return rc;
  if (s != NULL) {
    if ((f->qa = cp__pol_arena_strdup(&p->arena, s, n)) == NULL) return CP_ENOMEM;
    f->qa_len = (uint32_t)n;
  }
  if ((v = json_object_get(o, "endorsed_by")) != NULL) {
    cp__pol_pk(c, "endorsed_by");
    rc = parse_authority_obj(c, v, endorse_keys, f->endorse_key);
    s = NULL;
    if (rc == CP_OK) rc = cp__pol_get_str(c, v, "claim", false, CP_STR_MAX, &s, &n);
    if (rc == CP_OK && s != NULL) {
      if ((f->endorse_claim = cp__pol_arena_strdup(&p->arena, s, n)) == NULL) rc = CP_ENOMEM;
      f->endorse_claim_len = (uint32_t)n;
    }
    s = NULL;
    if (rc == CP_OK) rc = cp__pol_get_str(c, v, "subject", false, 32, &s, &n);
    if (rc == CP_OK && s != NULL) {
      if (strcmp(s, "credential") == 0)
        f->endorse_subject = CP__SUBJ_CREDENTIAL;
      else if (strcmp(s, "issuer") == 0)
        f->endorse_subject = CP__SUBJ_ISSUER;
      else if (strcmp(s, "either") == 0)
        f->endorse_subject = CP__SUBJ_EITHER;
      else {
        cp__pol_pk(c, "subject");
        rc = cp__pol_perr(c, "must be \"credential\", \"issuer\" or \"either\"");
        cp__pol_pop(c);
      }
    }
    s = NULL;
    if (rc == CP_OK) rc = cp__pol_get_str(c, v, "in_force", false, 32, &s, &n);
    if (rc == CP_OK && s != NULL) {
      if (strcmp(s, "earned") == 0)
        f->endorse_on = CP__ON_EARNED;
      else if (strcmp(s, "as_of") == 0)
        f->endorse_on = CP__ON_AS_OF;
      else {
        cp__pol_pk(c, "in_force");
        rc = cp__pol_perr(c, "must be \"earned\" (the award's earned date) or \"as_of\" (the "
                             "evaluation date)");
        cp__pol_pop(c);
      }
    }
    f->endorse = true;
    cp__pol_pop(c);
    if (rc != CP_OK) return rc;
  }
  if ((v = json_object_get(o, "area_match")) != NULL && json_is_object(v)) {
    cp__pol_pk(c, "area_match");
    json_t *a = json_object_get(v, "attested_by");
    rc = cp__pol_only(c, v, area_keys);
    if (rc == CP_OK) {
      cp__pol_pk(c, "attested_by");
      rc = a == NULL ? cp__pol_perr(c, "missing") : cp__pol_keyref(c, a, f->area_key);
      cp__pol_pop(c);
    }
    f->area_match = true;
    f->area_from = CP__AREAS_ONE;
    cp__pol_pop(c);
    if (rc != CP_OK) return rc;
  } else if (v != NULL && !json_is_boolean(v)) {
    cp__pol_pk(c, "area_match");
    rc = cp__pol_perr(c, "must be true, false or {\"attested_by\": authority}");
    cp__pol_pop(c);
    return rc;
  } else if ((rc = cp__pol_get_bool(c, o, "area_match", &f->area_match)) != CP_OK) {
    return rc;
  }
  if ((v = json_object_get(o, "preapproval")) != NULL) {
    cp__pol_pk(c, "preapproval");
    rc = parse_authority_obj(c, v, preapp_keys, f->preapproval_key);
    if (rc == CP_OK) rc = cp__pol_get_bool(c, v, "logged_by_earned", &f->preapproval_logged);
    f->preapproval = true;
    cp__pol_pop(c);
    if (rc != CP_OK) return rc;
  }
  if ((v = json_object_get(o, "window")) != NULL) {
    cp__pol_pk(c, "window");
    rc = cp__pol_parse_window(c, v, false, &f->window);
    f->has_window = true;
    cp__pol_pop(c);
  }
  return rc;
}

/* ---- amounts ------------------------------------------------------------------------ */

static int parse_amount(cp__pctx *c, json_t *v, cp__rule *r) {
  static const char *const hours_keys[] = {"hours", "amount", NULL};
  unsigned dec = c->p->cur[r->currency].decimals;
  int rc;
  if (!json_is_object(v)) {
    r->amount_kind = CP__A_FIXED;
    return cp__pol_amount(c, v, dec, &r->fixed);
  }
  if (json_object_size(v) != 1)
    return cp__pol_perr(c,
                        "an amount object has exactly one of \"fixed\", \"per_level\", "
                        "\"contact_hours\"");
  json_t *x;
  if ((x = json_object_get(v, "fixed")) != NULL) {
    r->amount_kind = CP__A_FIXED;
    cp__pol_pk(c, "fixed");
    rc = cp__pol_amount(c, x, dec, &r->fixed);
    cp__pol_pop(c);
    return rc;
  }
  if ((x = json_object_get(v, "per_level")) != NULL) {
    r->amount_kind = CP__A_PER_LEVEL;
    cp__pol_pk(c, "per_level");
    if (r->kind != CP__R_PER_AWARD) {
      rc = cp__pol_perr(c, "a level table applies to per_award rules only");
    } else if (!json_is_object(x) || json_object_size(x) == 0) {
      rc = cp__pol_perr(c, "must be an object of level: amount, levels 1..%u", CP_POLICY_LEVEL_MAX);
    } else {
      const char *k;
      json_t *a;
      rc = CP_OK;
      json_object_foreach(x, k, a) {
        if (strlen(k) != 1 || k[0] < '1' || k[0] > '0' + (int)CP_POLICY_LEVEL_MAX) {
          rc = cp__pol_perr(c, "level %.8s out of range 1..%u", k, CP_POLICY_LEVEL_MAX);
          break;
        }
        unsigned lv = (unsigned)(k[0] - '0');
        cp__pol_pk(c, k);
        rc = cp__pol_amount(c, a, dec, &r->per_level[lv]);
        r->level_rated[lv] = true;
        cp__pol_pop(c);
        if (rc != CP_OK) break;
      }
    }
    cp__pol_pop(c);
    return rc;
  }
  if ((x = json_object_get(v, "contact_hours")) != NULL) {
    r->amount_kind = CP__A_HOURS;
    cp__pol_pk(c, "contact_hours");
    if (r->kind == CP__R_COUNT)
      rc = cp__pol_perr(c, "a count rule grants a fixed amount");
    else if (!json_is_object(x))
      rc = cp__pol_perr(c, "must be {\"hours\": H, \"amount\": A}");
    else
      rc = cp__pol_only(c, x, hours_keys);
    static const char *const names[2] = {"hours", "amount"};
    for (int i = 0; i < 2 && rc == CP_OK; i++) {
      json_t *y = json_object_get(x, names[i]);
      cp__pol_pk(c, names[i]);
      if (y == NULL)
        rc = cp__pol_perr(c, "missing");
      else if (i == 0)
        rc = cp__pol_amount(c, y, 2, &r->rate_hours_x100);
      else
        rc = cp__pol_amount(c, y, dec, &r->rate_amount);
      if (rc == CP_OK && i == 0 && r->rate_hours_x100 == 0)
        rc = cp__pol_perr(c, "must be positive");
      cp__pol_pop(c);
    }
    cp__pol_pop(c);
    return rc;
  }
  const char *k;
  json_t *a;
  json_object_foreach(v, k, a) {
    cp__pol_pk(c, k);
    rc = cp__pol_perr(c, "unknown amount kind \"%.32s\"", k);
    cp__pol_pop(c);
    return rc;
  }
  return CP_EPOLICY;
}

static int currency_ref(cp__pctx *c, json_t *o, const char *key, uint8_t *out) {
  const char *s = NULL;
  int rc = cp__pol_get_str(c, o, key, true, CP_ID_MAX, &s, NULL);
  if (rc != CP_OK) return rc;
  for (uint32_t i = 0; i < c->p->n_cur; i++)
    if (strcmp(c->p->cur[i].id, s) == 0) {
      *out = (uint8_t)i;
      return CP_OK;
    }
  cp__pol_pk(c, key);
  rc = cp__pol_perr(c, "no currency \"%.64s\" in \"currencies\"", s);
  cp__pol_pop(c);
  return rc;
}

static int parse_cap(cp__pctx *c, json_t *v, cp__rule *r) {
  static const char *const allowed[] = {"amount", "per", NULL};
  int rc;
  if (!json_is_object(v)) return cp__pol_perr(c, "a cap is {\"amount\": A, \"per\": window}");
  if ((rc = cp__pol_only(c, v, allowed)) != CP_OK) return rc;
  json_t *a = json_object_get(v, "amount");
  cp__pol_pk(c, "amount");
  rc = a == NULL ? cp__pol_perr(c, "missing")
                 : cp__pol_amount(c, a, c->p->cur[r->currency].decimals, &r->cap);
  cp__pol_pop(c);
  if (rc != CP_OK) return rc;
  r->has_cap = true;
  r->cap_per.kind = CP__W_LIFETIME;
  json_t *per = json_object_get(v, "per");
  if (per == NULL) return CP_OK;
  cp__pol_pk(c, "per");
  rc = cp__pol_parse_window(c, per, true, &r->cap_per);
  if (rc == CP_OK && r->kind == CP__R_CONVERT && r->cap_per.kind != CP__W_LIFETIME)
    rc = cp__pol_perr(c, "a conversion's cap is for the lifetime");
  cp__pol_pop(c);
  return rc;
}

/* ---- rules ---------------------------------------------------------------------------- */

static int parse_rule(cp__pctx *c, json_t *o, uint32_t idx) {
  static const char *const common[] = {"id",     "kind", "currency", "recurring", "filter",
                                       "amount", "cap",  "every",    "set",       "count",
                                       "hours",  "from", "rate",     "members_in_window",
                                       NULL};
  static const char *const rate_keys[] = {"from", "to", NULL};
  static const struct {
    const char *name;
    uint8_t kind;
  } kinds[] = {{"per_award", CP__R_PER_AWARD},
               {"count", CP__R_COUNT},
               {"bundle", CP__R_BUNDLE},
               {"milestone", CP__R_MILESTONE},
               {"convert", CP__R_CONVERT}};
  cp_policy *p = c->p;
  cp__rule *r = &p->rules[idx];
  const char *s = NULL;
  size_t n = 0;
  int rc;
  json_t *v;
  if (!json_is_object(o)) return cp__pol_perr(c, "a rule is an object");
  if ((rc = cp__pol_get_str(c, o, "kind", true, 32, &s, NULL)) != CP_OK) return rc;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kinds[i].name, s) == 0) r->kind = kinds[i].kind;
  if (r->kind == 0) {
    cp__pol_pk(c, "kind");
    rc = cp__pol_perr(c,
                      "unknown rule kind \"%.32s\" (per_award, count, bundle, milestone, "
                      "convert)",
                      s);
    cp__pol_pop(c);
    return rc;
  }
  if ((rc = cp__pol_only(c, o, common)) != CP_OK) return rc;
  /* Members that belong to other kinds are refused, so a typo never
   * silently changes what a rule grants. */
  static const char *const only_for[][2] = {{"every", "count"},
                                            {"set", "bundle milestone"},
                                            {"count", "milestone"},
                                            {"hours", "bundle milestone"},
                                            {"members_in_window", "bundle milestone"},
                                            {"from", "convert"},
                                            {"rate", "convert"},
                                            {"filter", "per_award count bundle milestone"},
                                            {"amount", "per_award count bundle milestone"}};
  for (size_t i = 0; i < sizeof only_for / sizeof only_for[0]; i++)
    if (json_object_get(o, only_for[i][0]) != NULL && strstr(only_for[i][1], s) == NULL) {
      cp__pol_pk(c, only_for[i][0]);
      rc = cp__pol_perr(c, "not a member of a %s rule", s);
      cp__pol_pop(c);
      return rc;
    }
  if ((rc = cp__pol_get_str(c, o, "id", true, CP_ID_MAX, &s, &n)) != CP_OK) return rc;
  for (uint32_t j = 0; j < idx; j++)
    if (strcmp(p->rules[j].id, s) == 0) {
      cp__pol_pk(c, "id");
      rc = cp__pol_perr(c, "rule id \"%s\" used twice", s);
      cp__pol_pop(c);
      return rc;
    }
  if ((r->id = cp__pol_arena_strdup(&p->arena, s, n)) == NULL) return CP_ENOMEM;
  if ((rc = currency_ref(c, o, "currency", &r->currency)) != CP_OK) return rc;
  if ((rc = cp__pol_get_bool(c, o, "recurring", &r->recurring)) != CP_OK) return rc;
  r->f.creds = r->f.exclude = r->set = -1;
  r->group_hours_x100 = -1;
  if (r->kind == CP__R_CONVERT) {
    if ((rc = currency_ref(c, o, "from", &r->conv_from)) != CP_OK) return rc;
    cp__pol_pk(c, "rate");
    v = json_object_get(o, "rate");
    if (v == NULL)
      rc = cp__pol_perr(c, "missing");
    else if (!json_is_object(v))
      rc = cp__pol_perr(c, "must be {\"from\": A, \"to\": B}");
    else
      rc = cp__pol_only(c, v, rate_keys);
    for (int i = 0; i < 2 && rc == CP_OK; i++) {
      json_t *x = json_object_get(v, rate_keys[i]);
      cp__pol_pk(c, rate_keys[i]);
      if (x == NULL)
        rc = cp__pol_perr(c, "missing");
      else
        rc = cp__pol_amount(c, x, p->cur[i == 0 ? r->conv_from : r->currency].decimals,
                            i == 0 ? &r->rate_from : &r->rate_to);
      if (rc == CP_OK && i == 0 && r->rate_from == 0) rc = cp__pol_perr(c, "must be positive");
      cp__pol_pop(c);
    }
    cp__pol_pop(c);
    if (rc != CP_OK) return rc;
  } else {
    if ((v = json_object_get(o, "filter")) != NULL) {
      cp__pol_pk(c, "filter");
      rc = parse_filter(c, v, &r->f);
      cp__pol_pop(c);
      if (rc != CP_OK) return rc;
    }
    int64_t x = 0;
    if (r->kind == CP__R_COUNT) {
      if ((rc = cp__pol_get_int(c, o, "every", true, 1, CP_POLICY_COUNT_MAX, &x)) != CP_OK)
        return rc;
      r->every = (uint32_t)x;
    }
    if (r->kind == CP__R_BUNDLE || r->kind == CP__R_MILESTONE) {
      if (json_object_get(o, "set") == NULL) {
        cp__pol_pk(c, "set");
        rc = cp__pol_perr(c, "missing");
        cp__pol_pop(c);
        return rc;
      }
      if ((rc = set_ref(c, o, "set", &r->set)) != CP_OK) return rc;
      r->need = p->sets[r->set].n;
      if (r->kind == CP__R_MILESTONE) {
        if ((rc = cp__pol_get_int(c, o, "count", true, 1, r->need, &x)) != CP_OK) return rc;
        r->need = (uint32_t)x;
      }
      if ((rc = cp__pol_get_bool(c, o, "members_in_window", &r->members_in_window)) != CP_OK)
        return rc;
      if (r->members_in_window && !r->f.has_window) {
        cp__pol_pk(c, "members_in_window");
        rc = cp__pol_perr(c, "needs a window in the rule's filter");
        cp__pol_pop(c);
        return rc;
      }
      if ((v = json_object_get(o, "hours")) != NULL) {
        cp__pol_pk(c, "hours");
        rc = cp__pol_amount(c, v, 2, &r->group_hours_x100);
        cp__pol_pop(c);
        if (rc != CP_OK) return rc;
      }
    }
    cp__pol_pk(c, "amount");
    v = json_object_get(o, "amount");
    rc = v == NULL ? cp__pol_perr(c, "missing") : parse_amount(c, v, r);
    if (rc == CP_OK && r->kind == CP__R_COUNT && r->amount_kind != CP__A_FIXED)
      rc = cp__pol_perr(c, "a count rule grants a fixed amount");
    cp__pol_pop(c);
    if (rc != CP_OK) return rc;
  }
  if ((v = json_object_get(o, "cap")) != NULL) {
    cp__pol_pk(c, "cap");
    rc = parse_cap(c, v, r);
    cp__pol_pop(c);
  }
  return rc;
}

int cp__pol_parse_rules(cp__pctx *c, json_t *rules) {
  int rc = CP_OK;
  cp__pol_pk(c, "rules");
  if (!json_is_array(rules) || json_array_size(rules) == 0) {
    rc = cp__pol_perr(c, "must be a non-empty array of rules");
  } else if (json_array_size(rules) > CP_POLICY_RULES_MAX) {
    rc = cp__pol_perr(c, "more than %u rules", CP_POLICY_RULES_MAX);
  } else {
    for (size_t i = 0; i < json_array_size(rules) && rc == CP_OK; i++) {
      cp__pol_pi(c, i);
      rc = parse_rule(c, json_array_get(rules, i), (uint32_t)i);
      cp__pol_pop(c);
      if (rc == CP_OK) c->p->n_rules++;
    }
  }
  cp__pol_pop(c);
  return rc;
}
