/*
 * credport CLI — recognize --all: the district view over every educator the
 * node knows, or over a staff list (--educators FILE), with alternative
 * policies side by side (--compare), and the cost of money currencies in
 * one fiscal year (--year) or in each of a range (--years, a projection).
 * The text form is rendered from the engine's canonical JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "recognize_cli.h"

/* "1 educator", "2 educators". */
static const char *educators(long long n) { return n == 1 ? "educator" : "educators"; }

static void print_district(const char *json, size_t len, const char *staff,
                           const cp_policy *const *pols) {
  json_error_t je;
  json_t *res = json_loadb(json, len, 0, &je);
  char a[CP_STR_MAX + 64], cst[CP_STR_MAX + 64];
  size_t i, j, k;
  json_t *p, *cu, *y;
  if (res == NULL || cli_json_human(res) != 0) {
    json_decref(res);
    cli_put_text(stdout, json, len);
    putchar('\n');
    return;
  }
  long long n = (long long)jint(res, "educators");
  int64_t year = jint(res, "year");
  json_t *years = json_object_get(res, "years");
  printf("district view as of %s: %lld %s considered (%s)", jstr(res, "as_of"), n, educators(n),
         staff != NULL ? "the staff list" : "every educator this node knows");
  if (years != NULL)
    printf("; costs in the fiscal years starting in %lld to %lld", (long long)year,
           (long long)json_integer_value(json_array_get(years, json_array_size(years) - 1)));
  else if (year != 0)
    printf("; costs in the fiscal year starting in %lld", (long long)year);
  putchar('\n');
  json_array_foreach(json_object_get(res, "policies"), i, p) {
    long long b = (long long)jint(p, "educators_benefiting");
    printf("\npolicy %s: %lld of %lld %s %s\n", jstr(p, "policy"), b, n, educators(n),
           b == 1 ? "benefits" : "benefit");
    printf("  %-28s %16s %10s %16s\n", "currency", "total", "educators",
           years != NULL ? "cost, first year" : "cost in year");
    json_array_foreach(json_object_get(p, "currencies"), j, cu) {
      unsigned dec = (unsigned)jint(cu, "decimals");
      const char *cur = jstr(cu, "currency"), *unit = cp_policy_currency_unit(pols[i], j);
      cli_rec_quantity(jint(cu, "total"), dec, cur, unit, 1, a, sizeof a);
      if (json_object_get(cu, "cost_in_year") != NULL)
        cli_rec_quantity(jint(cu, "cost_in_year"), dec, cur, unit, 0, cst, sizeof cst);
      else
        snprintf(cst, sizeof cst, "-");
      printf("  %-28s %16s %10lld %16s\n", cur, a, (long long)jint(cu, "educators"), cst);
    }
    if (years == NULL) continue;
    json_array_foreach(json_object_get(p, "currencies"), j, cu) {
      json_t *costs = json_object_get(cu, "costs");
      if (costs == NULL) continue;
      unsigned dec = (unsigned)jint(cu, "decimals");
      const char *cur = jstr(cu, "currency"), *unit = cp_policy_currency_unit(pols[i], j);
      printf("  cost of %s by fiscal year:\n", cur);
      json_array_foreach(years, k, y) {
        cli_rec_quantity((int64_t)json_integer_value(json_array_get(costs, k)), dec, cur, unit,
                         0, cst, sizeof cst);
        printf("    %lld-%02lld %16s\n", (long long)json_integer_value(y),
               (long long)((json_integer_value(y) + 1) % 100), cst);
      }
    }
  }
  json_decref(res);
}

