/* credport CLI — the report of `verify`: the educator, each award in plain
 * words, each check, the problems and the verdict (human or --json). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credport/bundle_verify.h"
#include "credport/codec.h"

static json_t *strj(cp_str s) {
  return json_stringn(s.p, s.len);
}

/* The genesis entry of log i, decoded into g (strings borrow from b). */
static int genesis(const cp_bundle *b, size_t i, cp_entry *g) {
  const cp_bundle_entry *be = &b->entries[b->logs[i].first];
  return cp_entry_decode(be->buf, be->len, g, NULL) == 0 && g->type == CP_T_AUTHORITY ? 0 : -1;
}

static void hours_text(uint32_t x100, char out[24]) {
  if (x100 % 100 == 0)
    snprintf(out, 24, "%" PRIu32, x100 / 100);
  else if (x100 % 10 == 0)
    snprintf(out, 24, "%" PRIu32 ".%" PRIu32, x100 / 100, (x100 % 100) / 10);
  else
    snprintf(out, 24, "%" PRIu32 ".%02" PRIu32, x100 / 100, x100 % 100);
}

static const char *mark(int ok) {
  return ok ? "ok  " : "FAIL";
}

static void print_award(const cp_bundle *b, const cp_vresult *res, size_t k) {
  const cp_vaward *a = &res->awards[k];
  const cp_bundle_entry *be = &b->entries[a->entry];
  cp_entry e, def, g;
  char hex[2 * CP_HASH_BYTES + 1], date[11], hours[24];
  cp_hex_encode(be->id, CP_HASH_BYTES, hex);
  if (cp_entry_decode(be->buf, be->len, &e, NULL) != 0) return;
  int has_def =
      a->definition >= 0 && cp_entry_decode(b->entries[a->definition].buf,
                                            b->entries[a->definition].len, &def, NULL) == 0;
  printf("\naward %zu of %zu: ", k + 1, res->nawards);
  if (has_def)
    cli_put_text(stdout, def.u.credential.title.p, def.u.credential.title.len);
  else
    fputs("(definition missing)", stdout);
  printf("\n  issuer        ");
  if (genesis(b, a->log, &g) == 0) {
    cli_put_text(stdout, g.u.authority.name.p, g.u.authority.name.len);
    printf(" (");
    cli_put_text(stdout, g.u.authority.jurisdiction.p, g.u.authority.jurisdiction.len);
    printf(", %s)", cp_role_name(g.u.authority.role));
  }
  if (has_def) {
    hours_text(def.u.credential.hours_x100, hours);
    printf("\n  level         %u\n  hours         %s", def.u.credential.level, hours);
  }
  cp_date_format(e.u.award.earned, date);
  printf("\n  earned        %s\n  endorsements  ", date);
  if (a->nendorse == 0) fputs("none", stdout);
  for (size_t i = 0; i < a->nendorse; i++) {
    const cp_bundle_entry *en = &b->entries[a->endorse[i]];
    cp_entry x;
    if (i > 0) fputs("\n                ", stdout);
    if (genesis(b, en->log, &g) == 0)
      cli_put_text(stdout, g.u.authority.name.p, g.u.authority.name.len);
    if (cp_entry_decode(en->buf, en->len, &x, NULL) == 0) {
      fputs(": ", stdout);
      cli_put_text(stdout, x.u.endorse.claim.p, x.u.endorse.claim.len);
    }
    if (!a->endorse_ok[i])
      fputs(" (not counted: the endorser is not trusted, witnessed or fresh)", stdout);
  }
  printf("\n  status        %s%s\n  id            %s\n",
         a->status == CP_V_OK ? "valid" : "NOT VALID: ",
         a->status == CP_V_OK ? "" : cp_vreason_text(a->status), hex);
}

