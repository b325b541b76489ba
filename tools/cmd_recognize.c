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
#include "credport/codec.h"
#include "credport/facts.h"

#define COMPARE_MAX 15u

static const char help[] =
    "usage: credport recognize --educator PUBKEY --policy ID [--as-of YYYY-MM-DD]\n"
    "                          [--areas A,B,...] [--explain] [--record] [--json]\n"
    "       credport recognize --policy ID --all [--year Y] [--compare ID2 ...]\n"
    "                          [--as-of YYYY-MM-DD] [--areas A,B,...] [--json]\n"
    "  Evaluates a recognition policy over the awards this node holds (docs/POLICIES.md).\n"
    "  ID is a policy entry ID (64 hex digits) or the policy id of a policy published in\n"
    "  this node's own log. The as-of date defaults to today (UTC).\n"
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
    "  --json       the canonical result (credport-recognition/1 or credport-district/1):\n"
    "               byte-identical on any machine for the same ledger, policy and date.\n";

typedef struct {
  const char *educator, *policy, *as_of, *areas, *year;
  const char *compare[COMPARE_MAX];
  size_t ncompare;
  int explain, record, all;
  uint8_t edu[CP_PK_BYTES];
  uint32_t day;
  unsigned fy;
  cp_str area[CP_LIST_MAX];
  size_t narea;
} opts;

static void fmt_amount(int64_t v, unsigned dec, char *out, size_t cap) {
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  uint64_t p = 1;
  for (unsigned i = 0; i < dec; i++) p *= 10;
  if (dec == 0)
    snprintf(out, cap, "%s%llu", v < 0 ? "-" : "", (unsigned long long)u);
  else
    snprintf(out, cap, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(u / p), (int)dec,
             (unsigned long long)(u % p));
}

static int64_t jint(const json_t *o, const char *k) {
  return (int64_t)json_integer_value(json_object_get(o, k));
}

static const char *jstr(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s != NULL ? s : "";
}

/* Decimals of the currency a rule grants, from the result's totals. */
static unsigned rule_decimals(const json_t *res, const char *rule) {
  const char *cur = NULL;
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(res, "rules"), i, v) {
    if (strcmp(jstr(v, "rule"), rule) == 0) cur = jstr(v, "currency");
  }
  json_array_foreach(json_object_get(res, "totals"), i, v) {
    if (cur != NULL && strcmp(jstr(v, "currency"), cur) == 0) return (unsigned)jint(v, "decimals");
  }
  return 0;
}

static unsigned currency_decimals(const json_t *res, const char *cur) {
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(res, "totals"), i, v) {
    if (strcmp(jstr(v, "currency"), cur) == 0) return (unsigned)jint(v, "decimals");
  }
  return 0;
}

static void print_result(const char *json, size_t len, const cp_policy_entry *pe, int explain) {
  json_error_t je;
  json_t *res = json_loadb(json, len, 0, &je);
  char a[48], t[48], hex[2 * CP_HASH_BYTES + 1];
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
    unsigned dec = (unsigned)jint(v, "decimals");
    fmt_amount(jint(v, "amount"), dec, a, sizeof a);
    printf("  %-28s %12s  %s", jstr(v, "currency"), a, jstr(v, "unit"));
    if (json_object_get(v, "target") != NULL) {
      fmt_amount(jint(v, "target"), dec, t, sizeof t);
      printf(" (target %s: %s)", t,
             json_is_true(json_object_get(v, "reached")) ? "reached" : "not reached");
    }
    putchar('\n');
  }
  if (!explain) goto done;
  printf("rules\n");
  json_array_foreach(json_object_get(res, "rules"), i, v) {
    const char *cur = jstr(v, "currency");
    fmt_amount(jint(v, "granted"), currency_decimals(res, cur), a, sizeof a);
    printf("  %-28s %-9s -> %-20s %12s%s%s", jstr(v, "rule"), jstr(v, "kind"), cur, a,
           json_is_true(json_object_get(v, "recurring")) ? " recurring" : "",
           json_is_true(json_object_get(v, "capped")) ? " (capped)" : "");
    if (json_object_get(v, "need") != NULL)
      printf(" (%lld of %lld%s%s)", (long long)jint(v, "have"), (long long)jint(v, "need"),
             json_is_true(json_object_get(v, "complete")) ? ", complete " : "",
             jstr(v, "completed"));
    if (json_object_get(v, "from") != NULL) {
      fmt_amount(jint(v, "input"), currency_decimals(res, jstr(v, "from")), t, sizeof t);
      printf(" (from %s %s)", t, jstr(v, "from"));
    }
    putchar('\n');
  }
  json_t *awards = json_object_get(res, "awards");
  printf("awards (%zu), in (earned, award ID) order\n", json_array_size(awards));
  json_array_foreach(awards, i, v) {
    const char *label = jstr(v, "issuer_label");
    printf("  %s  %.16s…  %s  issuer %s", jstr(v, "earned"), jstr(v, "award"),
           jstr(v, "credential"), *label ? label : jstr(v, "issuer"));
    if (json_object_get(v, "revoked") != NULL) printf("  revoked %s", jstr(v, "revoked"));
    putchar('\n');
    json_array_foreach(json_object_get(v, "fates"), j, f) {
      fmt_amount(jint(f, "amount"), rule_decimals(res, jstr(f, "rule")), a, sizeof a);
      printf("      %-28s %-22s %s\n", jstr(f, "rule"), jstr(f, "fate"), a);
    }
  }
