/*
 * credport CLI — recognize: what a policy grants one educator (with each
 * award's fate), the district view over every educator the node knows, and
 * recording a grant as a recognition entry (docs/POLICIES.md, "On the
 * ledger"). --json prints the engine's canonical JSON unchanged; the text
 * forms are rendered from that same JSON, so the two cannot disagree.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "recognize_cli.h"
#include "credport/codec.h"
#include "credport/facts.h"

static const char help[] =
    "usage: credport recognize --educator PUBKEY --policy ID [--as-of YYYY-MM-DD]\n"
    "                          [--areas A,B,...] [--explain] [--record] [--json]\n"
    "       credport recognize --policy ID --all [--year Y | --years Y1-Y2] [--compare ID2 ...]\n"
    "                          [--educators FILE] [--as-of YYYY-MM-DD] [--areas A,B,...]\n"
    "                          [--json]\n"
    "       credport recognize --replay RECOGNITION_ID [--explain] [--json]\n"
    "  Evaluates a recognition policy over the awards this node holds (docs/POLICIES.md).\n"
    "  ID is a policy entry ID (64 hex digits), the policy id of a policy published in\n"
    "  this node's own log, or POLICY_ID@AUTHORITY (the authority's key as 64 hex digits,\n"
    "  did:key or verifier key) for one another authority published. The as-of date\n"
    "  defaults to today (UTC).\n"
    "  --educator   totals per currency for one educator; --explain adds each award's\n"
    "               fate under each rule (which rule, how much, or why not).\n"
    "  --areas      licensure areas for rules with area_match, replacing the areas the\n"
    "               ledger attests (attest-areas); in the district view they apply to\n"
    "               everyone.\n"
    "  --record     appends a recognition entry to this node's log (the policy must be of\n"
    "               this log): the totals and the explanation hash, which `credport audit`\n"
    "               recomputes. Not with --areas. With --json prints\n"
    "               {\"recorded\":{\"id\",\"time\",\"explanation\"},\"result\":...}.\n"
    "  --all        the district view: every educator the node knows, totals per currency\n"
    "               and, for money, the cost in fiscal year Y (default: the as-of date's\n"
    "               year); --compare adds alternative policies side by side (up to 15).\n"
    "  --years      with --all, a projection: the cost in each fiscal year from Y1 to Y2\n"
    "               (at most 50), recurring amounts counted in every later year.\n"
    "  --educators  with --all, only the educators of a staff list: one key (64 hex digits\n"
    "               or did:key) a line; blank lines and lines starting with # are skipped.\n"
    "  --replay     recomputes a recorded recognition entry exactly as it was recorded\n"
    "               (at the sizes of the logs it read) and shows the result and any\n"
    "               difference; exit 0 when totals and explanation hash are equal, 1 when\n"
    "               they differ or this node holds less of a log than the entry read.\n"
    "  --json       the canonical result (credport-recognition/1 or credport-district/1):\n"
    "               byte-identical on any machine for the same ledger, policy and date.\n";

typedef cli_rec_opts opts;

/* Digits of n grouped by thousands ("1,234,567"). */
static void grouped(uint64_t n, char *out, size_t cap) {
  char d[24];
  size_t nd = (size_t)snprintf(d, sizeof d, "%llu", (unsigned long long)n), o = 0;
  for (size_t i = 0; i < nd && o + 2 < cap; i++) {
    if (i > 0 && (nd - i) % 3 == 0) out[o++] = ',';
    out[o++] = d[i];
  }
  out[o] = 0;
}

static int ci_prefix(const char *s, const char *pre) {
  for (; *pre; s++, pre++)
    if (*s == 0 || (*s | 0x20) != (*pre | 0x20)) return 0;
  return 1;
}

int cli_rec_is_dollars(const char *currency, const char *unit) {
  return (ci_prefix(currency, "usd") && currency[3] == 0) || ci_prefix(unit, "US dollar");
}

/* unit with its noun in the plural: the last word before " per " (or of the
 * whole unit) gets "s", "es" after s, x, ch, sh, z, "ies" for a consonant
 * before y: "CEU" -> "CEUs", "credit per year" -> "credits per year". */
