/*
 * Open Badges 3.0 credentials checked against the specification, not
 * against our own output.
 *
 * SPEC_TABLE below transcribes the required properties (multiplicity 1 or
 * 1..*) of the Open Badges 3.0 data model (1EdTech, "Open Badges
 * Specification v3.0", appendix B.1 "Data Model": AchievementCredential,
 * Profile, AchievementSubject, Achievement, Criteria, Evidence, Alignment,
 * Address) and of the embedded proof (W3C VC Data Integrity 1.0 section
 * 2.1, eddsa-jcs-2022), with the JSON kind each must have and the type
 * value each class's "type" must hold. The checker is first run on
 * 1EdTech's own OpenBadgeCredential example (tests/vectors/openbadges-v3p0),
 * then on credentials built for every award shape: with and without
 * evidence, level 1 to 4, whole and fractional hours, with no endorsement,
 * one of the definition, and one of the definition plus one of the issuer.
 * Every member name an export uses must be a term of the VC 2.0 or OB 3.0.3
 * JSON-LD context (tests/vectors/jsonld-contexts), so no property is
 * silently dropped by a JSON-LD processor.
 */
#include "cptest.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jcs.h"
#include "credport/ob3.h"
#include "credport/vcdi.h"

enum { K_STR, K_ARR_STR, K_OBJ, K_ARR_OBJ, K_STR_OR_OBJ, K_NUM };

typedef struct req {
  const char *prop;
  int kind;
} req;

typedef struct spec_class {
  const char *name;
  const char *type_value; /* "type" must hold it (NULL: any of the alternatives below) */
  req props[8];
} spec_class;

/* SPEC: OB 3.0 appendix B.1; VC Data Integrity 1.0 section 2.1. */
static const spec_class SPEC_TABLE[] = {
  {"AchievementCredential", "VerifiableCredential",
   {{"@context", K_ARR_STR}, {"id", K_STR}, {"type", K_ARR_STR}, {"name", K_STR},
    {"credentialSubject", K_OBJ}, {"issuer", K_STR_OR_OBJ}, {"validFrom", K_STR}}},
  {"Profile", "Profile", {{"id", K_STR}, {"type", K_ARR_STR}}},
  {"AchievementSubject", "AchievementSubject", {{"type", K_ARR_STR}, {"achievement", K_OBJ}}},
  {"Achievement", "Achievement",
   {{"id", K_STR}, {"type", K_ARR_STR}, {"criteria", K_OBJ}, {"description", K_STR},
    {"name", K_STR}}},
  {"Evidence", "Evidence", {{"type", K_ARR_STR}}},
  {"Alignment", "Alignment", {{"type", K_ARR_STR}, {"targetName", K_STR}, {"targetUrl", K_STR}}},
  {"Address", "Address", {{"type", K_ARR_STR}}},
  {"DataIntegrityProof", NULL,
   {{"type", K_STR}, {"cryptosuite", K_STR}, {"verificationMethod", K_STR},
    {"proofPurpose", K_STR}, {"proofValue", K_STR}}},
};

static const spec_class *cls(const char *name) {
  for (size_t i = 0; i < sizeof SPEC_TABLE / sizeof SPEC_TABLE[0]; i++)
    if (strcmp(SPEC_TABLE[i].name, name) == 0) return &SPEC_TABLE[i];
  fail_msg("no class %s", name);
  return NULL;
}

static int kind_ok(const json_t *v, int kind) {
  size_t i;
  switch (kind) {
    case K_STR: return json_is_string(v) && json_string_length(v) > 0;
    case K_OBJ: return json_is_object(v);
    case K_NUM: return json_is_number(v);
    case K_STR_OR_OBJ: return json_is_string(v) || json_is_object(v);
    case K_ARR_STR:
    case K_ARR_OBJ:
      if (!json_is_array(v) || json_array_size(v) == 0) return 0;
      for (i = 0; i < json_array_size(v); i++)
        if (kind == K_ARR_STR ? !json_is_string(json_array_get(v, i))
                              : !json_is_object(json_array_get(v, i)))
          return 0;
      return 1;
  }
  return 0;
}

static int type_holds(const json_t *t, const char *s) {
  size_t i;
  if (json_is_string(t)) return strcmp(json_string_value(t), s) == 0;
  for (i = 0; i < json_array_size(t); i++)
    if (json_is_string(json_array_get(t, i)) &&
        strcmp(json_string_value(json_array_get(t, i)), s) == 0)
      return 1;
  return 0;
}

