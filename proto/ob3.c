/* Open Badges 3.0 credentials from ledger awards; see include/credport/ob3.h. */
#include "credport/ob3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jcs.h"
#include "credport/vcdi.h"

void cp_ob3_urn(const uint8_t id[CP_HASH_BYTES], char out[CP_OB3_URN_MAX]) {
  static const char hexd[] = "0123456789abcdef";
  size_t i, o = 9;
  memcpy(out, "urn:uuid:", 9);
  for (i = 0; i < 16; i++) {
    uint8_t b = id[i];
    if (i == 6) b = (uint8_t)((b & 0x0f) | 0x80);
    if (i == 8) b = (uint8_t)((b & 0x3f) | 0x80);
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = hexd[b >> 4];
    out[o++] = hexd[b & 15];
  }
  out[o] = '\0';
}

static void two(char *p, unsigned v) {
  p[0] = (char)('0' + v / 10 % 10);
  p[1] = (char)('0' + v % 10);
}

void cp_ob3_timestamp(uint64_t t, char out[21]) {
  int64_t y;
  unsigned m, dd, s = (unsigned)(t % 86400);
  cp_civil_from_days((int64_t)(t / 86400), &y, &m, &dd);
  if (y < 0 || y > 9999) y = 9999; /* dates the ledger holds are 1970..9999 */
  two(out, (unsigned)(y / 100));
  two(out + 2, (unsigned)(y % 100));
  out[4] = '-';
  two(out + 5, m);
  out[7] = '-';
  two(out + 8, dd);
  out[10] = 'T';
  two(out + 11, s / 3600);
  out[13] = ':';
  two(out + 14, s / 60 % 60);
  out[16] = ':';
  two(out + 17, s % 60);
  out[19] = 'Z';
  out[20] = '\0';
}

static json_t *jstr(cp_str s) { return json_stringn(s.p != NULL ? s.p : "", s.len); }

/* Sets o[k] = v (stolen); *bad is set when v is NULL or memory ran out.
 * Member names and the constants below are ASCII written here, so they
 * skip jansson's UTF-8 check; text from entries does not. */
static void set(json_t *o, const char *k, json_t *v, int *bad) {
  if (v == NULL || o == NULL || json_object_set_new_nocheck(o, k, v) != 0) {
    *bad = 1;
    json_decref(v);
  }
}

static json_t *cstr(const char *s) { return json_string_nocheck(s); }

/* ["t"] or ["t1", "t2"]. */
static json_t *types(const char *t1, const char *t2) {
  json_t *a = json_array();
  if (a == NULL) return NULL;
  if (json_array_append_new(a, cstr(t1)) != 0 ||
      (t2 != NULL && json_array_append_new(a, cstr(t2)) != 0)) {
    json_decref(a);
    return NULL;
  }
  return a;
}

static json_t *finish(json_t *o, int bad) {
  if (!bad) return o;
  json_decref(o);
  return NULL;
}

static json_t *didkey(const uint8_t pk[CP_PK_BYTES]) {
  char did[CP_DIDKEY_MAX];
  cp_didkey_encode(pk, did);
  return json_string_nocheck(did);
}

/* ISO 3166-2 "CC-RRR" as addressCountryCode + addressRegion; anything else
 * whole as addressRegion. */
static json_t *address(cp_str j) {
  json_t *a = json_object();
  int bad = 0;
  size_t i;
  set(a, "type", types("Address", NULL), &bad);
  for (i = 0; i < j.len && j.p[i] != '-'; i++) {
  }
  if (i == 2 && j.len > 3 && j.p[0] >= 'A' && j.p[0] <= 'Z' && j.p[1] >= 'A' && j.p[1] <= 'Z') {
    set(a, "addressCountryCode", json_stringn(j.p, 2), &bad);
    set(a, "addressRegion", json_stringn(j.p + 3, j.len - 3), &bad);
  } else {
    set(a, "addressRegion", jstr(j), &bad);
  }
  return finish(a, bad);
}