static void plural_unit(const char *unit, char *out, size_t cap) {
  const char *per = strstr(unit, " per ");
  size_t head = per != NULL ? (size_t)(per - unit) : strlen(unit);
  const char *suffix = "s";
  size_t keep = head;
  char last = head > 0 ? unit[head - 1] : 0, before = head > 1 ? unit[head - 2] : 0;
  if (last == 's' || last == 'x' || last == 'z' ||
      (last == 'h' && (before == 'c' || before == 's')))
    suffix = "es";
  else if (last == 'y' && before != 0 && strchr("aeiouAEIOU", before) == NULL) {
    suffix = "ies";
    keep = head - 1;
  }
  snprintf(out, cap, "%.*s%s%s", (int)keep, unit, suffix, unit + head);
}

void cli_rec_quantity(int64_t v, unsigned dec, const char *currency, const char *unit, int rate,
                      char *out, size_t cap) {
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, p = 1;
  char whole[32], frac[8] = "", pl[CP_STR_MAX + 8];
  for (unsigned i = 0; i < dec; i++) p *= 10;
  grouped(u / p, whole, sizeof whole);
  snprintf(frac, sizeof frac, "%0*llu", (int)dec, (unsigned long long)(u % p));
  if (cli_rec_is_dollars(currency, unit)) {
    const char *per = strstr(unit, " per ");
    size_t n = strlen(frac);
    while (n < 2) frac[n++] = '0';
    frac[n] = 0;
    snprintf(out, cap, "%s$%s.%s%s", v < 0 ? "-" : "", whole, frac,
             rate && per != NULL ? per : "");
    return;
  }
  size_t n = strlen(frac);
  while (n > 0 && frac[n - 1] == '0') frac[--n] = 0;
  if (v == (int64_t)p)
    snprintf(pl, sizeof pl, "%s", unit);
  else
    plural_unit(unit, pl, sizeof pl);
  snprintf(out, cap, "%s%s%s%s %s", v < 0 ? "-" : "", whole, n > 0 ? "." : "", frac,
           *unit ? pl : currency);
}

/* The currency a rule grants, from the result's rules ("" if none). */
static const char *rule_currency(const json_t *res, const char *rule) {
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(res, "rules"), i, v) {
    if (strcmp(jstr(v, "rule"), rule) == 0) return jstr(v, "currency");
  }
  return "";
}

/* Amount v of currency cur for people ("$900.00", "3 renewal credits"), its
 * decimals and unit from the result's totals. */
static void quantity(const json_t *res, const char *cur, int64_t v, char *out, size_t cap) {
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(res, "totals"), i, t) {
    if (strcmp(jstr(t, "currency"), cur) == 0) {
      cli_rec_quantity(v, (unsigned)jint(t, "decimals"), cur, jstr(t, "unit"), 1, out, cap);
      return;
    }
  }
  cli_rec_quantity(v, 0, cur, "", 1, out, cap);
}

