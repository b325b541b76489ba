/* credport CLI — entries as JSON and as text. */
#include <string.h>

#include "cli.h"
#include "credport/codec.h"

static json_t *jstr(cp_str s) { return json_stringn(s.p, s.len); }

static json_t *jdate(uint32_t days) {
  char buf[11];
  cp_date_format(days, buf);
  return json_string(buf);
}

static json_t *jlist(const cp_str *v, uint32_t n) {
  json_t *a = json_array();
  for (uint32_t i = 0; i < n; i++) json_array_append_new(a, jstr(v[i]));
  return a;
}

json_t *cli_entry_json(const uint8_t *buf, size_t len) {
  cp_entry e;
  uint8_t id[CP_HASH_BYTES];
  char did[CP_DIDKEY_MAX];
  if (cp_entry_decode(buf, len, &e, NULL) != 0) return json_null();
  cp_entry_id(buf, len, id);
  json_t *o = json_object(), *b = json_object();
  json_object_set_new(o, "id", cli_hex_json(id, CP_HASH_BYTES));
  json_object_set_new(o, "type", json_string(cp_entry_type_name(e.type)));
  json_object_set_new(o, "version", json_integer(e.version));
  json_object_set_new(o, "log", cli_hex_json(e.log, CP_PK_BYTES));
  json_object_set_new(o, "seq", json_integer((json_int_t)e.seq));
  json_object_set_new(o, "prev", cli_hex_json(e.prev, CP_HASH_BYTES));
  cli_set_time(o, "time", e.time);
  switch (e.type) {
  case CP_T_AUTHORITY:
    json_object_set_new(b, "name", jstr(e.u.authority.name));
    json_object_set_new(b, "jurisdiction", jstr(e.u.authority.jurisdiction));
    json_object_set_new(b, "role", json_string(cp_role_name(e.u.authority.role)));
    json_object_set_new(b, "origin", jstr(e.u.authority.origin));
    cp_didkey_encode(e.log, did);
    json_object_set_new(b, "did", json_string(did));
    break;
  case CP_T_CREDENTIAL:
    json_object_set_new(b, "id", jstr(e.u.credential.id));
    json_object_set_new(b, "title", jstr(e.u.credential.title));
    json_object_set_new(b, "competency", jstr(e.u.credential.competency));
    json_object_set_new(b, "evidence", jstr(e.u.credential.evidence));
    json_object_set_new(b, "level", json_integer(e.u.credential.level));
    json_object_set_new(b, "hours_x100", json_integer(e.u.credential.hours_x100));
    json_object_set_new(b, "areas", jlist(e.u.credential.areas, e.u.credential.n_areas));
    json_object_set_new(b, "qa", jlist(e.u.credential.qa, e.u.credential.n_qa));
    break;
  case CP_T_AWARD:
    json_object_set_new(b, "credential", cli_hex_json(e.u.award.credential, CP_HASH_BYTES));
    json_object_set_new(b, "educator", cli_hex_json(e.u.award.educator, CP_PK_BYTES));
    json_object_set_new(b, "earned", jdate(e.u.award.earned));
    json_object_set_new(b, "assessor", jstr(e.u.award.assessor));
    if (e.u.award.flags & CP_AWARD_HAS_EVIDENCE)
      json_object_set_new(b, "evidence_sha256", cli_hex_json(e.u.award.evidence, CP_HASH_BYTES));
    if (e.u.award.flags & CP_AWARD_HAS_LICENCE)
      json_object_set_new(b, "licence_commitment", cli_hex_json(e.u.award.licence, CP_HASH_BYTES));
    break;
  case CP_T_REVOKE:
    json_object_set_new(b, e.version == CP_ENTRY_VERSION ? "award" : "target",
                        cli_hex_json(e.u.revoke.target, CP_HASH_BYTES));
    if (e.version != CP_ENTRY_VERSION)
      json_object_set_new(b, "effective", jdate(e.u.revoke.effective));
    json_object_set_new(b, "reason", jstr(e.u.revoke.reason));
    break;
  case CP_T_ENDORSE:
    json_object_set_new(b, "subject_kind", json_string(e.u.endorse.kind == CP_SUBJECT_AUTHORITY
                                                           ? "authority" : "credential"));
    json_object_set_new(b, "subject", cli_hex_json(e.u.endorse.subject, CP_HASH_BYTES));
    if (e.version != CP_ENTRY_VERSION) {
      json_object_set_new(b, "from", jdate(e.u.endorse.from));
      if (e.u.endorse.until) json_object_set_new(b, "until", jdate(e.u.endorse.until));
    }
    json_object_set_new(b, "claim", jstr(e.u.endorse.claim));
    json_object_set_new(b, "note", jstr(e.u.endorse.note));
    break;
  case CP_T_LICENSURE:
    json_object_set_new(b, "educator", cli_hex_json(e.u.licensure.educator, CP_PK_BYTES));
    json_object_set_new(b, "from", jdate(e.u.licensure.from));
    if (e.u.licensure.until) json_object_set_new(b, "until", jdate(e.u.licensure.until));
    json_object_set_new(b, "areas", jlist(e.u.licensure.areas, e.u.licensure.n_areas));
    break;
  case CP_T_APPROVE:
    json_object_set_new(b, "educator", cli_hex_json(e.u.approve.educator, CP_PK_BYTES));
    json_object_set_new(b, "credential", cli_hex_json(e.u.approve.credential, CP_HASH_BYTES));
    json_object_set_new(b, "approved", jdate(e.u.approve.approved));
    if (e.u.approve.expires) json_object_set_new(b, "expires", jdate(e.u.approve.expires));
    json_object_set_new(b, "plan_sha256", cli_hex_json(e.u.approve.plan, CP_HASH_BYTES));
    break;
  case CP_T_POLICY:
    json_object_set_new(b, "id", jstr(e.u.policy.id));
    json_object_set_new(b, "document", jstr(e.u.policy.document));
    break;
  case CP_T_RECOGNITION: {
    json_object_set_new(b, "policy", cli_hex_json(e.u.recognition.policy, CP_HASH_BYTES));
    json_object_set_new(b, "educator", cli_hex_json(e.u.recognition.educator, CP_PK_BYTES));
    json_object_set_new(b, "as_of", jdate(e.u.recognition.as_of));
    json_t *t = json_object();
    for (uint32_t i = 0; i < e.u.recognition.n_totals; i++) {
      char cur[CP_STR_MAX + 1];
      cp_str cs = e.u.recognition.totals[i].currency;
      memcpy(cur, cs.p, cs.len);
      cur[cs.len] = 0;
      json_object_set_new(t, cur, json_integer(e.u.recognition.totals[i].amount));
    }
    json_object_set_new(b, "totals", t);
    json_object_set_new(b, "explanation_sha256",
                        cli_hex_json(e.u.recognition.explanation, CP_HASH_BYTES));
    if (e.version == CP_ENTRY_VERSION_2) {
      json_t *fa = json_array();
      for (uint32_t i = 0; i < e.u.recognition.n_facts; i++) {
        uint8_t log[CP_PK_BYTES], root[CP_HASH_BYTES];
        uint64_t size;
        json_t *f = json_object();
        cp_entry_fact_point(e.u.recognition.facts, i, log, &size, root);
        json_object_set_new(f, "log", cli_hex_json(log, CP_PK_BYTES));
        json_object_set_new(f, "size", json_integer((json_int_t)size));
        json_object_set_new(f, "root", cli_hex_json(root, CP_HASH_BYTES));
        json_array_append_new(fa, f);
      }
      json_object_set_new(b, "facts", fa);
    }
    break;
  }
  case CP_T_KEY:
    json_object_set_new(b, "action", json_string(e.u.key.action == CP_KEY_ROTATE ? "rotate"
                                                                                 : "retire"));
    if (e.u.key.action == CP_KEY_ROTATE)
      json_object_set_new(b, "new_key", cli_hex_json(e.u.key.new_key, CP_PK_BYTES));
    break;
  case CP_T_CLOCK:
    json_object_set_new(b, "first", cli_hex_json(e.u.clock.first, CP_HASH_BYTES));
    json_object_set_new(b, "reason", jstr(e.u.clock.reason));
    break;
  default: break;
  }
  json_object_set_new(o, "body", b);
  json_object_set_new(o, "signature", cli_hex_json(e.sig, CP_SIG_BYTES));
  return o;
}