static json_t *hours_value(uint32_t x100) {
  if (x100 % 100 == 0) return json_integer((json_int_t)(x100 / 100));
  return json_real((double)x100 / 100.0);
}

/* The achievement's tags, in order: "level:N", "contact-hours:H", then
 * "licensure-area:..." and "qa-standard:..." per list item. emit gets each
 * as prefix + text[0, n). */
typedef void (*tag_fn)(void *ctx, const char *prefix, const char *text, size_t n);
static void each_tag(const cp_entry *c, tag_fn emit, void *ctx) {
  char buf[32];
  uint32_t i, h = c->u.credential.hours_x100;
  snprintf(buf, sizeof buf, "%u", (unsigned)c->u.credential.level);
  emit(ctx, "level:", buf, strlen(buf));
  if (h % 100 == 0)
    snprintf(buf, sizeof buf, "%u", (unsigned)(h / 100));
  else
    snprintf(buf, sizeof buf, "%u.%02u", (unsigned)(h / 100), (unsigned)(h % 100));
  emit(ctx, "contact-hours:", buf, strlen(buf));
  for (i = 0; i < c->u.credential.n_areas; i++)
    emit(ctx, "licensure-area:", c->u.credential.areas[i].p, c->u.credential.areas[i].len);
  for (i = 0; i < c->u.credential.n_qa; i++)
    emit(ctx, "qa-standard:", c->u.credential.qa[i].p, c->u.credential.qa[i].len);
}

typedef struct tag_json {
  json_t *arr;
  int bad;
} tag_json;

/* A malloc'd copy of prefix followed by text[0..n) (*out_len bytes, not
 * NUL-terminated), or NULL when memory runs out. */
static char *tag_join(const char *prefix, const char *text, size_t n, size_t *out_len) {
  size_t np = strlen(prefix);
  char *buf = malloc(np + n + 1);
  if (buf == NULL) return NULL;
  memcpy(buf, prefix, np);
  if (n > 0) memcpy(buf + np, text, n);
  *out_len = np + n;
  return buf;
}

static void tag_to_json(void *ctx, const char *prefix, const char *text, size_t n) {
  tag_json *t = ctx;
  size_t len;
  char *buf = tag_join(prefix, text, n, &len);
  if (buf == NULL) {
    t->bad = 1;
    return;
  }
  if (json_array_append_new(t->arr, json_stringn(buf, len)) != 0) t->bad = 1;
  free(buf);
}

static json_t *tags_of(const cp_entry *c) {
  tag_json t = {json_array(), 0};
  if (t.arr == NULL) return NULL;
  each_tag(c, tag_to_json, &t);
  return finish(t.arr, t.bad);
}

/* One endorsement as an Alignment (docs/FORMATS.md: endorsers' nodes hold
 * the keys that could sign EndorsementCredentials; this one does not). */
/* "Endorsed by NAME: CLAIM", malloc'd; NULL when memory ran out. */
static char *endorse_name(const cp_ob3_endorsement *e, size_t *len) {
  const cp_entry *x = e->entry;
  size_t n = e->endorser_name.len, c = x->u.endorse.claim.len;
  char *buf = malloc(n + c + 32);
  if (buf == NULL) return NULL;
  memcpy(buf, "Endorsed by ", 12);
  if (n > 0) {
    memcpy(buf + 12, e->endorser_name.p, n);
  } else {
    memcpy(buf + 12, "an authority", 12);
    n = 12;
  }
  memcpy(buf + 12 + n, ": ", 2);
  if (c > 0) memcpy(buf + 14 + n, x->u.endorse.claim.p, c);
  *len = 14 + n + c;
  return buf;
}

static const char *endorse_type(const cp_entry *x) {
  return x->u.endorse.kind == CP_SUBJECT_AUTHORITY ? "ext:IssuerEndorsement" : "ext:Endorsement";
}