static void print_result(const char *json, size_t len, const cp_policy_entry *pe, int explain) {
  json_error_t je;
  json_t *res = json_loadb(json, len, 0, &je);
  char a[CP_STR_MAX + 64], t[CP_STR_MAX + 64], hex[2 * CP_HASH_BYTES + 1];
  size_t i, j;
  json_t *v, *f;
  if (res == NULL || cli_json_human(res) != 0) {
    json_decref(res);
    cli_put_text(stdout, json, len);
    putchar('\n');
    return;
  }
  cp_hex_encode(pe->id, CP_HASH_BYTES, hex);
  printf("policy      %s (entry %s)\n", jstr(res, "policy"), hex);
  printf("educator    %s\n", jstr(res, "educator"));
  printf("as of       %s%s\n", jstr(res, "as_of"),
         json_is_true(json_object_get(res, "in_effect"))
             ? ""
             : " (the policy is not in effect on that date: nothing counts)");
  printf("totals\n");
  json_array_foreach(json_object_get(res, "totals"), i, v) {
    const char *cur = jstr(v, "currency");
    quantity(res, cur, jint(v, "amount"), a, sizeof a);
    printf("  %-28s %s", cur, a);
    if (json_object_get(v, "target") != NULL) {
      quantity(res, cur, jint(v, "target"), t, sizeof t);
      printf(" (target %s: %s)", t,
             json_is_true(json_object_get(v, "reached")) ? "reached" : "not reached");
    }
    putchar('\n');
  }
  if (!explain) goto done;
  printf("rules\n");
  json_array_foreach(json_object_get(res, "rules"), i, v) {
    const char *cur = jstr(v, "currency");
    quantity(res, cur, jint(v, "granted"), a, sizeof a);
    printf("  %-28s %-9s -> %-20s %s%s%s", jstr(v, "rule"), jstr(v, "kind"), cur, a,
           json_is_true(json_object_get(v, "recurring")) ? " recurring" : "",
           json_is_true(json_object_get(v, "capped")) ? " (capped)" : "");
    if (json_object_get(v, "need") != NULL)
      printf(" (%lld of %lld%s%s)", (long long)jint(v, "have"), (long long)jint(v, "need"),
             json_is_true(json_object_get(v, "complete")) ? ", complete " : "",
             jstr(v, "completed"));
    if (json_object_get(v, "from") != NULL) {
      quantity(res, jstr(v, "from"), jint(v, "input"), t, sizeof t);
      printf(" (from %s)", t);
    }
    putchar('\n');
  }
  json_t *awards = json_object_get(res, "awards");
  size_t na = json_array_size(awards);
  printf("%zu %s, in (earned, award ID) order\n", na, na == 1 ? "award" : "awards");
  json_array_foreach(awards, i, v) {
    const char *label = jstr(v, "issuer_label");
    printf("  %s  %.16s…  %s  issuer %s", jstr(v, "earned"), jstr(v, "award"),
           jstr(v, "credential"), *label ? label : jstr(v, "issuer"));
    if (json_object_get(v, "revoked") != NULL) printf("  revoked %s", jstr(v, "revoked"));
    putchar('\n');
    json_array_foreach(json_object_get(v, "fates"), j, f) {
      quantity(res, rule_currency(res, jstr(f, "rule")), jint(f, "amount"), a, sizeof a);
      printf("      %-28s %-22s %s\n", jstr(f, "rule"), jstr(f, "fate"), a);
    }
  }
done:
  json_decref(res);
}

/* A recorded total for people, in the unit the policy gives its currency
 * (the bare smallest-unit count when the policy is not at hand). */
static void recorded_quantity(const cp_policy *pol, const char *cur, int64_t v, char *out,
                              size_t cap) {
  size_t n = pol != NULL ? cp_policy_n_currencies(pol) : 0;
  for (size_t i = 0; i < n; i++) {
    const char *id = NULL;
    unsigned dec = 0;
    if (cp_policy_currency(pol, i, &id, &dec, NULL) == 0 && strcmp(id, cur) == 0) {
      cli_rec_quantity(v, dec, cur, cp_policy_currency_unit(pol, i), 1, out, cap);
      return;
    }
  }
  snprintf(out, cap, "%lld (smallest units)", (long long)v);
}

int cli_rec_load_policy(cli *c, cp_reader *r, const char *arg, cp_policy_entry *pe,
                        cp_policy **pol) {
  cp_diag d = {{0}};
  int st = cli_resolve_policy(c, r, arg, pe);
  if (st != CLI_OK) return st;
  int rc = cp_policy_compile_as(pe->document.p, pe->document.len, pe->log, pol, &d);
  if (rc != 0)
    return cli_fail(c, "policy \"%s\" does not compile: %s", arg, d.msg[0] ? d.msg : cp_strerror(rc));
  return CLI_OK;
}