static void check_class(const json_t *o, const char *name) {
  const spec_class *c = cls(name);
  size_t i;
  assert_true(json_is_object(o));
  for (i = 0; i < 8 && c->props[i].prop != NULL; i++) {
    const json_t *v = json_object_get(o, c->props[i].prop);
    if (v == NULL || !kind_ok(v, c->props[i].kind))
      fail_msg("%s.%s: missing or of the wrong kind", name, c->props[i].prop);
  }
  if (c->type_value != NULL && !type_holds(json_object_get(o, "type"), c->type_value))
    fail_msg("%s.type does not hold %s", name, c->type_value);
}

/* DateTimeZ (OB 3.0 B.3 derived types): a date-time with a time zone. */
static void check_datetime(const json_t *v) {
  const char *s = json_string_value(v);
  int y, mo, d, h, mi, sec, n = 0;
  assert_non_null(s);
  assert_int_equal(sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n), 6);
  assert_true(s[n] == 'Z' || s[n] == '+' || s[n] == '-' || s[n] == '.');
}

/* The whole credential, class by class, as the spec's tables say. */
static void check_credential(const json_t *vc, int embedded_proof) {
  const json_t *ctx = json_object_get(vc, "@context"), *iss, *sub, *ach, *ev, *al;
  size_t i;
  check_class(vc, "AchievementCredential");
  /* VC 2.0 section 4.3: the first context is the VC 2.0 one; OB 3.0 section
   * 8.1 (JSON-LD): the OB 3.0 context follows. */
  assert_string_equal(json_string_value(json_array_get(ctx, 0)),
                      "https://www.w3.org/ns/credentials/v2");
  assert_non_null(strstr(json_string_value(json_array_get(ctx, 1)),
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0."));
  assert_true(type_holds(json_object_get(vc, "type"), "OpenBadgeCredential") ||
              type_holds(json_object_get(vc, "type"), "AchievementCredential"));
  check_datetime(json_object_get(vc, "validFrom"));
  iss = json_object_get(vc, "issuer");
  if (json_is_object(iss)) check_class(iss, "Profile");
  if (json_is_object(iss) && json_object_get(iss, "address") != NULL)
    check_class(json_object_get(iss, "address"), "Address");
  sub = json_object_get(vc, "credentialSubject");
  check_class(sub, "AchievementSubject");
  ach = json_object_get(sub, "achievement");
  check_class(ach, "Achievement");
  /* Criteria: id or narrative (B.1 Criteria: "at least one"). */
  assert_true(json_is_string(json_object_get(json_object_get(ach, "criteria"), "narrative")) ||
              json_is_string(json_object_get(json_object_get(ach, "criteria"), "id")));
  if ((ev = json_object_get(vc, "evidence")) != NULL) {
    assert_true(kind_ok(ev, K_ARR_OBJ));
    for (i = 0; i < json_array_size(ev); i++) check_class(json_array_get(ev, i), "Evidence");
  }
  if ((al = json_object_get(ach, "alignment")) != NULL) {
    assert_true(kind_ok(al, K_ARR_OBJ));
    for (i = 0; i < json_array_size(al); i++) check_class(json_array_get(al, i), "Alignment");
  }
  if (json_object_get(ach, "creditsAvailable") != NULL)
    assert_true(json_is_number(json_object_get(ach, "creditsAvailable")));
  if (embedded_proof) check_class(json_object_get(vc, "proof"), "DataIntegrityProof");
}

static void spec_accepts_1edtech_example(void **state) {
  char *p = cpt_path(CP_TEST_VECTORS, "openbadges-v3p0/signed-credential.json");
  json_error_t err;
  json_t *vc = json_load_file(p, JSON_REJECT_DUPLICATES, &err);
  (void)state;
  assert_non_null(vc);
  check_credential(vc, 1);
  json_decref(vc);
  free(p);
}

/* ---- award shapes ---------------------------------------------------------------- */

#define S(lit) ((cp_str){lit, sizeof lit - 1})

typedef struct shape {
  cp_entry genesis, cred, award, endorse[2];
  cp_ob3_endorsement ends[2];
  cp_ob3_input in;
  cp_key *k;
} shape;

static void make_shape(shape *s, unsigned level, uint32_t hours_x100, int evidence, int n_end) {
  uint8_t seed[CP_SEED_BYTES], pk[CP_PK_BYTES];
  int i;
  memset(s, 0, sizeof *s);
  memset(seed, 7, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &s->k), CP_OK);
  cp_key_public(s->k, pk);
  s->genesis.type = CP_T_AUTHORITY;
  memcpy(s->genesis.log, pk, CP_PK_BYTES);
  s->genesis.u.authority.name = S("NC Department of Public Instruction");
  s->genesis.u.authority.jurisdiction = S("US-NC");
  s->genesis.u.authority.role = CP_ROLE_STATE;
  s->cred.type = CP_T_CREDENTIAL;
  s->cred.seq = 1;
  memcpy(s->cred.log, pk, CP_PK_BYTES);
  s->cred.u.credential.id = S("mc-1");
  s->cred.u.credential.title = S("Checking for Understanding");
  s->cred.u.credential.competency = S("Uses exit tickets to adjust instruction");
  s->cred.u.credential.evidence = S("Three annotated lesson videos");
  s->cred.u.credential.level = (uint8_t)level;
  s->cred.u.credential.hours_x100 = hours_x100;
  s->cred.u.credential.n_areas = 1;
  s->cred.u.credential.areas[0] = S("K-6");
  memset(s->in.credential_id, 0xc1, CP_HASH_BYTES);
  s->award.type = CP_T_AWARD;
  s->award.seq = 2;
  s->award.time = 1773500000;
  memcpy(s->award.log, pk, CP_PK_BYTES);
  memcpy(s->award.u.award.credential, s->in.credential_id, CP_HASH_BYTES);
  memset(s->award.u.award.educator, 0x42, CP_PK_BYTES);
  s->award.u.award.earned = 20526; /* 2026-03-14 */
  s->award.u.award.assessor = S("R. Alvarez");
  if (evidence) {
    s->award.u.award.flags = CP_AWARD_HAS_EVIDENCE;
    memset(s->award.u.award.evidence, 0xee, CP_HASH_BYTES);
  }
  memset(s->in.award_id, 0xa1, CP_HASH_BYTES);
  for (i = 0; i < n_end; i++) {
    cp_entry *e = &s->endorse[i];
    e->type = CP_T_ENDORSE;
    memset(e->log, 0x50 + i, CP_PK_BYTES);
    e->u.endorse.kind = i == 0 ? CP_SUBJECT_CREDENTIAL : CP_SUBJECT_AUTHORITY;
    e->u.endorse.claim = S("qa:multistate-mc-2024");
    e->u.endorse.note = i == 0 ? S("reviewed") : S("");
    s->ends[i].entry = e;
    memset(s->ends[i].id, 0xe0 + i, CP_HASH_BYTES);
    s->ends[i].endorser_name = i == 0 ? S("Multistate QA Board") : S("");
  }
  s->in.genesis = &s->genesis;
  s->in.credential = &s->cred;
  s->in.award = &s->award;
  s->in.endorsements = s->ends;
  s->in.n_endorsements = (size_t)n_end;
}

/* The export's canonical writer against the reference path: JCS of the
 * credential cp_ob3_build makes, secured by cp_vcdi_sign, plus a newline. */
static void same_as_reference(shape *s, const char *text, size_t len) {
  json_t *ref = NULL;
  char created[21], *canon = NULL;
  size_t clen = 0;
  assert_int_equal(cp_ob3_build(&s->in, NULL, NULL, &ref, NULL), CP_OK);
  cp_ob3_timestamp(s->award.time, created);
  assert_int_equal(cp_vcdi_sign(ref, s->k, created, NULL), CP_OK);
  assert_int_equal(cp_jcs_encode(ref, &canon, &clen, NULL), CP_OK);
  assert_int_equal(len, clen + 1);
  assert_memory_equal(text, canon, clen);
  assert_int_equal(text[clen], '\n');
  free(canon);
  json_decref(ref);
}

static json_t *export_shape(shape *s) {
  char *text = NULL;
  size_t len = 0;
  json_error_t err;
  json_t *vc;
  cp_ob3_verdict v;
  assert_int_equal(cp_ob3_export_json(&s->in, s->k, NULL, NULL, &text, &len, NULL), CP_OK);
  same_as_reference(s, text, len);
  assert_int_equal(cp_ob3_verify_json(text, len, &v, NULL), CP_OK);
  vc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
  assert_non_null(vc);
  free(text);
  return vc;
}

static void collect_terms(const json_t *v, const char *ctx_text, const char *where) {
  const char *k;
  json_t *m;
  size_t i;
  if (json_is_array(v))
    for (i = 0; i < json_array_size(v); i++) collect_terms(json_array_get(v, i), ctx_text, where);
  if (!json_is_object(v)) return;
  json_object_foreach((json_t *)v, k, m) {
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"%s\"", k);
    if (k[0] != '@' && strstr(ctx_text, quoted) == NULL)
      fail_msg("member \"%s\" is not a term of the VC 2.0 or OB 3.0.3 context", k);
    collect_terms(m, ctx_text, where);
  }
}