done:
  json_decref(res);
}

static void print_district(const char *json, size_t len) {
  json_error_t je;
  json_t *res = json_loadb(json, len, 0, &je);
  char a[48], cst[48];
  size_t i, j;
  json_t *p, *cu;
  if (res == NULL || cli_json_human(res) != 0) {
    json_decref(res);
    cli_put_text(stdout, json, len);
    putchar('\n');
    return;
  }
  int64_t year = jint(res, "year");
  printf("district view as of %s: %lld educators", jstr(res, "as_of"),
         (long long)jint(res, "educators"));
  if (year != 0) printf("; costs in the fiscal year starting in %lld", (long long)year);
  putchar('\n');
  json_array_foreach(json_object_get(res, "policies"), i, p) {
    printf("\npolicy %s: %lld educators benefiting\n", jstr(p, "policy"),
           (long long)jint(p, "educators_benefiting"));
    printf("  %-28s %16s %10s %16s\n", "currency", "total", "educators", "cost in year");
    json_array_foreach(json_object_get(p, "currencies"), j, cu) {
      unsigned dec = (unsigned)jint(cu, "decimals");
      fmt_amount(jint(cu, "total"), dec, a, sizeof a);
      if (json_object_get(cu, "cost_in_year") != NULL)
        fmt_amount(jint(cu, "cost_in_year"), dec, cst, sizeof cst);
      else
        snprintf(cst, sizeof cst, "-");
      printf("  %-28s %16s %10lld %16s\n", jstr(cu, "currency"), a,
             (long long)jint(cu, "educators"), cst);
    }
  }
  json_decref(res);
}