static int one_educator(cli *c, cp_store *s, const opts *o) {
  cp_reader *r = NULL;
  cp_policy *pol = NULL;
  cp_facts *f = NULL;
  cp_policy_result *res = NULL;
  cp_policy_entry pe;
  cp_policy_educator ed;
  cp_diag d = {{0}};
  int st = CLI_OK, rc = cp_reader_begin(s, &r);
  if (rc != 0) {
    st = cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
    goto out;
  }
  if ((st = cli_rec_load_policy(c, r, o->policy, &pe, &pol)) != CLI_OK) goto out;
  rc = cp_facts_new(r, CP_FACTS_ALL, 0, &f, &d);
  if (rc == 0) rc = cp_facts_educator(f, o->edu, o->area, o->narea, &ed, &d);
  if (rc == 0) rc = cp_policy_evaluate(pol, cp_facts_env(f), &ed, o->day, &res, &d);
  if (rc != 0) {
    st = cli_fail(c, "cannot evaluate policy \"%s\": %s", o->policy, d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  size_t len = 0;
  const char *json = cp_policy_result_json(res, &len);
  if (c->json) {
    fwrite(json, 1, len, stdout);
    putchar('\n');
  } else {
    print_result(json, len, &pe, o->explain);
  }
out:
  cp_policy_result_free(res);
  cp_facts_free(f);
  cp_policy_free(pol);
  cp_reader_end(r);
  return st;
}

static int record(cli *c, cp_store *s, const opts *o) {
  cp_reader *r = NULL;
  cp_policy_entry pe;
  cp_key *k = NULL;
  cp_policy *pol = NULL;
  cp_policy_result *res = NULL;
  cp_diag d = {{0}};
  uint8_t self[CP_PK_BYTES], id[CP_HASH_BYTES], h[CP_HASH_BYTES];
  uint64_t time = 0;
  int st = CLI_OK, rc = cp_reader_begin(s, &r);
  if (rc != 0) return cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
  st = cli_resolve_policy(c, r, o->policy, &pe);
  if (st == CLI_OK && (cp_reader_self(r, self) != 0 || memcmp(self, pe.log, CP_PK_BYTES) != 0))
    st = cli_fail(c, "--policy: \"%s\" is a policy of another log; --record needs a policy "
                  "published in this node's own log (rule R-body-05)", o->policy);
  cp_reader_end(r);
  if (st != CLI_OK) return st;
  if ((st = cli_key_in_force(c, s, &k)) != CLI_OK) return st;
  rc = cp_recognition_record(s, k, cli_now(), pe.id, o->edu, o->day, id, &time, &pol, &res, &d);
  cp_key_free(k);
  if (rc != 0)
    return cli_fail(c, "recognition not recorded, nothing written: %s",
                    d.msg[0] ? d.msg : cp_strerror(rc));
  size_t len = 0;
  const char *json = cp_policy_result_json(res, &len);
  char hex[2 * CP_HASH_BYTES + 1], hh[2 * CP_HASH_BYTES + 1];
  cp_hex_encode(id, CP_HASH_BYTES, hex);
  cp_policy_result_hash(res, h);
  cp_hex_encode(h, CP_HASH_BYTES, hh);
  if (c->json) {
    printf("{\"recorded\":{\"id\":\"%s\",\"time\":%llu,\"explanation\":\"%s\"},\"result\":", hex,
           (unsigned long long)time, hh);
    fwrite(json, 1, len, stdout);
    printf("}\n");
  } else {
    print_result(json, len, &pe, o->explain);
    printf("recorded    entry %s (time %llu, explanation %s)\n", hex, (unsigned long long)time,
           hh);
  }
  cp_policy_result_free(res);
  cp_policy_free(pol);
  return CLI_OK;
}

static const char *const STATUS_NAME[] = {"match", "differs", "pending", "failed"};

/* --replay: the recorded entry, the recomputation and the verdict. */
static int replay(cli *c, cp_store *s, const opts *o) {
  cp_reader *r = NULL;
  cp_policy *pol = NULL;
  cp_policy_result *res = NULL;
  cp_recognition_verdict *v = calloc(1, sizeof *v);
  cp_policy_entry pe;
  cp_entry e;
  cp_diag d = {{0}};
  const uint8_t *buf;
  size_t len;
  uint8_t id[CP_HASH_BYTES];
  char hex[2 * CP_HASH_BYTES + 1];
  int st = CLI_OK, rc;
  if (v == NULL) return cli_fail(c, "out of memory");
  if (cli_parse_hash(o->replay, id) != 0) {
    free(v);
    return cli_usage(c, "--replay: \"%s\" is not an entry ID (64 hex digits)", o->replay);
  }
  if ((rc = cp_reader_begin(s, &r)) != 0) {
    st = cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
    goto out;
  }
  rc = cp_reader_entry_by_id(r, id, &buf, &len);
  if (rc == 0) rc = cp_entry_decode(buf, len, &e, &d);
  if (rc == 0 && e.type != CP_T_RECOGNITION) rc = CP_EINVAL;
  if (rc != 0) {
    st = cli_fail(c, "--replay %s: %s", o->replay,
                  rc == CP_ENOTFOUND ? "this node holds no entry with that ID"
                  : rc == CP_EINVAL  ? "not a recognition entry"
                                     : (d.msg[0] ? d.msg : cp_strerror(rc)));
    goto out;
  }
  if ((rc = cp_recognition_verify(r, buf, len, v, &pol, &res)) != 0) {
    st = cli_fail(c, "--replay %s: %s", o->replay, cp_strerror(rc));
    goto out;
  }
  size_t jl = 0;
  const char *json = res != NULL ? cp_policy_result_json(res, &jl) : NULL;
  if (c->json) {
    json_t *j = json_object(), *facts = json_array(), *tot = json_object();
    json_object_set_new(j, "recognition", json_string(o->replay));
    cp_hex_encode(e.log, CP_PK_BYTES, hex);
    json_object_set_new(j, "log", json_string(hex));
    json_object_set_new(j, "seq", json_integer((json_int_t)e.seq));
    json_object_set_new(j, "version", json_integer(e.version));
    json_object_set_new(j, "status", json_string(STATUS_NAME[v->status]));
    if (v->detail[0]) json_object_set_new(j, "detail", json_string(v->detail));
    for (uint32_t i = 0; i < e.u.recognition.n_facts; i++) {
      cp_fact_point fp;
      json_t *f = json_object();
      cp_entry_fact_point(e.u.recognition.facts, i, fp.log, &fp.size, fp.root);
      json_object_set_new(f, "log", cli_hex_json(fp.log, CP_PK_BYTES));
      json_object_set_new(f, "size", json_integer((json_int_t)fp.size));
      json_object_set_new(f, "root", cli_hex_json(fp.root, CP_HASH_BYTES));
      json_array_append_new(facts, f);
    }
    json_object_set_new(j, "facts", facts);
    for (uint32_t i = 0; i < e.u.recognition.n_totals; i++) {
      char cur[CP_STR_MAX + 1];
      cp_str cs = e.u.recognition.totals[i].currency;
      memcpy(cur, cs.p, cs.len);
      cur[cs.len] = 0;
      json_object_set_new(tot, cur, json_integer(e.u.recognition.totals[i].amount));
    }
    json_t *recd = json_object();
    json_object_set_new(recd, "totals", tot);
    json_object_set_new(recd, "explanation", cli_hex_json(e.u.recognition.explanation, 32));
    json_object_set_new(j, "recorded", recd);
    json_error_t je;
    json_t *rj = json != NULL ? json_loadb(json, jl, 0, &je) : NULL;
    json_object_set_new(j, "result", rj != NULL ? rj : json_null());
    cli_print_json(j);
  } else {
    char date[11], lg[2 * CP_PK_BYTES + 1];
    cp_hex_encode(e.log, CP_PK_BYTES, lg);
    cp_date_format(e.u.recognition.as_of, date);
    printf("recognition %s\n", o->replay);
    printf("recorded    by log %s at seq %llu (version %u), as of %s\n", lg,
           (unsigned long long)e.seq, e.version, date);
    if (e.version == CP_ENTRY_VERSION) {
      printf("facts       the entries dated at or before the recognition's time (%llu)\n",
             (unsigned long long)e.time);
    }
    for (uint32_t i = 0; i < e.u.recognition.n_facts; i++) {
      cp_fact_point fp;
      char rh[2 * CP_HASH_BYTES + 1];
      cp_entry_fact_point(e.u.recognition.facts, i, fp.log, &fp.size, fp.root);
      cp_hex_encode(fp.log, CP_PK_BYTES, lg);
      cp_hex_encode(fp.root, CP_HASH_BYTES, rh);
      printf("%s log %s up to size %llu (root %.16s…)\n", i == 0 ? "facts read " : "           ",
             lg, (unsigned long long)fp.size, rh);
    }
    for (uint32_t i = 0; i < e.u.recognition.n_totals; i++) {
      char cur[CP_STR_MAX + 1], q[CP_STR_MAX + 64];
      cp_str cs = e.u.recognition.totals[i].currency;
      memcpy(cur, cs.p, cs.len);
      cur[cs.len] = 0;
      recorded_quantity(pol, cur, e.u.recognition.totals[i].amount, q, sizeof q);
      printf("%s %s %s\n", i == 0 ? "recorded   " : "           ", cur, q);
    }
    cp_hex_encode(e.u.recognition.explanation, CP_HASH_BYTES, hex);
    printf("explanation %s\n", hex);
    if (json != NULL) {
      printf("\nrecomputed\n");
      if (cp_reader_policy(r, e.u.recognition.policy, &pe) == 0)
        print_result(json, jl, &pe, o->explain);
      putchar('\n');
    }
    switch (v->status) {
    case CP_RECOG_MATCH:
      printf("replay: MATCH — totals and explanation hash recomputed equal\n");
      break;
    case CP_RECOG_DIFFERS: printf("replay: DIFFERS — "); break;
    case CP_RECOG_PENDING: printf("replay: cannot recompute yet: "); break;
    default: printf("replay: cannot be recomputed: "); break;
    }
    if (v->status != CP_RECOG_MATCH) {
      cli_put_text(stdout, v->detail, strlen(v->detail));
      putchar('\n');
    }
  }
  if (v->status != CP_RECOG_MATCH) st = CLI_FAIL;
out:
  cp_policy_result_free(res);
  cp_policy_free(pol);
  cp_reader_end(r);
  free(v);
  return st;
}

static int parse_areas(cli *c, opts *o, char *list) {
  for (char *p = list;;) {
    char *comma = strchr(p, ',');
    if (comma != NULL) *comma = 0;
    if (*p == 0) return cli_usage(c, "--areas: an empty area in \"%s\"", o->areas);
    if (o->narea == CP_LIST_MAX) return cli_usage(c, "--areas: at most %u areas", CP_LIST_MAX);
    o->area[o->narea++] = (cp_str){p, strlen(p)};
    if (comma == NULL) return CLI_OK;
    p = comma + 1;
  }
}

int cmd_recognize(cli *c, int argc, char **argv) {
  static const struct option lopts[] = {
      {"educator", 1, 0, 'e'}, {"policy", 1, 0, 'p'},  {"as-of", 1, 0, 'a'},
      {"areas", 1, 0, 'A'},    {"explain", 0, 0, 'x'}, {"record", 0, 0, 'r'},
      {"all", 0, 0, 'l'},      {"year", 1, 0, 'y'},    {"compare", 1, 0, 'c'},
      {"json", 0, 0, 'J'},     {"replay", 1, 0, 'R'},  {"years", 1, 0, 'Y'},
      {"educators", 1, 0, 'E'}, {"help", 0, 0, 'h'},   {0, 0, 0, 0}};
  opts o;
  int ch;
  memset(&o, 0, sizeof o);
  cli_getopt_reset();
  while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
    switch (ch) {
    case 'e': o.educator = optarg; break;
    case 'p': o.policy = optarg; break;
    case 'a': o.as_of = optarg; break;
    case 'A': o.areas = optarg; break;
    case 'x': o.explain = 1; break;
    case 'r': o.record = 1; break;
    case 'l': o.all = 1; break;
    case 'y': o.year = optarg; break;
    case 'R': o.replay = optarg; break;
    case 'Y': o.years = optarg; break;
    case 'E': o.educators = optarg; break;
    case 'c':
      if (o.ncompare == COMPARE_MAX)
        return cli_usage(c, "--compare: at most %u alternatives", COMPARE_MAX);
      o.compare[o.ncompare++] = optarg;
      break;
    case 'J': c->json = 1; break;
    case 'h': fputs(help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, lopts, help);
    }
  }
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (o.replay != NULL) {
    if (o.policy != NULL || o.educator != NULL || o.all || o.record || o.as_of != NULL ||
        o.areas != NULL || o.year != NULL || o.years != NULL || o.educators != NULL ||
        o.ncompare != 0)
      return cli_usage(c, "--replay takes only --explain and --json: the policy, educator, "
                       "date and facts are the recorded entry's");
    cp_store *s = NULL;
    int st = cli_open_store(c, CP_STORE_RDONLY, &s);
    if (st != CLI_OK) return st;
    st = replay(c, s, &o);
    cp_store_close(s);
    return st;
  }
  if (o.policy == NULL) return cli_usage(c, "--policy is required\n%s", help);
  if (o.all) {
    if (o.educator != NULL) return cli_usage(c, "give --educator or --all, not both");
    if (o.explain || o.record)
      return cli_usage(c, "--explain and --record are for one educator, not with --all");
  } else {
    if (o.educator == NULL) return cli_usage(c, "--educator (or --all) is required\n%s", help);
    if (o.year != NULL || o.years != NULL || o.ncompare != 0 || o.educators != NULL)
      return cli_usage(c, "--year, --years, --compare and --educators belong to the district "
                       "view (--all)");
    if (cli_parse_pubkey(o.educator, o.edu) != 0)
      return cli_usage(c, "--educator: \"%s\" is not a public key (64 hex digits or did:key)",
                       o.educator);
  }
  if (o.record && o.areas != NULL)
    return cli_usage(c, "--record with --areas: the ledger does not hold licensure areas, so "
                     "the audit could not recompute the grant; record without --areas");
  if (o.as_of != NULL) {
    if (cp_date_parse(o.as_of, &o.day) != 0)
      return cli_usage(c, "--as-of: \"%s\" is not a date YYYY-MM-DD", o.as_of);
  } else {
    o.day = (uint32_t)(cli_now() / 86400u);
  }
  char ymd[11];
  cp_date_format(o.day, ymd);
  o.fy = (unsigned)((ymd[0] - '0') * 1000 + (ymd[1] - '0') * 100 + (ymd[2] - '0') * 10 +
                    (ymd[3] - '0')); /* "YYYY-MM-DD": the as-of date's year */
  if (o.year != NULL) {
    uint64_t y = 0;
    if (cli_parse_u64(o.year, &y) != 0 || y < 1970 || y > 9999)
      return cli_usage(c, "--year: \"%s\" is not a year from 1970 to 9999", o.year);
    o.fy = (unsigned)y;
  }
  if (o.years != NULL) {
    uint64_t y1 = 0, y2 = 0;
    char buf[16];
    const char *dash = strchr(o.years, '-');
    if (o.year != NULL) return cli_usage(c, "give --year or --years, not both");
    if (dash == NULL || (size_t)(dash - o.years) >= sizeof buf)
      return cli_usage(c, "--years: \"%s\" is not a range of years Y1-Y2", o.years);
    memcpy(buf, o.years, (size_t)(dash - o.years));
    buf[dash - o.years] = 0;
    if (cli_parse_u64(buf, &y1) != 0 || cli_parse_u64(dash + 1, &y2) != 0 || y1 < 1970 ||
        y2 > 9999 || y2 < y1)
      return cli_usage(c, "--years: \"%s\" is not a range of years Y1-Y2 from 1970 to 9999",
                       o.years);
    if (y2 - y1 >= CP_POLICY_DISTRICT_YEARS_MAX)
      return cli_usage(c, "--years: %s spans %llu years, more than %u", o.years,
                       (unsigned long long)(y2 - y1 + 1), CP_POLICY_DISTRICT_YEARS_MAX);
    o.fy = (unsigned)y1;
    o.fy_until = (unsigned)y2;
  }
  char areas[CP_LIST_MAX * (CP_STR_MAX + 1)];
  if (o.areas != NULL) {
    if (strlen(o.areas) >= sizeof areas) return cli_usage(c, "--areas: too long");
    memcpy(areas, o.areas, strlen(o.areas) + 1);
    int st = parse_areas(c, &o, areas);
    if (st != CLI_OK) return st;
  }
  cp_store *s = NULL;
  int st = cli_open_store(c, o.record ? 0 : CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return st;
  if (o.all) st = cli_rec_district(c, s, &o);
  else if (o.record) st = record(c, s, &o);
  else st = one_educator(c, s, &o);
  cp_store_close(s);
  return st;
}