static char *contexts_text(void) {
  char *a = cpt_path(CP_TEST_VECTORS, "jsonld-contexts/credentials-v2.jsonld");
  char *b = cpt_path(CP_TEST_VECTORS, "jsonld-contexts/ob-v3p0-context-3.0.3.json");
  size_t na = 0, nb = 0;
  char *ta = (char *)cpt_read_file(a, &na), *tb = (char *)cpt_read_file(b, &nb);
  char *all = malloc(na + nb + 1);
  memcpy(all, ta, na);
  memcpy(all + na, tb, nb + 1);
  free(ta);
  free(tb);
  free(a);
  free(b);
  return all;
}

static void spec_every_award_shape(void **state) {
  static const uint32_t hours[] = {1000, 725};
  char *ctx = contexts_text();
  unsigned level;
  (void)state;
  for (level = 1; level <= 4; level++)
    for (int ev = 0; ev <= 1; ev++)
      for (int ne = 0; ne <= 2; ne++)
        for (size_t h = 0; h < 2; h++) {
          shape s;
          json_t *vc, *ach, *tags;
          char want[32];
          make_shape(&s, level, hours[h], ev, ne);
          vc = export_shape(&s);
          check_credential(vc, 1);
          collect_terms(vc, ctx, "export");
          ach = json_object_get(json_object_get(vc, "credentialSubject"), "achievement");
          assert_string_equal(json_string_value(json_object_get(ach, "achievementType")),
                              "MicroCredential");
          tags = json_object_get(ach, "tag");
          snprintf(want, sizeof want, "level:%u", level);
          assert_true(type_holds(tags, want));
          assert_true(json_number_value(json_object_get(ach, "creditsAvailable")) ==
                      hours[h] / 100.0);
          assert_int_equal(json_object_get(vc, "evidence") != NULL, ev);
          assert_int_equal(json_array_size(json_object_get(ach, "alignment")), (size_t)ne);
          json_decref(vc);
          cp_key_free(s.k);
        }
  free(ctx);
}