static json_t *alignment_of(const cp_ob3_endorsement *e) {
  char urn[CP_OB3_URN_MAX];
  const cp_entry *x = e->entry;
  json_t *a, *name;
  size_t n = 0;
  int bad = 0;
  char *buf = endorse_name(e, &n);
  if (buf == NULL) return NULL;
  cp_ob3_urn(e->id, urn);
  name = json_stringn(buf, n);
  free(buf);
  a = json_object();
  set(a, "type", types("Alignment", NULL), &bad);
  set(a, "targetName", name, &bad);
  set(a, "targetUrl", cstr(urn), &bad);
  set(a, "targetType", cstr(endorse_type(x)), &bad);
  set(a, "targetCode", jstr(x->u.endorse.claim), &bad);
  set(a, "targetFramework", didkey(x->log), &bad);
  if (x->u.endorse.note.len > 0) set(a, "targetDescription", jstr(x->u.endorse.note), &bad);
  return finish(a, bad);
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
  json_t *a, *crit;
  int bad = 0;
  size_t i, n = in->n_endorsements < CP_OB3_ENDORSE_MAX ? in->n_endorsements : CP_OB3_ENDORSE_MAX;
  cp_ob3_urn(in->credential_id, urn);
  a = json_object();
  crit = json_object();
  set(a, "id", cstr(urn), &bad);
  set(a, "type", types("Achievement", NULL), &bad);
  set(a, "achievementType", cstr("MicroCredential"), &bad);
  set(a, "humanCode", jstr(c->u.credential.id), &bad);
  set(a, "name", jstr(c->u.credential.title), &bad);
  set(a, "description", jstr(c->u.credential.competency), &bad);
  set(crit, "narrative", jstr(c->u.credential.evidence), &bad);
  set(a, "criteria", crit, &bad);
  set(a, "creditsAvailable", hours_value(c->u.credential.hours_x100), &bad);
  set(a, "tag", tags_of(c), &bad);
  if (n > 0) {
    json_t *al = json_array();
    set(a, "alignment", al, &bad);
    for (i = 0; !bad && i < n; i++)
      if (json_array_append_new(al, alignment_of(&in->endorsements[i])) != 0) bad = 1;
  }
  return finish(a, bad);
}

/* The evidence's ni URI (RFC 6920: base64url without padding) and its
 * description. */
static void evidence_text(const cp_entry *aw, char id[80], char desc[160]) {
  char b64[CP_B64_LEN(CP_HASH_BYTES) + 1], hex[2 * CP_HASH_BYTES + 1];
  size_t i, o;
  cp_b64_encode(aw->u.award.evidence, CP_HASH_BYTES, b64);
  o = (size_t)snprintf(id, 80, "ni:///sha-256;");
  for (i = 0; b64[i] != '\0' && b64[i] != '='; i++)
    id[o++] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
  id[o] = '\0';
  cp_hex_encode(aw->u.award.evidence, CP_HASH_BYTES, hex);
  snprintf(desc, 160, "SHA-256 of the evidence the assessor examined: %s", hex);
}

static json_t *evidence_of(const cp_entry *aw) {
  char id[80], desc[160];
  json_t *ev, *arr = NULL;
  int bad = 0;
  evidence_text(aw, id, desc);
  ev = json_object();
  set(ev, "id", cstr(id), &bad);
  set(ev, "type", types("Evidence", NULL), &bad);
  set(ev, "name", cstr("Evidence"), &bad);
  set(ev, "description", cstr(desc), &bad);
  if ((ev = finish(ev, bad)) == NULL || (arr = json_array()) == NULL ||
      json_array_append_new(arr, ev) != 0) {
    json_decref(arr);
    return NULL;
  }
  return arr;
}

