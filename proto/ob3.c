/* Open Badges 3.0 credentials from ledger awards; see include/credport/ob3.h. */
#include "credport/ob3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jcs.h"
#include "credport/vcdi.h"

void cp_ob3_urn(const uint8_t id[CP_HASH_BYTES], char out[CP_OB3_URN_MAX]) {
  uint8_t b[16];
  char h[33];
  memcpy(b, id, sizeof b);
  b[6] = (uint8_t)((b[6] & 0x0f) | 0x80);
  b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
  cp_hex_encode(b, sizeof b, h);
  snprintf(out, CP_OB3_URN_MAX, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16,
           h + 20);
}

void cp_ob3_timestamp(uint64_t t, char out[21]) {
  int64_t y;
  unsigned m, dd;
  uint64_t s = t % 86400;
  cp_civil_from_days((int64_t)(t / 86400), &y, &m, &dd);
  snprintf(out, 21, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, dd,
           (unsigned)(s / 3600), (unsigned)(s / 60 % 60), (unsigned)(s % 60));
}

static json_t *jstr(cp_str s) { return json_stringn(s.p != NULL ? s.p : "", s.len); }

static json_t *didkey(const uint8_t pk[CP_PK_BYTES]) {
  char did[CP_DIDKEY_MAX];
  cp_didkey_encode(pk, did);
  return json_string(did);
}

/* ISO 3166-2 "CC-RRR" as addressCountryCode + addressRegion; anything else
 * whole as addressRegion. */
static json_t *address(cp_str j) {
  json_t *a = json_pack("{s:[s]}", "type", "Address");
  size_t i;
  if (a == NULL) return NULL;
  for (i = 0; i < j.len && j.p[i] != '-'; i++) {
  }
  if (i == 2 && i < j.len && j.len > 3 && j.p[0] >= 'A' && j.p[0] <= 'Z' && j.p[1] >= 'A' &&
      j.p[1] <= 'Z') {
    json_object_set_new(a, "addressCountryCode", json_stringn(j.p, 2));
    json_object_set_new(a, "addressRegion", json_stringn(j.p + 3, j.len - 3));
  } else {
    json_object_set_new(a, "addressRegion", jstr(j));
  }
  return a;
}

static json_t *hours_value(uint32_t x100) {
  if (x100 % 100 == 0) return json_integer((json_int_t)(x100 / 100));
  return json_real((double)x100 / 100.0);
}

static int add_tag(json_t *tags, const char *prefix, cp_str s) {
  size_t n = strlen(prefix);
  char *buf = malloc(n + s.len + 1);
  int rc;
  if (buf == NULL) return -1;
  memcpy(buf, prefix, n);
  if (s.len > 0) memcpy(buf + n, s.p, s.len);
  rc = json_array_append_new(tags, json_stringn(buf, n + s.len));
  free(buf);
  return rc;
}

static json_t *tags_of(const cp_entry *c) {
  json_t *t = json_array();
  char buf[32];
  uint32_t i;
  int bad = 0;
  if (t == NULL) return NULL;
  snprintf(buf, sizeof buf, "level:%u", (unsigned)c->u.credential.level);
  bad |= json_array_append_new(t, json_string(buf));
  if (c->u.credential.hours_x100 % 100 == 0)
    snprintf(buf, sizeof buf, "contact-hours:%u", (unsigned)(c->u.credential.hours_x100 / 100));
  else
    snprintf(buf, sizeof buf, "contact-hours:%u.%02u", (unsigned)(c->u.credential.hours_x100 / 100),
             (unsigned)(c->u.credential.hours_x100 % 100));
  bad |= json_array_append_new(t, json_string(buf));
  for (i = 0; i < c->u.credential.n_areas; i++)
    bad |= add_tag(t, "licensure-area:", c->u.credential.areas[i]);
  for (i = 0; i < c->u.credential.n_qa; i++)
    bad |= add_tag(t, "qa-standard:", c->u.credential.qa[i]);
  if (bad) {
    json_decref(t);
    return NULL;
  }
  return t;
}

/* One endorsement as an Alignment (docs/FORMATS.md: endorsers' nodes hold
 * the keys that could sign EndorsementCredentials; this one does not). */