static void print_log_checks(const cp_bundle *b, const cp_vopts *o, const cp_vresult *res, size_t i,
                             const char *node_note) {
  const cp_bundle_log *L = &b->logs[i];
  const cp_vlog *vl = &res->logs[i];
  cp_entry g;
  printf("  ");
  cli_put_text(stdout, L->cp.origin, strlen(L->cp.origin));
  if (genesis(b, i, &g) == 0) {
    fputs(" (", stdout);
    cli_put_text(stdout, g.u.authority.name.p, g.u.authority.name.len);
    fputs(vl->awards ? ", issuer)" : ", endorser)", stdout);
  }
  printf("\n    %s issuer's genesis key %s the trust file\n", mark(vl->trusted),
         vl->trusted ? "is in" : "is NOT in");
  printf("    %s %zu of %zu entries signed by the key in force at their seq",
         mark(vl->entries_ok == L->n), vl->entries_ok, L->n);
  if (vl->key_entries > 0)
    printf(" (%u key entries%s)", vl->key_entries, vl->retired ? ", retired" : "");
  printf("\n    %s checkpoint at size %llu signed by the key in force at that size\n",
         mark(vl->checkpoint_ok), (unsigned long long)L->cp.size);
  printf("    %s the entries are in the log at that size (one proof for %zu entries)\n",
         mark(vl->inclusion_ok), L->n);
  printf("    %s revocation statement bound to the checkpoint (%llu revoked in the log)\n",
         mark(vl->statement_ok), (unsigned long long)vl->revocations);
  printf("    %s cosigned by %u trusted witness%s", mark(vl->witnesses >= o->witnesses),
         vl->witnesses, vl->witnesses == 1 ? "" : "es");
  if (o->witnesses > 0) printf(" (%u required)", o->witnesses);
  for (unsigned k = 0; k < vl->witnesses; k++) {
    const char *wn = o->trust->witnesses[vl->witness[k]].name;
    fputs(k ? ", " : ": ", stdout);
    cli_put_text(stdout, wn, strlen(wn));
  }
  printf("\n");
  if (vl->has_cosig) {
    uint64_t age = o->now > vl->newest_cosig ? o->now - vl->newest_cosig : 0;
    printf("    %s newest trusted cosignature %llu s old",
           mark(o->max_age == 0 || age <= o->max_age), (unsigned long long)age);
    if (o->max_age > 0) printf(" (at most %llu s)", (unsigned long long)o->max_age);
    printf("\n");
  } else if (o->max_age > 0) {
    printf("    FAIL no trusted cosignature dates the checkpoint\n");
  }
  if (node_note != NULL && node_note[0] != 0) printf("    node: %s\n", node_note);
}

static json_t *report_json(const cp_bundle *b, const cp_vopts *o, const cp_vresult *res,
                           const char *const *node_notes) {
  json_t *j = json_object(), *aw = json_array(), *logs = json_array(), *pr = json_array();
  char did[CP_DIDKEY_MAX];
  cp_entry e, def, g;
  json_object_set_new(j, "valid", json_boolean(res->valid));
  json_object_set_new(j, "reason",
                      res->valid ? json_null() : json_string(cp_vreason_name(res->reason)));
  if (b != NULL) {
    cp_didkey_encode(b->educator, did);
    json_object_set_new(j, "educator", cli_hex_json(b->educator, CP_PK_BYTES));
    json_object_set_new(j, "did", json_string(did));
    json_object_set_new(j, "audience", json_stringn(b->audience, b->audience_len));
    json_object_set_new(j, "signature_ok", json_boolean(res->sig_ok));
    json_object_set_new(j, "challenge_ok", json_boolean(res->challenge_ok));
    json_object_set_new(j, "audience_ok",
                        res->audience_checked ? json_boolean(res->audience_ok) : json_null());
    for (size_t k = 0; k < res->nawards; k++) {
      const cp_vaward *a = &res->awards[k];
      const cp_bundle_entry *be = &b->entries[a->entry];
      json_t *x = json_object(), *en = json_array();
      char date[11];
      json_object_set_new(x, "id", cli_hex_json(be->id, CP_HASH_BYTES));
      if (a->definition >= 0 && cp_entry_decode(b->entries[a->definition].buf,
                                                b->entries[a->definition].len, &def, NULL) == 0) {
        json_object_set_new(x, "title", strj(def.u.credential.title));
        json_object_set_new(x, "credential", strj(def.u.credential.id));
        json_object_set_new(x, "level", json_integer(def.u.credential.level));
        json_object_set_new(x, "hours", json_real(def.u.credential.hours_x100 / 100.0));
      }
      if (genesis(b, a->log, &g) == 0) {
        json_object_set_new(x, "issuer", strj(g.u.authority.name));
        json_object_set_new(x, "jurisdiction", strj(g.u.authority.jurisdiction));
        json_object_set_new(x, "role", json_string(cp_role_name(g.u.authority.role)));
      }
      json_object_set_new(x, "origin", json_string(b->logs[a->log].cp.origin));
      if (cp_entry_decode(be->buf, be->len, &e, NULL) == 0) {
        cp_date_format(e.u.award.earned, date);
        json_object_set_new(x, "earned", json_string(date));
      }
      for (size_t i = 0; i < a->nendorse; i++) {
        const cp_bundle_entry *ee = &b->entries[a->endorse[i]];
        json_t *y = json_object();
        if (genesis(b, ee->log, &g) == 0)
          json_object_set_new(y, "endorser", strj(g.u.authority.name));
        if (cp_entry_decode(ee->buf, ee->len, &e, NULL) == 0)
          json_object_set_new(y, "claim", strj(e.u.endorse.claim));
        json_object_set_new(y, "counted", json_boolean(a->endorse_ok[i]));
        json_array_append_new(en, y);
      }
      json_object_set_new(x, "endorsements", en);
      json_object_set_new(x, "status", json_string(cp_vreason_name(a->status)));
      json_array_append_new(aw, x);
    }
    for (size_t i = 0; i < res->nlogs; i++) {
      const cp_vlog *vl = &res->logs[i];
      json_t *x = json_object(), *w = json_array();
      json_object_set_new(x, "origin", json_string(b->logs[i].cp.origin));
      json_object_set_new(x, "log", cli_hex_json(b->logs[i].key, CP_PK_BYTES));
      json_object_set_new(x, "size", json_integer((json_int_t)b->logs[i].cp.size));
      json_object_set_new(x, "trusted", json_boolean(vl->trusted));
      for (unsigned k = 0; k < vl->witnesses; k++)
        json_array_append_new(w, json_string(o->trust->witnesses[vl->witness[k]].name));
      json_object_set_new(x, "witnesses", w);
      json_object_set_new(x, "newest_cosignature",
                          vl->has_cosig ? json_integer((json_int_t)vl->newest_cosig) : json_null());
      json_object_set_new(x, "status", json_string(cp_vreason_name(vl->status)));
      if (node_notes != NULL && node_notes[i][0] != 0)
        json_object_set_new(x, "node", json_string(node_notes[i]));
      json_array_append_new(logs, x);
    }
  }
  for (size_t k = 0; k < res->nproblems; k++) {
    const cp_vproblem *p = &res->problems[k];
    json_t *x = json_object();
    json_object_set_new(x, "reason", json_string(cp_vreason_name(p->reason)));
    json_object_set_new(x, "text", json_string(p->text));
    json_array_append_new(pr, x);
  }
  json_object_set_new(j, "awards", aw);
  json_object_set_new(j, "logs", logs);
  json_object_set_new(j, "problems", pr);
  return j;
}