typedef struct {
  cp_facts *f;
  cp_policy_district *dv;
  const cli_rec_opts *o;
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

typedef struct {
  uint8_t key[CP_PK_BYTES];
  size_t line;
} staff_key;

static int cmp_staff(const void *x, const void *y) {
  const staff_key *a = x, *b = y;
  int c = memcmp(a->key, b->key, CP_PK_BYTES);
  return c != 0 ? c : (a->line > b->line) - (a->line < b->line);
}

/* Reads a staff list: one educator key (64 hex digits or did:key) a line;
 * blank lines and lines starting with '#' are skipped; a key listed twice
 * is an error. OUT: *keys (sorted by key), *n. */
static int read_staff(cli *c, const char *path, staff_key **keys, size_t *n) {
  FILE *fp = fopen(path, "rb");
  char line[256];
  size_t ln = 0, k = 0, cap = 0;
  staff_key *v = NULL;
  int st = CLI_OK;
  if (fp == NULL) return cli_fail(c, "--educators: %s: cannot open: %s", path, strerror(errno));
  while (fgets(line, sizeof line, fp) != NULL) {
    size_t len = strlen(line);
    ln++;
    if (len == sizeof line - 1 && line[len - 1] != '\n') {
      st = cli_usage(c, "--educators: %s: line %zu: longer than a key", path, ln);
      goto out;
    }
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
                       line[len - 1] == '\t'))
      line[--len] = 0;
    if (len == 0 || line[0] == '#') continue;
    if (k == CP_STAFF_LIST_MAX) {
      st = cli_usage(c, "--educators: %s: line %zu: more than %u keys", path, ln,
                     CP_STAFF_LIST_MAX);
      goto out;
    }
    if (k == cap) {
      size_t nc = cap ? 2 * cap : 256;
      staff_key *nv = realloc(v, nc * sizeof *v);
      if (nv == NULL) {
        st = cli_fail(c, "out of memory reading %s", path);
        goto out;
      }
      v = nv;
      cap = nc;
    }
    if (cli_parse_pubkey(line, v[k].key) != 0) {
      char shown[96];
      st = cli_usage(c, "--educators: %s: line %zu: \"%s\" is not an educator's public key (64 "
                     "hex digits or did:key)", path, ln, cli_text(line, len, shown, sizeof shown));
      goto out;
    }
    v[k++].line = ln;
  }
  if (ferror(fp)) {
    st = cli_fail(c, "--educators: %s: cannot read", path);
    goto out;
  }
  if (k > 0) qsort(v, k, sizeof *v, cmp_staff);
  for (size_t i = 1; i < k; i++)
    if (memcmp(v[i - 1].key, v[i].key, CP_PK_BYTES) == 0) {
      st = cli_usage(c, "--educators: %s: line %zu: the same educator as line %zu", path,
                     v[i].line, v[i - 1].line);
      goto out;
    }
out:
  fclose(fp);
  if (st != CLI_OK) {
    free(v);
    return st;
  }
  *keys = v;
  *n = k;
  return CLI_OK;
}

int cli_rec_district(cli *c, cp_store *s, const cli_rec_opts *o) {
  cp_reader *r = NULL;
  cp_policy *pols[1 + COMPARE_MAX] = {NULL};
  cp_policy_entry pe;
  cp_facts *f = NULL;
  cp_policy_district *dv = NULL;
  cp_diag d = {{0}};
  char *json = NULL;
  staff_key *staff = NULL;
  size_t npol = 0, len = 0, nstaff = 0;
  int st = CLI_OK, rc;
  if (o->educators != NULL && (st = read_staff(c, o->educators, &staff, &nstaff)) != CLI_OK)
    return st;
  if ((rc = cp_reader_begin(s, &r)) != 0) {
    st = cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
    goto out;
  }
  for (size_t i = 0; i <= o->ncompare; i++) {
    const char *arg = i == 0 ? o->policy : o->compare[i - 1];
    if ((st = cli_rec_load_policy(c, r, arg, &pe, &pols[i])) != CLI_OK) goto out;
    npol++;
  }
  rc = cp_facts_new(r, CP_FACTS_ALL, CP_FACTS_DISTRICT, &f, &d);
  if (rc == 0 && o->fy_until != 0)
    rc = cp_policy_district_new_years((const cp_policy *const *)pols, npol, cp_facts_env(f),
                                      o->day, o->fy, o->fy_until, &dv);
  else if (rc == 0)
    rc = cp_policy_district_new((const cp_policy *const *)pols, npol, cp_facts_env(f), o->day,
                                o->fy, &dv);
  district_acc a = {f, dv, o, &d, {0}, 0};
  if (rc == 0 && staff != NULL) {
    for (size_t i = 0; i < nstaff && rc == 0; i++) rc = district_one(&a, staff[i].key);
  } else if (rc == 0) {
    rc = cp_reader_each_educator(r, district_one, &a);
  }
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
    print_district(json, len, o->educators, (const cp_policy *const *)pols);
  }
  if (a.left_out != 0)
    st = cli_fail(c, "%llu %s left out of the district view (see the warnings)",
                  (unsigned long long)a.left_out,
                  a.left_out == 1 ? "educator was" : "educators were");
out:
  free(json);
  free(staff);
  cp_policy_district_free(dv);
  cp_facts_free(f);
  for (size_t i = 0; i < npol; i++) cp_policy_free(pols[i]);
  cp_reader_end(r);
  return st;
}