static json_t *alignment_of(const cp_ob3_endorsement *e) {
  char urn[CP_OB3_URN_MAX];
  const cp_entry *x = e->entry;
  json_t *a, *name;
  size_t n = e->endorser_name.len;
  char *buf;
  cp_ob3_urn(e->id, urn);
  buf = malloc(n + x->u.endorse.claim.len + 32);
  if (buf == NULL) return NULL;
  memcpy(buf, "Endorsed by ", 12);
  if (n > 0) memcpy(buf + 12, e->endorser_name.p, n);
  else {
    memcpy(buf + 12, "an authority", 12);
    n = 12;
  }
  memcpy(buf + 12 + n, ": ", 2);
  if (x->u.endorse.claim.len > 0) memcpy(buf + 14 + n, x->u.endorse.claim.p, x->u.endorse.claim.len);
  name = json_stringn(buf, 14 + n + x->u.endorse.claim.len);
  free(buf);
  a = json_pack("{s:[s], s:o, s:s, s:s, s:o, s:o}", "type", "Alignment", "targetName", name,
                "targetUrl", urn, "targetType",
                x->u.endorse.kind == CP_SUBJECT_AUTHORITY ? "ext:IssuerEndorsement"
                                                          : "ext:Endorsement",
                "targetCode", jstr(x->u.endorse.claim), "targetFramework", didkey(x->log));
  if (a != NULL && x->u.endorse.note.len > 0)
    json_object_set_new(a, "targetDescription", jstr(x->u.endorse.note));
  return a;
}