int cp_ob3_build(const cp_ob3_input *in, cp_ob3_status_fn status, void *ctx, json_t **out,
                 cp_diag *d) {
  const cp_entry *g, *aw;
  char urn[CP_OB3_URN_MAX], from[21], awarded[21];
  json_t *vc = NULL, *st = NULL, *iss, *sub;
  int rc, bad = 0;
  *out = NULL;
  if ((rc = check_input(in, d)) != 0) return rc;
  g = in->genesis;
  aw = in->award;
  cp_ob3_urn(in->award_id, urn);
  cp_ob3_timestamp((uint64_t)aw->u.award.earned * 86400u, from);
  cp_ob3_timestamp(aw->time, awarded);
  vc = json_object();
  iss = json_object();
  sub = json_object();
  set(vc, "@context", types(CP_OB3_CONTEXT_VC, CP_OB3_CONTEXT_OB), &bad);
  set(vc, "id", cstr(urn), &bad);
  set(vc, "type", types("VerifiableCredential", "OpenBadgeCredential"), &bad);
  set(vc, "name", jstr(in->credential->u.credential.title), &bad);
  set(iss, "id", didkey(g->log), &bad);
  set(iss, "type", types("Profile", NULL), &bad);
  set(iss, "name", jstr(g->u.authority.name), &bad);
  set(iss, "address", address(g->u.authority.jurisdiction), &bad);
  set(vc, "issuer", iss, &bad);
  set(vc, "validFrom", cstr(from), &bad);
  set(vc, "awardedDate", cstr(awarded), &bad);
  set(sub, "id", didkey(aw->u.award.educator), &bad);
  set(sub, "type", types("AchievementSubject", NULL), &bad);
  set(sub, "achievement", achievement_of(in), &bad);
  set(vc, "credentialSubject", sub, &bad);
  if ((vc = finish(vc, bad)) == NULL) return CP_ENOMEM;
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

/* ---- the canonical writer ------------------------------------------------------ */

/* cp_ob3_export_json writes the credential's JCS text directly, members in
 * RFC 8785 order, instead of building it with jansson and canonicalising
 * it: the same bytes (test_ob3_spec.c checks every award shape against
 * JCS(cp_ob3_build)) at a fraction of the cost. */
#define RAW(b, lit) cp_jcs_raw((b), (lit), sizeof(lit) - 1)

static void w_str(cp_jcs_buf *b, cp_str s) { cp_jcs_str(b, s.p != NULL ? s.p : "", s.len); }
static void w_cstr(cp_jcs_buf *b, const char *s) { cp_jcs_str(b, s, strlen(s)); }

static void w_did(cp_jcs_buf *b, const uint8_t pk[CP_PK_BYTES]) {
  char did[CP_DIDKEY_MAX];
  cp_didkey_encode(pk, did);
  w_cstr(b, did);
}

typedef struct tag_canon {
  cp_jcs_buf *b;
  int first;
} tag_canon;

static void tag_to_canon(void *ctx, const char *prefix, const char *text, size_t n) {
  tag_canon *t = ctx;
  size_t len;
  char *buf = tag_join(prefix, text, n, &len);
  if (buf == NULL) {
    if (t->b->err == 0) t->b->err = CP_ENOMEM;
    return;
  }
  if (!t->first) RAW(t->b, ",");
  t->first = 0;
  cp_jcs_str(t->b, buf, len);
  free(buf);
}

static void w_alignment(cp_jcs_buf *b, const cp_ob3_endorsement *e) {
  const cp_entry *x = e->entry;
  char urn[CP_OB3_URN_MAX];
  size_t n = 0;
  char *name = endorse_name(e, &n);
  if (name == NULL) {
    if (b->err == 0) b->err = CP_ENOMEM;
    return;
  }
  cp_ob3_urn(e->id, urn);
  RAW(b, "{\"targetCode\":");
  w_str(b, x->u.endorse.claim);
  if (x->u.endorse.note.len > 0) {
    RAW(b, ",\"targetDescription\":");
    w_str(b, x->u.endorse.note);
  }
  RAW(b, ",\"targetFramework\":");
  w_did(b, x->log);
  RAW(b, ",\"targetName\":");
  cp_jcs_str(b, name, n);
  RAW(b, ",\"targetType\":");
  w_cstr(b, endorse_type(x));
  RAW(b, ",\"targetUrl\":");
  w_cstr(b, urn);
  RAW(b, ",\"type\":[\"Alignment\"]}");
  free(name);
}

static void w_achievement(cp_jcs_buf *b, const cp_ob3_input *in) {
  const cp_entry *c = in->credential;
  char urn[CP_OB3_URN_MAX], num[40];
  size_t i, n = in->n_endorsements < CP_OB3_ENDORSE_MAX ? in->n_endorsements : CP_OB3_ENDORSE_MAX;
  uint32_t h = c->u.credential.hours_x100;
  tag_canon t = {b, 1};
  cp_ob3_urn(in->credential_id, urn);
  RAW(b, "{\"achievementType\":\"MicroCredential\"");
  if (n > 0) {
    RAW(b, ",\"alignment\":[");
    for (i = 0; i < n; i++) {
      if (i > 0) RAW(b, ",");
      w_alignment(b, &in->endorsements[i]);
    }
    RAW(b, "]");
  }
  RAW(b, ",\"creditsAvailable\":");
  if (h % 100 == 0)
    snprintf(num, sizeof num, "%u", (unsigned)(h / 100));
  else
    cp_jcs_number((double)h / 100.0, num, sizeof num);
  cp_jcs_raw(b, num, strlen(num));
  RAW(b, ",\"criteria\":{\"narrative\":");
  w_str(b, c->u.credential.evidence);
  RAW(b, "},\"description\":");
  w_str(b, c->u.credential.competency);
  RAW(b, ",\"humanCode\":");
  w_str(b, c->u.credential.id);
  RAW(b, ",\"id\":");
  w_cstr(b, urn);
  RAW(b, ",\"name\":");
  w_str(b, c->u.credential.title);
  RAW(b, ",\"tag\":[");
  each_tag(c, tag_to_canon, &t);
  RAW(b, "],\"type\":[\"Achievement\"]}");
}

static void w_address(cp_jcs_buf *b, cp_str j) {
  size_t i;
  for (i = 0; i < j.len && j.p[i] != '-'; i++) {
  }
  RAW(b, "{");
  if (i == 2 && j.len > 3 && j.p[0] >= 'A' && j.p[0] <= 'Z' && j.p[1] >= 'A' && j.p[1] <= 'Z') {
    RAW(b, "\"addressCountryCode\":");
    cp_jcs_str(b, j.p, 2);
    RAW(b, ",\"addressRegion\":");
    cp_jcs_str(b, j.p + 3, j.len - 3);
  } else {
    RAW(b, "\"addressRegion\":");
    w_str(b, j);
  }
  RAW(b, ",\"type\":[\"Address\"]}");
}

/* Writes the credential without its proof, split where "proof" goes:
 * head gets everything before ",\"type\":" at the top level, tail the rest. */
static int w_credential(const cp_ob3_input *in, const json_t *status, cp_jcs_buf *head,
                        cp_jcs_buf *tail, cp_diag *d) {
  const cp_entry *g = in->genesis, *aw = in->award;
  char urn[CP_OB3_URN_MAX], from[21], awarded[21];
  int rc;
  cp_ob3_urn(in->award_id, urn);
  cp_ob3_timestamp((uint64_t)aw->u.award.earned * 86400u, from);
  cp_ob3_timestamp(aw->time, awarded);
  RAW(head, "{\"@context\":[\"" CP_OB3_CONTEXT_VC "\",\"" CP_OB3_CONTEXT_OB "\"],\"awardedDate\":");
  w_cstr(head, awarded);
  if (status != NULL) {
    RAW(head, ",\"credentialStatus\":");
    if ((rc = cp_jcs_value(head, status, d)) != 0) return rc;
  }
  RAW(head, ",\"credentialSubject\":{\"achievement\":");
  w_achievement(head, in);
  RAW(head, ",\"id\":");
  w_did(head, aw->u.award.educator);
  RAW(head, ",\"type\":[\"AchievementSubject\"]}");
  if ((aw->u.award.flags & CP_AWARD_HAS_EVIDENCE) != 0) {
    char id[80], desc[160];
    evidence_text(aw, id, desc);
    RAW(head, ",\"evidence\":[{\"description\":");
    w_cstr(head, desc);
    RAW(head, ",\"id\":");
    w_cstr(head, id);
    RAW(head, ",\"name\":\"Evidence\",\"type\":[\"Evidence\"]}]");
  }
  RAW(head, ",\"id\":");
  w_cstr(head, urn);
  RAW(head, ",\"issuer\":{\"address\":");
  w_address(head, g->u.authority.jurisdiction);
  RAW(head, ",\"id\":");
  w_did(head, g->log);
  RAW(head, ",\"name\":");
  w_str(head, g->u.authority.name);
  RAW(head, ",\"type\":[\"Profile\"]},\"name\":");
  w_str(head, in->credential->u.credential.title);
  RAW(tail, ",\"type\":[\"VerifiableCredential\",\"OpenBadgeCredential\"],\"validFrom\":");
  w_cstr(tail, from);
  RAW(tail, "}");
  return head->err != 0 ? head->err : tail->err;
}

int cp_ob3_export_json(const cp_ob3_input *in, const cp_key *k, cp_ob3_status_fn status,
                       void *ctx, char **text, size_t *len, cp_diag *d) {
  static const char context[] = "[\"" CP_OB3_CONTEXT_VC "\",\"" CP_OB3_CONTEXT_OB "\"]";
  uint8_t pk[CP_PK_BYTES];
  char created[21];
  cp_jcs_buf head = {0}, tail = {0};
  json_t *st = NULL;
  size_t hlen;
  int rc;
  *text = NULL;
  cp_key_public(k, pk);
  if (in->genesis == NULL || memcmp(pk, in->genesis->log, CP_PK_BYTES) != 0)
    return cp_diag_set(d, CP_EDENIED, "the signing key is not the issuer's log key (did:key)");
  if ((rc = check_input(in, d)) != 0) return rc;
  if (status != NULL && (rc = status(ctx, in->award_id, &st)) != 0) return rc;
  if ((rc = w_credential(in, st, &head, &tail, d)) != 0) goto out;
  /* The document without proof is head + tail. */
  hlen = head.len;
  cp_jcs_raw(&head, tail.p, tail.len);
  if ((rc = head.err) != 0) goto out;
  cp_ob3_timestamp(in->award->time, created);
  {
    cp_jcs_buf proof = {0};
    rc = cp_vcdi_sign_canon(head.p, head.len, context, sizeof context - 1, k, created, &proof);
    head.len = hlen;
    RAW(&head, ",\"proof\":");
    if (rc == 0) cp_jcs_raw(&head, proof.p, proof.len);
    free(proof.p);
  }
  cp_jcs_raw(&head, tail.p, tail.len);
  RAW(&head, "\n");
  if (rc == 0) rc = head.err;
  if (rc != 0) goto out;
  *text = head.p;
  *len = head.len;
  head.p = NULL;
out:
  json_decref(st);
  free(head.p);
  free(tail.p);
  return rc;
}

int cp_ob3_canonical(const cp_ob3_input *in, cp_ob3_status_fn status, void *ctx, char **text,
                     size_t *len, cp_diag *d) {
  cp_jcs_buf head = {0}, tail = {0};
  json_t *st = NULL;
  int rc;
  *text = NULL;
  if ((rc = check_input(in, d)) != 0) return rc;
  if (status != NULL && (rc = status(ctx, in->award_id, &st)) != 0) return rc;
  if ((rc = w_credential(in, st, &head, &tail, d)) == 0) {
    cp_jcs_raw(&head, tail.p, tail.len);
    rc = head.err;
  }
  if (rc == 0) {
    *text = head.p;
    *len = head.len;
    head.p = NULL;
  }
  json_decref(st);
  free(head.p);
  free(tail.p);
  return rc;
}