/* The fields the issue fixes, with values computed here independently. */
static void spec_field_values(void **state) {
  shape s;
  json_t *vc, *iss, *sub, *ach;
  char did[CP_DIDKEY_MAX], edid[CP_DIDKEY_MAX];
  (void)state;
  make_shape(&s, 3, 1250, 1, 1);
  vc = export_shape(&s);
  cp_didkey_encode(s.genesis.log, did);
  cp_didkey_encode(s.award.u.award.educator, edid);
  /* urn:uuid of 0xa1 * 16 with version 8 and variant 10. */
  assert_string_equal(json_string_value(json_object_get(vc, "id")),
                      "urn:uuid:a1a1a1a1-a1a1-81a1-a1a1-a1a1a1a1a1a1");
  iss = json_object_get(vc, "issuer");
  assert_string_equal(json_string_value(json_object_get(iss, "id")), did);
  assert_string_equal(json_string_value(json_object_get(iss, "name")),
                      "NC Department of Public Instruction");
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(iss, "address"), "addressRegion")), "NC");
  assert_string_equal(json_string_value(json_object_get(json_object_get(iss, "address"),
                                                        "addressCountryCode")), "US");
  assert_string_equal(json_string_value(json_object_get(vc, "validFrom")), "2026-03-14T00:00:00Z");
  /* 1773500000 = 2026-03-14T14:53:20Z */
  assert_string_equal(json_string_value(json_object_get(vc, "awardedDate")),
                      "2026-03-14T14:53:20Z");
  sub = json_object_get(vc, "credentialSubject");
  assert_string_equal(json_string_value(json_object_get(sub, "id")), edid);
  ach = json_object_get(sub, "achievement");
  assert_string_equal(json_string_value(json_object_get(ach, "id")),
                      "urn:uuid:c1c1c1c1-c1c1-81c1-81c1-c1c1c1c1c1c1");
  assert_string_equal(json_string_value(json_object_get(ach, "name")),
                      "Checking for Understanding");
  assert_string_equal(json_string_value(json_object_get(json_object_get(ach, "criteria"),
                                                        "narrative")),
                      "Three annotated lesson videos");
  /* RFC 6920: ni:///sha-256; + base64url(32 bytes of 0xee), no padding. */
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(vc, "evidence"), 0), "id")),
      "ni:///sha-256;7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u4");
  assert_string_equal(json_string_value(json_object_get(json_object_get(vc, "proof"),
                                                        "created")),
                      "2026-03-14T14:53:20Z");
  json_decref(vc);
  cp_key_free(s.k);
}