static void short_hex(char out[17], const uint8_t *p) { cp_hex_encode(p, 8, out); }

/* `  "Title"` after a reference the node can name (r may be NULL). */
static void put_ref(FILE *f, cp_reader *r, const uint8_t id[CP_HASH_BYTES]) {
  cp_str name;
  if (r == NULL || cli_ref_name(r, id, &name) != 0) return;
  fputs("  \"", f);
  cli_put_text(f, name.p, name.len);
  fputc('"', f);
}

void cli_entry_line(FILE *f, const uint8_t *buf, size_t len, cp_reader *r) {
  cp_entry e;
  uint8_t id[CP_HASH_BYTES];
  char idh[2 * CP_HASH_BYTES + 1], a[17], date[11];
  if (cp_entry_decode(buf, len, &e, NULL) != 0) {
    fprintf(f, "(undecodable entry)\n");
    return;
  }
  cp_entry_id(buf, len, id);
  cp_hex_encode(id, CP_HASH_BYTES, idh);
  fprintf(f, "%6llu  %s  %-11s ", (unsigned long long)e.seq, idh, cp_entry_type_name(e.type));
  switch (e.type) {
  case CP_T_AUTHORITY:
    cli_put_text(f, e.u.authority.name.p, e.u.authority.name.len);
    fputs(" (", f);
    cli_put_text(f, e.u.authority.jurisdiction.p, e.u.authority.jurisdiction.len);
    fprintf(f, ", %s)", cp_role_name(e.u.authority.role));
    break;
  case CP_T_CREDENTIAL:
    cli_put_text(f, e.u.credential.id.p, e.u.credential.id.len);
    fputs(" \"", f);
    cli_put_text(f, e.u.credential.title.p, e.u.credential.title.len);
    fprintf(f, "\" level %u, %u.%02u h", e.u.credential.level, e.u.credential.hours_x100 / 100,
            e.u.credential.hours_x100 % 100);
    break;
  case CP_T_AWARD:
    short_hex(a, e.u.award.educator);
    cp_date_format(e.u.award.earned, date);
    fprintf(f, "educator %s… earned %s", a, date);
    put_ref(f, r, e.u.award.credential);
    break;
  case CP_T_REVOKE:
    short_hex(a, e.u.revoke.target);
    fprintf(f, "%s %s…", e.version == CP_ENTRY_VERSION ? "award" : "entry", a);
    if (e.version != CP_ENTRY_VERSION) {
      cp_date_format(e.u.revoke.effective, date);
      fprintf(f, " effective %s", date);
    }
    fputs(": ", f);
    cli_put_text(f, e.u.revoke.reason.p, e.u.revoke.reason.len);
    put_ref(f, r, e.u.revoke.target);
    break;
  case CP_T_ENDORSE:
    short_hex(a, e.u.endorse.subject);
    fprintf(f, "%s %s…: ", e.u.endorse.kind == CP_SUBJECT_AUTHORITY ? "authority" : "credential",
            a);
    cli_put_text(f, e.u.endorse.claim.p, e.u.endorse.claim.len);
    put_ref(f, r, e.u.endorse.subject);
    break;
  case CP_T_APPROVE:
    short_hex(a, e.u.approve.educator);
    cp_date_format(e.u.approve.approved, date);
    fprintf(f, "educator %s… approved %s", a, date);
    put_ref(f, r, e.u.approve.credential);
    break;
  case CP_T_POLICY:
    cli_put_text(f, e.u.policy.id.p, e.u.policy.id.len);
    fprintf(f, " (%zu bytes)", e.u.policy.document.len);
    break;
  case CP_T_RECOGNITION:
    short_hex(a, e.u.recognition.educator);
    cp_date_format(e.u.recognition.as_of, date);
    fprintf(f, "educator %s… as of %s", a, date);
    break;
  case CP_T_LICENSURE:
    short_hex(a, e.u.licensure.educator);
    cp_date_format(e.u.licensure.from, date);
    fprintf(f, "educator %s… from %s: ", a, date);
    for (uint32_t i = 0; i < e.u.licensure.n_areas; i++) {
      if (i) fputs(", ", f);
      cli_put_text(f, e.u.licensure.areas[i].p, e.u.licensure.areas[i].len);
    }
    break;
  case CP_T_KEY:
    fprintf(f, "%s", e.u.key.action == CP_KEY_ROTATE ? "key rotated" : "key retired");
    break;
  case CP_T_CLOCK:
    fprintf(f, "clock corrected: %.*s", (int)e.u.clock.reason.len, e.u.clock.reason.p);
    break;
  default: break;
  }
  fputc('\n', f);
}

static void text_value(FILE *f, const char *key, json_t *v, int indent) {
  if (json_is_object(v)) {
    if (key != NULL) fprintf(f, "%*s%s:\n", indent, "", key);
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) text_value(f, k, x, key != NULL ? indent + 2 : indent);
  } else if (json_is_array(v)) {
    fprintf(f, "%*s%s:", indent, "", key);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) fprintf(f, "%s %s", i ? "," : "", json_string_value(x));
    fputc('\n', f);
  } else if (json_is_string(v)) {
    fprintf(f, "%*s%-13s %s\n", indent, "", key, json_string_value(v));
  } else if (json_is_integer(v)) {
    fprintf(f, "%*s%-13s %lld\n", indent, "", key, (long long)json_integer_value(v));
  }
}

void cli_entry_text(FILE *f, const uint8_t *buf, size_t len, cp_reader *r) {
  json_t *j = cli_entry_json(buf, len);
  if (r != NULL) cli_entry_annotate(j, r);
  if (cli_json_human(j) != 0) {
    fputs("(out of memory)\n", f);
    json_decref(j);
    return;
  }
  text_value(f, NULL, j, 0);
  json_decref(j);
}