static int check_input(const cp_ob3_input *in, cp_diag *d) {
  if (in->genesis == NULL || in->genesis->type != CP_T_AUTHORITY || in->genesis->seq != 0)
    return cp_diag_set(d, CP_EINVAL, "the issuer's genesis entry is missing or not seq 0");
  if (in->credential == NULL || in->credential->type != CP_T_CREDENTIAL)
    return cp_diag_set(d, CP_EINVAL, "the credential definition is missing");
  if (in->award == NULL || in->award->type != CP_T_AWARD)
    return cp_diag_set(d, CP_EINVAL, "the entry is not an award");
  if (memcmp(in->award->u.award.credential, in->credential_id, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_EINVAL, "the award names another credential definition");
  if (memcmp(in->award->log, in->genesis->log, CP_PK_BYTES) != 0 ||
      memcmp(in->credential->log, in->genesis->log, CP_PK_BYTES) != 0)
    return cp_diag_set(d, CP_EINVAL, "award, definition and genesis are not of one log");
  return 0;
}

static json_t *achievement_of(const cp_ob3_input *in) {
  const cp_entry *c = in->credential;
  char urn[CP_OB3_URN_MAX];
  json_t *a;
  size_t i, n = in->n_endorsements < CP_OB3_ENDORSE_MAX ? in->n_endorsements : CP_OB3_ENDORSE_MAX;
  cp_ob3_urn(in->credential_id, urn);
  a = json_pack("{s:s, s:[s], s:s, s:o, s:o, s:o, s:{s:o}, s:o, s:o}", "id", urn, "type",
                "Achievement", "achievementType", "MicroCredential", "humanCode",
                jstr(c->u.credential.id), "name", jstr(c->u.credential.title), "description",
                jstr(c->u.credential.competency), "criteria", "narrative",
                jstr(c->u.credential.evidence), "creditsAvailable",
                hours_value(c->u.credential.hours_x100), "tag", tags_of(c));
  if (a == NULL || n == 0) return a;
  {
    json_t *al = json_array();
    if (al == NULL || json_object_set_new(a, "alignment", al) != 0) goto fail;
    for (i = 0; i < n; i++)
      if (json_array_append_new(al, alignment_of(&in->endorsements[i])) != 0) goto fail;
  }
  return a;
fail:
  json_decref(a);
  return NULL;
}

static json_t *evidence_of(const cp_entry *aw) {
  char b64[CP_B64_LEN(CP_HASH_BYTES) + 1], id[80], hex[2 * CP_HASH_BYTES + 1], desc[160];
  size_t i, o = 0;
  cp_b64_encode(aw->u.award.evidence, CP_HASH_BYTES, b64);
  /* RFC 6920 ni URI: base64url without padding. */
  o = (size_t)snprintf(id, sizeof id, "ni:///sha-256;");
  for (i = 0; b64[i] != '\0' && b64[i] != '='; i++)
    id[o++] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
  id[o] = '\0';
  cp_hex_encode(aw->u.award.evidence, CP_HASH_BYTES, hex);
  snprintf(desc, sizeof desc, "SHA-256 of the evidence the assessor examined: %s", hex);
  return json_pack("[{s:s, s:[s], s:s, s:s}]", "id", id, "type", "Evidence", "name", "Evidence",
                   "description", desc);
}

int cp_ob3_build(const cp_ob3_input *in, cp_ob3_status_fn status, void *ctx, json_t **out,
                 cp_diag *d) {
  const cp_entry *g, *aw;
  char urn[CP_OB3_URN_MAX], from[21], awarded[21];
  json_t *vc = NULL, *st = NULL;
  int rc;
  *out = NULL;
  if ((rc = check_input(in, d)) != 0) return rc;
  g = in->genesis;
  aw = in->award;
  cp_ob3_urn(in->award_id, urn);
  cp_ob3_timestamp((uint64_t)aw->u.award.earned * 86400u, from);
  cp_ob3_timestamp(aw->time, awarded);
  vc = json_pack("{s:[s,s], s:s, s:[s,s], s:o, s:{s:o, s:[s], s:o, s:o}, s:s, s:s,"
                 " s:{s:o, s:[s], s:o}}",
                 "@context", CP_OB3_CONTEXT_VC, CP_OB3_CONTEXT_OB, "id", urn, "type",
                 "VerifiableCredential", "OpenBadgeCredential", "name",
                 jstr(in->credential->u.credential.title), "issuer", "id", didkey(g->log), "type",
                 "Profile", "name", jstr(g->u.authority.name), "address",
                 address(g->u.authority.jurisdiction), "validFrom", from, "awardedDate", awarded,
                 "credentialSubject", "id", didkey(aw->u.award.educator), "type",
                 "AchievementSubject", "achievement", achievement_of(in));
  if (vc == NULL) return CP_ENOMEM;
  if ((aw->u.award.flags & CP_AWARD_HAS_EVIDENCE) != 0 &&
      json_object_set_new(vc, "evidence", evidence_of(aw)) != 0) {
    rc = CP_ENOMEM;
    goto out;
  }
  if (status != NULL) {
    if ((rc = status(ctx, in->award_id, &st)) != 0) goto out;
    if (st != NULL && json_object_set_new(vc, "credentialStatus", st) != 0) {
      rc = CP_ENOMEM;
      goto out;
    }
  }
  *out = vc;
  vc = NULL;
out:
  json_decref(vc);
  return rc;
}

int cp_ob3_export_json(const cp_ob3_input *in, const cp_key *k, cp_ob3_status_fn status,
                       void *ctx, char **text, size_t *len, cp_diag *d) {
  uint8_t pk[CP_PK_BYTES];
  char created[21];
  json_t *vc = NULL;
  char *s = NULL;
  int rc;
  *text = NULL;
  cp_key_public(k, pk);
  if (in->genesis == NULL || memcmp(pk, in->genesis->log, CP_PK_BYTES) != 0)
    return cp_diag_set(d, CP_EDENIED, "the signing key is not the issuer's log key (did:key)");
  if ((rc = cp_ob3_build(in, status, ctx, &vc, d)) != 0) return rc;
  cp_ob3_timestamp(in->award->time, created);
  if ((rc = cp_vcdi_sign(vc, k, created, d)) != 0) goto out;
  s = json_dumps(vc, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
  if (s == NULL) {
    rc = CP_ENOMEM;
    goto out;
  }
  *len = strlen(s);
  {
    char *t = realloc(s, *len + 2);
    if (t == NULL) {
      free(s);
      rc = CP_ENOMEM;
      goto out;
    }
    t[(*len)++] = '\n';
    t[*len] = '\0';
    *text = t;
  }
out:
  json_decref(vc);
  return rc;
}