/* The credentialStatus hook: what it returns goes in as it is; its error
 * stops the build. */
static int status_hook(void *ctx, const uint8_t id[CP_HASH_BYTES], json_t **st) {
  int *calls = ctx;
  (*calls)++;
  assert_int_equal(id[0], 0xa1);
  if (*calls > 1) return CP_ENOSPC;
  *st = json_pack("{s:s, s:s}", "type", "BitstringStatusListEntry", "statusPurpose",
                  "revocation");
  return 0;
}

static int status_ok(void *ctx, const uint8_t id[CP_HASH_BYTES], json_t **st) {
  (void)ctx;
  (void)id;
  *st = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", "https://example.edu/status/3#94567",
                  "type", "BitstringStatusListEntry", "statusPurpose", "revocation",
                  "statusListIndex", "94567", "statusListCredential",
                  "https://example.edu/status/3");
  return 0;
}

static void spec_status_hook(void **state) {
  shape s;
  json_t *vc = NULL;
  int calls = 0;
  (void)state;
  make_shape(&s, 1, 100, 0, 0);
  assert_int_equal(cp_ob3_build(&s.in, status_hook, &calls, &vc, NULL), CP_OK);
  assert_string_equal(json_string_value(json_object_get(json_object_get(vc, "credentialStatus"),
                                                        "type")),
                      "BitstringStatusListEntry");
  json_decref(vc);
  vc = NULL;
  assert_int_equal(cp_ob3_build(&s.in, status_hook, &calls, &vc, NULL), CP_ENOSPC);
  assert_null(vc);
  /* The export's writer puts the status where JCS puts it. */
  {
    char *text = NULL, *canon = NULL, created[21];
    size_t len = 0, clen = 0;
    assert_int_equal(cp_ob3_export_json(&s.in, s.k, status_ok, NULL, &text, &len, NULL), CP_OK);
    assert_int_equal(cp_ob3_build(&s.in, status_ok, NULL, &vc, NULL), CP_OK);
    cp_ob3_timestamp(s.award.time, created);
    assert_int_equal(cp_vcdi_sign(vc, s.k, created, NULL), CP_OK);
    assert_int_equal(cp_jcs_encode(vc, &canon, &clen, NULL), CP_OK);
    assert_int_equal(len, clen + 1);
    assert_memory_equal(text, canon, clen);
    assert_non_null(strstr(text, "\"credentialStatus\":{\"id\""));
    json_decref(vc);
    free(text);
    free(canon);
    calls = 1;
    assert_int_equal(cp_ob3_export_json(&s.in, s.k, status_hook, &calls, &text, &len, NULL),
                     CP_ENOSPC);
    assert_null(text);
  }
  cp_key_free(s.k);
}

/* Entries that do not fit together are refused, naming why. */
static void spec_bad_input(void **state) {
  shape s;
  json_t *vc = NULL;
  cp_diag d = {{0}};
  uint8_t seed[CP_SEED_BYTES];
  cp_key *other = NULL;
  char *text = NULL;
  size_t len = 0;
  (void)state;
  make_shape(&s, 1, 100, 0, 0);
  s.award.u.award.credential[0] ^= 1;
  assert_int_equal(cp_ob3_build(&s.in, NULL, NULL, &vc, &d), CP_EINVAL);
  assert_non_null(strstr(d.msg, "another credential definition"));
  s.award.u.award.credential[0] ^= 1;
  s.award.type = CP_T_APPROVE;
  assert_int_equal(cp_ob3_build(&s.in, NULL, NULL, &vc, &d), CP_EINVAL);
  s.award.type = CP_T_AWARD;
  s.award.log[0] ^= 1;
  assert_int_equal(cp_ob3_build(&s.in, NULL, NULL, &vc, &d), CP_EINVAL);
  s.award.log[0] ^= 1;
  memset(seed, 9, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &other), CP_OK);
  assert_int_equal(cp_ob3_export_json(&s.in, other, NULL, NULL, &text, &len, &d), CP_EDENIED);
  assert_null(text);
  cp_key_free(other);
  cp_key_free(s.k);
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(spec_accepts_1edtech_example),
  cmocka_unit_test(spec_every_award_shape),
  cmocka_unit_test(spec_field_values),
  cmocka_unit_test(spec_status_hook),
  cmocka_unit_test(spec_bad_input),
};

CP_TEST_MAIN(tests)