/* Resolves and compiles one policy through r. */
static int load_policy(cli *c, cp_reader *r, const char *arg, cp_policy_entry *pe,
                       cp_policy **pol) {
  cp_diag d = {{0}};
  int st = cli_resolve_policy(c, r, arg, pe);
  if (st != CLI_OK) return st;
  int rc = cp_policy_compile(pe->document.p, pe->document.len, pol, &d);
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
  if ((st = load_policy(c, r, o->policy, &pe, &pol)) != CLI_OK) goto out;
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

typedef struct {
  cp_facts *f;
  cp_policy_district *dv;
  const opts *o;
  cp_diag *d;
  uint8_t failed[CP_PK_BYTES];
  uint64_t left_out;
} district_acc;

/* An educator whose facts the engine refuses (over a limit, an overflow) is
 * left out of the view with a warning, so one hostile log cannot stop a
 * district's view; the command then exits 1. Other errors stop it. */
static int district_one(void *ctx, const uint8_t educator[CP_PK_BYTES]) {
  district_acc *a = ctx;
  cp_policy_educator ed;
  int rc = cp_facts_educator(a->f, educator, a->o->area, a->o->narea, &ed, a->d);
  if (rc == 0) rc = cp_policy_district_add(a->dv, &ed, a->d);
  if (rc == CP_ETOOBIG || rc == CP_EINVAL || rc == CP_EOVERFLOW) {
    char hex[2 * CP_PK_BYTES + 1];
    cp_hex_encode(educator, CP_PK_BYTES, hex);
    fprintf(stderr, "credport recognize: warning: educator %s left out of the district view: %s\n",
            hex, a->d->msg[0] ? a->d->msg : cp_strerror(rc));
    a->d->msg[0] = 0;
    a->left_out++;
    return 0;
  }
  if (rc != 0) memcpy(a->failed, educator, CP_PK_BYTES);
  return rc;
}

static int district(cli *c, cp_store *s, const opts *o) {
  cp_reader *r = NULL;
  cp_policy *pols[1 + COMPARE_MAX] = {NULL};
  cp_policy_entry pe;
  cp_facts *f = NULL;
  cp_policy_district *dv = NULL;
  cp_diag d = {{0}};
  char *json = NULL;
  size_t npol = 0, len = 0;
  int st = CLI_OK, rc = cp_reader_begin(s, &r);
  if (rc != 0) {
    st = cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
    goto out;
  }
  for (size_t i = 0; i <= o->ncompare; i++) {
    const char *arg = i == 0 ? o->policy : o->compare[i - 1];
    if ((st = load_policy(c, r, arg, &pe, &pols[i])) != CLI_OK) goto out;
    npol++;
  }
  rc = cp_facts_new(r, CP_FACTS_ALL, CP_FACTS_DISTRICT, &f, &d);
  if (rc == 0)
    rc = cp_policy_district_new((const cp_policy *const *)pols, npol, cp_facts_env(f), o->day,
                                o->fy, &dv);
  district_acc a = {f, dv, o, &d, {0}, 0};
  if (rc == 0) rc = cp_reader_each_educator(r, district_one, &a);
  if (rc != 0) {
    char hex[2 * CP_PK_BYTES + 1];
    cp_hex_encode(a.failed, CP_PK_BYTES, hex);
    st = cli_fail(c, "district view failed (educator %s): %s", hex,
                  d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  if ((rc = cp_policy_district_json(dv, &json, &len)) != 0) {
    st = cli_fail(c, "district view: %s", cp_strerror(rc));
    goto out;
  }
  if (c->json) {
    fwrite(json, 1, len, stdout);
    putchar('\n');
  } else {
    print_district(json, len);
  }
  if (a.left_out != 0)
    st = cli_fail(c, "%llu educators were left out of the district view (see the warnings)",
                  (unsigned long long)a.left_out);
out:
  free(json);
  cp_policy_district_free(dv);
  cp_facts_free(f);
  for (size_t i = 0; i < npol; i++) cp_policy_free(pols[i]);
  cp_reader_end(r);
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
      {"json", 0, 0, 'J'},     {"help", 0, 0, 'h'},    {0, 0, 0, 0}};
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
    case 'c':
      if (o.ncompare == COMPARE_MAX)
        return cli_usage(c, "--compare: at most %u alternatives", COMPARE_MAX);
      o.compare[o.ncompare++] = optarg;
      break;
    case 'J': c->json = 1; break;
    case 'h': fputs(help, stdout); return CLI_OK;
    default: return cli_usage(c, "unknown option or missing value: %s\n%s", argv[optind - 1], help);
    }
  }
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (o.policy == NULL) return cli_usage(c, "--policy is required\n%s", help);
  if (o.all) {
    if (o.educator != NULL) return cli_usage(c, "give --educator or --all, not both");
    if (o.explain || o.record)
      return cli_usage(c, "--explain and --record are for one educator, not with --all");
  } else {
    if (o.educator == NULL) return cli_usage(c, "--educator (or --all) is required\n%s", help);
    if (o.year != NULL || o.ncompare != 0)
      return cli_usage(c, "--year and --compare belong to the district view (--all)");
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
  if (o.all) st = district(c, s, &o);
  else if (o.record) st = record(c, s, &o);
  else st = one_educator(c, s, &o);
  cp_store_close(s);
  return st;
}