int cli_bundle_report(cli *c, const cp_bundle *b, const cp_vopts *o, const cp_vresult *res,
                      const char *const *node_notes) {
  int st = res->valid ? CLI_OK : res->reason == CP_V_MALFORMED ? CLI_USAGE : CLI_FAIL;
  if (c->json) {
    cli_print_json(report_json(b, o, res, node_notes));
  } else if (b != NULL) {
    char hex[2 * CP_PK_BYTES + 1], did[CP_DIDKEY_MAX];
    cp_hex_encode(b->educator, CP_PK_BYTES, hex);
    cp_didkey_encode(b->educator, did);
    printf("educator      %s\n              %s\naudience      ", hex, did);
    cli_put_text(stdout, b->audience, b->audience_len);
    printf("\n");
    for (size_t k = 0; k < res->nawards; k++) print_award(b, res, k);
    printf("\nchecks\n  %s the educator's signature over the bundle\n", mark(res->sig_ok));
    printf("  %s the challenge is the one given\n", mark(res->challenge_ok));
    if (res->audience_checked)
      printf("  %s the audience is the one given\n", mark(res->audience_ok));
    else
      printf("  --   the audience (not checked: no --audience)\n");
    for (size_t i = 0; i < res->nlogs; i++)
      print_log_checks(b, o, res, i, node_notes != NULL ? node_notes[i] : NULL);
  }
  if (!c->json) {
    for (size_t k = 0; k < res->nproblems; k++) {
      const cp_vproblem *p = &res->problems[k];
      printf("%s%s: ", k == 0 ? "\nproblems\n  " : "  ", cp_vreason_text(p->reason));
      cli_put_text(stdout, p->text, strlen(p->text));
      printf("\n");
    }
    if (res->more_problems > 0) printf("  and %zu more\n", res->more_problems);
    printf("\nverdict: %s%s\n",
           res->valid ? "VALID" : "NOT VALID: ", res->valid ? "" : cp_vreason_text(res->reason));
  }
  if (!res->valid) {
    char t[sizeof res->problems[0].text * 2];
    const cp_vproblem *p = &res->problems[0];
    cli_text(p->text, strlen(p->text), t, sizeof t);
    if (res->reason == CP_V_MALFORMED)
      fprintf(stderr, "credport %s: error: malformed bundle: %s\n", c->cmd, t);
    else
      cli_fail(c, "the bundle does NOT verify: %s: %s", cp_vreason_text(p->reason), t);
  }
  return st;
}
